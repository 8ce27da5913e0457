//! Money computed exactly (SPEC §13.3): a monthly amount is a whole number of 1/120,000ths of
//! the currency unit (a ten-thousandth of a twelfth), so that a price of at most four decimals,
//! charged monthly or yearly, and any number of its units are exact; an amount is rounded only
//! when it is written, half away from zero. Never binary floating point.

use std::fmt;
use std::iter::Sum;
use std::ops::Add;

use tally_odata::Decimal;

/// Twelfths of ten-thousandths per currency unit.
const PER_UNIT: i128 = 12 * Decimal::ONE as i128;

/// A monthly amount of one currency, exactly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i128);

/// How often a price is charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BillingPeriod {
    Month,
    Year,
}

impl BillingPeriod {
    /// The period a `billingPeriod` member names.
    pub fn parse(member: &str) -> Option<Self> {
        match member {
            "month" => Some(BillingPeriod::Month),
            "year" => Some(BillingPeriod::Year),
            _ => None,
        }
    }
}

impl Amount {
    /// What one unit costs a month at `price` per `period`: a yearly price's twelfth, exactly.
    pub fn monthly(price: Decimal, period: BillingPeriod) -> Self {
        let ten_thousandths = i128::from(price.ten_thousandths());
        Amount(match period {
            BillingPeriod::Month => ten_thousandths * 12,
            BillingPeriod::Year => ten_thousandths,
        })
    }

    /// `units` of this amount.
    pub fn times(self, units: u64) -> Self {
        Amount(self.0 * i128::from(units))
    }

    /// The amount rounded half away from zero to `decimals` (at most 4) decimals.
    pub fn rounded(self, decimals: u32) -> Rounded {
        let decimals = decimals.min(Decimal::SCALE);
        let step = PER_UNIT / 10_i128.pow(decimals);
        let (quotient, remainder) = (self.0 / step, self.0 % step);
        let away = if 2 * remainder.abs() >= step {
            self.0.signum()
        } else {
            0
        };
        Rounded {
            scaled: quotient + away,
            decimals,
        }
    }
}

impl Add for Amount {
    type Output = Amount;
    fn add(self, other: Amount) -> Amount {
        Amount(self.0 + other.0)
    }
}

impl Sum for Amount {
    fn sum<I: Iterator<Item = Amount>>(iter: I) -> Amount {
        iter.fold(Amount::default(), Add::add)
    }
}

/// An amount as written: `scaled` ÷ 10^`decimals`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rounded {
    scaled: i128,
    decimals: u32,
}

/// The shortest spelling that is exactly the rounded amount, a JSON number: `57`, `57.5`,
/// `0.0833`.
impl fmt::Display for Rounded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.scaled < 0 { "-" } else { "" };
        let magnitude = self.scaled.unsigned_abs();
        let one = 10_u128.pow(self.decimals);
        let (whole, fraction) = (magnitude / one, magnitude % one);
        if fraction == 0 {
            return write!(f, "{sign}{whole}");
        }
        let digits = format!("{fraction:0width$}", width = self.decimals as usize);
        write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(text: &str) -> Decimal {
        Decimal::parse(text).unwrap()
    }

    #[test]
    fn a_yearly_price_is_a_twelfth_a_month_exactly() {
        // 100.00 a year is 8.3333… a month: 4 decimals show 8.3333, 2 show 8.33.
        let monthly = Amount::monthly(price("100"), BillingPeriod::Year);
        assert_eq!(monthly.rounded(4).to_string(), "8.3333");
        assert_eq!(monthly.rounded(2).to_string(), "8.33");
        // Twelve units are exactly 100.00, not 12 × 8.3333 = 99.9996.
        assert_eq!(monthly.times(12).rounded(2).to_string(), "100");
    }

    #[test]
    fn halves_round_away_from_zero() {
        // 0.125 a month: 0.13 at two decimals; 0.0625 × 2 = 0.125 likewise.
        assert_eq!(
            Amount::monthly(price("0.125"), BillingPeriod::Month)
                .rounded(2)
                .to_string(),
            "0.13"
        );
        // 1.5 a year is 0.125 a month exactly: 0.13.
        assert_eq!(
            Amount::monthly(price("1.5"), BillingPeriod::Year)
                .rounded(2)
                .to_string(),
            "0.13"
        );
        // Just under a half rounds down: 1.4999 a year is 0.124991… a month.
        assert_eq!(
            Amount::monthly(price("1.4999"), BillingPeriod::Year)
                .rounded(2)
                .to_string(),
            "0.12"
        );
    }

    #[test]
    fn a_sum_is_rounded_once() {
        // Three SKUs at 10.00 a year each: 0.83333… a month; each shows 0.83, the exact total
        // 2.50 (not 3 × 0.83 = 2.49).
        let each = Amount::monthly(price("10"), BillingPeriod::Year);
        assert_eq!(each.rounded(2).to_string(), "0.83");
        let total: Amount = [each, each, each].into_iter().sum();
        assert_eq!(total.rounded(2).to_string(), "2.5");
    }
}
