//! The directory's storage (SPEC §12.2): SKUs with their holder counts, and users with their
//! licenses, in two tables per backend. The invariant it keeps: a SKU's `consumed_units`
//! equals the number of users holding it and never exceeds its `capacity`
//! (`prepaidUnits.enabled + warning`). An assignment changes the user and the counters of the
//! SKUs it touches in one transaction, and takes a unit with a conditional
//! `UPDATE … WHERE consumed_units < capacity`, so racing assignments cannot oversell: on
//! PostgreSQL they queue on the SKU's row only (one popular SKU does not serialize a tenant's
//! other SKUs), and the user's row is locked first, SKUs after in skuId order (no deadlocks).

pub(crate) mod holders;
pub mod insight;
pub(crate) mod rows;
mod rules;
pub(crate) mod script;
pub(crate) mod sql;
pub(crate) mod statements;
pub(crate) mod subscriptions;
pub(crate) mod tx;

use tally_model::directory::body::{AssignLicense, SkuPatch, UserPatch};
use tally_model::directory::{Sku, User, UserKey};
use tally_odata::query::{OrderBy, TypedExpr};
use uuid::Uuid;

pub use rows::{decode_sku, decode_user, sku_body, SkuBody};
pub(crate) use rules::{
    check_capacity, check_unheld, prepare_import, prepare_replace, units_taken, PreparedReplace,
    EXISTS,
};
pub use rules::{ImportOutcome, ReplaceOutcome};

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

    /// `tally collect`: replaces the tenant's SKUs, users and licenses, and its subscriptions,
    /// with `skus`, `records` and `subscriptions` in one transaction (all of it, or nothing),
    /// checked by [`prepare_replace`]'s rules. Ids and userPrincipalNames must be unique among
    /// the records, ids and commerceSubscriptionIds among the subscriptions, which are stored
    /// as Graph reported them (SPEC §13.2: a collected SKU's units are Graph's, not re-derived).
    pub async fn replace_directory(
        &self,
        tenant: TenantId,
        skus: Vec<Sku>,
        records: Vec<(User, Vec<tally_model::directory::AssignedLicense>)>,
        subscriptions: Vec<tally_model::Entity>,
    ) -> Result<ReplaceOutcome, DirectoryError> {
        let prepared = prepare_replace(skus, records, subscriptions)?;
        transact!(self, Deadline::Unbounded, |tx| script::replace_directory(
            tx, tenant, prepared
        ))
    }

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

    /// The tenants that have directory data, for `tally snapshot --all-tenants`.
    pub async fn directory_tenants(&self) -> Result<Vec<TenantId>, StoreError> {
        match self {
            Store::Sqlite(store) => store.directory_tenants().await,
            Store::Postgres(store) => store.directory_tenants().await,
        }
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

/// `SELECT` of every tenant with directory data (SKUs or users).
pub(crate) const TENANTS: &str = "SELECT tenant_id FROM directory_skus UNION SELECT tenant_id FROM directory_users ORDER BY tenant_id";

/// A tenant id as stored.
pub(crate) fn parse_tenant(text: &str) -> Result<TenantId, StoreError> {
    Uuid::parse_str(text)
        .map_err(|error| StoreError::Internal(format!("a stored tenant id '{text}': {error}")))
}
