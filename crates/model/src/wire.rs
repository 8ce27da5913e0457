//! The JSON form of an object in responses: OData annotations, property order as on Graph, and
//! `$select`.

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::etag::EntityTag;
use crate::license::{LicenseInfoDetail, LicenseUsage};

/// Which properties a response carries besides `id` (always present).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selection {
    pub snapshot_date_time: bool,
    pub license_info_details: bool,
}

impl Selection {
    pub const ALL: Selection = Selection {
        snapshot_date_time: true,
        license_info_details: true,
    };
}

impl Default for Selection {
    fn default() -> Self {
        Self::ALL
    }
}

/// One object as the wire shows it.
pub struct EntityJson<'a> {
    pub usage: &'a LicenseUsage,
    pub etag: Option<EntityTag>,
    /// `@odata.context`, present on single-object responses only.
    pub context: Option<&'a str>,
    pub selection: Selection,
}

impl Serialize for EntityJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        if let Some(context) = self.context {
            map.serialize_entry("@odata.context", context)?;
        }
        map.serialize_entry("@odata.type", "#microsoft.graph.azureADLicenseUsage")?;
        if let Some(etag) = self.etag {
            map.serialize_entry("@odata.etag", &etag.to_header())?;
        }
        map.serialize_entry("id", &self.usage.id)?;
        if self.selection.snapshot_date_time {
            map.serialize_entry("snapshotDateTime", &self.usage.snapshot_date_time)?;
        }
        if self.selection.license_info_details {
            let details: Vec<DetailJson<'_>> = self
                .usage
                .license_info_details
                .iter()
                .map(DetailJson)
                .collect();
            map.serialize_entry("licenseInfoDetails", &details)?;
        }
        map.end()
    }
}

struct DetailJson<'a>(&'a LicenseInfoDetail);

impl Serialize for DetailJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let detail = self.0;
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("@odata.type", "microsoft.graph.licenseInfoDetail")?;
        map.serialize_entry("licenseType", &detail.license_type)?;
        map.serialize_entry("totalLicenseCount", &detail.total_license_count)?;
        map.serialize_entry("totalAssignedCount", &detail.total_assigned_count)?;
        map.serialize_entry("totalUsageCount", &detail.total_usage_count)?;
        map.end()
    }
}
