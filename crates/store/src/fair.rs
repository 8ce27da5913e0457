//! Fair admission per tenant: at most `per_tenant` of one tenant's expensive reads run at once,
//! so one tenant's heavy filters cannot hold every reader (SQLite) or pooled connection
//! (PostgreSQL) while the other tenants wait. A read past its tenant's share waits for it, up to
//! a deadline, without holding a reader; then it is answered 503 (with Retry-After).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{StoreError, TenantId};

/// Per-tenant shares of the readers.
pub struct TenantGate {
    per_tenant: usize,
    tenants: Mutex<HashMap<TenantId, Arc<Semaphore>>>,
}

/// One of a tenant's shares, held while its read runs.
pub struct TenantPermit {
    _permit: OwnedSemaphorePermit,
}

impl TenantGate {
    pub fn new(per_tenant: usize) -> Self {
        Self {
            per_tenant: per_tenant.max(1),
            tenants: Mutex::new(HashMap::new()),
        }
    }

    /// Waits (up to `wait`) for one of `tenant`'s shares.
    pub async fn enter(
        &self,
        tenant: TenantId,
        wait: Duration,
    ) -> Result<TenantPermit, StoreError> {
        let semaphore = {
            let mut tenants = self
                .tenants
                .lock()
                .map_err(|_| StoreError::Internal("tenant gate lock poisoned".into()))?;
            // Forget tenants with nothing running, so the map stays as small as the tenants
            // reading right now (only this map holds a reference to an idle tenant's semaphore).
            if tenants.len() > 64 {
                let per_tenant = self.per_tenant;
                tenants.retain(|_, semaphore| {
                    Arc::strong_count(semaphore) > 1 || semaphore.available_permits() < per_tenant
                });
            }
            tenants
                .entry(tenant)
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_tenant)))
                .clone()
        };
        match tokio::time::timeout(wait, semaphore.acquire_owned()).await {
            Ok(Ok(permit)) => Ok(TenantPermit { _permit: permit }),
            Ok(Err(_)) => Err(StoreError::Unavailable("the store is closed".into())),
            Err(_) => Err(StoreError::Unavailable(format!(
                "the tenant already has {} expensive reads running",
                self.per_tenant
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tenant_gets_its_share_and_no_more() {
        let gate = TenantGate::new(2);
        let (a, b) = (TenantId::new_v4(), TenantId::new_v4());
        let short = Duration::from_millis(20);
        let first = gate.enter(a, short).await.unwrap();
        let _second = gate.enter(a, short).await.unwrap();
        assert!(gate.enter(a, short).await.is_err());
        // Another tenant is not held up by the first one's reads.
        let _other = gate.enter(b, short).await.unwrap();
        drop(first);
        assert!(gate.enter(a, short).await.is_ok());
    }
}
