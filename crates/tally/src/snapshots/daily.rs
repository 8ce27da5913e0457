//! `tally serve --snapshot-daily HH:MM`: once a day at HH:MM UTC, a derived snapshot of every
//! tenant with directory data, taken by [`super::take`] at exactly that minute (`HH:MM:00Z` of
//! the day, not the instant the task woke), so the result does not depend on the scheduler's
//! latency. Each tenant's outcome is logged; one tenant's failure does not stop the others. The
//! same-minute rule keeps a second process on the same PostgreSQL database, scheduled alike, from
//! taking a second snapshot.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use tally_odata::edm::{DateTimeOffset, TICKS_PER_SECOND};
use tally_store::Store;

const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
const TICKS_PER_DAY: i64 = 24 * 60 * TICKS_PER_MINUTE;

/// The longest single sleep: the wall clock is read again after it, so a clock that is set, or
/// a machine that was suspended, shifts the run by at most this much.
const MAX_SLEEP: Duration = Duration::from_secs(60);

/// A time of day in UTC, to the minute (`--snapshot-daily`'s value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DailyTime {
    hour: u8,
    minute: u8,
}

impl DailyTime {
    /// `HH:MM`, 24-hour (`02:30`, `23:59`; the hour may have one digit).
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = || format!("'{text}' is not a time of day HH:MM (UTC, 24-hour, e.g. 02:30)");
        let (hour, minute) = text.split_once(':').ok_or_else(invalid)?;
        let number = |part: &str, lengths: std::ops::RangeInclusive<usize>, below: u8| {
            if !lengths.contains(&part.len()) || !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse::<u8>().ok().filter(|n| *n < below)
        };
        match (number(hour, 1..=2, 24), number(minute, 2..=2, 60)) {
            (Some(hour), Some(minute)) => Ok(Self { hour, minute }),
            _ => Err(invalid()),
        }
    }

    /// Ticks from midnight UTC.
    fn offset(self) -> i64 {
        (i64::from(self.hour) * 60 + i64::from(self.minute)) * TICKS_PER_MINUTE
    }
}

impl fmt::Display for DailyTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

/// The first run at or after `now`: today's `at` if it has not passed yet (`now` exactly on it
/// counts as not passed), else tomorrow's. As `YYYY-MM-DDThh:mm:00Z`.
pub fn next_run(now: &DateTimeOffset, at: DailyTime) -> DateTimeOffset {
    let today = now.ticks().div_euclid(TICKS_PER_DAY) * TICKS_PER_DAY + at.offset();
    let next = if today >= now.ticks() {
        today
    } else {
        today + TICKS_PER_DAY
    };
    minute(next)
}

/// The instant `ticks` (on a minute) in the form `YYYY-MM-DDThh:mm:00Z`.
fn minute(ticks: i64) -> DateTimeOffset {
    let canonical = DateTimeOffset::from_ticks(ticks);
    let text = format!("{}:00Z", &canonical.as_str()[..16]);
    DateTimeOffset::parse(&text).expect("a minute of from_ticks' form parses")
}

/// The wall clock, in UTC.
fn now() -> DateTimeOffset {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let ticks = i64::try_from(since_epoch.as_nanos() / 100).unwrap_or(i64::MAX);
    DateTimeOffset::from_ticks(ticks)
}

/// Runs the schedule until `stop` completes (the server's shutdown), which also abandons a
/// run in progress: stopping never waits for a snapshot.
pub async fn run(store: std::sync::Arc<Store>, at: DailyTime, stop: impl Future<Output = ()>) {
    tokio::pin!(stop);
    let mut next = next_run(&now(), at);
    tracing::info!(next = next.as_str(), "daily derived snapshots at {at} UTC");
    loop {
        let remaining = next.ticks() - now().ticks();
        if remaining > 0 {
            let nanos = u64::try_from(remaining)
                .unwrap_or(u64::MAX)
                .saturating_mul(100);
            let wait = Duration::from_nanos(nanos).min(MAX_SLEEP);
            tokio::select! {
                () = tokio::time::sleep(wait) => continue,
                () = &mut stop => return,
            }
        }
        tokio::select! {
            () = take_all(&store, &next) => {}
            () = &mut stop => return,
        }
        // After this minute, and after the clock (should a run have outlasted a day).
        let after = now().ticks().max(next.ticks() + 1);
        next = next_run(&DateTimeOffset::from_ticks(after), at);
    }
}

/// One day's run: a snapshot at `at` for every tenant with directory data.
async fn take_all(store: &Store, at: &DateTimeOffset) {
    let tenants = match store.directory_tenants().await {
        Ok(tenants) => tenants,
        Err(error) => {
            tracing::warn!(
                at = at.as_str(),
                %error,
                "daily snapshots: cannot list the tenants with directory data; none taken"
            );
            return;
        }
    };
    for tenant in tenants {
        match super::take(store, tenant, at).await {
            Ok(Some(id)) => {
                tracing::info!(%tenant, snapshot = %id, at = at.as_str(), "daily snapshot taken");
            }
            Ok(None) => tracing::info!(
                %tenant,
                at = at.as_str(),
                "daily snapshot: this minute has one already; none taken"
            ),
            Err(error) => tracing::warn!(
                %tenant,
                at = at.as_str(),
                error = format!("{error:#}"),
                "daily snapshot failed"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{next_run, DailyTime};
    use tally_odata::edm::DateTimeOffset;

    fn next(now: &str, at: &str) -> String {
        let now = DateTimeOffset::parse(now).unwrap();
        next_run(&now, DailyTime::parse(at).unwrap())
            .as_str()
            .to_owned()
    }

    #[test]
    fn the_next_run_is_today_until_the_minute_passes_then_tomorrow() {
        // Before the time: today.
        assert_eq!(
            next("2026-12-02T01:59:59Z", "02:00"),
            "2026-12-02T02:00:00Z"
        );
        // Exactly at it: now.
        assert_eq!(
            next("2026-12-02T02:00:00Z", "02:00"),
            "2026-12-02T02:00:00Z"
        );
        // Any later, even within the minute: tomorrow.
        assert_eq!(
            next("2026-12-02T02:00:00.0000001Z", "02:00"),
            "2026-12-03T02:00:00Z"
        );
        assert_eq!(
            next("2026-12-02T17:30:00Z", "02:00"),
            "2026-12-03T02:00:00Z"
        );
        // Tomorrow across a month, a year and a leap day.
        assert_eq!(
            next("2026-12-31T23:59:30Z", "23:59"),
            "2027-01-01T23:59:00Z"
        );
        assert_eq!(
            next("2026-12-31T23:59:30Z", "00:00"),
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(
            next("2028-02-28T12:00:00Z", "06:15"),
            "2028-02-29T06:15:00Z"
        );
        // The clock's offset does not matter: HH:MM is UTC.
        assert_eq!(
            next("2026-12-02T01:30:00+02:00", "00:00"),
            "2026-12-02T00:00:00Z"
        );
        assert_eq!(
            next("2026-12-01T23:30:00-02:00", "02:00"),
            "2026-12-02T02:00:00Z"
        );
    }

    #[test]
    fn a_daily_time_is_hh_mm_in_24_hours() {
        for (text, shown) in [("00:00", "00:00"), ("2:05", "02:05"), ("23:59", "23:59")] {
            assert_eq!(DailyTime::parse(text).unwrap().to_string(), shown);
        }
        for bad in [
            "", "24:00", "12:60", "12", "12:5", "12:005", "-1:00", "+1:00", "1:00:00", "12h30",
            " 12:30", "123:00", "ab:cd",
        ] {
            let error = DailyTime::parse(bad).expect_err(bad);
            assert!(error.contains("HH:MM"), "{error}");
        }
    }
}
