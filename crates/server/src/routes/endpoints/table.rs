//! The entries of the route table: each endpoint tally serves beside the reports' collections,
//! with its operations, guards, handlers and OpenAPI words ([`super`] says what an entry means).

use axum::http::Method;
use tally_model::directory::insight::INSIGHT;
use tally_model::directory::{ASSIGN_LICENSE, SKUS, USERS};
use tally_model::resources::{Permissions, REPORTS};

use super::{Answer, Doc, Endpoint, Guard, Handler, Operation};
use crate::routes::{batch, derived, directory, service};

/// Boxes a handler's future (the table holds plain function pointers).
macro_rules! handler {
    (|$state:ident, $request:ident, $keys:ident| $body:expr) => {
        |$state, $request, $keys| Box::pin(async move { $body })
    };
}

const fn get(guard: &'static Permissions, doc: Doc, handler: Handler) -> Operation {
    Operation {
        method: Method::GET,
        writes: false,
        guard: Guard::Permissions(guard),
        handler,
        doc: Some(doc),
    }
}

const fn write(
    method: Method,
    guard: &'static Permissions,
    doc: Doc,
    handler: Handler,
) -> Operation {
    Operation {
        method,
        writes: true,
        guard: Guard::Permissions(guard),
        handler,
        doc: Some(doc),
    }
}

/// A read that `openapi/base.json` describes (the service document, `$metadata`).
const fn in_base(handler: Handler) -> Operation {
    Operation {
        method: Method::GET,
        writes: false,
        guard: Guard::Permissions(&REPORTS),
        handler,
        doc: None,
    }
}

/// A read's [`Doc`].
const fn reads(summary: &'static str, answer: Answer, query: &'static [&'static str]) -> Doc {
    Doc {
        summary,
        body: None,
        answer,
        query,
    }
}

/// A write's [`Doc`].
const fn writes(summary: &'static str, body: Option<&'static str>, answer: Answer) -> Doc {
    Doc {
        summary,
        body,
        answer,
        query: &[],
    }
}

/// The options of a directory listing.
const LISTING: &[&str] = &[
    "filter",
    "select",
    "orderby",
    "top",
    "skip",
    "count",
    "skiptoken",
];
/// `$select` alone.
const SELECT: &[&str] = &["select"];

/// Every endpoint; where two paths could match one request (`users/$count`, `users/{key}`),
/// the first listed wins.
pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        path: "",
        label: "service",
        beta_only: false,
        operations: &[in_base(handler!(|_state, request, _keys| service::service_document(request)))],
    },
    Endpoint {
        path: "$metadata",
        label: "metadata",
        beta_only: false,
        operations: &[in_base(handler!(|_state, _request, _keys| Ok(service::metadata())))],
    },
    Endpoint {
        path: "$batch",
        label: "batch",
        beta_only: false,
        operations: &[Operation {
            method: Method::POST,
            writes: false,
            guard: Guard::EachItem,
            handler: handler!(|state, request, _keys| batch::run(state, request).await),
            doc: None,
        }],
    },
    Endpoint {
        path: "reports",
        label: "reports",
        beta_only: false,
        operations: &[get(
            &REPORTS,
            reads("The reportRoot singleton.", Answer::Object("ReportRoot"), &[]),
            handler!(|_state, request, _keys| service::reports(request)),
        )],
    },
    Endpoint {
        path: "reports/azureADPremiumLicenseInsight",
        label: "premium_license_insight",
        beta_only: true,
        operations: &[get(
            &INSIGHT,
            reads(
                "The premium license insight: P1 and P2 licenses bought, and the users of each premium feature in the last 30 days.",
                Answer::Object("AzureADPremiumLicenseInsight"),
                SELECT,
            ),
            handler!(|state, request, _keys| derived::insight::get(state, request).await),
        )],
    },
    Endpoint {
        path: "reports/licenseReclaim",
        label: "license_reclaim",
        beta_only: true,
        // The list reads users; it also checks the sign-in permission, as
        // `$select=signInActivity` does.
        operations: &[get(
            &USERS,
            reads(
                "tally's: the holders of a license type who have not signed in within 30 days (licenseType=basic|premiumP1|premiumP2).",
                Answer::Page("LicenseReclaimRow"),
                &["licenseType", "top", "count", "skiptoken"],
            ),
            handler!(|state, request, _keys| derived::reclaim::get(state, request).await),
        )],
    },
    Endpoint {
        path: "reports/licenseCosts",
        label: "license_costs",
        beta_only: true,
        // The report reads SKUs; it also checks the sign-in permission, as the reclaim list
        // does.
        operations: &[get(
            &SKUS,
            reads(
                "tally's: per SKU the units bought, assigned, unassigned, on disabled and on inactive accounts, and their monthly cost at the tenant's prices, with totals per currency.",
                Answer::Page("LicenseCost"),
                SELECT,
            ),
            handler!(|state, request, _keys| derived::costs::get(state, request).await),
        )],
    },
    Endpoint {
        path: "subscribedSkus",
        label: "subscribed_skus",
        beta_only: false,
        operations: &[
            get(
                &SKUS,
                reads("The SKUs the tenant bought.", Answer::Page("SubscribedSku"), SELECT),
                handler!(|state, request, _keys| directory::skus::list(state, request).await),
            ),
            write(
                Method::POST,
                &SKUS,
                writes(
                    "tally's: adds a SKU to an emulated tenant.",
                    Some("SubscribedSkuCreate"),
                    Answer::Created("SubscribedSku"),
                ),
                handler!(|state, request, _keys| directory::skus::create(state, request).await),
            ),
        ],
    },
    Endpoint {
        path: "subscribedSkus/{key}",
        label: "subscribed_sku",
        beta_only: false,
        operations: &[
            get(
                &SKUS,
                reads("One SKU, by {tenantId}_{skuId}.", Answer::Object("SubscribedSku"), SELECT),
                handler!(|state, request, keys| {
                    directory::skus::get(state, request, keys.first()).await
                }),
            ),
            write(
                Method::PATCH,
                &SKUS,
                writes(
                    "tally's: changes a SKU of an emulated tenant.",
                    Some("SubscribedSkuPatch"),
                    Answer::NoContent,
                ),
                handler!(|state, request, keys| {
                    directory::skus::update(state, request, keys.first()).await
                }),
            ),
            write(
                Method::DELETE,
                &SKUS,
                writes("tally's: removes a SKU nobody holds.", None, Answer::NoContent),
                handler!(|state, request, keys| {
                    directory::skus::delete(state, request, keys.first()).await
                }),
            ),
        ],
    },
    Endpoint {
        path: "users",
        label: "users",
        beta_only: false,
        operations: &[
            get(
                &USERS,
                reads("The tenant's users.", Answer::Page("User"), LISTING),
                handler!(|state, request, _keys| directory::users::list(state, request).await),
            ),
            write(
                Method::POST,
                &USERS,
                writes("Creates a user.", Some("UserCreate"), Answer::Created("User")),
                handler!(|state, request, _keys| directory::users::create(state, request).await),
            ),
        ],
    },
    Endpoint {
        path: "users/$count",
        label: "users_count",
        beta_only: false,
        operations: &[get(
            &USERS,
            reads("The number of users the filter matches.", Answer::Count, &["filter"]),
            handler!(|state, request, _keys| directory::users::count(state, request).await),
        )],
    },
    Endpoint {
        path: "users/{key}",
        label: "user",
        beta_only: false,
        operations: &[
            get(
                &USERS,
                reads("One user, by id or userPrincipalName.", Answer::Object("User"), SELECT),
                handler!(|state, request, keys| {
                    directory::users::get(state, request, keys.first()).await
                }),
            ),
            write(
                Method::PATCH,
                &USERS,
                writes("Changes a user.", Some("UserPatch"), Answer::NoContent),
                handler!(|state, request, keys| {
                    directory::users::update(state, request, keys.first()).await
                }),
            ),
            write(
                Method::DELETE,
                &USERS,
                writes("Deletes a user; the licenses it held are freed.", None, Answer::NoContent),
                handler!(|state, request, keys| {
                    directory::users::delete(state, request, keys.first()).await
                }),
            ),
        ],
    },
    Endpoint {
        path: "users/{key}/microsoft.graph.assignLicense",
        label: "assign_license",
        beta_only: false,
        operations: &[write(
            Method::POST,
            &ASSIGN_LICENSE,
            Doc {
                answer: Answer::Object("User"),
                ..writes(
                    "Adds and removes a user's licenses, all or nothing.",
                    Some("AssignLicenseRequest"),
                    Answer::NoContent,
                )
            },
            handler!(|state, request, keys| {
                directory::licenses::assign(state, request, keys.first()).await
            }),
        )],
    },
    Endpoint {
        path: "users/{key}/licenseDetails",
        label: "license_details",
        beta_only: false,
        operations: &[get(
            &USERS,
            reads(
                "The licenses a user holds, with their service plans.",
                Answer::Page("LicenseDetails"),
                &["select", "count"],
            ),
            handler!(|state, request, keys| {
                directory::licenses::details(state, request, keys.first()).await
            }),
        )],
    },
];
