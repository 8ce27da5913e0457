//! assignLicense's rules (SPEC §12.2), as a pure function of the user, the request and the
//! tenant's SKUs: what the user then holds and which SKUs gain or lose a holder. The stores
//! run it inside the transaction that locked the user, and check the units themselves.

use uuid::Uuid;

use super::body::AssignLicense;
use super::objects::{AssignedLicense, AssignedPlan, Sku, User};

/// What an assignLicense changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    pub licenses: Vec<AssignedLicense>,
    pub plans: Vec<AssignedPlan>,
    /// SKUs that gain a holder (each must have a free unit).
    pub taken: Vec<Uuid>,
    /// SKUs that lose one.
    pub released: Vec<Uuid>,
}

/// Graph's message when a SKU has no free unit.
pub fn no_free_unit(sku_id: Uuid) -> String {
    format!("Subscription with SKU {sku_id} does not have any available licenses.")
}

/// Applies `request` to `user` given the tenant's `skus`; `now` dates newly assigned plans.
/// The error is the 400's message.
pub fn plan(
    user: &User,
    request: &AssignLicense,
    skus: &[Sku],
    now: &str,
) -> Result<Assignment, String> {
    let sku = |id: Uuid| skus.iter().find(|sku| sku.sku_id == id);
    let named = request
        .add
        .iter()
        .map(|license| license.sku_id)
        .chain(request.remove.iter().copied());
    for id in named {
        if sku(id).is_none() {
            return Err(format!(
                "License {id} does not correspond to a valid company License."
            ));
        }
    }
    if let Some(both) = request
        .add
        .iter()
        .find(|license| request.remove.contains(&license.sku_id))
    {
        return Err(format!(
            "License {} cannot be both added and removed in one request.",
            both.sku_id
        ));
    }
    if !request.add.is_empty() && user.profile.usage_location.is_none() {
        return Err(
            "License assignment cannot be done for user with invalid usage location.".into(),
        );
    }
    for license in &request.add {
        let owner = sku(license.sku_id).expect("checked above");
        if let Some(plan) = license.disabled_plans.iter().find(|p| !owner.has_plan(**p)) {
            return Err(format!(
                "Service plan {plan} is not a plan of license {}.",
                license.sku_id
            ));
        }
    }
    let holds = |id: Uuid| user.assigned_licenses.iter().any(|l| l.sku_id == id);
    if let Some(missing) = request.remove.iter().find(|id| !holds(**id)) {
        return Err(format!(
            "User does not have a corresponding license {missing} to remove."
        ));
    }

    let mut licenses: Vec<AssignedLicense> = user
        .assigned_licenses
        .iter()
        .filter(|license| !request.remove.contains(&license.sku_id))
        .cloned()
        .collect();
    let mut taken = Vec::new();
    for license in &request.add {
        match licenses
            .iter_mut()
            .find(|held| held.sku_id == license.sku_id)
        {
            Some(held) => held.disabled_plans = license.disabled_plans.clone(),
            None => {
                licenses.push(license.clone());
                taken.push(license.sku_id);
            }
        }
    }
    let plans = licenses
        .iter()
        .flat_map(|license| {
            let owner = sku(license.sku_id);
            owner
                .into_iter()
                .flat_map(|sku| sku.service_plans.iter())
                .filter(|plan| !license.disabled_plans.contains(&plan.service_plan_id))
                .map(|plan| {
                    let since = user
                        .assigned_plans
                        .iter()
                        .find(|held| held.service_plan_id == plan.service_plan_id)
                        .map_or_else(|| now.to_owned(), |held| held.assigned_date_time.clone());
                    AssignedPlan {
                        assigned_date_time: since,
                        capability_status: "Enabled".into(),
                        service: plan.service_plan_name.clone(),
                        service_plan_id: plan.service_plan_id,
                    }
                })
        })
        .collect();
    Ok(Assignment {
        licenses,
        plans,
        taken,
        released: request.remove.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::objects::{PrepaidUnits, Profile, ServicePlan, SignInActivity};

    fn sku(id: u128, plans: &[u128]) -> Sku {
        Sku {
            sku_id: Uuid::from_u128(id),
            sku_part_number: Some(format!("SKU{id}")),
            applies_to: Some("User".into()),
            capability_status: "Enabled".into(),
            prepaid_units: PrepaidUnits {
                enabled: 1,
                ..PrepaidUnits::default()
            },
            consumed_units: 0,
            service_plans: plans
                .iter()
                .map(|p| ServicePlan {
                    service_plan_id: Uuid::from_u128(*p),
                    service_plan_name: Some(format!("PLAN{p}")),
                    provisioning_status: Some("Success".into()),
                    applies_to: Some("User".into()),
                })
                .collect(),
            account_id: None,
            account_name: None,
            subscription_ids: Vec::new(),
        }
    }

    fn user(location: Option<&str>, held: &[u128]) -> User {
        User {
            id: Uuid::from_u128(99),
            user_principal_name: "a@b".into(),
            account_enabled: Some(true),
            profile: Profile {
                usage_location: location.map(Into::into),
                ..Profile::default()
            },
            assigned_licenses: held
                .iter()
                .map(|id| AssignedLicense {
                    disabled_plans: Vec::new(),
                    sku_id: Uuid::from_u128(*id),
                })
                .collect(),
            assigned_plans: Vec::new(),
            sign_in_activity: SignInActivity::default(),
        }
    }

    fn add(id: u128, disabled: &[u128]) -> AssignLicense {
        AssignLicense {
            add: vec![AssignedLicense {
                disabled_plans: disabled.iter().map(|p| Uuid::from_u128(*p)).collect(),
                sku_id: Uuid::from_u128(id),
            }],
            remove: Vec::new(),
        }
    }

    #[test]
    fn adding_takes_a_unit_and_lists_the_enabled_plans() {
        let skus = [sku(1, &[10, 11])];
        let done = plan(&user(Some("US"), &[]), &add(1, &[11]), &skus, "T").unwrap();
        assert_eq!(done.taken, vec![Uuid::from_u128(1)]);
        assert_eq!(done.plans.len(), 1);
        assert_eq!(done.plans[0].service_plan_id, Uuid::from_u128(10));
    }

    #[test]
    fn adding_a_held_sku_replaces_its_disabled_plans_without_a_unit() {
        let skus = [sku(1, &[10, 11])];
        let done = plan(&user(Some("US"), &[1]), &add(1, &[10]), &skus, "T").unwrap();
        assert!(done.taken.is_empty());
        assert_eq!(done.licenses[0].disabled_plans, vec![Uuid::from_u128(10)]);
    }

    #[test]
    fn each_rule_refuses_with_its_message() {
        let skus = [sku(1, &[10])];
        let refuse =
            |user: &User, request: &AssignLicense| plan(user, request, &skus, "T").unwrap_err();
        assert!(refuse(&user(Some("US"), &[]), &add(2, &[])).contains("valid company License"));
        assert!(refuse(&user(None, &[]), &add(1, &[])).contains("invalid usage location"));
        assert!(refuse(&user(Some("US"), &[]), &add(1, &[12])).contains("not a plan"));
        let both = AssignLicense {
            remove: vec![Uuid::from_u128(1)],
            ..add(1, &[])
        };
        assert!(refuse(&user(Some("US"), &[1]), &both).contains("both added and removed"));
        let remove = AssignLicense {
            add: Vec::new(),
            remove: vec![Uuid::from_u128(1)],
        };
        assert!(refuse(&user(Some("US"), &[]), &remove).contains("does not have"));
        // Removing needs no usage location.
        assert!(plan(&user(None, &[1]), &remove, &skus, "T").is_ok());
    }
}
