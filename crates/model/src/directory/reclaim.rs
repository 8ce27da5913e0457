//! The reclaim list (tally's, SPEC §12.3's rules): per license type, the users of that type
//! who have not signed in within the 30 × 24 h up to now, whose licenses could be given to
//! someone who would use them. Each row lists the licenses the user holds: the units that
//! reclaiming them frees.

use std::collections::HashMap;

use serde::Serialize;
use tally_odata::edm::DateTimeOffset;
use uuid::Uuid;

use super::derive::{Derivation, Tier};
use super::objects::{Sku, User};

impl Tier {
    /// The type an `azureADLicenseType` member names, among the paid ones.
    pub fn parse(member: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|tier| tier.member() == member)
    }
}

/// The SKUs with a plan that decides `tier`: the only ones through which a user can be of it.
pub fn deciding_skus(skus: &[Sku], tier: Tier) -> Vec<Uuid> {
    skus.iter()
        .filter(|sku| {
            sku.service_plans
                .iter()
                .any(|plan| Tier::of_plans([plan.service_plan_id]) == Some(tier))
        })
        .map(|sku| sku.sku_id)
        .collect()
}

/// Decides which candidates belong on the list, and writes their rows.
pub struct Reclaim<'a> {
    tier: Tier,
    derivation: Derivation<'a>,
    part_numbers: HashMap<Uuid, Option<&'a str>>,
}

impl<'a> Reclaim<'a> {
    pub fn new(skus: &'a [Sku], tier: Tier, now: &DateTimeOffset) -> Self {
        Self {
            tier,
            derivation: Derivation::new(skus, now),
            part_numbers: skus
                .iter()
                .map(|sku| (sku.sku_id, sku.sku_part_number.as_deref()))
                .collect(),
        }
    }

    /// Whether `user` is of the list's type and inactive.
    pub fn lists(&self, user: &User) -> bool {
        self.derivation.user_tier(user) == Some(self.tier) && !self.derivation.is_active(user)
    }

    /// The units reclaiming `user` frees: one per license held.
    pub fn units(user: &User) -> usize {
        user.assigned_licenses.len()
    }

    /// A row: who, when they last signed in (the later of interactive and non-interactive, as
    /// written; null if never), and the licenses they hold.
    pub fn row<'u>(&'u self, user: &'u User) -> Row<'u> {
        let activity = &user.sign_in_activity;
        let dated = |text: &'u Option<String>| {
            let text = text.as_deref()?;
            Some((DateTimeOffset::parse(text).ok()?.ticks(), text))
        };
        Row {
            id: user.id,
            display_name: user.profile.display_name.as_deref(),
            user_principal_name: &user.user_principal_name,
            account_enabled: user.account_enabled,
            user_type: user.profile.user_type.as_deref(),
            last_sign_in_date_time: dated(&activity.last_sign_in_date_time)
                .max(dated(&activity.last_non_interactive_sign_in_date_time))
                .map(|(_, text)| text),
            licenses: user
                .assigned_licenses
                .iter()
                .map(|license| LicenseRow {
                    sku_id: license.sku_id,
                    sku_part_number: self.part_numbers.get(&license.sku_id).copied().flatten(),
                })
                .collect(),
        }
    }
}

/// One user on the list, as the response writes it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Row<'a> {
    id: Uuid,
    display_name: Option<&'a str>,
    user_principal_name: &'a str,
    account_enabled: Option<bool>,
    user_type: Option<&'a str>,
    last_sign_in_date_time: Option<&'a str>,
    licenses: Vec<LicenseRow<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LicenseRow<'a> {
    sku_id: Uuid,
    sku_part_number: Option<&'a str>,
}
