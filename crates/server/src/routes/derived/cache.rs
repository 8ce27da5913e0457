//! The premium license insight's inputs, counted, per tenant, kept for as long as the tenant's
//! insight stamp is unchanged (the store's triggers raise it on every change of an input, by
//! any process): a read then costs one stamp lookup and a few binary searches. One rebuild
//! runs at a time, so a burst of reads after a write counts the inputs once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tally_model::directory::insight::Usage;
use tally_store::{Store, StoreError, TenantId};

/// Tenants kept at most; past it the cache starts again (each entry is rebuilt on its next read).
const TENANTS_KEPT: usize = 1024;

#[derive(Default)]
pub struct InsightCache {
    entries: Mutex<HashMap<TenantId, (i64, Arc<Usage>)>>,
    rebuilding: tokio::sync::Mutex<()>,
}

impl InsightCache {
    /// The tenant's counted inputs, current as of this call.
    pub async fn usage(&self, store: &Store, tenant: TenantId) -> Result<Arc<Usage>, StoreError> {
        let stamp = store.insight_stamp(tenant).await?;
        if let Some(usage) = self.current(tenant, stamp) {
            return Ok(usage);
        }
        let _rebuilding = self.rebuilding.lock().await;
        // Another request may have rebuilt it while this one waited.
        if let Some(usage) = self.current(tenant, store.insight_stamp(tenant).await?) {
            return Ok(usage);
        }
        let (stamp, usage) = store.insight_usage(tenant).await?;
        let usage = Arc::new(usage);
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        if entries.len() >= TENANTS_KEPT {
            entries.clear();
        }
        entries.insert(tenant, (stamp, Arc::clone(&usage)));
        Ok(usage)
    }

    fn current(&self, tenant: TenantId, stamp: i64) -> Option<Arc<Usage>> {
        let entries = self
            .entries
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        entries
            .get(&tenant)
            .filter(|(kept, _)| *kept == stamp)
            .map(|(_, usage)| Arc::clone(usage))
    }
}
