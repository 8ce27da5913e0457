//! Random tenants of users: three SKUs with two service plans each, users with random profiles
//! (nulls, `""`, strings that share prefixes in odd cases, bytes beyond ASCII, LIKE's `%` `_`
//! `\`), sign-in dates spelled with various offsets, and the assignLicense calls that give them
//! random subsets of the SKUs (some with disabled plans, some taken back later); some users are
//! deleted once licensed. What each user then holds is worked out here, not read from the store.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use tally_model::directory::body::AssignLicense;
use tally_model::directory::{
    AssignedLicense, PrepaidUnits, Profile, ServicePlan, SignInActivity, Sku, User,
};
use uuid::Uuid;

use crate::values::instant;

/// The SKUs filters name: a tenant has the first three; the last is no SKU of it.
pub const SKUS: [Uuid; 4] = [
    Uuid::from_u128(0x6fd2c87f_b296_42f0_b197_1e91e994b900),
    Uuid::from_u128(0x05e9a617_0261_4cee_bb44_138d3ef5d965),
    Uuid::from_u128(0xc7df2760_2c81_4ef7_b578_5b5392b571df),
    Uuid::from_u128(0xf30db892_07e9_47e9_837c_80727f46fd3d),
];
/// Strings of every profile property: shared prefixes in odd cases, case pairs beyond ASCII
/// (which ASCII-case-insensitive `startswith` tells apart), LIKE's wildcards and escape, digits
/// that sort unlike numbers, a quote.
pub const NAMES: [&str; 24] = [
    "", "a", "A", "ab", "Ab", "aB", "AB", "abc", "b", "B", "é", "É", "Ａ", "ａ", "O'Brien",
    "o'brien", "%", "a%", "_", "a_b", "\\", "10", "9", "Zoë",
];
const ALPHABET: [char; 8] = ['a', 'A', 'b', '_', '%', '\\', 'é', 'É'];
/// userPrincipalName aliases (Entra's characters) before the user's index, and domains.
const ALIASES: [&str; 11] = [
    "a", "A", "ab", "AB", "aB", "o'brien", "O'Brien", "a_b", "a.b", "z", "~x",
];
const DOMAINS: [&str; 3] = ["contoso.com", "Contoso.com", "fabrikam.io"];

/// A SKU of the tenant (`index` < 3), with its two plans and units to spare.
pub fn sku(index: usize) -> Sku {
    Sku {
        sku_id: SKUS[index],
        sku_part_number: Some(format!("SKU_{index}")),
        applies_to: Some("User".into()),
        capability_status: "Enabled".into(),
        prepaid_units: PrepaidUnits {
            enabled: 100,
            ..PrepaidUnits::default()
        },
        consumed_units: 0,
        service_plans: (0..2).map(|p| plan(index, p)).collect(),
        account_id: None,
        account_name: None,
        subscription_ids: Vec::new(),
    }
}

fn plan(sku: usize, plan: usize) -> ServicePlan {
    ServicePlan {
        service_plan_id: Uuid::from_u128(0xa000 + (sku as u128) * 16 + plan as u128),
        service_plan_name: Some(format!("PLAN_{sku}_{plan}")),
        provisioning_status: Some("Success".into()),
        applies_to: Some("User".into()),
    }
}

/// A license of SKU `sku` (< 3) with the plans of `disabled` (a mask of its two) disabled.
#[derive(Clone, Copy, Debug)]
pub struct Grant {
    pub sku: usize,
    pub disabled: u8,
}

impl Grant {
    fn license(self) -> AssignedLicense {
        let plans = (0..2).filter(|p| self.disabled & (1 << p) != 0);
        AssignedLicense {
            disabled_plans: plans.map(|p| plan(self.sku, p).service_plan_id).collect(),
            sku_id: SKUS[self.sku],
        }
    }
}

/// A user as created (its id is set when stored), then licensed and perhaps deleted.
#[derive(Clone, Debug)]
pub struct Person {
    pub user: User,
    /// The first assignLicense's additions.
    pub first: Vec<Grant>,
    /// A second assignLicense: which of the held SKUs it removes (a mask over `first`), and
    /// what it adds (a SKU held and not removed gets new disabled plans).
    pub then: Option<(u8, Vec<Grant>)>,
    pub deleted: bool,
}

impl Person {
    /// The assignLicense requests, in order (none without licenses).
    pub fn requests(&self) -> Vec<AssignLicense> {
        let mut requests = Vec::new();
        if !self.first.is_empty() {
            requests.push(AssignLicense {
                add: self.first.iter().map(|g| g.license()).collect(),
                remove: Vec::new(),
            });
        }
        if let Some((remove, add)) = &self.then {
            let removed = self.removed(*remove);
            let add: Vec<AssignedLicense> = add
                .iter()
                .filter(|g| !removed.contains(&SKUS[g.sku]))
                .map(|g| g.license())
                .collect();
            if !add.is_empty() || !removed.is_empty() {
                requests.push(AssignLicense {
                    add,
                    remove: removed,
                });
            }
        }
        requests
    }

    /// The SKUs of `first` that `mask` names.
    fn removed(&self, mask: u8) -> Vec<Uuid> {
        let held = self.first.iter().enumerate();
        let held = held.filter(|(index, _)| mask & (1 << index) != 0);
        held.map(|(_, g)| SKUS[g.sku]).collect()
    }

    /// The user as it should be stored after the requests: held licenses by skuId, no plans.
    pub fn expected(&self) -> User {
        // Adding a held SKU replaces its disabled plans; a new one is appended.
        fn grant(held: &mut Vec<AssignedLicense>, license: AssignedLicense) {
            match held.iter_mut().find(|h| h.sku_id == license.sku_id) {
                Some(h) => h.disabled_plans = license.disabled_plans,
                None => held.push(license),
            }
        }
        let mut held = Vec::new();
        self.first
            .iter()
            .for_each(|g| grant(&mut held, g.license()));
        if let Some((remove, add)) = &self.then {
            let removed = self.removed(*remove);
            held.retain(|h| !removed.contains(&h.sku_id));
            let add = add.iter().filter(|g| !removed.contains(&SKUS[g.sku]));
            add.for_each(|g| grant(&mut held, g.license()));
        }
        let mut user = self.user.clone();
        user.assigned_licenses = held;
        normalized(user)
    }
}

/// `user` as compared: licenses by skuId, their disabled plans sorted, plans left out (they
/// carry the clock's time).
pub fn normalized(mut user: User) -> User {
    user.assigned_plans.clear();
    user.assigned_licenses.sort_by_key(|l| l.sku_id);
    for license in &mut user.assigned_licenses {
        license.disabled_plans.sort();
    }
    user
}

/// A name from [`NAMES`] or a short word of [`ALPHABET`].
pub fn name() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(&NAMES[..]).prop_map(str::to_owned),
        1 => vec(select(&ALPHABET[..]), 0..=3).prop_map(|chars| chars.into_iter().collect()),
    ]
    .boxed()
}

/// A nullable string: null once in `one_in`.
fn maybe(one_in: u32, value: BoxedStrategy<String>) -> BoxedStrategy<Option<String>> {
    prop_oneof![1 => Just(None), one_in - 1 => value.prop_map(Some)].boxed()
}

fn date(pool: &[i64]) -> BoxedStrategy<Option<String>> {
    let spelled = instant(pool, &[0, 0, 1, -1]).prop_map(|at| at.as_str().to_owned());
    maybe(4, spelled.boxed())
}

fn grants() -> impl Strategy<Value = Vec<Grant>> {
    vec((0..3_usize, 0..4_u8), 0..=3).prop_map(|grants| {
        let mut seen = Vec::new();
        let grants = grants.into_iter().filter(|(sku, _)| {
            let new = !seen.contains(sku);
            seen.push(*sku);
            new
        });
        grants
            .map(|(sku, disabled)| Grant { sku, disabled })
            .collect()
    })
}

/// A user whose userPrincipalName's alias ends in `#`, for [`tenant`] to replace with its index.
fn person(pool: &[i64]) -> impl Strategy<Value = Person> {
    let upn = (select(&ALIASES[..]), select(&DOMAINS[..]))
        .prop_map(|(alias, domain)| format!("{alias}#@{domain}"));
    let enabled = select(&[None, Some(true), Some(false)][..]);
    let strings = (
        maybe(5, name()),
        maybe(3, name()),
        maybe(3, name()),
        maybe(3, name()),
        maybe(3, name()),
        maybe(3, name()),
    );
    let user_type = select(&[None, Some("Member"), Some("Guest"), Some("member")][..]);
    let location = select(&[None, Some("US"), Some("GB"), Some("FR")][..]);
    let dates = (date(pool), date(pool), date(pool));
    let licensing = (
        grants(),
        proptest::option::weighted(0.3, (0..8_u8, grants())),
        proptest::bool::weighted(0.1),
    );
    (upn, enabled, strings, user_type, location, dates, licensing).prop_map(
        |(upn, enabled, strings, user_type, location, dates, licensing)| {
            let (display_name, given_name, surname, job_title, mail, mail_nickname) = strings;
            let (first, then, deleted) = licensing;
            // assignLicense refuses a user without a usageLocation.
            let (first, then) = match location {
                Some(_) => (first, then),
                None => (Vec::new(), None),
            };
            let user = User {
                id: Uuid::nil(),
                user_principal_name: upn,
                account_enabled: enabled,
                profile: Profile {
                    display_name,
                    given_name,
                    surname,
                    job_title,
                    mail,
                    mail_nickname,
                    user_type: user_type.map(str::to_owned),
                    usage_location: location.map(str::to_owned),
                },
                assigned_licenses: Vec::new(),
                assigned_plans: Vec::new(),
                sign_in_activity: SignInActivity {
                    last_sign_in_date_time: dates.0,
                    last_non_interactive_sign_in_date_time: dates.1,
                    last_successful_sign_in_date_time: dates.2,
                },
            };
            Person {
                user,
                first,
                then,
                deleted,
            }
        },
    )
}

/// A tenant's users and those of a decoy tenant (with the same SKUs), their userPrincipalNames
/// made unique by each one's index.
#[derive(Clone, Debug)]
pub struct Tenant {
    pub users: Vec<Person>,
    pub decoys: Vec<Person>,
}

pub fn tenant(pool: &[i64]) -> impl Strategy<Value = Tenant> {
    let users = prop_oneof![
        1 => vec(person(pool), 0..=1),
        6 => vec(person(pool), 2..=10),
    ];
    (users, vec(person(pool), 1..=2)).prop_map(|(mut users, mut decoys)| {
        for (index, person) in users.iter_mut().chain(&mut decoys).enumerate() {
            let upn = &mut person.user.user_principal_name;
            *upn = upn.replace('#', &index.to_string());
        }
        Tenant { users, decoys }
    })
}
