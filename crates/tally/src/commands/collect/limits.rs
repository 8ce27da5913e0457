//! The bounds of one collect, so that a Graph that misbehaves (a nextLink that never ends or
//! goes round in a loop, a page of gigabytes, an answer that never comes) fails the collect
//! with one line naming the limit and the flag that raises it, instead of running a daily cron
//! into a pile of copies or the machine out of memory.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};
use std::time::{Duration, Instant};

/// The limits a collect runs under (`--max-pages`, `--max-page-bytes`, `--timeout`).
#[derive(Clone, Copy, Debug)]
pub(super) struct Limits {
    pub(super) max_pages: u64,
    pub(super) max_page_bytes: u64,
    pub(super) timeout: Duration,
    /// When reading from Graph must be over: the start plus `timeout`.
    pub(super) deadline: Instant,
}

impl Limits {
    pub(super) fn new(max_pages: u64, max_page_bytes: u64, timeout: Duration) -> Self {
        let now = Instant::now();
        Limits {
            max_pages,
            max_page_bytes,
            timeout,
            // A timeout beyond what an Instant holds is as good as none.
            deadline: now
                .checked_add(timeout)
                .unwrap_or_else(|| now + Duration::from_secs(100 * 365 * 86_400)),
        }
    }

    /// The time left before the deadline (zero once it is past).
    pub(super) fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }

    /// The error of a collect that ran out of time, doing `what`.
    pub(super) fn timed_out(&self, what: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "reading from Graph took longer than --timeout {} (raise --timeout for a slower \
             Graph or a larger tenant); at {what}",
            duration(self.timeout)
        )
    }

    /// The error of a page larger than `--max-page-bytes`, read by `what`.
    pub(super) fn too_large(&self, what: &str) -> anyhow::Error {
        anyhow::anyhow!(
            "a page from Graph is larger than --max-page-bytes {} bytes (raise \
             --max-page-bytes if Graph's pages are that large); at {what}",
            self.max_page_bytes
        )
    }
}

/// A duration as the flag takes it: `6h`, `90m`, `45s`.
fn duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    match seconds {
        0 => format!("{}ms", duration.as_millis()),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The pages asked for so far: how many, and (hashed) which, so that a nextLink that comes
/// back to a page already read is seen as the loop it is.
pub(super) struct Pages {
    max: u64,
    read: u64,
    seen: HashSet<u64>,
    hasher: RandomState,
}

impl Pages {
    pub(super) fn new(max: u64) -> Self {
        Pages {
            max,
            read: 0,
            seen: HashSet::new(),
            hasher: RandomState::new(),
        }
    }

    /// Admits `url` as the next page to read, or says why not: one page too many, or a page
    /// read already.
    pub(super) fn admit(&mut self, url: &str) -> anyhow::Result<()> {
        if self.read >= self.max {
            anyhow::bail!(
                "Graph's listings went on past --max-pages {} pages (raise --max-pages for a \
                 larger tenant); the next was {url}",
                self.max
            );
        }
        if !self.seen.insert(self.hasher.hash_one(url)) {
            anyhow::bail!("an @odata.nextLink goes back to a page already read (a loop): {url}");
        }
        self.read += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{duration, Pages};
    use std::time::Duration;

    #[test]
    fn pages_are_capped_and_a_repeated_one_is_a_loop() {
        let mut pages = Pages::new(3);
        pages.admit("https://g/users").unwrap();
        pages.admit("https://g/users?$skiptoken=1").unwrap();
        let error = pages.admit("https://g/users").unwrap_err().to_string();
        assert!(error.contains("a loop"), "{error}");
        pages.admit("https://g/users?$skiptoken=2").unwrap();
        let error = pages
            .admit("https://g/users?$skiptoken=3")
            .unwrap_err()
            .to_string();
        assert!(error.contains("--max-pages 3 pages"), "{error}");
    }

    #[test]
    fn durations_read_as_the_flag_takes_them() {
        assert_eq!(duration(Duration::from_secs(6 * 3600)), "6h");
        assert_eq!(duration(Duration::from_secs(90 * 60)), "90m");
        assert_eq!(duration(Duration::from_secs(2)), "2s");
    }
}
