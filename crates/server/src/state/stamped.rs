//! What a derived read counted of a tenant's data (the premium license insight's inputs, the
//! cost report's holders), kept for as long as the tenant's stamp of that data is unchanged
//! (the store raises it on every change of an input, by any process): a read then costs one
//! stamp lookup and a few binary searches. Each tenant
//! rebuilds under a lock of its own, so a burst of reads after a write counts its inputs once
//! (a read that waited for a rebuild takes its result: it counted every change made before the
//! read arrived) and another tenant's reads never wait for it; a read waits for its tenant's rebuild at most
//! the query budget (`--query-timeout`), then answers 504 as any read over budget.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tally_store::{StoreError, TenantId};

/// Tenants kept at most; past it the cache starts again (each entry is rebuilt on its next read).
const TENANTS_KEPT: usize = 1024;

/// One tenant's counted inputs and the lock its rebuilds take.
struct Entry<T> {
    kept: Mutex<Option<(i64, Arc<T>)>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl<T> Default for Entry<T> {
    fn default() -> Self {
        Self {
            kept: Mutex::new(None),
            rebuilding: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T> Entry<T> {
    /// What is kept, if it was counted at `stamp` or later (stamps only rise): it then holds
    /// every change made before the stamp was read.
    fn current(&self, stamp: i64) -> Option<Arc<T>> {
        let kept = self
            .kept
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        kept.as_ref()
            .filter(|(kept, _)| *kept >= stamp)
            .map(|(_, usage)| Arc::clone(usage))
    }
}

/// Per tenant, what was counted and the stamp it is current for.
pub struct StampedCache<T> {
    entries: Mutex<HashMap<TenantId, Arc<Entry<T>>>>,
    /// How long a read waits for its tenant's rebuild (`--query-timeout`).
    budget: Duration,
}

impl<T> Default for StampedCache<T> {
    fn default() -> Self {
        Self::new(tally_store::StoreLimits::default().query_timeout)
    }
}

impl<T> StampedCache<T> {
    /// A cache whose reads wait at most `budget` for their tenant's rebuild.
    pub fn new(budget: Duration) -> Self {
        Self {
            entries: Mutex::default(),
            budget,
        }
    }

    /// The tenant's counted inputs, current as of this call: kept if counted at `stamp` (read
    /// just now) or later, else counted by `count`, which answers the stamp it read first.
    pub async fn get(
        &self,
        tenant: TenantId,
        stamp: i64,
        count: impl AsyncFnOnce() -> Result<(i64, T), StoreError>,
    ) -> Result<Arc<T>, StoreError> {
        let entry = self.entry(tenant);
        if let Some(counted) = entry.current(stamp) {
            return Ok(counted);
        }
        let Ok(_rebuilding) = tokio::time::timeout(self.budget, entry.rebuilding.lock()).await
        else {
            return Err(StoreError::Budget(self.budget));
        };
        // The rebuild this one waited for counted every change made before it arrived.
        if let Some(counted) = entry.current(stamp) {
            return Ok(counted);
        }
        let (stamp, counted) = count().await?;
        let counted = Arc::new(counted);
        *entry
            .kept
            .lock()
            .unwrap_or_else(|poison| poison.into_inner()) = Some((stamp, Arc::clone(&counted)));
        Ok(counted)
    }

    /// The tenant's entry, made if new.
    fn entry(&self, tenant: TenantId) -> Arc<Entry<T>> {
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if let Some(entry) = entries.get(&tenant) {
            return Arc::clone(entry);
        }
        if entries.len() >= TENANTS_KEPT {
            // Entries in use stay with their users; later reads make new ones.
            entries.clear();
        }
        Arc::clone(entries.entry(tenant).or_default())
    }
}
