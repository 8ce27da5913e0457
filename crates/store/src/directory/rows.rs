//! Directory rows in and out, the same for both backends: a SKU is its counters and a JSON
//! body; a user is columns for what `$filter` reads and JSON for the licenses.

use serde::{Deserialize, Serialize};
use tally_model::directory::{
    AssignedLicense, AssignedPlan, PrepaidUnits, Profile, ServicePlan, SignInActivity, Sku, User,
};
use tally_odata::edm::DateTimeOffset;
use uuid::Uuid;

use crate::layout::RowAccess;
use crate::sql::SqlParam;
use crate::StoreError;

/// What a SKU row's `body` holds: everything but the skuId and the counters.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkuBody {
    sku_part_number: Option<String>,
    applies_to: Option<String>,
    capability_status: String,
    prepaid_units: PrepaidUnits,
    service_plans: Vec<ServicePlan>,
    account_id: Option<String>,
    account_name: Option<String>,
    subscription_ids: Vec<String>,
}

/// The JSON `body` of a SKU row.
pub fn sku_body(sku: &Sku) -> String {
    serde_json::to_string(&SkuBody {
        sku_part_number: sku.sku_part_number.clone(),
        applies_to: sku.applies_to.clone(),
        capability_status: sku.capability_status.clone(),
        prepaid_units: sku.prepaid_units,
        service_plans: sku.service_plans.clone(),
        account_id: sku.account_id.clone(),
        account_name: sku.account_name.clone(),
        subscription_ids: sku.subscription_ids.clone(),
    })
    .expect("a SKU serializes")
}

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Internal(format!("a stored directory row: {what}"))
}

/// A SKU from its columns `sku_id, body, consumed_units`.
pub fn decode_sku(row: &(impl RowAccess + ?Sized)) -> Result<Sku, StoreError> {
    let sku_id = row.text(0)?.ok_or_else(|| corrupt("no skuId"))?;
    let sku_id = Uuid::parse_str(&sku_id).map_err(corrupt)?;
    let body = row.text(1)?.ok_or_else(|| corrupt("no body"))?;
    let body: SkuBody = serde_json::from_str(&body).map_err(corrupt)?;
    Ok(Sku {
        sku_id,
        sku_part_number: body.sku_part_number,
        applies_to: body.applies_to,
        capability_status: body.capability_status,
        prepaid_units: body.prepaid_units,
        consumed_units: row.int(2)?.unwrap_or(0),
        service_plans: body.service_plans,
        account_id: body.account_id,
        account_name: body.account_name,
        subscription_ids: body.subscription_ids,
    })
}

/// The user columns after `tenant_id`, in insert order; [`user_params`] gives their values
/// and [`decode_user`] reads [`sql::USER_SELECT`](super::sql) back.
pub const USER_COLUMNS: [&str; 20] = [
    "id",
    "user_principal_name",
    "upn_key",
    "account_enabled",
    "display_name",
    "given_name",
    "surname",
    "job_title",
    "mail",
    "mail_nickname",
    "user_type",
    "usage_location",
    "sign_in_last_text",
    "sign_in_last_ticks",
    "sign_in_non_interactive_text",
    "sign_in_non_interactive_ticks",
    "sign_in_successful_text",
    "sign_in_successful_ticks",
    "assigned_licenses",
    "assigned_plans",
];

fn text(value: &Option<String>) -> SqlParam {
    value.clone().map_or(SqlParam::NullText, SqlParam::Text)
}

fn ticks(value: &Option<String>) -> SqlParam {
    value
        .as_deref()
        .and_then(|text| DateTimeOffset::parse(text).ok())
        .map_or(SqlParam::NullInt, |date| SqlParam::Int(date.ticks()))
}

/// A user's values for [`USER_COLUMNS`].
pub fn user_params(user: &User) -> Vec<SqlParam> {
    let profile = &user.profile;
    let activity = &user.sign_in_activity;
    vec![
        SqlParam::Text(user.id.to_string()),
        SqlParam::Text(user.user_principal_name.clone()),
        SqlParam::Text(tally_model::directory::upn_key(&user.user_principal_name)),
        user.account_enabled.map_or(SqlParam::NullInt, |enabled| {
            SqlParam::Int(i64::from(enabled))
        }),
        text(&profile.display_name),
        text(&profile.given_name),
        text(&profile.surname),
        text(&profile.job_title),
        text(&profile.mail),
        text(&profile.mail_nickname),
        text(&profile.user_type),
        text(&profile.usage_location),
        text(&activity.last_sign_in_date_time),
        ticks(&activity.last_sign_in_date_time),
        text(&activity.last_non_interactive_sign_in_date_time),
        ticks(&activity.last_non_interactive_sign_in_date_time),
        text(&activity.last_successful_sign_in_date_time),
        ticks(&activity.last_successful_sign_in_date_time),
        SqlParam::Text(serde_json::to_string(&user.assigned_licenses).expect("serializes")),
        SqlParam::Text(serde_json::to_string(&user.assigned_plans).expect("serializes")),
    ]
}

/// A user from the columns [`super::sql::user_select`] lists.
pub fn decode_user(row: &(impl RowAccess + ?Sized)) -> Result<User, StoreError> {
    let string = |index: usize| -> Result<Option<String>, StoreError> {
        Ok(row.text(index)?.map(|text| text.into_owned()))
    };
    let id = string(0)?.ok_or_else(|| corrupt("no id"))?;
    let licenses: Vec<AssignedLicense> =
        serde_json::from_str(&string(14)?.unwrap_or_else(|| "[]".into())).map_err(corrupt)?;
    let plans: Vec<AssignedPlan> =
        serde_json::from_str(&string(15)?.unwrap_or_else(|| "[]".into())).map_err(corrupt)?;
    Ok(User {
        id: Uuid::parse_str(&id).map_err(corrupt)?,
        user_principal_name: string(1)?.ok_or_else(|| corrupt("no userPrincipalName"))?,
        account_enabled: row.int(2)?.map(|enabled| enabled != 0),
        profile: Profile {
            display_name: string(3)?,
            given_name: string(4)?,
            surname: string(5)?,
            job_title: string(6)?,
            mail: string(7)?,
            mail_nickname: string(8)?,
            user_type: string(9)?,
            usage_location: string(10)?,
        },
        sign_in_activity: SignInActivity {
            last_sign_in_date_time: string(11)?,
            last_non_interactive_sign_in_date_time: string(12)?,
            last_successful_sign_in_date_time: string(13)?,
        },
        assigned_licenses: licenses,
        assigned_plans: plans,
    })
}
