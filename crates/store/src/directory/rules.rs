//! The directory's write rules that are not assignLicense's own: a SKU's units against its
//! holders, and the checks of a bulk load (`tally import`, `tally collect`) before it is stored.

use tally_model::directory::body::AssignLicense;
use tally_model::directory::{Sku, User};
use tally_model::resources::{subscription_property as property, COMPANY_SUBSCRIPTION};
use tally_model::Entity;
use uuid::Uuid;

use super::{now_text, DirectoryError};

/// A SKU may not have fewer units than holders (its PATCH would break the invariant).
pub(crate) fn check_capacity(sku: &Sku) -> Result<(), DirectoryError> {
    if sku.consumed_units > sku.prepaid_units.capacity() {
        return Err(DirectoryError::BadRequest(format!(
            "The subscribedSku {} has {} units assigned: prepaidUnits.enabled + warning \
             cannot be less than that.",
            sku.sku_id, sku.consumed_units
        )));
    }
    Ok(())
}

/// A SKU may be deleted only when nobody holds it.
pub(crate) fn check_unheld(sku: &Sku) -> Result<(), DirectoryError> {
    if sku.consumed_units > 0 {
        return Err(DirectoryError::BadRequest(format!(
            "The subscribedSku {} is assigned to {} users: remove their licenses first.",
            sku.sku_id, sku.consumed_units
        )));
    }
    Ok(())
}

/// What a bulk load of users did: how many were stored, and each refused record's index in the
/// batch with why.
#[derive(Clone, Debug, Default)]
pub struct ImportOutcome {
    pub inserted: usize,
    pub refused: Vec<(usize, String)>,
}

/// Users ready to insert: each with its licenses and plans, and the units each SKU gives them.
pub(crate) struct PreparedImport {
    pub users: Vec<(usize, User)>,
    pub refused: Vec<(usize, String)>,
}

/// Runs each record's licenses through assignLicense's rules against `skus`, counting units as
/// it goes (a record that would overdraw a SKU is refused, and takes nothing).
pub(crate) fn prepare_import(
    skus: &[Sku],
    records: Vec<(User, Vec<tally_model::directory::AssignedLicense>)>,
) -> PreparedImport {
    let now = now_text();
    let mut free: std::collections::HashMap<Uuid, i64> = skus
        .iter()
        .map(|sku| {
            (
                sku.sku_id,
                sku.prepaid_units.capacity() - sku.consumed_units,
            )
        })
        .collect();
    let mut prepared = PreparedImport {
        users: Vec::with_capacity(records.len()),
        refused: Vec::new(),
    };
    for (index, (mut user, licenses)) in records.into_iter().enumerate() {
        if licenses.is_empty() {
            prepared.users.push((index, user));
            continue;
        }
        let request = AssignLicense {
            add: licenses,
            remove: Vec::new(),
        };
        let assignment = match tally_model::directory::assign::plan(&user, &request, skus, &now) {
            Ok(assignment) => assignment,
            Err(message) => {
                prepared.refused.push((index, message));
                continue;
            }
        };
        if let Some(full) = assignment
            .taken
            .iter()
            .find(|sku| free.get(sku).copied().unwrap_or(0) < 1)
        {
            let message = tally_model::directory::assign::no_free_unit(*full);
            prepared.refused.push((index, message));
            continue;
        }
        for sku in &assignment.taken {
            *free.entry(*sku).or_default() -= 1;
        }
        user.assigned_licenses = assignment.licenses;
        user.assigned_plans = assignment.plans;
        prepared.users.push((index, user));
    }
    prepared
}

/// The units the inserted users hold, per SKU.
pub(crate) fn units_taken<'a>(users: impl Iterator<Item = &'a User>) -> Vec<(Uuid, i64)> {
    let mut taken: std::collections::BTreeMap<Uuid, i64> = std::collections::BTreeMap::new();
    for user in users {
        for license in &user.assigned_licenses {
            *taken.entry(license.sku_id).or_default() += 1;
        }
    }
    taken.into_iter().collect()
}

/// What `tally collect` stored for a tenant.
#[derive(Clone, Copy, Debug, Default)]
pub struct ReplaceOutcome {
    pub skus: usize,
    pub users: usize,
    pub subscriptions: usize,
}

/// A tenant's directory as `tally collect` read it from Graph, ready to store.
pub(crate) struct PreparedReplace {
    pub skus: Vec<Sku>,
    pub users: Vec<User>,
    /// The subscriptions as Graph reported them (SPEC §13.2), Graph's ids kept.
    pub subscriptions: Vec<Entity>,
}

/// Checks a tenant's whole directory as read from Graph: each user's licenses through
/// assignLicense's rules (a license of a SKU the tenant does not have, or of a plan its SKU does
/// not have, fails the whole replacement), except two that a real tenant need not keep: units
/// are not counted against capacity (Graph reports `consumedUnits` above `enabled` while a
/// subscription is suspended or in warning; a SKU's `consumed_units` is its holders, whatever
/// the capacity), and a holder need not have a usageLocation (group-based licensing assigns
/// without one). Subscriptions are kept as Graph reported them; only two with one id or one
/// commerceSubscriptionId are refused, naming them.
pub(crate) fn prepare_replace(
    mut skus: Vec<Sku>,
    records: Vec<(User, Vec<tally_model::directory::AssignedLicense>)>,
    subscriptions: Vec<Entity>,
) -> Result<PreparedReplace, DirectoryError> {
    check_reported(&subscriptions)?;
    skus.sort_by_key(|sku| sku.sku_id);
    if let Some(pair) = skus
        .windows(2)
        .find(|pair| pair[0].sku_id == pair[1].sku_id)
    {
        return Err(DirectoryError::BadRequest(format!(
            "the SKU {} is listed twice",
            pair[0].sku_id
        )));
    }
    let mut ids = std::collections::HashSet::new();
    let mut upn_keys = std::collections::HashSet::new();
    for (user, _) in &records {
        let upn_key = tally_model::directory::upn_key(&user.user_principal_name);
        if !ids.insert(user.id) || !upn_keys.insert(upn_key) {
            return Err(DirectoryError::BadRequest(format!(
                "user {} ({}): another user has the same id or userPrincipalName",
                user.user_principal_name, user.id
            )));
        }
    }
    let now = now_text();
    let mut users = Vec::with_capacity(records.len());
    for (mut user, licenses) in records {
        if !licenses.is_empty() {
            let request = AssignLicense {
                add: licenses,
                remove: Vec::new(),
            };
            let mut probe = user.clone();
            probe
                .profile
                .usage_location
                .get_or_insert_with(|| "ZZ".into());
            let assignment = tally_model::directory::assign::plan(&probe, &request, &skus, &now)
                .map_err(|message| {
                    DirectoryError::BadRequest(format!(
                        "user {} ({}): {message}",
                        user.user_principal_name, user.id
                    ))
                })?;
            user.assigned_licenses = assignment.licenses;
            user.assigned_plans = assignment.plans;
        }
        users.push(user);
    }
    let taken: std::collections::HashMap<Uuid, i64> =
        units_taken(users.iter()).into_iter().collect();
    for sku in &mut skus {
        sku.consumed_units = taken.get(&sku.sku_id).copied().unwrap_or(0);
    }
    Ok(PreparedReplace {
        skus,
        users,
        subscriptions,
    })
}

/// No two reported subscriptions share an id or a commerceSubscriptionId (the table's keys).
fn check_reported(subscriptions: &[Entity]) -> Result<(), DirectoryError> {
    let ty = COMPANY_SUBSCRIPTION.entity;
    let mut ids = std::collections::HashSet::new();
    let mut commerce_ids = std::collections::HashSet::new();
    for subscription in subscriptions {
        let commerce_id = subscription
            .get(ty, property::commerce_subscription_id())
            .as_str()
            .unwrap_or_default();
        if !ids.insert(subscription.id) || !commerce_ids.insert(commerce_id) {
            return Err(DirectoryError::BadRequest(format!(
                "subscription {} (commerceSubscriptionId {commerce_id}): another subscription \
                 has the same id or commerceSubscriptionId",
                subscription.id
            )));
        }
    }
    Ok(())
}

/// A record refused because its id or userPrincipalName is taken.
pub(crate) const EXISTS: &str =
    "a user with this id or userPrincipalName exists already in the tenant";

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;
    use tally_model::directory::body::{sku_reported, user_import};

    use super::*;
    use tally_model::directory::AssignedLicense;

    const E5: &str = "c7df2760-2c81-4ef7-b578-5b5392b571df";
    const OTHER: &str = "84a661c4-e949-4bd2-a560-ed7766fcaf2b";

    fn sku(id: &str, enabled: i64) -> Sku {
        let body = json!({ "skuId": id, "prepaidUnits": { "enabled": enabled } });
        sku_reported(body.to_string().as_bytes()).unwrap()
    }

    fn holder(name: &str, location: Option<&str>, sku: &str) -> (User, Vec<AssignedLicense>) {
        let mut body = json!({
            "userPrincipalName": format!("{name}@contoso.example"),
            "assignedLicenses": [{ "skuId": sku, "disabledPlans": [] }],
        });
        if let Some(location) = location {
            body["usageLocation"] = json!(location);
        }
        user_import(body.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn units_are_the_holders_even_beyond_capacity_and_a_holder_needs_no_usage_location() {
        let prepared = prepare_replace(
            vec![sku(E5, 1)],
            vec![
                holder("a", Some("US"), E5),
                holder("b", None, E5),
                holder("c", Some("DE"), E5),
            ],
            Vec::new(),
        )
        .unwrap();
        assert_eq!(
            prepared.skus[0].consumed_units, 3,
            "Graph's count, over 1 enabled"
        );
        assert_eq!(prepared.users.len(), 3);
        assert!(
            prepared.users[1].profile.usage_location.is_none(),
            "not made up"
        );
        assert_eq!(prepared.users[1].assigned_licenses.len(), 1);
    }

    #[test]
    fn a_license_of_a_sku_the_tenant_lacks_fails_the_whole_replacement() {
        let refused = prepare_replace(
            vec![sku(E5, 10)],
            vec![holder("a", Some("US"), E5), holder("b", Some("US"), OTHER)],
            Vec::new(),
        );
        let Err(DirectoryError::BadRequest(message)) = refused else {
            panic!("refused");
        };
        assert!(message.contains("b@contoso.example"), "{message}");
        assert!(message.contains(OTHER), "{message}");
    }

    #[test]
    fn a_user_principal_name_twice_fails_naming_the_second_user() {
        let refused = prepare_replace(
            vec![sku(E5, 10)],
            vec![holder("a", Some("US"), E5), holder("A", Some("US"), E5)],
            Vec::new(),
        );
        let Err(DirectoryError::BadRequest(message)) = refused else {
            panic!("refused");
        };
        assert!(message.contains("A@contoso.example"), "{message}");
    }

    #[test]
    fn a_sku_listed_twice_fails() {
        let refused = prepare_replace(vec![sku(E5, 1), sku(E5, 2)], Vec::new(), Vec::new());
        assert!(matches!(refused, Err(DirectoryError::BadRequest(_))));
    }

    fn subscription(id: &str, commerce_id: &str) -> Entity {
        let body = json!({
            "id": id, "commerceSubscriptionId": commerce_id, "skuId": OTHER,
            "skuPartNumber": "GONE", "status": "Enabled", "totalLicenses": 5,
        });
        tally_model::parse_reported(COMPANY_SUBSCRIPTION.entity, body.to_string().as_bytes())
            .unwrap()
    }

    #[test]
    fn subscriptions_are_kept_as_reported_but_a_key_twice_fails_naming_it() {
        let (one, two) = (
            "0d3c6a3e-6b8f-4a54-9d0e-52c4f8b1a001",
            "0d3c6a3e-6b8f-4a54-9d0e-52c4f8b1a002",
        );
        let prepared =
            prepare_replace(vec![sku(E5, 1)], Vec::new(), vec![subscription(one, "c-1")]).unwrap();
        assert_eq!(
            prepared.subscriptions.len(),
            1,
            "a SKU not collected is kept"
        );
        assert_eq!(prepared.skus[0].prepaid_units.enabled, 1, "Graph's units");
        for (a, b) in [((one, "c-1"), (one, "c-2")), ((one, "c-1"), (two, "c-1"))] {
            let refused = prepare_replace(
                Vec::new(),
                Vec::new(),
                vec![subscription(a.0, a.1), subscription(b.0, b.1)],
            );
            let Err(DirectoryError::BadRequest(message)) = refused else {
                panic!("refused");
            };
            assert!(message.contains(b.0) && message.contains(b.1), "{message}");
        }
    }
}
