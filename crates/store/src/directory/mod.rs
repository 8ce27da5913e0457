//! The directory's storage (SPEC §12.2): SKUs with their holder counts, and users with their
//! licenses, in two tables per backend. The invariant it keeps: a SKU's `consumed_units`
//! equals the number of users holding it and never exceeds its `capacity`
//! (`prepaidUnits.enabled + warning`). An assignment changes the user and the counters of the
//! SKUs it touches in one transaction, and takes a unit with a conditional
//! `UPDATE … WHERE consumed_units < capacity`, so racing assignments cannot oversell: on
//! PostgreSQL they queue on the SKU's row only (one popular SKU does not serialize a tenant's
//! other SKUs), and the user's row is locked first, SKUs after in skuId order (no deadlocks).

pub mod insight;
pub(crate) mod rows;
pub(crate) mod script;
pub(crate) mod sql;
pub(crate) mod statements;
pub(crate) mod tx;

use tally_model::directory::body::{AssignLicense, SkuPatch, UserPatch};
use tally_model::directory::{Sku, User, UserKey};
use tally_odata::query::{OrderBy, TypedExpr};
use uuid::Uuid;

pub use rows::{decode_sku, decode_user, sku_body, SkuBody};

use crate::query::Cursor;
use crate::{Store, StoreError, TenantId};
use tx::{transact, Deadline};

/// Why a directory operation did not happen.
#[derive(Debug)]
pub enum DirectoryError {
    NotFound,
    /// A 400 with this message (Graph's where Graph has one).
    BadRequest(String),
    Store(StoreError),
}

impl From<StoreError> for DirectoryError {
    fn from(error: StoreError) -> Self {
        DirectoryError::Store(error)
    }
}

impl From<rusqlite::Error> for DirectoryError {
    fn from(error: rusqlite::Error) -> Self {
        DirectoryError::Store(error.into())
    }
}

impl From<tokio_postgres::Error> for DirectoryError {
    fn from(error: tokio_postgres::Error) -> Self {
        DirectoryError::Store(error.into())
    }
}

/// Graph's message for a second user with a taken userPrincipalName.
pub const UPN_TAKEN: &str =
    "Another object with the same value for property userPrincipalName already exists.";

/// A page of users: the filter, one sort key (or id), keyset paging.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    pub filter: Option<TypedExpr>,
    pub order: Option<OrderBy>,
    pub after: Option<Cursor>,
    pub skip: u64,
    pub page_size: usize,
    /// Leave the users' assignedPlans out (read as none): for reads that never show them.
    pub without_plans: bool,
}

#[derive(Clone, Debug)]
pub struct UserPage {
    pub items: Vec<User>,
    pub next: Option<Cursor>,
}

/// What an assignLicense's clock says (`now` dates newly assigned plans).
pub fn now_text() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    pub async fn create_sku(&self, tenant: TenantId, sku: Sku) -> Result<Sku, DirectoryError> {
        transact!(self, Deadline::Call, |tx| script::create_sku(
            tx, tenant, sku
        ))
    }

    /// The tenant's SKUs, by skuId.
    pub async fn list_skus(&self, tenant: TenantId) -> Result<Vec<Sku>, StoreError> {
        match self {
            Store::Sqlite(store) => store.list_skus(tenant).await,
            Store::Postgres(store) => store.list_skus(tenant).await,
        }
    }

    pub async fn update_sku(
        &self,
        tenant: TenantId,
        sku_id: Uuid,
        patch: SkuPatch,
    ) -> Result<Sku, DirectoryError> {
        transact!(self, Deadline::Call, |tx| script::update_sku(
            tx, tenant, sku_id, patch
        ))
    }

    /// Deletes a SKU nobody holds (else a 400).
    pub async fn delete_sku(&self, tenant: TenantId, sku_id: Uuid) -> Result<(), DirectoryError> {
        transact!(self, Deadline::Call, |tx| script::delete_sku(
            tx, tenant, sku_id
        ))
    }

    pub async fn create_user(&self, tenant: TenantId, user: User) -> Result<User, DirectoryError> {
        transact!(self, Deadline::Call, |tx| script::create_user(
            tx, tenant, user
        ))
    }

    pub async fn get_user(
        &self,
        tenant: TenantId,
        key: UserKey,
    ) -> Result<Option<User>, StoreError> {
        match self {
            Store::Sqlite(store) => store.get_user(tenant, key).await,
            Store::Postgres(store) => store.get_user(tenant, key).await,
        }
    }

    pub async fn list_users(
        &self,
        tenant: TenantId,
        query: UserQuery,
    ) -> Result<UserPage, StoreError> {
        match self {
            Store::Sqlite(store) => store.list_users(tenant, query).await,
            Store::Postgres(store) => store.list_users(tenant, query).await,
        }
    }

    pub async fn count_users(
        &self,
        tenant: TenantId,
        filter: Option<TypedExpr>,
    ) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(store) => store.count_users(tenant, filter).await,
            Store::Postgres(store) => store.count_users(tenant, filter).await,
        }
    }

    pub async fn update_user(
        &self,
        tenant: TenantId,
        key: UserKey,
        patch: UserPatch,
    ) -> Result<User, DirectoryError> {
        transact!(self, Deadline::Call, |tx| script::update_user(
            tx, tenant, key, patch
        ))
    }

    /// Deletes a user, giving back the units of the SKUs they held.
    pub async fn delete_user(&self, tenant: TenantId, key: UserKey) -> Result<(), DirectoryError> {
        transact!(self, Deadline::Call, |tx| script::delete_user(
            tx, tenant, key
        ))
    }

    /// assignLicense: all of it, or nothing (SPEC §12.2).
    pub async fn assign_license(
        &self,
        tenant: TenantId,
        key: UserKey,
        request: AssignLicense,
    ) -> Result<User, DirectoryError> {
        transact!(self, Deadline::Call, |tx| script::assign_license(
            tx, tenant, key, request
        ))
    }
}

/// The SKUs an assignLicense reads: those it names and those the user holds (for their plans),
/// each once. A SKU that is not the tenant's is simply not found, and the rules say so.
pub(crate) fn skus_involved(user: &User, request: &AssignLicense) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = request
        .add
        .iter()
        .map(|license| license.sku_id)
        .chain(request.remove.iter().copied())
        .chain(user.assigned_licenses.iter().map(|license| license.sku_id))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A page from `items` fetched one over the page size: the extra one says a next page exists.
pub(crate) fn page(query: &UserQuery, mut items: Vec<User>) -> UserPage {
    let next = if items.len() > query.page_size {
        items.truncate(query.page_size);
        items.last().map(|last| sql::cursor_after(query, last))
    } else {
        None
    };
    UserPage { items, next }
}

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
}

/// A tenant's directory as `tally collect` read it from Graph, ready to store.
pub(crate) struct PreparedReplace {
    pub skus: Vec<Sku>,
    pub users: Vec<User>,
}

/// Checks a tenant's whole directory as read from Graph: each user's licenses through
/// assignLicense's rules (a license of a SKU the tenant does not have, or of a plan its SKU does
/// not have, fails the whole replacement), except two that a real tenant need not keep: units
/// are not counted against capacity (Graph reports `consumedUnits` above `enabled` while a
/// subscription is suspended or in warning; a SKU's `consumed_units` is its holders, whatever
/// the capacity), and a holder need not have a usageLocation (group-based licensing assigns
/// without one).
pub(crate) fn prepare_replace(
    mut skus: Vec<Sku>,
    records: Vec<(User, Vec<tally_model::directory::AssignedLicense>)>,
) -> Result<PreparedReplace, DirectoryError> {
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
    Ok(PreparedReplace { skus, users })
}

impl Store {
    /// `tally collect`: replaces the tenant's SKUs, users and licenses with `skus` and
    /// `records` in one transaction (all of it, or nothing), checked by [`prepare_replace`]'s
    /// rules. Ids and userPrincipalNames must be unique among the records.
    pub async fn replace_directory(
        &self,
        tenant: TenantId,
        skus: Vec<Sku>,
        records: Vec<(User, Vec<tally_model::directory::AssignedLicense>)>,
    ) -> Result<ReplaceOutcome, DirectoryError> {
        let prepared = prepare_replace(skus, records)?;
        transact!(self, Deadline::Unbounded, |tx| script::replace_directory(
            tx, tenant, prepared
        ))
    }
}

/// A record refused because its id or userPrincipalName is taken.
pub(crate) const EXISTS: &str =
    "a user with this id or userPrincipalName exists already in the tenant";

impl Store {
    /// `tally import` of users: each record's licenses checked as assignLicense checks them,
    /// the batch in one transaction; a refused record is reported and the others are stored.
    pub async fn import_users(
        &self,
        tenant: TenantId,
        records: Vec<(User, Vec<tally_model::directory::AssignedLicense>)>,
    ) -> Result<ImportOutcome, DirectoryError> {
        transact!(self, Deadline::Unbounded, |tx| script::import_users(
            tx, tenant, records
        ))
    }
}

/// `SELECT` of every tenant with directory data (SKUs or users).
pub(crate) const TENANTS: &str = "SELECT tenant_id FROM directory_skus UNION SELECT tenant_id FROM directory_users ORDER BY tenant_id";

impl Store {
    /// The tenants that have directory data, for `tally snapshot --all-tenants`.
    pub async fn directory_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        match self {
            Store::Sqlite(store) => store.directory_tenants().await,
            Store::Postgres(store) => store.directory_tenants().await,
        }
    }
}

/// A tenant id as stored.
pub(crate) fn parse_tenant(text: &str) -> Result<TenantId, StoreError> {
    Uuid::parse_str(text)
        .map_err(|error| StoreError::Internal(format!("a stored tenant id '{text}': {error}")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;
    use tally_model::directory::body::{sku_create, user_import};

    use super::*;
    use tally_model::directory::AssignedLicense;

    const E5: &str = "c7df2760-2c81-4ef7-b578-5b5392b571df";
    const OTHER: &str = "84a661c4-e949-4bd2-a560-ed7766fcaf2b";

    fn sku(id: &str, enabled: i64) -> Sku {
        let body = json!({ "skuId": id, "prepaidUnits": { "enabled": enabled } });
        sku_create(body.to_string().as_bytes()).unwrap()
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
        );
        let Err(DirectoryError::BadRequest(message)) = refused else {
            panic!("refused");
        };
        assert!(message.contains("b@contoso.example"), "{message}");
        assert!(message.contains(OTHER), "{message}");
    }

    #[test]
    fn a_sku_listed_twice_fails() {
        let refused = prepare_replace(vec![sku(E5, 1), sku(E5, 2)], Vec::new());
        assert!(matches!(refused, Err(DirectoryError::BadRequest(_))));
    }
}
