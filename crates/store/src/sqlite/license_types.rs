//! The embedded store's `license_types` column: the set of license types an object's details
//! hold, as bits ([`license_type_mask`]), which the report's common filter tests.

use tally_model::{LicenseInfoDetail, LicenseType};

/// The bit of a license type in the `license_types` column, one per member in
/// [`LicenseType::ALL`]'s order; `None` for a name that is no member. The schema's migration
/// spells the same bits in SQL, and a test there ties the two (so it also fails if that order
/// ever changes under data already stored).
pub fn license_type_bit(member: &str) -> Option<i64> {
    LicenseType::from_name(member).map(bit)
}

fn bit(license_type: LicenseType) -> i64 {
    let index = LicenseType::ALL
        .iter()
        .position(|member| *member == license_type)
        .unwrap_or_else(|| unreachable!("ALL lists every member"));
    1 << index
}

/// The `license_types` column of a row with these details.
pub fn license_type_mask(details: &[LicenseInfoDetail]) -> i64 {
    details
        .iter()
        .fold(0, |mask, detail| mask | bit(detail.license_type))
}

#[cfg(test)]
mod tests {
    use tally_model::{LicenseInfoDetail, LicenseType};

    use super::{license_type_bit, license_type_mask};

    fn detail(license_type: LicenseType) -> LicenseInfoDetail {
        LicenseInfoDetail {
            license_type,
            total_license_count: Some(10),
            total_assigned_count: None,
            total_usage_count: Some(-1),
        }
    }

    /// Each member has its own bit, and a row's mask holds exactly its details' members.
    #[test]
    fn a_rows_mask_holds_exactly_the_license_types_of_its_details() {
        let bits: Vec<i64> = LicenseType::ALL
            .iter()
            .map(|member| license_type_bit(member.as_str()).unwrap())
            .collect();
        assert_eq!(bits.iter().fold(0, |all, bit| all | bit), 0b11_1111);
        assert_eq!(license_type_bit("premiump2"), None);
        assert_eq!(license_type_mask(&[]), 0);
        for (first, first_bit) in LicenseType::ALL.into_iter().zip(&bits) {
            for (second, second_bit) in LicenseType::ALL.into_iter().zip(&bits) {
                let mask = license_type_mask(&[detail(first), detail(second), detail(first)]);
                assert_eq!(mask, first_bit | second_bit, "{first:?} {second:?}");
            }
        }
    }
}
