//! Whether PostgreSQL answers at all, for a list or count still running at half the database
//! timeout: a long statement on a database that answers runs on to its budget, but one on a
//! silent database (connections accepted, nothing answered: a network black hole) is abandoned
//! within the database timeout. Any answer to any call since the read began to wait says the
//! database is there; else one probe (`SELECT` of nothing) on a connection of its own, outside
//! the pool (which busy reads may fill), shared by every read that asks at the same time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use tokio::sync::Mutex;
use tokio::time::Instant as Deadline;
use tokio_postgres::{Client, NoTls};

pub(super) struct Liveness {
    config: tokio_postgres::Config,
    epoch: Instant,
    /// When the database last answered, in microseconds since `epoch` (0: never).
    answered: AtomicU64,
    /// The probe's connection, once made; one probe at a time.
    probe: Mutex<Option<Client>>,
}

impl Liveness {
    pub(super) fn new(config: tokio_postgres::Config) -> Self {
        Self {
            config,
            epoch: Instant::now(),
            answered: AtomicU64::new(0),
            probe: Mutex::new(None),
        }
    }

    fn micros(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_micros())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    /// The database answered a call just now.
    pub(super) fn answered(&self) {
        self.answered
            .fetch_max(self.micros(Instant::now()), Ordering::Relaxed);
    }

    fn answered_since(&self, since: Instant) -> bool {
        self.answered.load(Ordering::Relaxed) >= self.micros(since)
    }

    /// Whether the database answers something by `deadline`: a call answered since `since`,
    /// or the probe.
    pub(super) async fn answers_by(&self, since: Instant, deadline: Deadline) -> bool {
        if self.answered_since(since) {
            return true;
        }
        let Ok(mut probe) = tokio::time::timeout_at(deadline, self.probe.lock()).await else {
            return self.answered_since(since);
        };
        // The probe this one waited for may have answered for it.
        if self.answered_since(since) {
            return true;
        }
        // A broken probe connection is made again once.
        for _ in 0..2 {
            if probe.is_none() {
                let connect = self.config.connect(NoTls);
                match tokio::time::timeout_at(deadline, connect).await {
                    Ok(Ok((client, connection))) => {
                        tokio::spawn(connection);
                        *probe = Some(client);
                    }
                    _ => return false,
                }
            }
            let Some(client) = probe.as_ref() else {
                return false;
            };
            match tokio::time::timeout_at(deadline, client.simple_query("")).await {
                Ok(Ok(_)) => {
                    self.answered();
                    return true;
                }
                // Broken: made again. Silent: dropped, so the next probe does not queue on it.
                Ok(Err(_)) => *probe = None,
                Err(_) => {
                    *probe = None;
                    return false;
                }
            }
        }
        false
    }
}
