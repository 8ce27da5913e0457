//! `GET /openapi.json`: the OpenAPI 3.1 description of the API. The reports' paths and schemas
//! are written from their descriptions (`tally_model::openapi`); every other endpoint from its
//! entry in the route table ([`ENDPOINTS`]) and the types it reads and writes. The sign-in
//! endpoint, `$batch`, the service document and `$metadata` are in `tally_model`'s `base.json`.

use std::sync::OnceLock;

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use tally_model::directory::costs::LICENSE_COST;
use tally_model::directory::insight::PREMIUM_LICENSE_INSIGHT;
use tally_model::directory::types::{LICENSE_DETAILS, SUBSCRIBED_SKU, USER};
use tally_model::openapi::{
    add_entity_type, entity_input, schema_ref, with_errors, Object, Status, NOT_FOUND, TIMED_OUT,
    TOO_LARGE, UNSUPPORTED,
};

use crate::routes::endpoints::{Answer, Doc, Endpoint, Operation, ENDPOINTS};

pub async fn document() -> Response {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let text = DOCUMENT.get_or_init(|| tally_model::openapi::document_with(extend));
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        text.as_str(),
    )
        .into_response()
}

/// The versions, their path prefixes and how operation ids spell them.
const VERSIONS: [(&str, &str); 2] = [("/v1.0", "v1_0"), ("/beta", "beta")];

/// Adds the route table's endpoints and their schemas.
fn extend(paths: &mut Object, schemas: &mut Object) {
    for (prefix, id) in VERSIONS {
        for endpoint in ENDPOINTS {
            if endpoint.beta_only && prefix == "/v1.0" {
                continue;
            }
            let mut item = Map::new();
            for operation in endpoint.operations {
                if let Some(doc) = &operation.doc {
                    let method = operation.method.as_str().to_ascii_lowercase();
                    item.insert(method, describe(endpoint, operation, doc, id));
                }
            }
            if !item.is_empty() {
                paths.insert(path(prefix, endpoint), Value::Object(item));
            }
        }
    }
    for ty in [
        &SUBSCRIBED_SKU,
        &USER,
        &LICENSE_DETAILS,
        &PREMIUM_LICENSE_INSIGHT,
        &LICENSE_COST,
    ] {
        add_entity_type(schemas, ty);
    }
    let sku_computed = ["id", "consumedUnits"];
    schemas.insert(
        "SubscribedSkuCreate".into(),
        entity_input(&SUBSCRIBED_SKU, &sku_computed, &["skuId"]),
    );
    schemas.insert(
        "SubscribedSkuPatch".into(),
        entity_input(&SUBSCRIBED_SKU, &["id", "consumedUnits", "skuId"], &[]),
    );
    let user_computed = [
        "id",
        "assignedLicenses",
        "assignedPlans",
        "licenseAssignmentStates",
        "businessPhones",
    ];
    schemas.insert(
        "UserCreate".into(),
        entity_input(&USER, &user_computed, &["userPrincipalName"]),
    );
    schemas.insert("UserPatch".into(), entity_input(&USER, &user_computed, &[]));
    schemas.insert("AssignLicenseRequest".into(), assign_license_request());
    schemas.insert("ReportRoot".into(), report_root());
    schemas.insert("LicenseReclaimRow".into(), reclaim_row());
}

/// `users/{key}/microsoft.graph.assignLicense` → `/v1.0/users/{key}/assignLicense`.
fn path(prefix: &str, endpoint: &Endpoint) -> String {
    let segments: Vec<&str> = endpoint
        .path
        .split('/')
        .map(|segment| segment.strip_prefix("microsoft.graph.").unwrap_or(segment))
        .collect();
    format!("{prefix}/{}", segments.join("/"))
}

fn describe(endpoint: &Endpoint, operation: &Operation, doc: &Doc, version_id: &str) -> Value {
    let method = operation.method.as_str().to_ascii_lowercase();
    let mut parameters: Vec<Value> = Vec::new();
    if endpoint.path.contains("{key}") {
        parameters.push(json!({
            "name": "key",
            "in": "path",
            "required": true,
            "description": "The object's key (a user's id or userPrincipalName; a SKU's {tenantId}_{skuId}).",
            "schema": { "type": "string" },
        }));
    }
    parameters.extend(doc.query.iter().map(|name| query_parameter(name)));
    let mut described = json!({
        "operationId": format!("{method}_{version_id}_{}", endpoint.label),
        "summary": doc.summary,
        "tags": [tag(endpoint)],
        "parameters": parameters,
        "responses": responses(endpoint, operation, doc),
    });
    if let Some(body) = doc.body {
        described["requestBody"] = json!({
            "required": true,
            "content": { "application/json": { "schema": schema_ref(body) } },
        });
    }
    described
}

/// The tag an endpoint is listed under: its first segment (`users`, `subscribedSkus`), or the
/// report it reads.
fn tag(endpoint: &Endpoint) -> &'static str {
    match endpoint.path.split('/').collect::<Vec<_>>().as_slice() {
        ["reports", report, ..] => report,
        [first, ..] => first,
        [] => "",
    }
}

/// A query option: the shared ones by reference, the rest as plain strings.
fn query_parameter(name: &str) -> Value {
    match name {
        "top" | "skip" | "count" | "skiptoken" => {
            json!({ "$ref": format!("#/components/parameters/{name}") })
        }
        "licenseType" => json!({
            "name": "licenseType",
            "in": "query",
            "required": true,
            "schema": { "type": "string", "enum": ["basic", "premiumP1", "premiumP2"] },
        }),
        option => json!({
            "name": format!("${option}"),
            "in": "query",
            "required": false,
            "schema": { "type": "string" },
        }),
    }
}

fn responses(endpoint: &Endpoint, operation: &Operation, doc: &Doc) -> Value {
    let json_body = |schema: Value| json!({ "application/json": { "schema": schema } });
    let (status, success) = match doc.answer {
        Answer::Object(schema) => (
            "200",
            json!({ "description": "The object.", "content": json_body(schema_ref(schema)) }),
        ),
        Answer::Created(schema) => (
            "201",
            json!({
                "description": "Created: the new object; Location is its URL.",
                "headers": { "Location": { "$ref": "#/components/headers/Location" } },
                "content": json_body(schema_ref(schema)),
            }),
        ),
        Answer::Accepted(schema) => (
            "202",
            json!({ "description": "Accepted: the object.", "content": json_body(schema_ref(schema)) }),
        ),
        Answer::Page(schema) => (
            "200",
            json!({ "description": "A page of objects.", "content": json_body(page(schema)) }),
        ),
        Answer::Count => (
            "200",
            json!({
                "description": "The number, as text.",
                "content": { "text/plain": { "schema": { "type": "string", "pattern": "^[0-9]+$" } } },
            }),
        ),
        Answer::NoContent => ("204", json!({ "description": "Done." })),
    };
    let mut successes = Map::new();
    successes.insert(status.into(), success);
    let mut errors: Vec<Status> = Vec::new();
    if endpoint.path.contains("{key}") || endpoint.path.starts_with("reports/") {
        errors.push(NOT_FOUND);
    }
    if doc.body.is_some() || operation.writes {
        errors.extend([TOO_LARGE, UNSUPPORTED]);
    }
    if !operation.writes {
        errors.push(TIMED_OUT);
    }
    Value::Object(with_errors(successes, &errors))
}

/// A page of `item`s.
fn page(item: &str) -> Value {
    json!({
        "type": "object",
        "properties": {
            "@odata.context": { "type": "string" },
            "@odata.count": { "type": "integer" },
            "@odata.nextLink": { "type": "string", "format": "uri" },
            "@tally.unitCount": { "type": "integer" },
            "value": { "type": "array", "items": schema_ref(item) },
        },
        "required": ["value"],
    })
}

fn assign_license_request() -> Value {
    json!({
        "type": "object",
        "description": "assignLicense's parameters: both required (either may be empty).",
        "properties": {
            "addLicenses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "skuId": { "type": "string", "format": "uuid" },
                        "disabledPlans": { "type": "array", "items": { "type": "string", "format": "uuid" } },
                    },
                    "required": ["skuId"],
                },
            },
            "removeLicenses": { "type": "array", "items": { "type": "string", "format": "uuid" } },
        },
        "required": ["addLicenses", "removeLicenses"],
    })
}

fn report_root() -> Value {
    json!({
        "type": "object",
        "description": "reportRoot: the navigation properties of the reports.",
        "properties": { "@odata.context": { "type": "string" } },
    })
}

fn reclaim_row() -> Value {
    let nullable = |ty: &str| json!({ "type": [ty, "null"] });
    json!({
        "type": "object",
        "description": "tally's: an inactive holder of a license type, with the licenses it holds.",
        "properties": {
            "id": { "type": "string", "format": "uuid" },
            "displayName": nullable("string"),
            "userPrincipalName": { "type": "string" },
            "accountEnabled": nullable("boolean"),
            "userType": nullable("string"),
            "lastSignInDateTime": nullable("string"),
            "licenses": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "skuId": { "type": "string", "format": "uuid" },
                        "skuPartNumber": nullable("string"),
                    },
                },
            },
        },
        "required": ["id", "userPrincipalName", "licenses"],
    })
}
