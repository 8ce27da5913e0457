//! The directory's objects as Graph writes them: every property of the type (null when tally
//! has no value), narrowed by `$select` or by Graph's default set for users.

use serde_json::{json, Map, Value as Json};
use tally_odata::query::Selection;
use tally_odata::schema::EntityType;
use uuid::Uuid;

use super::objects::{Sku, User};
use super::types::{LICENSE_DETAILS, SUBSCRIBED_SKU, USER};
use crate::wire::push_json_str;

/// Which of a user's properties a response carries.
#[derive(Clone, Copy, Debug)]
pub enum UserView<'a> {
    /// v1.0 without `$select`: Graph's default set.
    V1Default,
    /// beta without `$select`: every property but `signInActivity`.
    BetaDefault,
    Selected(&'a Selection),
}

/// The properties a v1.0 user read carries without `$select` (Graph's default set).
pub const V1_DEFAULT: [&str; 11] = [
    "id",
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
];

/// Only `$select` reads it (and only with AuditLog.Read.All).
pub const SIGN_IN_ACTIVITY: &str = "signInActivity";

impl UserView<'_> {
    /// Whether a user written in this view shows their assignedPlans (else a read may skip
    /// them).
    pub fn shows_plans(self) -> bool {
        included(self, &USER, "assignedPlans")
    }
}

fn included(view: UserView<'_>, ty: &EntityType, name: &str) -> bool {
    match view {
        UserView::V1Default => V1_DEFAULT.contains(&name),
        UserView::BetaDefault => name != SIGN_IN_ACTIVITY,
        UserView::Selected(selection) => {
            if selection.star {
                return name != SIGN_IN_ACTIVITY;
            }
            ty.property(name)
                .is_some_and(|property| selection.includes(property))
        }
    }
}

/// Writes a user's JSON object, with `@odata.context` first when given, then the properties
/// `view` includes in the type's order. Written straight to bytes: a page holds a hundred.
pub fn write_user(out: &mut Vec<u8>, user: &User, view: UserView<'_>, context: Option<&str>) {
    let mut object = ObjectWriter::start(out);
    if let Some(context) = context {
        object.string("@odata.context", Some(context));
    }
    let profile = &user.profile;
    for property in USER.properties {
        let name = property.name;
        if !included(view, &USER, name) {
            continue;
        }
        match name {
            "id" => object.string(name, Some(&user.id.to_string())),
            "accountEnabled" => object.raw(
                name,
                match user.account_enabled {
                    Some(true) => "true",
                    Some(false) => "false",
                    None => "null",
                },
            ),
            "assignedLicenses" => object.serialize(name, &user.assigned_licenses),
            "assignedPlans" => object.serialize(name, &user.assigned_plans),
            "businessPhones" => object.raw(name, "[]"),
            "displayName" => object.string(name, profile.display_name.as_deref()),
            "givenName" => object.string(name, profile.given_name.as_deref()),
            "jobTitle" => object.string(name, profile.job_title.as_deref()),
            "licenseAssignmentStates" => {
                let states: Vec<Json> = user
                    .assigned_licenses
                    .iter()
                    .map(|license| {
                        json!({
                            "assignedByGroup": null,
                            "disabledPlans": license.disabled_plans,
                            "error": "None",
                            "lastUpdatedDateTime": null,
                            "skuId": license.sku_id,
                            "state": "Active",
                        })
                    })
                    .collect();
                object.serialize(name, &states);
            }
            "mail" => object.string(name, profile.mail.as_deref()),
            "mailNickname" => object.string(name, profile.mail_nickname.as_deref()),
            "signInActivity" => {
                let activity = &user.sign_in_activity;
                object.serialize(
                    name,
                    &json!({
                        "lastNonInteractiveSignInDateTime": activity.last_non_interactive_sign_in_date_time,
                        "lastNonInteractiveSignInRequestId": null,
                        "lastSignInDateTime": activity.last_sign_in_date_time,
                        "lastSignInRequestId": null,
                        "lastSuccessfulSignInDateTime": activity.last_successful_sign_in_date_time,
                        "lastSuccessfulSignInRequestId": null,
                    }),
                );
            }
            "surname" => object.string(name, profile.surname.as_deref()),
            "usageLocation" => object.string(name, profile.usage_location.as_deref()),
            "userPrincipalName" => object.string(name, Some(&user.user_principal_name)),
            "userType" => object.string(name, profile.user_type.as_deref()),
            // mobilePhone, officeLocation, preferredLanguage: tally keeps none.
            _ => object.raw(name, "null"),
        }
    }
    object.finish();
}

/// A JSON object written member by member.
struct ObjectWriter<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> ObjectWriter<'a> {
    fn start(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, empty: true }
    }

    fn key(&mut self, name: &str) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        push_json_str(self.out, name);
        self.out.push(b':');
    }

    fn raw(&mut self, name: &str, json: &str) {
        self.key(name);
        self.out.extend_from_slice(json.as_bytes());
    }

    fn string(&mut self, name: &str, value: Option<&str>) {
        self.key(name);
        match value {
            Some(text) => push_json_str(self.out, text),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    fn serialize(&mut self, name: &str, value: &impl serde::Serialize) {
        self.key(name);
        if serde_json::to_writer(&mut *self.out, value).is_err() {
            self.out.extend_from_slice(b"null");
        }
    }

    fn finish(self) {
        self.out.push(b'}');
    }
}

/// A SKU's JSON object, narrowed by `$select` when there is one.
pub fn sku(sku: &Sku, tenant: Uuid, selection: Option<&Selection>) -> Map<String, Json> {
    let mut out = Map::new();
    for property in SUBSCRIBED_SKU.properties {
        if selection.is_some_and(|selection| !selection.includes(property)) {
            continue;
        }
        let value = match property.name {
            "id" => json!(sku.key(tenant)),
            "accountId" => json!(sku.account_id),
            "accountName" => json!(sku.account_name),
            "appliesTo" => json!(sku.applies_to),
            "capabilityStatus" => json!(sku.capability_status),
            "consumedUnits" => json!(sku.consumed_units),
            "prepaidUnits" => json!(sku.prepaid_units),
            "servicePlans" => json!(sku.service_plans),
            "skuId" => json!(sku.sku_id),
            "skuPartNumber" => json!(sku.sku_part_number),
            "subscriptionIds" => json!(sku.subscription_ids),
            _ => Json::Null,
        };
        out.insert(property.name.into(), value);
    }
    out
}

/// A user's licenseDetails: one per held SKU, its plans `Disabled` where the user's
/// assignment disables them. `skus` are the tenant's.
pub fn license_details(
    user: &User,
    skus: &[Sku],
    selection: Option<&Selection>,
) -> Vec<Map<String, Json>> {
    user.assigned_licenses
        .iter()
        .filter_map(|license| {
            let sku = skus.iter().find(|sku| sku.sku_id == license.sku_id)?;
            let plans: Vec<Json> = sku
                .service_plans
                .iter()
                .map(|plan| {
                    let disabled = license.disabled_plans.contains(&plan.service_plan_id);
                    json!({
                        "appliesTo": plan.applies_to,
                        "provisioningStatus": if disabled {
                            Some("Disabled")
                        } else {
                            plan.provisioning_status.as_deref()
                        },
                        "servicePlanId": plan.service_plan_id,
                        "servicePlanName": plan.service_plan_name,
                    })
                })
                .collect();
            let mut out = Map::new();
            for property in LICENSE_DETAILS.properties {
                if selection.is_some_and(|selection| !selection.includes(property)) {
                    continue;
                }
                let value = match property.name {
                    "id" => json!(format!("{}_{}", user.id, sku.sku_id)),
                    "servicePlans" => Json::Array(plans.clone()),
                    "skuId" => json!(sku.sku_id),
                    "skuPartNumber" => json!(sku.sku_part_number),
                    _ => Json::Null,
                };
                out.insert(property.name.into(), value);
            }
            Some(out)
        })
        .collect()
}

/// A user as `tally export` writes it and `tally import` reads it: the POST body with `id` and
/// `assignedLicenses` (null values left out).
pub fn user_record(user: &User) -> Map<String, Json> {
    let profile = &user.profile;
    let activity = &user.sign_in_activity;
    let mut out = Map::new();
    out.insert("id".into(), json!(user.id));
    out.insert("userPrincipalName".into(), json!(user.user_principal_name));
    let optional = [
        ("displayName", json!(profile.display_name)),
        ("givenName", json!(profile.given_name)),
        ("surname", json!(profile.surname)),
        ("jobTitle", json!(profile.job_title)),
        ("mail", json!(profile.mail)),
        ("mailNickname", json!(profile.mail_nickname)),
        ("accountEnabled", json!(user.account_enabled)),
        ("userType", json!(profile.user_type)),
        ("usageLocation", json!(profile.usage_location)),
    ];
    for (name, value) in optional {
        if !value.is_null() {
            out.insert(name.into(), value);
        }
    }
    let dates = [
        ("lastSignInDateTime", &activity.last_sign_in_date_time),
        (
            "lastNonInteractiveSignInDateTime",
            &activity.last_non_interactive_sign_in_date_time,
        ),
        (
            "lastSuccessfulSignInDateTime",
            &activity.last_successful_sign_in_date_time,
        ),
    ];
    let dates: Map<String, Json> = dates
        .into_iter()
        .filter_map(|(name, value)| value.as_ref().map(|value| (name.into(), json!(value))))
        .collect();
    if !dates.is_empty() {
        out.insert("signInActivity".into(), Json::Object(dates));
    }
    if !user.assigned_licenses.is_empty() {
        out.insert("assignedLicenses".into(), json!(user.assigned_licenses));
    }
    out
}

/// A SKU as `tally export` writes it: its POST body (no key, no consumedUnits, which its
/// users' records carry).
pub fn sku_record(sku: &Sku) -> Map<String, Json> {
    let mut out = self::sku(sku, Uuid::nil(), None);
    out.remove("id");
    out.remove("consumedUnits");
    out
}
