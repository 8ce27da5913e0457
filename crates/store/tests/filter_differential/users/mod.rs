//! The directory's users in the differential: a fresh tenant with three SKUs and 0–10 users
//! (created, licensed by assignLicense, some licenses taken back, some users deleted), and a
//! decoy tenant holding the same SKUs; each read's filter goes through the text, the parser and
//! the binder with the user type, and `list_users` (every page, keyset paging) and
//! `count_users` must answer what [`reference`] does.

mod dataset;
mod filters;
mod reference;

use std::fmt;
use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use tally_model::directory::types::USER;
use tally_model::directory::{User, UserKey};
use tally_odata::query::{filter, orderby, TypedExpr};
use tally_odata::schema::Type;
use tally_store::directory::UserQuery;
use tally_store::Store;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::strategies::{map_strings, resolve_ids};
use crate::values::{FRACTIONS, TICKS_PER_SECOND};
use crate::{fail, Checked};
use dataset::{normalized, Person, Tenant, SKUS};
use filters::{Guids, Read, UPN_PLACEHOLDER};

/// Datasets per run in CI (a debug build): each has 1–[`MAX_READS`] reads. PostgreSQL commits
/// each write on its own, so it gets fewer.
pub const DEFAULT_CASES: u32 = 300;
pub const DEFAULT_POSTGRES_CASES: u32 = 120;
const MAX_READS: usize = 12;

#[derive(Clone)]
pub struct Case {
    pub tenant: Tenant,
    pub reads: Vec<Read>,
}

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Case")
            .field("tenant", &self.tenant)
            .field("reads", &self.reads)
            .finish()
    }
}

/// A tenant of users and its reads, dates drawn from a small pool of instants.
pub fn cases() -> impl Strategy<Value = Case> {
    let instant = (-2_208_988_800_i64..4_102_444_800, select(&FRACTIONS[..]))
        .prop_map(|(seconds, fraction)| seconds * TICKS_PER_SECOND + fraction);
    vec(instant, 1..=4).prop_flat_map(|pool| {
        let reads = vec(filters::read(&pool), 1..=MAX_READS);
        (dataset::tenant(&pool), reads).prop_map(|(tenant, reads)| Case { tenant, reads })
    })
}

/// Checks one case on `store`.
pub fn check(
    runtime: &tokio::runtime::Runtime,
    store: &Arc<Store>,
    case: Case,
) -> Result<Checked, TestCaseError> {
    let reads = case.reads.len() as u64;
    let splitting = runtime.block_on(check_case(store, case))?;
    Ok(Checked {
        collection: "users",
        reads,
        splitting,
    })
}

/// Stores the tenant and the decoy (each user created, licensed and perhaps deleted in its own
/// task, so writes interleave), then checks each read; answers how many reads matched some but
/// not all users.
async fn check_case(store: &Arc<Store>, case: Case) -> Result<u64, TestCaseError> {
    let (tenant, decoy_tenant) = (Uuid::new_v4(), Uuid::new_v4());
    let mut skus = JoinSet::new();
    for owner in [tenant, decoy_tenant] {
        for index in 0..3 {
            let store = Arc::clone(store);
            skus.spawn(async move { store.create_sku(owner, dataset::sku(index)).await });
        }
    }
    while let Some(created) = skus.join_next().await {
        created.map_err(fail)?.map_err(|e| fail(format!("{e:?}")))?;
    }
    let mut people: Vec<(Uuid, Person)> = Vec::new();
    for person in case.tenant.users {
        people.push((tenant, person));
    }
    for person in case.tenant.decoys {
        people.push((decoy_tenant, person));
    }
    let mut writes = JoinSet::new();
    for (owner, person) in &mut people {
        person.user.id = Uuid::new_v4();
        let (store, owner, person) = (Arc::clone(store), *owner, person.clone());
        writes.spawn(async move { store_person(&store, owner, &person).await });
    }
    while let Some(written) = writes.join_next().await {
        written.map_err(fail)??;
    }
    let (users, decoys): (Vec<_>, Vec<_>) = people.iter().partition(|(o, _)| *o == tenant);
    let stored: Vec<User> = users
        .iter()
        .filter(|(_, person)| !person.deleted)
        .map(|(_, person)| person.expected())
        .collect();
    check_units(store, tenant, &stored).await?;
    // Placeholders name every user ever created, the decoys last.
    let everyone = users.iter().chain(&decoys).map(|(_, person)| &person.user);
    let (ids, upns): (Vec<String>, Vec<String>) = everyone
        .map(|user| (user.id.to_string(), user.user_principal_name.clone()))
        .unzip();
    let decoys: Vec<Uuid> = decoys.iter().map(|(_, person)| person.user.id).collect();
    let mut splitting = 0;
    for read in case.reads {
        let context = Context {
            store,
            tenant,
            stored: &stored,
            decoys: &decoys,
        };
        let matching = check_read(&context, &ids, &upns, read).await?;
        splitting += u64::from(0 < matching && matching < stored.len());
    }
    Ok(splitting)
}

/// Creates `person` in `tenant`, sends its assignLicense requests (each answer must hold what
/// the rules say) and deletes it if it is to be.
async fn store_person(store: &Store, tenant: Uuid, person: &Person) -> Result<(), TestCaseError> {
    let failed = |e| fail(format!("{e:?}"));
    let created = store.create_user(tenant, person.user.clone()).await;
    prop_assert_eq!(created.map_err(failed)?, person.user.clone());
    let key = || UserKey::Id(person.user.id);
    let mut answer = None;
    for request in person.requests() {
        answer = Some(store.assign_license(tenant, key(), request).await);
    }
    if let Some(answer) = answer {
        let user = normalized(answer.map_err(failed)?);
        prop_assert_eq!(user, person.expected(), "assignLicense's answer");
    }
    if person.deleted {
        store.delete_user(tenant, key()).await.map_err(failed)?;
    }
    Ok(())
}

/// Each SKU's consumedUnits is its number of holders among `stored`.
async fn check_units(store: &Store, tenant: Uuid, stored: &[User]) -> Result<(), TestCaseError> {
    for sku in store.list_skus(tenant).await.map_err(fail)? {
        let holders = stored.iter().filter(|user| {
            let mut licenses = user.assigned_licenses.iter();
            licenses.any(|license| license.sku_id == sku.sku_id)
        });
        prop_assert_eq!(sku.consumed_units, holders.count() as i64, "consumedUnits");
    }
    Ok(())
}

/// Where a read runs and what it should find.
struct Context<'a> {
    store: &'a Store,
    tenant: Uuid,
    stored: &'a [User],
    decoys: &'a [Uuid],
}

/// The filter as a client writes it: the `signInActivity` dates as paths, GUIDs as `guids` says.
fn text(expr: &TypedExpr, guids: Guids) -> String {
    let mut text = expr.to_string();
    for property in USER.properties {
        if let Type::Complex(complex) = property.ty {
            for nested in complex.properties {
                let path = format!("{}/{}", property.name, nested.name);
                text = text.replace(nested.name, &path);
            }
        }
    }
    for sku in SKUS.map(|sku| sku.to_string()) {
        text = match guids {
            Guids::Lower => text,
            Guids::Upper => text.replace(&sku, &sku.to_uppercase()),
            Guids::Quoted => text.replace(&sku, &format!("'{sku}'")),
            Guids::QuotedUpper => text.replace(&sku, &format!("'{}'", sku.to_uppercase())),
        };
    }
    text
}

/// Replaces userPrincipalName placeholders: `{k}e` is user `k`'s (modulo their number), `u`
/// and `l` it in upper and lower case, `p` its first 3 characters, `q` those with their ASCII
/// case swapped, `x` it followed by `0`.
fn resolve_upns(expr: &mut TypedExpr, upns: &[String]) {
    map_strings(expr, &mut |text| {
        let Some(code) = text.strip_prefix(UPN_PLACEHOLDER) else {
            return;
        };
        let (k, variant) = code.split_at(code.len() - 1);
        let upn = &upns[k.parse::<usize>().expect("placeholder index") % upns.len()];
        let head: String = upn.chars().take(3).collect();
        *text = match variant {
            "u" => upn.to_uppercase(),
            "l" => upn.to_lowercase(),
            "p" => head,
            "q" => head
                .chars()
                .map(|c| match c {
                    c if c.is_ascii_lowercase() => c.to_ascii_uppercase(),
                    c => c.to_ascii_lowercase(),
                })
                .collect(),
            "x" => format!("{upn}0"),
            _ => upn.clone(),
        };
    });
}

async fn check_read(
    context: &Context<'_>,
    ids: &[String],
    upns: &[String],
    read: Read,
) -> Result<usize, TestCaseError> {
    let Context {
        store,
        tenant,
        stored,
        decoys,
    } = *context;
    let generated = read.filter.map(|mut expr| {
        resolve_ids(&mut expr, ids);
        resolve_upns(&mut expr, upns);
        expr
    });
    // Through the text: what a client sends is what the store gets.
    let text = generated.as_ref().map(|expr| text(expr, read.guids));
    let bound = match &text {
        Some(text) => Some(filter(&USER, text).map_err(|e| fail(format!("{text}: {e}")))?),
        None => None,
    };
    if matches!(read.guids, Guids::Lower | Guids::Upper) {
        prop_assert_eq!(&bound, &generated, "text → filter() changed the tree");
    }
    let order = match read.orderby {
        "" => None,
        text => orderby(&USER, text).map_err(fail)?.first().copied(),
    };

    let mut expected: Vec<&User> = stored
        .iter()
        .filter(|user| {
            let filter = bound.as_ref();
            filter.is_none_or(|expr| reference::matches(expr, user))
        })
        .collect();
    let matching = expected.len();
    reference::sort(&mut expected, order);
    let expected: Vec<Uuid> = expected
        .iter()
        .skip(read.skip as usize)
        .map(|user| user.id)
        .collect();

    let count = store.count_users(tenant, bound.clone()).await;
    let count = count.map_err(fail)?;
    let mut query = UserQuery {
        filter: bound,
        order,
        after: None,
        skip: read.skip,
        page_size: read.page_size,
        without_plans: read.without_plans,
    };
    let mut actual = Vec::new();
    for _ in 0..=stored.len() + 1 {
        let page = store.list_users(tenant, query.clone()).await;
        let page = page.map_err(fail)?;
        prop_assert!(page.items.len() <= read.page_size, "a page over its size");
        for user in page.items {
            let sent = stored.iter().find(|sent| sent.id == user.id);
            let unchanged = sent.is_some_and(|sent| *sent == normalized(user.clone()));
            prop_assert!(unchanged || decoys.contains(&user.id), "{user:?} changed");
            actual.push(user.id);
        }
        query.skip = 0;
        query.after = page.next;
        if query.after.is_none() {
            break;
        }
    }
    prop_assert!(query.after.is_none(), "paging did not end");
    let context = || {
        let users: Vec<String> = stored.iter().map(|user| format!("  {user:?}")).collect();
        format!(
            "\n$filter={}\n$orderby={}\npage size {}, skip {}\nusers:\n{}",
            text.as_deref().unwrap_or("(none)"),
            read.orderby,
            read.page_size,
            read.skip,
            users.join("\n")
        )
    };
    let decoy = actual.iter().any(|id| decoys.contains(id));
    prop_assert!(!decoy, "another tenant's user{}", context());
    prop_assert_eq!(
        &actual,
        &expected,
        "list differs from the reference{}",
        context()
    );
    prop_assert_eq!(
        count,
        matching as u64,
        "count differs from the reference{}",
        context()
    );
    Ok(matching)
}
