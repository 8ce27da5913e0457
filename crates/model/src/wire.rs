//! The JSON form of an object in responses: OData annotations, property order as on Graph, and
//! `$select`.
//!
//! Written by hand rather than through serde: constant keys and annotations are copied as they
//! are and numbers formatted with `itoa`, where serde escaped every key and annotation byte by
//! byte (a tenth of a report page's time in a profile). Details still in their compact serde
//! JSON (as the embedded store keeps them) are copied with the annotation added, not decoded and
//! written again (a sixth of a report page's time). The tests hold the same shape written with
//! serde as the reference, byte for byte.

use tally_odata::DateTimeOffset;
use uuid::Uuid;

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

/// An object's details, in either form a response can be written from.
#[derive(Clone, Copy, Debug)]
pub enum DetailsJson<'a> {
    Decoded(&'a [LicenseInfoDetail]),
    /// `serde_json::to_vec` of a `[LicenseInfoDetail]`, exactly: compact, in the fields' order.
    /// Its only `{` bytes open the objects (no string in it can hold one: the license type is
    /// one of its members' names).
    CompactSerde(&'a [u8]),
}

/// One object as the wire shows it.
pub struct EntityJson<'a> {
    pub id: Uuid,
    pub snapshot_date_time: &'a DateTimeOffset,
    pub details: DetailsJson<'a>,
    pub etag: Option<EntityTag>,
    /// `@odata.context`, present on single-object responses only.
    pub context: Option<&'a str>,
    pub selection: Selection,
}

impl<'a> EntityJson<'a> {
    /// A decoded object, without `@odata.context` or an ETag, every property selected.
    pub fn of(usage: &'a LicenseUsage) -> Self {
        Self {
            id: usage.id,
            snapshot_date_time: &usage.snapshot_date_time,
            details: DetailsJson::Decoded(&usage.license_info_details),
            etag: None,
            context: None,
            selection: Selection::ALL,
        }
    }

    /// Appends this object's JSON to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.push(b'{');
        if let Some(context) = self.context {
            out.extend_from_slice(b"\"@odata.context\":");
            push_json_str(out, context);
            out.push(b',');
        }
        out.extend_from_slice(b"\"@odata.type\":\"#microsoft.graph.azureADLicenseUsage\"");
        if let Some(etag) = self.etag {
            out.extend_from_slice(b",\"@odata.etag\":\"W/\\\"");
            out.extend_from_slice(itoa::Buffer::new().format(etag.0).as_bytes());
            out.extend_from_slice(b"\\\"\"");
        }
        out.extend_from_slice(b",\"id\":\"");
        let mut id = [0u8; uuid::fmt::Hyphenated::LENGTH];
        out.extend_from_slice(self.id.hyphenated().encode_lower(&mut id).as_bytes());
        out.push(b'"');
        if self.selection.snapshot_date_time {
            out.extend_from_slice(b",\"snapshotDateTime\":");
            push_json_str(out, self.snapshot_date_time.as_str());
        }
        if self.selection.license_info_details {
            out.extend_from_slice(b",\"licenseInfoDetails\":");
            match self.details {
                DetailsJson::Decoded(details) => write_details(details, out),
                DetailsJson::CompactSerde(json) => write_compact_details(json, out),
            }
        }
        out.push(b'}');
    }
}

fn write_details(details: &[LicenseInfoDetail], out: &mut Vec<u8>) {
    out.push(b'[');
    for (index, detail) in details.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        write_detail(detail, out);
    }
    out.push(b']');
}

/// Serde's compact form already has the wire's keys, order and numbers; only each object's
/// annotation is missing.
fn write_compact_details(mut json: &[u8], out: &mut Vec<u8>) {
    while let Some(brace) = memchr::memchr(b'{', json) {
        out.extend_from_slice(&json[..=brace]);
        out.extend_from_slice(DETAIL_TYPE);
        out.push(b',');
        json = &json[brace + 1..];
    }
    out.extend_from_slice(json);
}

const DETAIL_TYPE: &[u8] = b"\"@odata.type\":\"microsoft.graph.licenseInfoDetail\"";

fn write_detail(detail: &LicenseInfoDetail, out: &mut Vec<u8>) {
    out.push(b'{');
    out.extend_from_slice(DETAIL_TYPE);
    out.extend_from_slice(b",\"licenseType\":\"");
    out.extend_from_slice(detail.license_type.as_str().as_bytes());
    out.extend_from_slice(b"\",\"totalLicenseCount\":");
    push_count(out, detail.total_license_count);
    out.extend_from_slice(b",\"totalAssignedCount\":");
    push_count(out, detail.total_assigned_count);
    out.extend_from_slice(b",\"totalUsageCount\":");
    push_count(out, detail.total_usage_count);
    out.push(b'}');
}

fn push_count(out: &mut Vec<u8>, count: Option<i32>) {
    match count {
        Some(count) => out.extend_from_slice(itoa::Buffer::new().format(count).as_bytes()),
        None => out.extend_from_slice(b"null"),
    }
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it.
pub fn push_json_str(out: &mut Vec<u8>, text: &str) {
    if text
        .bytes()
        .all(|byte| byte >= 0x20 && byte != b'"' && byte != b'\\')
    {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, text).is_err() {
        unreachable!("writing to a Vec cannot fail");
    }
}

#[cfg(test)]
mod tests {
    use serde::ser::{SerializeMap, Serializer};
    use serde::Serialize;
    use tally_odata::DateTimeOffset;
    use uuid::Uuid;

    use super::*;
    use crate::license::LicenseType;

    /// The reference: the same shape through serde.
    struct Reference<'a>(&'a EntityJson<'a>);

    impl Serialize for Reference<'_> {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let entity = self.0;
            let mut map = serializer.serialize_map(None)?;
            if let Some(context) = entity.context {
                map.serialize_entry("@odata.context", context)?;
            }
            map.serialize_entry("@odata.type", "#microsoft.graph.azureADLicenseUsage")?;
            if let Some(etag) = entity.etag {
                map.serialize_entry("@odata.etag", &etag.to_header())?;
            }
            map.serialize_entry("id", &entity.id)?;
            if entity.selection.snapshot_date_time {
                map.serialize_entry("snapshotDateTime", entity.snapshot_date_time)?;
            }
            if entity.selection.license_info_details {
                let DetailsJson::Decoded(details) = entity.details else {
                    unreachable!("the reference is written from decoded details");
                };
                let details: Vec<DetailJson<'_>> = details.iter().map(DetailJson).collect();
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

    fn usage(snapshot: &str, details: Vec<LicenseInfoDetail>) -> LicenseUsage {
        LicenseUsage {
            id: Uuid::parse_str("0b4a7c52-4a6e-4d4f-9a39-2c8a3c1f9d11").unwrap(),
            snapshot_date_time: DateTimeOffset::parse(snapshot).unwrap(),
            license_info_details: details,
        }
    }

    #[test]
    fn the_written_json_is_what_serde_writes() {
        let detail = |license_type, counts: [Option<i32>; 3]| LicenseInfoDetail {
            license_type,
            total_license_count: counts[0],
            total_assigned_count: counts[1],
            total_usage_count: counts[2],
        };
        let usages = [
            usage("2016-12-31T23:56:55.0631898+03:00", Vec::new()),
            usage(
                "2026-01-01T00:00:00Z",
                vec![detail(LicenseType::PremiumP2, [Some(0), Some(-7), None])],
            ),
            usage(
                "2026-11-01T00:00:00Z",
                LicenseType::ALL
                    .iter()
                    .map(|t| detail(*t, [Some(i32::MAX), None, Some(i32::MIN)]))
                    .collect(),
            ),
        ];
        let contexts = [
            None,
            Some("https://h/v1.0/$metadata#x"),
            Some("q\"uote\\ \u{1}é"),
        ];
        let selections = [
            Selection::ALL,
            Selection {
                snapshot_date_time: false,
                license_info_details: true,
            },
            Selection {
                snapshot_date_time: true,
                license_info_details: false,
            },
        ];
        for usage in &usages {
            for context in contexts {
                for etag in [None, Some(EntityTag(1)), Some(EntityTag(i64::MAX))] {
                    for selection in selections {
                        let entity = EntityJson {
                            etag,
                            context,
                            selection,
                            ..EntityJson::of(usage)
                        };
                        let mut written = Vec::new();
                        entity.write_to(&mut written);
                        let reference = serde_json::to_vec(&Reference(&entity)).unwrap();
                        assert_eq!(
                            String::from_utf8(written.clone()).unwrap(),
                            String::from_utf8(reference).unwrap()
                        );
                        // The same object from its details' compact serde JSON.
                        let compact = serde_json::to_vec(&usage.license_info_details).unwrap();
                        let mut from_compact = Vec::new();
                        EntityJson {
                            details: DetailsJson::CompactSerde(&compact),
                            ..entity
                        }
                        .write_to(&mut from_compact);
                        assert_eq!(
                            String::from_utf8(from_compact).unwrap(),
                            String::from_utf8(written).unwrap()
                        );
                    }
                }
            }
        }
    }
}
