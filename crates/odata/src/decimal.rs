//! `Edm.Decimal` with at most [`Decimal::SCALE`] decimals (tally's prices): kept exactly, as a
//! whole number of ten-thousandths, never as binary floating point.
//!
//! A JSON body carries the value as a number, which JSON readers (tally's included) take as an
//! IEEE double; its shortest decimal spelling is the number the client wrote for every value up
//! to [`Decimal::MAX_UNITS`] with at most four decimals (at most 15 significant digits), so the
//! exact value is recovered from that spelling and anything with more decimals is refused.

use std::fmt;

/// A non-negative or negative decimal with at most four decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Decimal {
    /// The value × 10⁴.
    ten_thousandths: i64,
}

/// Why a number is not a [`Decimal`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecimalError {
    TooManyDecimals,
    TooLarge,
    NotANumber,
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DecimalError::TooManyDecimals => "it has more than 4 decimals",
            DecimalError::TooLarge => "it is larger than 100000000000",
            DecimalError::NotANumber => "it is not a number",
        })
    }
}

impl Decimal {
    /// Decimals kept.
    pub const SCALE: u32 = 4;
    /// 10^[`Decimal::SCALE`].
    pub const ONE: i64 = 10_000;
    /// The largest magnitude accepted, 10¹¹ (15 significant digits with four decimals).
    pub const MAX_UNITS: i64 = 100_000_000_000;

    /// The value whose ten-thousandths are `ten_thousandths` (as stored).
    pub const fn from_ten_thousandths(ten_thousandths: i64) -> Self {
        Self { ten_thousandths }
    }

    /// The value × 10⁴, exactly.
    pub const fn ten_thousandths(self) -> i64 {
        self.ten_thousandths
    }

    /// The number a JSON reader made of the client's number.
    pub fn from_f64(number: f64) -> Result<Self, DecimalError> {
        if !number.is_finite() {
            return Err(DecimalError::NotANumber);
        }
        if number.abs() > Self::MAX_UNITS as f64 {
            return Err(DecimalError::TooLarge);
        }
        // Rust's `Display` of an f64 is its shortest round-trip spelling, never in exponent form.
        Self::parse(&number.to_string())
    }

    /// A plain decimal spelling: `-?digits(.digits)?`.
    pub fn parse(text: &str) -> Result<Self, DecimalError> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let fraction = fraction.trim_end_matches('0');
        let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return Err(DecimalError::NotANumber);
        }
        if fraction.len() > Self::SCALE as usize {
            return Err(DecimalError::TooManyDecimals);
        }
        let whole: i64 = whole.parse().map_err(|_| DecimalError::TooLarge)?;
        if whole > Self::MAX_UNITS {
            return Err(DecimalError::TooLarge);
        }
        let padded = format!("{fraction:0<4}");
        let fraction: i64 = padded.parse().map_err(|_| DecimalError::NotANumber)?;
        let magnitude = whole * Self::ONE + fraction;
        if magnitude > Self::MAX_UNITS * Self::ONE {
            return Err(DecimalError::TooLarge);
        }
        Ok(Self {
            ten_thousandths: if negative { -magnitude } else { magnitude },
        })
    }
}

/// The shortest exact spelling: `57`, `57.5`, `0.0001`, `-3.25`.
impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.ten_thousandths.unsigned_abs();
        let sign = if self.ten_thousandths < 0 { "-" } else { "" };
        let whole = magnitude / Self::ONE as u64;
        let fraction = magnitude % Self::ONE as u64;
        if fraction == 0 {
            write!(f, "{sign}{whole}")
        } else {
            let fraction = format!("{fraction:04}");
            write!(f, "{sign}{whole}.{}", fraction.trim_end_matches('0'))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_number_with_up_to_four_decimals_is_kept_exactly() {
        for (number, text) in [
            (57.0, "57"),
            (57.5, "57.5"),
            (0.1, "0.1"),
            (0.0001, "0.0001"),
            (12.3456, "12.3456"),
            (99_999_999_999.999_9, "99999999999.9999"),
            (-3.25, "-3.25"),
        ] {
            let decimal = Decimal::from_f64(number).unwrap();
            assert_eq!(decimal.to_string(), text);
        }
        assert_eq!(
            Decimal::from_f64(0.1).unwrap().ten_thousandths(),
            1_000,
            "0.1 is exactly a thousand ten-thousandths, though the double is not 0.1"
        );
    }

    #[test]
    fn more_decimals_or_too_large_are_refused() {
        assert_eq!(
            Decimal::from_f64(0.00001),
            Err(DecimalError::TooManyDecimals)
        );
        assert_eq!(
            Decimal::from_f64(1.23456),
            Err(DecimalError::TooManyDecimals)
        );
        assert_eq!(Decimal::from_f64(1e12), Err(DecimalError::TooLarge));
        assert_eq!(Decimal::from_f64(f64::NAN), Err(DecimalError::NotANumber));
        assert_eq!(Decimal::parse("1e3"), Err(DecimalError::NotANumber));
        assert_eq!(Decimal::parse(".5"), Err(DecimalError::NotANumber));
        assert_eq!(Decimal::parse("1.50").unwrap().to_string(), "1.5");
    }
}
