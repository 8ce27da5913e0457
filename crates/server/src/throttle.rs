//! Throttling per tenant and application (SPEC §9): a token bucket of `--rate-limit N` requests
//! per second with a burst of 2N; over it, 429 `TooManyRequests` with `Retry-After` in seconds.
//! Off unless configured.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::{header, HeaderValue, StatusCode};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use uuid::Uuid;

use crate::error::ApiError;

/// The per-tenant, per-application limiter.
pub struct Throttle {
    limiter: DefaultKeyedRateLimiter<(Uuid, String)>,
    clock: DefaultClock,
    admitted: AtomicU64,
}

/// Every this many checks, the buckets that have refilled completely are forgotten (one such is
/// the same as a new one): the map holds only the tenants and apps active of late, however
/// many there have been.
const EVICT_EVERY: u64 = 1024;

impl Throttle {
    /// `per_second` requests a second per tenant and app, with a burst of twice that.
    pub fn new(per_second: NonZeroU32) -> Self {
        let burst = per_second.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: governor::RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
            clock: DefaultClock::default(),
            admitted: AtomicU64::new(0),
        }
    }

    /// Admits one request of `tenant`'s `app`, or answers how long to wait.
    pub fn admit(&self, tenant: Uuid, app: &str) -> Result<(), ApiError> {
        if self.admitted.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        match self.limiter.check_key(&(tenant, app.to_owned())) {
            Ok(()) => Ok(()),
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Err(too_many_requests(wait))
            }
        }
    }
}

fn too_many_requests(wait: Duration) -> ApiError {
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut error = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "TooManyRequests",
        format!(
            "Too many requests for this tenant and application; retry after {seconds} seconds."
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&seconds.max(1).to_string()) {
        error.headers.push((header::RETRY_AFTER, value));
    }
    error
}
