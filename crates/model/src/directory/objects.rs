//! The directory's objects as tally keeps them: SKUs, users and their licenses. Their complex
//! values serialize exactly as Graph's JSON does (camelCase names), which is also how the
//! stores keep them in JSON columns.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// `servicePlanInfo`: a service plan of a SKU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServicePlan {
    pub service_plan_id: Uuid,
    pub service_plan_name: Option<String>,
    pub provisioning_status: Option<String>,
    pub applies_to: Option<String>,
}

/// `licenseUnitsDetail`: the units a tenant bought, by state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrepaidUnits {
    pub enabled: i32,
    pub suspended: i32,
    pub warning: i32,
    pub locked_out: i32,
}

impl PrepaidUnits {
    /// The most units that may be assigned: `enabled + warning` (SPEC §12.2).
    pub fn capacity(&self) -> i64 {
        i64::from(self.enabled) + i64::from(self.warning)
    }
}

/// A SKU the tenant bought (`subscribedSku`), with the number of its holders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sku {
    pub sku_id: Uuid,
    pub sku_part_number: Option<String>,
    pub applies_to: Option<String>,
    pub capability_status: String,
    pub prepaid_units: PrepaidUnits,
    /// Read-only: the users holding the SKU, kept exact by every assignment.
    pub consumed_units: i64,
    pub service_plans: Vec<ServicePlan>,
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    pub subscription_ids: Vec<String>,
}

impl Sku {
    /// Graph's key of a subscribedSku: `{tenantId}_{skuId}`.
    pub fn key(&self, tenant: Uuid) -> String {
        format!("{tenant}_{}", self.sku_id)
    }

    /// The skuId a key `{tenantId}_{skuId}` of `tenant` names (any case), if it is one.
    pub fn parse_key(tenant: Uuid, key: &str) -> Option<Uuid> {
        let (tenant_part, sku_part) = key.split_once('_')?;
        let named_tenant = Uuid::parse_str(tenant_part).ok()?;
        (named_tenant == tenant)
            .then(|| Uuid::parse_str(sku_part).ok())
            .flatten()
    }

    /// Whether `plan` is one of the SKU's service plans.
    pub fn has_plan(&self, plan: Uuid) -> bool {
        self.service_plans.iter().any(|p| p.service_plan_id == plan)
    }
}

/// `assignedLicense`: a SKU a user holds, less the plans disabled for them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedLicense {
    pub disabled_plans: Vec<Uuid>,
    pub sku_id: Uuid,
}

/// `assignedPlan`: a service plan a user holds through a license.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssignedPlan {
    pub assigned_date_time: String,
    pub capability_status: String,
    pub service: Option<String>,
    pub service_plan_id: Uuid,
}

/// `signInActivity`, as the emulator was told (Graph computes it; tally accepts it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInActivity {
    pub last_sign_in_date_time: Option<String>,
    pub last_non_interactive_sign_in_date_time: Option<String>,
    pub last_successful_sign_in_date_time: Option<String>,
}

/// The profile strings a user carries, each nullable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    pub display_name: Option<String>,
    pub given_name: Option<String>,
    pub surname: Option<String>,
    pub job_title: Option<String>,
    pub mail: Option<String>,
    pub mail_nickname: Option<String>,
    pub user_type: Option<String>,
    pub usage_location: Option<String>,
}

/// A user of the directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub user_principal_name: String,
    pub account_enabled: Option<bool>,
    pub profile: Profile,
    pub assigned_licenses: Vec<AssignedLicense>,
    pub assigned_plans: Vec<AssignedPlan>,
    pub sign_in_activity: SignInActivity,
}

/// A user's upn as the tenant's uniqueness compares it (case-insensitively).
pub fn upn_key(upn: &str) -> String {
    upn.to_lowercase()
}

/// How a URL names a user: by id, or by userPrincipalName.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserKey {
    Id(Uuid),
    Upn(String),
}

impl UserKey {
    /// A GUID is an id; anything else a userPrincipalName (compared case-insensitively).
    pub fn parse(key: &str) -> Self {
        match Uuid::parse_str(key) {
            Ok(id) if key.len() == 36 => UserKey::Id(id),
            _ => UserKey::Upn(upn_key(key)),
        }
    }
}
