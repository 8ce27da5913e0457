//! The records of a Graph page as collect reads them: a SKU and a user with the properties
//! tally keeps, typed, so that an item is deserialized straight from the response (anything
//! else Graph adds is skipped unread). Each becomes tally's own through the parsers of reported
//! SKUs and imported users (`sku_reported`, `user_import`), so Graph's data meets the same
//! checks as a file's, and a SKU keeps the plans Graph reported (none come from the product
//! catalog, as a created SKU's may). A sign-in date that is not a date (Graph's beta documents
//! `""`) is kept as null and reported.

use anyhow::Context;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use tally_model::directory::body::{sku_reported, user_import};
use tally_model::directory::{AssignedLicense, Sku, User};
use tally_odata::edm::DateTimeOffset;

/// A nested property: absent (`None`), null (`Some(None)`) or a value, passed on as Graph
/// sent it (the parsers give an absent one its default, and check a null).
pub(super) type Nested<T> = Option<Option<T>>;

/// Deserializes a present property of a [`Nested`] (an absent one is its `default`).
pub(super) fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Nested<T>, D::Error> {
    Option::<T>::deserialize(deserializer).map(Some)
}

/// A `subscribedSku` (`id` and `consumedUnits` are tally's to compute, and skipped); a null
/// property is left out.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GraphSku {
    #[serde(skip_serializing_if = "Option::is_none")]
    sku_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sku_part_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    applies_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    capability_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    prepaid_units: Option<PrepaidUnits>,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_plans: Option<Vec<ServicePlan>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_ids: Option<Vec<String>>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct PrepaidUnits {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    enabled: Nested<i64>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    suspended: Nested<i64>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    warning: Nested<i64>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    locked_out: Nested<i64>,
}

/// A `servicePlanInfo`: a SKU's plan, or a subscription's `serviceStatus` item.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct ServicePlan {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    service_plan_id: Nested<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    service_plan_name: Nested<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    provisioning_status: Nested<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    applies_to: Nested<String>,
}

impl GraphSku {
    /// tally's SKU, checked as an import's.
    pub(super) fn into_sku(self) -> anyhow::Result<Sku> {
        sku_reported(&serde_json::to_vec(&self)?)
            .map_err(|message| anyhow::anyhow!("a SKU from Graph: {message}"))
    }
}

/// A `user` (with what `USER_SELECT` asks for); a null property is left out.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct GraphUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_principal_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    surname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    job_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mail_nickname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assigned_licenses: Option<Vec<License>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sign_in_activity: Option<SignInActivity>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct License {
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    sku_id: Nested<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    disabled_plans: Nested<Vec<String>>,
}

/// The sign-in dates, as any JSON (a date that is not a string is as unparsable as `""`);
/// Graph's other members (request ids) are skipped.
#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct SignInActivity {
    #[serde(skip_serializing_if = "Option::is_none")]
    last_sign_in_date_time: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_non_interactive_sign_in_date_time: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_successful_sign_in_date_time: Option<Value>,
}

/// A user as collect keeps it.
pub(super) struct UserRecord {
    pub(super) user: User,
    pub(super) licenses: Vec<AssignedLicense>,
    /// The first sign-in date of this user that was not a date, now null.
    pub(super) unparsable_date: Option<UnparsableDate>,
}

/// A sign-in date from Graph that is not a date: whose, which, and what it said.
pub(super) struct UnparsableDate {
    pub(super) user_principal_name: String,
    pub(super) property: &'static str,
    pub(super) value: String,
}

impl GraphUser {
    /// tally's user and licenses, checked as an import's; an unparsable sign-in date is nulled.
    pub(super) fn into_record(mut self) -> anyhow::Result<UserRecord> {
        let upn = self
            .user_principal_name
            .clone()
            .unwrap_or_else(|| "?".into());
        let mut unparsable_date = None;
        if let Some(activity) = &mut self.sign_in_activity {
            for (property, date) in [
                ("lastSignInDateTime", &mut activity.last_sign_in_date_time),
                (
                    "lastNonInteractiveSignInDateTime",
                    &mut activity.last_non_interactive_sign_in_date_time,
                ),
                (
                    "lastSuccessfulSignInDateTime",
                    &mut activity.last_successful_sign_in_date_time,
                ),
            ] {
                let parsable = match date {
                    None | Some(Value::Null) => true,
                    Some(Value::String(text)) => DateTimeOffset::parse(text).is_ok(),
                    Some(_) => false,
                };
                if !parsable {
                    if let Some(value) = date.take() {
                        unparsable_date.get_or_insert_with(|| UnparsableDate {
                            user_principal_name: upn.clone(),
                            property,
                            value: shortened(&value),
                        });
                    }
                }
            }
        }
        let body = serde_json::to_vec(&self).context("a user from Graph")?;
        let (user, licenses) = user_import(&body)
            .map_err(|message| anyhow::anyhow!("the user {upn} from Graph: {message}"))?;
        Ok(UserRecord {
            user,
            licenses,
            unparsable_date,
        })
    }
}

/// A value as JSON, at most 40 characters of it (for a message).
fn shortened(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// How many users had an unparsable sign-in date, and the first of them: one warning line.
#[derive(Default)]
pub(super) struct UnparsableDates {
    pub(super) users: u64,
    pub(super) first: Option<UnparsableDate>,
}

impl UnparsableDates {
    pub(super) fn count(&mut self, date: Option<UnparsableDate>) {
        if let Some(date) = date {
            self.users += 1;
            self.first.get_or_insert(date);
        }
    }

    /// The warning, if any user had one.
    pub(super) fn warning(&self) -> Option<String> {
        let first = self.first.as_ref()?;
        let users = match self.users {
            1 => "1 user".to_owned(),
            n => format!("{n} users"),
        };
        Some(format!(
            "{users} had unparsable sign-in dates from Graph, kept as null (the first: {}'s {} was {})",
            first.user_principal_name, first.property, first.value
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{GraphSku, GraphUser, UnparsableDates};

    #[test]
    fn a_user_keeps_what_tally_keeps_and_an_empty_date_is_nulled() {
        let user: GraphUser = serde_json::from_str(
            r#"{"id":"0b4a7c52-4a6e-4d4f-9a39-2c8a3c1f9d11","userPrincipalName":"a@b.example",
            "displayName":null,"businessPhones":["1"],"accountEnabled":true,
            "assignedLicenses":[{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","disabledPlans":[]}],
            "signInActivity":{"lastSignInDateTime":"2026-11-01T10:00:00Z",
            "lastSignInRequestId":"x","lastSuccessfulSignInDateTime":""}}"#,
        )
        .unwrap();
        let record = user.into_record().unwrap();
        assert_eq!(record.user.user_principal_name, "a@b.example");
        assert_eq!(record.licenses.len(), 1);
        let activity = &record.user.sign_in_activity;
        assert_eq!(
            activity.last_sign_in_date_time.as_deref(),
            Some("2026-11-01T10:00:00Z")
        );
        assert_eq!(activity.last_successful_sign_in_date_time, None);
        let mut dates = UnparsableDates::default();
        dates.count(record.unparsable_date);
        assert_eq!(
            dates.warning().unwrap(),
            "1 user had unparsable sign-in dates from Graph, kept as null (the first: \
             a@b.example's lastSuccessfulSignInDateTime was \"\")"
        );
    }

    #[test]
    fn a_nested_null_is_passed_on_and_an_absent_one_left_out() {
        let sku: GraphSku = serde_json::from_str(
            r#"{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","consumedUnits":3,"prepaidUnits":{"enabled":5},
            "servicePlans":[{"servicePlanId":"41781fb2-bc02-4b7c-bd55-b576c07bb09d","provisioningStatus":null}]}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&sku).unwrap(),
            r#"{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06","prepaidUnits":{"enabled":5},"servicePlans":[{"servicePlanId":"41781fb2-bc02-4b7c-bd55-b576c07bb09d","provisioningStatus":null}]}"#
        );
        let sku = sku.into_sku().unwrap();
        assert_eq!(sku.prepaid_units.enabled, 5);
        assert_eq!(sku.service_plans[0].provisioning_status, None);
        assert_eq!(sku.service_plans[0].applies_to.as_deref(), Some("User"));
    }

    #[test]
    fn a_sku_without_plans_from_graph_gets_none_from_the_catalog() {
        // SPE_E5 is in the product catalog; a created SKU would get its plans, a collected
        // one keeps what Graph reported.
        let sku: GraphSku =
            serde_json::from_str(r#"{"skuId":"06ebc4ee-1bb5-47dd-8120-11324bc54e06"}"#).unwrap();
        let sku = sku.into_sku().unwrap();
        assert!(sku.service_plans.is_empty(), "{:?}", sku.service_plans);
        assert_eq!(sku.sku_part_number, None);
    }
}
