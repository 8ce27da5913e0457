//! Deadlines on PostgreSQL calls, for a database that stops answering without refusing (a
//! network black hole): the call is abandoned at its deadline and answered 503, and the pool's
//! idle connections are dropped, since the abandoned one (now back in the pool) still waits for
//! its answer and would hold the next caller up the same way. A list or count may run to its
//! query budget, but only on a database that answers: one still running at half the database
//! timeout asks [`Liveness`](super::liveness::Liveness) whether the database answers at all, and
//! is abandoned (503) at the database timeout if not. The kernel's own bound on unacknowledged
//! data (`tcp_user_timeout`) and TCP keep-alives break such connections too.

use std::future::Future;
use std::time::Duration;

use super::PgStore;
use crate::StoreError;

impl PgStore {
    /// Runs `call`, giving up after `limit`.
    pub(crate) async fn within<T>(
        &self,
        limit: Duration,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(limit, call).await {
            // statement_timeout: the error carries no duration; the budget is ours.
            Ok(Err(StoreError::Budget(_))) => {
                self.liveness.answered();
                Err(StoreError::Budget(self.limits.query_timeout))
            }
            Ok(result) => {
                if !matches!(result, Err(StoreError::Unavailable(_))) {
                    self.liveness.answered();
                }
                result
            }
            Err(_) => Err(self.silent(limit)),
        }
    }

    /// The error of a call abandoned after `waited`; the pool's idle connections are dropped
    /// (the call's future, and with it its pooled connection, is dropped by now).
    fn silent(&self, waited: Duration) -> StoreError {
        self.pool.retain(|_, _| false);
        StoreError::Unavailable(format!(
            "the database did not answer within {} ms",
            waited.as_millis()
        ))
    }

    /// The deadline of a key lookup, a write or a ping.
    pub(crate) fn call_limit(&self) -> Duration {
        self.limits.database_timeout
    }

    /// The deadline of a list or count: its statement timeout, and a margin for its answer.
    pub(crate) fn read_limit(&self) -> Duration {
        self.limits.query_timeout + self.limits.database_timeout.min(Duration::from_secs(1))
    }
}

impl PgStore {
    /// A list or count: within the tenant's share of the pool, and its deadline; abandoned at
    /// the database timeout if the database answers nothing meanwhile.
    pub(crate) async fn read<T>(
        &self,
        tenant: crate::TenantId,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let _share = self
            .gate
            .enter(tenant, self.limits.database_timeout)
            .await?;
        let started = tokio::time::Instant::now();
        let mut call = Box::pin(self.within(self.read_limit(), call));
        let patience = self.limits.database_timeout / 2;
        tokio::select! {
            result = &mut call => return result,
            () = tokio::time::sleep(patience) => {}
        }
        let deadline = started + self.limits.database_timeout;
        let asked = std::time::Instant::now();
        let answers = tokio::select! {
            result = &mut call => return result,
            answers = self.liveness.answers_by(asked, deadline) => answers,
        };
        if answers {
            return call.await;
        }
        // Its connection goes before the pool's idle ones are dropped, so it is not kept.
        drop(call);
        Err(self.silent(self.limits.database_timeout))
    }
}

/// `config` with tally's timeouts, unless the URL set them: connecting, keep-alives, the
/// kernel's bound on unacknowledged data, and the statement timeout (a read's budget).
pub(super) fn with_timeouts(
    mut config: tokio_postgres::Config,
    limits: &crate::StoreLimits,
) -> tokio_postgres::Config {
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(limits.database_timeout);
    }
    config
        .keepalives(true)
        .keepalives_idle(limits.database_timeout.max(Duration::from_secs(1)))
        .keepalives_interval(Duration::from_secs(1))
        .keepalives_retries(3);
    #[cfg(target_os = "linux")]
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(limits.database_timeout);
    }
    let options = config.get_options().unwrap_or_default().to_owned();
    if !options.contains("statement_timeout") {
        // At least 1 ms: 0 would mean no timeout at all.
        let millis = limits.query_timeout.as_millis().max(1);
        let timeout = format!("-c statement_timeout={millis}");
        config.options(format!("{options} {timeout}").trim());
    }
    config
}

/// A pooled connection whose statement is cancelled on the server if the caller goes away
/// before it ends (its client hung up, or a deadline passed): the connection is then taken out
/// of the pool (so no later caller's statement can be the one cancelled) and closed once the
/// cancel request is sent. [`Cancellable::done`] gives it back to the pool as usual.
pub(super) struct Cancellable(Option<deadpool_postgres::Object>);

impl Cancellable {
    pub(super) fn new(client: deadpool_postgres::Object) -> Self {
        Self(Some(client))
    }

    pub(super) fn done(mut self) {
        self.0.take();
    }
}

impl std::ops::Deref for Cancellable {
    type Target = deadpool_postgres::Object;

    fn deref(&self) -> &Self::Target {
        // Only `done` and `drop` take it, both consuming `self`.
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("a Cancellable without its connection"))
    }
}

impl Drop for Cancellable {
    fn drop(&mut self) {
        let Some(client) = self.0.take() else { return };
        let token = client.cancel_token();
        let detached = deadpool_postgres::Object::take(client);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let cancel = token.cancel_query(tokio_postgres::NoTls);
                let _ = tokio::time::timeout(Duration::from_secs(5), cancel).await;
                drop(detached);
            });
        }
    }
}
