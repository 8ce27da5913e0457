//! A license-usage snapshot derived from the directory (SPEC §12.3), by tally's published
//! rules: a SKU's license type comes from its service plans; a user's is the highest among the
//! plans they hold (less the disabled ones), else `free` for an enabled member; a user is active
//! when their latest sign-in lies in the 30 days up to the snapshot's time.

use std::collections::HashMap;

use serde_json::{json, Value as Json};
use tally_odata::edm::DateTimeOffset;
use uuid::Uuid;

use super::objects::{Sku, User};

/// The plans that decide a type, in tally's rules.
pub const AAD_PREMIUM_P2: Uuid = Uuid::from_u128(0xeec0eb4f_6444_4f95_aba0_50c24d67f998);
pub const AAD_PREMIUM: Uuid = Uuid::from_u128(0x41781fb2_bc02_4b7c_bd55_b576c07bb09d);
pub const AAD_BASIC: Uuid = Uuid::from_u128(0xc4da7f8a_5ee2_4c99_a7e1_87d2df57f6fe);

/// The paid license types, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tier {
    Basic,
    PremiumP1,
    PremiumP2,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Basic, Tier::PremiumP1, Tier::PremiumP2];

    /// Its `azureADLicenseType` member.
    pub fn member(self) -> &'static str {
        match self {
            Tier::Basic => "basic",
            Tier::PremiumP1 => "premiumP1",
            Tier::PremiumP2 => "premiumP2",
        }
    }

    /// The highest type these plans grant.
    pub fn of_plans(plans: impl IntoIterator<Item = Uuid>) -> Option<Tier> {
        plans
            .into_iter()
            .filter_map(|plan| match plan {
                AAD_PREMIUM_P2 => Some(Tier::PremiumP2),
                AAD_PREMIUM => Some(Tier::PremiumP1),
                AAD_BASIC => Some(Tier::Basic),
                _ => None,
            })
            .max()
    }

    /// A SKU's type, from all its plans (whatever their provisioningStatus).
    pub fn of_sku(sku: &Sku) -> Option<Tier> {
        Self::of_plans(sku.service_plans.iter().map(|plan| plan.service_plan_id))
    }
}

/// 30 × 24 h in ticks (100 ns).
pub const ACTIVE_WINDOW: i64 = 30 * 24 * 3600 * 10_000_000;

/// Counts for one snapshot, fed the tenant's users one by one.
#[derive(Debug)]
pub struct Derivation<'a> {
    at: i64,
    skus: HashMap<Uuid, &'a Sku>,
    /// Per paid type: units, users, active users.
    paid: HashMap<Tier, [i64; 3]>,
    /// Users and active users counted as `free`.
    free: [i64; 2],
}

impl<'a> Derivation<'a> {
    /// Starts a snapshot at `at` over the tenant's `skus`.
    pub fn new(skus: &'a [Sku], at: &DateTimeOffset) -> Self {
        let mut paid: HashMap<Tier, [i64; 3]> = HashMap::new();
        for sku in skus {
            if let Some(tier) = Tier::of_sku(sku) {
                paid.entry(tier).or_default()[0] += sku.prepaid_units.capacity();
            }
        }
        Self {
            at: at.ticks(),
            skus: skus.iter().map(|sku| (sku.sku_id, sku)).collect(),
            paid,
            free: [0, 0],
        }
    }

    /// A user's type: the highest among the enabled plans of their SKUs, else `None`.
    pub fn user_tier(&self, user: &User) -> Option<Tier> {
        user.assigned_licenses
            .iter()
            .filter_map(|license| {
                let sku = self.skus.get(&license.sku_id)?;
                Tier::of_plans(
                    sku.service_plans
                        .iter()
                        .map(|plan| plan.service_plan_id)
                        .filter(|plan| !license.disabled_plans.contains(plan)),
                )
            })
            .max()
    }

    /// Whether the later of the user's interactive and non-interactive sign-ins lies in the
    /// 30 days up to the snapshot (one after it does not count).
    pub fn is_active(&self, user: &User) -> bool {
        let activity = &user.sign_in_activity;
        let ticks = |text: &Option<String>| {
            text.as_deref()
                .and_then(|text| DateTimeOffset::parse(text).ok())
                .map(|at| at.ticks())
        };
        let latest = ticks(&activity.last_sign_in_date_time)
            .max(ticks(&activity.last_non_interactive_sign_in_date_time));
        latest.is_some_and(|at| at <= self.at && at >= self.at - ACTIVE_WINDOW)
    }

    pub fn add(&mut self, user: &User) {
        let active = i64::from(self.is_active(user));
        match self.user_tier(user) {
            Some(tier) => {
                let counts = self.paid.entry(tier).or_default();
                counts[1] += 1;
                counts[2] += active;
            }
            None => {
                let member = user.profile.user_type.as_deref() == Some("Member");
                if member && user.account_enabled == Some(true) {
                    self.free[0] += 1;
                    self.free[1] += active;
                }
            }
        }
    }

    /// The snapshot as a POST body of azureADLicenseUsage: one licenseInfoDetail per paid
    /// type a SKU or a user has, plus `free`. A count beyond Int32 is an error.
    pub fn body(&self, at: &DateTimeOffset) -> Result<Json, String> {
        let int32 = |n: i64| {
            i32::try_from(n)
                .map_err(|_| format!("{n} does not fit a licenseInfoDetail's Int32 count"))
        };
        let mut details = Vec::new();
        for tier in Tier::ALL {
            if let Some([units, users, active]) = self.paid.get(&tier) {
                details.push(json!({
                    "licenseType": tier.member(),
                    "totalLicenseCount": int32(*units)?,
                    "totalAssignedCount": int32(*users)?,
                    "totalUsageCount": int32(*active)?,
                }));
            }
        }
        details.push(json!({
            "licenseType": "free",
            "totalLicenseCount": null,
            "totalAssignedCount": int32(self.free[0])?,
            "totalUsageCount": int32(self.free[1])?,
        }));
        Ok(json!({ "snapshotDateTime": at.as_str(), "licenseInfoDetails": details }))
    }
}
