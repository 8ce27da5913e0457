//! `Edm.DateTimeOffset`: kept as the exact text the client sent, compared as an instant.
//!
//! Graph (on .NET) accepts `YYYY-MM-DDThh:mm[:ss[.f{1,7}]](Z|±hh:mm)` and answers with the same
//! text, so tally keeps the original spelling for output and an instant (100 ns ticks since the
//! Unix epoch, UTC) for comparing, filtering and sorting.

use std::cmp::Ordering;
use std::fmt;

/// 100-nanosecond ticks per second, the resolution of .NET's `DateTimeOffset`.
pub const TICKS_PER_SECOND: i64 = 10_000_000;
/// Days from 0001-01-01 to 1970-01-01 in the proleptic Gregorian calendar.
const MIN_INSTANT_TICKS: i64 = -62_135_596_800 * TICKS_PER_SECOND;
/// 9999-12-31T23:59:59.9999999Z, the last instant .NET represents.
const MAX_INSTANT_TICKS: i64 = 253_402_300_800 * TICKS_PER_SECOND - 1;

/// A DateTimeOffset value: the text as sent, and the instant it names.
#[derive(Clone, Debug)]
pub struct DateTimeOffset {
    text: Box<str>,
    ticks: i64,
}

/// Why a string is not an `Edm.DateTimeOffset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeOffsetError {
    pub reason: &'static str,
}

impl fmt::Display for DateTimeOffsetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

impl std::error::Error for DateTimeOffsetError {}

impl DateTimeOffset {
    /// Parses the OData form `YYYY-MM-DDThh:mm[:ss[.fffffff]](Z|±hh:mm)`.
    pub fn parse(text: &str) -> Result<Self, DateTimeOffsetError> {
        let ticks = parse_ticks(text)?;
        Ok(Self {
            text: text.into(),
            ticks,
        })
    }

    /// Rebuilds a value from its stored text and instant, trusting both (for the store's rows).
    pub fn from_stored(text: String, ticks: i64) -> Self {
        Self {
            text: text.into_boxed_str(),
            ticks,
        }
    }

    /// A UTC value for an instant, in the canonical form `YYYY-MM-DDThh:mm:ss.fffffffZ`.
    pub fn from_ticks(ticks: i64) -> Self {
        let ticks = ticks.clamp(MIN_INSTANT_TICKS, MAX_INSTANT_TICKS);
        let seconds = ticks.div_euclid(TICKS_PER_SECOND);
        let fraction = ticks.rem_euclid(TICKS_PER_SECOND);
        let days = seconds.div_euclid(86_400);
        let second_of_day = seconds.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        let text = format!(
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{fraction:07}Z",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        );
        Self {
            text: text.into_boxed_str(),
            ticks,
        }
    }

    /// The text exactly as it was sent.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The instant, in 100 ns ticks since 1970-01-01T00:00:00Z.
    pub fn ticks(&self) -> i64 {
        self.ticks
    }
}

impl fmt::Display for DateTimeOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Equality is equality of instants, as OData compares DateTimeOffset values.
impl PartialEq for DateTimeOffset {
    fn eq(&self, other: &Self) -> bool {
        self.ticks == other.ticks
    }
}

impl Eq for DateTimeOffset {}

impl PartialOrd for DateTimeOffset {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTimeOffset {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ticks.cmp(&other.ticks)
    }
}

impl serde::Serialize for DateTimeOffset {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

fn invalid(reason: &'static str) -> DateTimeOffsetError {
    DateTimeOffsetError { reason }
}

/// A cursor over the ASCII bytes of a DateTimeOffset literal.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, count: usize, what: &'static str) -> Result<i64, DateTimeOffsetError> {
        let end = self.at + count;
        let slice = self.bytes.get(self.at..end).ok_or_else(|| invalid(what))?;
        if !slice.iter().all(u8::is_ascii_digit) {
            return Err(invalid(what));
        }
        self.at = end;
        Ok(slice
            .iter()
            .fold(0, |value, digit| value * 10 + i64::from(digit - b'0')))
    }

    fn expect(&mut self, byte: u8, what: &'static str) -> Result<(), DateTimeOffsetError> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(invalid(what))
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }
}

fn parse_ticks(text: &str) -> Result<i64, DateTimeOffsetError> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    let year = c.digits(4, "the year must have four digits")?;
    c.expect(b'-', "expected '-' after the year")?;
    let month = c.digits(2, "the month must have two digits")?;
    c.expect(b'-', "expected '-' after the month")?;
    let day = c.digits(2, "the day must have two digits")?;
    c.expect(b'T', "expected 'T' between the date and the time")?;
    let hour = c.digits(2, "the hour must have two digits")?;
    c.expect(b':', "expected ':' after the hour")?;
    let minute = c.digits(2, "the minute must have two digits")?;
    let mut second = 0;
    let mut fraction = 0;
    if c.peek() == Some(b':') {
        c.at += 1;
        second = c.digits(2, "the seconds must have two digits")?;
        if c.peek() == Some(b'.') {
            c.at += 1;
            let start = c.at;
            while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                c.at += 1;
            }
            let digits = c.at - start;
            if digits == 0 {
                return Err(invalid("expected digits after the decimal point"));
            }
            if digits > 7 {
                return Err(invalid(
                    "at most 7 fractional digits of a second are allowed",
                ));
            }
            c.at = start;
            fraction =
                c.digits(digits, "invalid fractional seconds")? * 10_i64.pow(7 - digits as u32);
        }
    }
    let offset_minutes = match c.peek() {
        Some(b'Z') => {
            c.at += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            c.at += 1;
            let hours = c.digits(2, "the offset hours must have two digits")?;
            c.expect(b':', "expected ':' in the offset")?;
            let minutes = c.digits(2, "the offset minutes must have two digits")?;
            if minutes > 59 || hours * 60 + minutes > 14 * 60 {
                return Err(invalid("the offset must be between -14:00 and +14:00"));
            }
            let total = hours * 60 + minutes;
            if sign == b'-' {
                -total
            } else {
                total
            }
        }
        _ => return Err(invalid("expected 'Z' or an offset ±hh:mm after the time")),
    };
    if c.at != c.bytes.len() {
        return Err(invalid("unexpected characters after the offset"));
    }
    if year == 0 {
        return Err(invalid("the year must be between 0001 and 9999"));
    }
    if !(1..=12).contains(&month) {
        return Err(invalid("the month must be between 01 and 12"));
    }
    if day == 0 || day > days_in_month(year, month) {
        return Err(invalid("the day does not exist in that month"));
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(invalid("the time of day is out of range"));
    }
    let local_seconds =
        days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    let ticks = (local_seconds - offset_minutes * 60) * TICKS_PER_SECOND + fraction;
    if !(MIN_INSTANT_TICKS..=MAX_INSTANT_TICKS).contains(&ticks) {
        return Err(invalid(
            "the instant in UTC must be between 0001-01-01 and 9999-12-31",
        ));
    }
    Ok(ticks)
}

fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_value_round_trips_and_names_its_instant() {
        let value = DateTimeOffset::parse("2016-12-31T23:56:55.0631898+03:00").unwrap();
        assert_eq!(value.as_str(), "2016-12-31T23:56:55.0631898+03:00");
        let utc = DateTimeOffset::parse("2016-12-31T20:56:55.0631898Z").unwrap();
        assert_eq!(value, utc);
        assert_eq!(value.ticks(), utc.ticks());
    }

    #[test]
    fn the_epoch_is_tick_zero_and_order_is_by_instant() {
        assert_eq!(
            DateTimeOffset::parse("1970-01-01T00:00:00Z")
                .unwrap()
                .ticks(),
            0
        );
        let east = DateTimeOffset::parse("2020-01-01T01:00+02:00").unwrap();
        let west = DateTimeOffset::parse("2020-01-01T00:00Z").unwrap();
        assert!(east < west);
    }

    #[test]
    fn seconds_and_fractions_are_optional() {
        for text in [
            "2020-02-29T10:00Z",
            "2020-02-29T10:00:01Z",
            "2020-02-29T10:00:01.5-14:00",
        ] {
            assert_eq!(DateTimeOffset::parse(text).unwrap().as_str(), text);
        }
    }

    #[test]
    fn invalid_values_are_rejected() {
        for text in [
            "",
            "2016-12-31",
            "2016-12-31T23:56:55",
            "2016-12-31T23:56:55.06318981Z",
            "2016-12-31T23:56:55.Z",
            "2017-02-29T00:00:00Z",
            "2016-13-01T00:00:00Z",
            "2016-12-31T24:00:00Z",
            "2016-12-31T23:60:00Z",
            "2016-12-31T23:59:60Z",
            "2016-12-31T23:59:59+14:01",
            "2016-12-31T23:59:59+1400",
            "0000-01-01T00:00:00Z",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-00:01",
            "2016-12-31t23:59:59Z",
            "2016-12-31T23:59:59Z ",
            "２016-12-31T23:59:59Z",
        ] {
            assert!(
                DateTimeOffset::parse(text).is_err(),
                "{text} should be invalid"
            );
        }
    }

    #[test]
    fn the_extremes_of_the_range_are_valid() {
        let min = DateTimeOffset::parse("0001-01-01T00:00:00Z").unwrap();
        let max = DateTimeOffset::parse("9999-12-31T23:59:59.9999999Z").unwrap();
        assert_eq!(min.ticks(), MIN_INSTANT_TICKS);
        assert_eq!(max.ticks(), MAX_INSTANT_TICKS);
    }

    #[test]
    fn from_ticks_writes_canonical_utc_that_parses_back() {
        for ticks in [
            0,
            1,
            -1,
            MIN_INSTANT_TICKS,
            MAX_INSTANT_TICKS,
            14_830_000_000_000_000,
        ] {
            let value = DateTimeOffset::from_ticks(ticks);
            assert_eq!(
                DateTimeOffset::parse(value.as_str()).unwrap().ticks(),
                ticks
            );
        }
        assert_eq!(
            DateTimeOffset::from_ticks(0).as_str(),
            "1970-01-01T00:00:00.0000000Z"
        );
    }
}
