//! How the embedded store encodes an object's details: tally's own compact serde JSON, written
//! by [`encode_details`] and read back by [`decode_details`], which parses that exact form
//! directly (serde's parse was an eighth of a report page's time) and hands anything else to
//! serde. A page copies it into the response as it is ([`crate::ListedDetails::CompactSerde`]).

use tally_model::{LicenseInfoDetail, LicenseType};
use uuid::Uuid;

use crate::StoreError;

/// Encodes the details column.
pub fn encode_details(details: &[LicenseInfoDetail]) -> Result<String, StoreError> {
    serde_json::to_string(details).map_err(|error| StoreError::Internal(error.to_string()))
}

/// Whether a details column has [`encode_details`]'s frame: `[]`, or objects that open with
/// `licenseType` inside `[…]`. Only [`encode_details`] writes the column, so this is no
/// validation of the inside: it tells that form from any other a later version (or a hand) may
/// have put there, which then goes through [`decode_details`] rather than being copied.
pub fn is_encoding(text: &[u8]) -> bool {
    text == b"[]" || (text.starts_with(b"[{\"licenseType\":\"") && text.ends_with(b"}]"))
}

/// Decodes the details column: [`encode_details`]'s form directly, any other JSON through serde.
/// Takes the column's bytes: the direct parse reads only ASCII, so the text needs no UTF-8
/// check first (serde checks what it reads).
pub fn decode_details(text: &[u8]) -> Result<Vec<LicenseInfoDetail>, serde_json::Error> {
    match Canonical(text).details() {
        Some(details) => Ok(details),
        None => serde_json::from_slice(text),
    }
}

/// [`decode_details`] for the object `id`, whose column it is: a column that does not decode is
/// the store's fault, said with the object's id.
pub fn decode_stored_details(id: Uuid, text: &[u8]) -> Result<Vec<LicenseInfoDetail>, StoreError> {
    decode_details(text)
        .map_err(|error| StoreError::Internal(format!("stored details of {id}: {error}")))
}

/// A cursor over text in [`encode_details`]'s exact form; every step answers `None` at the
/// first byte that differs from it.
struct Canonical<'a>(&'a [u8]);

impl Canonical<'_> {
    fn details(mut self) -> Option<Vec<LicenseInfoDetail>> {
        self.expect(b"[")?;
        let mut details = Vec::with_capacity(LicenseType::ALL.len());
        if self.expect(b"]").is_some() {
            return self.0.is_empty().then_some(details);
        }
        loop {
            details.push(self.detail()?);
            if self.expect(b",").is_none() {
                self.expect(b"]")?;
                return self.0.is_empty().then_some(details);
            }
        }
    }

    fn detail(&mut self) -> Option<LicenseInfoDetail> {
        self.expect(b"{\"licenseType\":\"")?;
        let end = self.0.iter().position(|byte| *byte == b'"')?;
        let license_type = LicenseType::from_name(std::str::from_utf8(&self.0[..end]).ok()?)?;
        self.0 = &self.0[end + 1..];
        self.expect(b",\"totalLicenseCount\":")?;
        let total_license_count = self.count()?;
        self.expect(b",\"totalAssignedCount\":")?;
        let total_assigned_count = self.count()?;
        self.expect(b",\"totalUsageCount\":")?;
        let total_usage_count = self.count()?;
        self.expect(b"}")?;
        Some(LicenseInfoDetail {
            license_type,
            total_license_count,
            total_assigned_count,
            total_usage_count,
        })
    }

    /// `null` or an `i32` as serde writes it (optional `-`, digits, no leading zeros).
    fn count(&mut self) -> Option<Option<i32>> {
        if self.expect(b"null").is_some() {
            return Some(None);
        }
        let negative = self.expect(b"-").is_some();
        let digits = self
            .0
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        // Ten digits hold every i32; more would overflow the sum below.
        if digits == 0 || digits > 10 || (digits > 1 && self.0[0] == b'0') {
            return None;
        }
        let magnitude = self.0[..digits]
            .iter()
            .fold(0i64, |sum, digit| sum * 10 + i64::from(digit - b'0'));
        self.0 = &self.0[digits..];
        let value = if negative { -magnitude } else { magnitude };
        i32::try_from(value).ok().map(Some)
    }

    fn expect(&mut self, prefix: &[u8]) -> Option<()> {
        self.0 = self.0.strip_prefix(prefix)?;
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use tally_model::{LicenseInfoDetail, LicenseType};

    use super::{decode_details, encode_details, is_encoding, Canonical};

    /// What the direct parse accepts, it reads as serde does; what it refuses, serde still reads.
    #[test]
    fn decoding_agrees_with_serde_on_the_encoding_and_defers_to_it_otherwise() {
        let counts = [
            None,
            Some(0),
            Some(7),
            Some(-1),
            Some(i32::MAX),
            Some(i32::MIN),
        ];
        let mut details = Vec::new();
        for (index, license_type) in LicenseType::ALL.into_iter().enumerate() {
            details.push(LicenseInfoDetail {
                license_type,
                total_license_count: counts[index % counts.len()],
                total_assigned_count: counts[(index + 2) % counts.len()],
                total_usage_count: counts[(index + 4) % counts.len()],
            });
        }
        for length in 0..=details.len() {
            let text = encode_details(&details[..length]).unwrap();
            assert_eq!(
                Canonical(text.as_bytes()).details().as_deref(),
                Some(&details[..length]),
                "{text}"
            );
            assert_eq!(decode_details(text.as_bytes()).unwrap(), &details[..length]);
            assert!(is_encoding(text.as_bytes()), "{text}");
        }
        let other_forms = [
            r#"[ {"licenseType":"free","totalLicenseCount":1,"totalAssignedCount":2,"totalUsageCount":3} ]"#,
            r#"[{"totalLicenseCount":1,"licenseType":"free","totalAssignedCount":2,"totalUsageCount":3}]"#,
            r#"[{"licenseType":"free","totalLicenseCount":01,"totalAssignedCount":2,"totalUsageCount":3}]"#,
            r#"[{"licenseType":"fr\u0065e","totalLicenseCount":1,"totalAssignedCount":2,"totalUsageCount":3}]"#,
        ];
        // Other framings (spaced, reordered) are not taken for the encoding, so never copied.
        assert!(!is_encoding(other_forms[0].as_bytes()));
        assert!(!is_encoding(other_forms[1].as_bytes()));
        for text in other_forms {
            assert_eq!(Canonical(text.as_bytes()).details(), None, "{text}");
            assert_eq!(
                decode_details(text.as_bytes()).ok(),
                serde_json::from_str::<Vec<LicenseInfoDetail>>(text).ok(),
                "{text}"
            );
        }
        for broken in [
            "",
            "[",
            "[{}]",
            r#"[{"licenseType":"String","totalLicenseCount":1,"totalAssignedCount":2,"totalUsageCount":3}]"#,
            r#"[{"licenseType":"free","totalLicenseCount":2147483648,"totalAssignedCount":2,"totalUsageCount":3}]"#,
            r#"[{"licenseType":"free","totalLicenseCount":-2147483649,"totalAssignedCount":2,"totalUsageCount":3}]"#,
            r#"[{"licenseType":"free","totalLicenseCount":99999999999999999999,"totalAssignedCount":2,"totalUsageCount":3}]"#,
            "[]x",
        ] {
            assert!(decode_details(broken.as_bytes()).is_err(), "{broken}");
        }
    }
}
