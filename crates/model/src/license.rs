//! The entity `microsoft.graph.azureADLicenseUsage` and its parts, as validated values.

use serde::{Deserialize, Serialize};
use tally_odata::DateTimeOffset;
use uuid::Uuid;

/// `microsoft.graph.azureADLicenseType`: the members, in the CSDL's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LicenseType {
    None,
    Free,
    Basic,
    PremiumP1,
    PremiumP2,
    UnknownFutureValue,
}

impl LicenseType {
    pub const ALL: [LicenseType; 6] = [
        LicenseType::None,
        LicenseType::Free,
        LicenseType::Basic,
        LicenseType::PremiumP1,
        LicenseType::PremiumP2,
        LicenseType::UnknownFutureValue,
    ];

    /// The member name, as it appears on the wire (case-sensitive).
    pub fn as_str(self) -> &'static str {
        match self {
            LicenseType::None => "none",
            LicenseType::Free => "free",
            LicenseType::Basic => "basic",
            LicenseType::PremiumP1 => "premiumP1",
            LicenseType::PremiumP2 => "premiumP2",
            LicenseType::UnknownFutureValue => "unknownFutureValue",
        }
    }

    /// The member with exactly this name, if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|member| member.as_str() == name)
    }

    /// The members as a human list: `none, free, basic, premiumP1, premiumP2, unknownFutureValue`.
    pub fn member_list() -> String {
        Self::ALL.map(LicenseType::as_str).join(", ")
    }
}

/// `microsoft.graph.licenseInfoDetail`. Absent counts are `None` (JSON null).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LicenseInfoDetail {
    pub license_type: LicenseType,
    pub total_license_count: Option<i32>,
    pub total_assigned_count: Option<i32>,
    pub total_usage_count: Option<i32>,
}

/// A stored `azureADLicenseUsage`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LicenseUsage {
    pub id: Uuid,
    pub snapshot_date_time: DateTimeOffset,
    pub license_info_details: Vec<LicenseInfoDetail>,
}

/// A validated POST body: everything but the server-assigned id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLicenseUsage {
    pub snapshot_date_time: DateTimeOffset,
    pub license_info_details: Vec<LicenseInfoDetail>,
}

impl NewLicenseUsage {
    /// The entity this body creates under `id`.
    pub fn with_id(self, id: Uuid) -> LicenseUsage {
        LicenseUsage {
            id,
            snapshot_date_time: self.snapshot_date_time,
            license_info_details: self.license_info_details,
        }
    }
}

/// A validated PATCH body: `None` leaves a property as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LicenseUsagePatch {
    pub snapshot_date_time: Option<DateTimeOffset>,
    pub license_info_details: Option<Vec<LicenseInfoDetail>>,
}

impl LicenseUsagePatch {
    /// Applies the patch; answers whether anything observable changed (the text of
    /// snapshotDateTime counts, since it round-trips byte for byte).
    pub fn apply_to(self, usage: &mut LicenseUsage) -> bool {
        let mut changed = false;
        if let Some(snapshot) = self.snapshot_date_time {
            changed |= snapshot.as_str() != usage.snapshot_date_time.as_str();
            usage.snapshot_date_time = snapshot;
        }
        if let Some(details) = self.license_info_details {
            changed |= details != usage.license_info_details;
            usage.license_info_details = details;
        }
        changed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage() -> LicenseUsage {
        LicenseUsage {
            id: Uuid::nil(),
            snapshot_date_time: DateTimeOffset::parse("2020-01-01T00:00:00Z").unwrap(),
            license_info_details: vec![],
        }
    }

    #[test]
    fn an_empty_patch_changes_nothing() {
        let mut value = usage();
        assert!(!LicenseUsagePatch::default().apply_to(&mut value));
        assert_eq!(value, usage());
    }

    #[test]
    fn the_same_instant_spelled_differently_is_a_change() {
        let mut value = usage();
        let patch = LicenseUsagePatch {
            snapshot_date_time: Some(DateTimeOffset::parse("2020-01-01T01:00:00+01:00").unwrap()),
            license_info_details: None,
        };
        assert!(patch.apply_to(&mut value));
        assert_eq!(
            value.snapshot_date_time.as_str(),
            "2020-01-01T01:00:00+01:00"
        );
    }

    #[test]
    fn member_names_are_case_sensitive() {
        assert_eq!(
            LicenseType::from_name("premiumP2"),
            Some(LicenseType::PremiumP2)
        );
        assert_eq!(LicenseType::from_name("PremiumP2"), None);
        assert_eq!(LicenseType::from_name("String"), None);
    }
}
