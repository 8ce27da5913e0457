//! The subscription rule (SPEC §13.2), as pure functions: a subscription's status is one of
//! Graph's, and a SKU with subscriptions takes its units from them: `prepaidUnits.enabled`,
//! `warning`, `suspended` and `lockedOut` are the sums of `totalLicenses` of its subscriptions
//! in that status (`Expired` counts nowhere), and `subscriptionIds` lists all of their
//! `commerceSubscriptionId`s. The stores apply it in the transaction of each write.

use super::{PrepaidUnits, Sku};

/// The statuses a subscription may have.
pub const STATUSES: [&str; 5] = ["Enabled", "Warning", "Suspended", "LockedOut", "Expired"];

/// What the rule reads of one subscription.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Units {
    pub commerce_subscription_id: String,
    pub status: String,
    pub total_licenses: i32,
}

/// A 400's message when `status` is not one of [`STATUSES`] (exactly spelled, as Graph writes
/// them).
pub fn check_status(status: &str) -> Result<(), String> {
    if STATUSES.contains(&status) {
        return Ok(());
    }
    Err(format!(
        "Invalid value for property 'status': '{status}' is not a subscription status; the statuses are {}.",
        STATUSES.join(", ")
    ))
}

/// `sku` with the units and subscriptionIds its `subscriptions` give it; a 400's message when
/// the SKU would have fewer units than holders (`enabled + warning` below `consumedUnits`), or
/// more than an Int32 holds.
pub fn settle(sku: &Sku, subscriptions: &[Units]) -> Result<Sku, String> {
    let mut sums = [0i64; 4];
    for subscription in subscriptions {
        let slot = match subscription.status.as_str() {
            "Enabled" => 0,
            "Warning" => 1,
            "Suspended" => 2,
            "LockedOut" => 3,
            _ => continue,
        };
        sums[slot] += i64::from(subscription.total_licenses);
    }
    let unit = |sum: i64| {
        i32::try_from(sum).map_err(|_| {
            format!(
                "The subscriptions of the subscribedSku {} would give it {sum} units in one state, more than 2147483647.",
                sku.sku_id
            )
        })
    };
    let mut settled = sku.clone();
    settled.prepaid_units = PrepaidUnits {
        enabled: unit(sums[0])?,
        warning: unit(sums[1])?,
        suspended: unit(sums[2])?,
        locked_out: unit(sums[3])?,
    };
    settled.subscription_ids = subscriptions
        .iter()
        .map(|subscription| subscription.commerce_subscription_id.clone())
        .collect();
    if settled.consumed_units > settled.prepaid_units.capacity() {
        return Err(format!(
            "The subscribedSku {} has {} units assigned: its subscriptions' Enabled and Warning licenses ({}) cannot be fewer.",
            sku.sku_id,
            sku.consumed_units,
            settled.prepaid_units.capacity()
        ));
    }
    Ok(settled)
}

/// A SKU PATCH may not set the units of a SKU whose subscriptions set them.
pub fn units_are_the_subscriptions(sku: &Sku) -> String {
    format!(
        "The prepaidUnits of the subscribedSku {} are the sums of its subscriptions ({}): change those at /directory/subscriptions instead.",
        sku.sku_id,
        sku.subscription_ids.join(", ")
    )
}

/// A SKU with subscriptions may not be deleted.
pub fn has_subscriptions(sku: &Sku) -> String {
    format!(
        "The subscribedSku {} has subscriptions ({}): delete them first.",
        sku.sku_id,
        sku.subscription_ids.join(", ")
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use uuid::Uuid;

    fn sku(consumed: i64) -> Sku {
        Sku {
            sku_id: Uuid::from_u128(7),
            sku_part_number: Some("ENTERPRISEPREMIUM".into()),
            applies_to: Some("User".into()),
            capability_status: "Enabled".into(),
            prepaid_units: PrepaidUnits {
                enabled: 999,
                suspended: 0,
                warning: 0,
                locked_out: 0,
            },
            consumed_units: consumed,
            service_plans: Vec::new(),
            account_id: None,
            account_name: None,
            subscription_ids: Vec::new(),
        }
    }

    fn units(id: &str, status: &str, total: i32) -> Units {
        Units {
            commerce_subscription_id: id.into(),
            status: status.into(),
            total_licenses: total,
        }
    }

    #[test]
    fn units_are_the_sums_per_status_and_expired_counts_nowhere() {
        let settled = settle(
            &sku(0),
            &[
                units("a", "Enabled", 10),
                units("b", "Enabled", 5),
                units("c", "Warning", 3),
                units("d", "Suspended", 2),
                units("e", "LockedOut", 1),
                units("f", "Expired", 100),
            ],
        )
        .unwrap();
        assert_eq!(
            settled.prepaid_units,
            PrepaidUnits {
                enabled: 15,
                warning: 3,
                suspended: 2,
                locked_out: 1
            }
        );
        assert_eq!(settled.subscription_ids, ["a", "b", "c", "d", "e", "f"]);
    }

    #[test]
    fn with_no_subscriptions_left_every_unit_is_zero() {
        let settled = settle(&sku(0), &[]).unwrap();
        assert_eq!(settled.prepaid_units, PrepaidUnits::default());
        assert!(settled.subscription_ids.is_empty());
    }

    #[test]
    fn fewer_enabled_and_warning_units_than_holders_is_refused() {
        assert!(settle(
            &sku(18),
            &[units("a", "Enabled", 10), units("b", "Warning", 8)]
        )
        .is_ok());
        let refused = settle(
            &sku(19),
            &[units("a", "Enabled", 10), units("b", "Warning", 8)],
        );
        assert!(refused.unwrap_err().contains("has 19 units assigned"));
        let suspended = settle(&sku(1), &[units("a", "Suspended", 10)]);
        assert!(suspended.is_err(), "suspended units cannot be assigned");
    }

    #[test]
    fn sums_beyond_an_int32_are_refused() {
        let refused = settle(
            &sku(0),
            &[units("a", "Enabled", i32::MAX), units("b", "Enabled", 1)],
        );
        assert!(refused.unwrap_err().contains("2147483648"));
    }

    #[test]
    fn statuses_are_graphs_exactly() {
        for status in STATUSES {
            assert!(check_status(status).is_ok());
        }
        for status in ["enabled", "Deleted", "", "Enabled "] {
            assert!(check_status(status).is_err(), "{status:?}");
        }
    }
}
