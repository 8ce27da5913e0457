//! Request bodies to validated values: every rule of SPEC §2 and §4, each failure a message that
//! names the property path (`licenseInfoDetails[1].totalUsageCount`).

use std::fmt;

use serde_json::{Map, Value};
use tally_odata::DateTimeOffset;

use crate::json::{parse_strict, JsonError};
use crate::license::{LicenseInfoDetail, LicenseType, LicenseUsagePatch, NewLicenseUsage};

const ENTITY_TYPE: &str = "microsoft.graph.azureADLicenseUsage";
const DETAIL_TYPE: &str = "microsoft.graph.licenseInfoDetail";

/// Why a body was refused; the message is meant for the client, as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub message: String,
}

impl ValidationError {
    fn at(path: &str, problem: impl fmt::Display) -> Self {
        Self {
            message: format!("Invalid value for property '{path}': {problem}."),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<JsonError> for ValidationError {
    fn from(error: JsonError) -> Self {
        Self {
            message: error.to_string(),
        }
    }
}

/// Validates a POST body. `id` is read-only; `snapshotDateTime` is required.
pub fn parse_create(body: &[u8]) -> Result<NewLicenseUsage, ValidationError> {
    let object = parse_object(body)?;
    let fields = entity_fields(&object)?;
    if fields.id.is_some() {
        return Err(ValidationError::at(
            "id",
            "the property is read-only and is assigned by the server",
        ));
    }
    let snapshot_date_time = fields.snapshot_date_time.ok_or_else(|| ValidationError {
        message: "The property 'snapshotDateTime' is required.".to_owned(),
    })?;
    Ok(NewLicenseUsage {
        snapshot_date_time,
        license_info_details: fields.license_info_details.unwrap_or_default(),
    })
}

/// Validates one record of `tally import`: a POST body that may also carry the object's `id`
/// (as `tally export` writes it), kept so that an export imports back unchanged.
pub fn parse_import(body: &[u8]) -> Result<(Option<uuid::Uuid>, NewLicenseUsage), ValidationError> {
    let object = parse_object(body)?;
    let fields = entity_fields(&object)?;
    let id = fields
        .id
        .map(|id| {
            uuid::Uuid::parse_str(id)
                .map_err(|_| ValidationError::at("id", format_args!("'{id}' is not a GUID")))
        })
        .transpose()?;
    let snapshot_date_time = fields.snapshot_date_time.ok_or_else(|| ValidationError {
        message: "The property 'snapshotDateTime' is required.".to_owned(),
    })?;
    Ok((
        id,
        NewLicenseUsage {
            snapshot_date_time,
            license_info_details: fields.license_info_details.unwrap_or_default(),
        },
    ))
}

/// Validates a PATCH body for the object `key`: an `id` in the body must name the same object.
pub fn parse_patch(body: &[u8], key: &str) -> Result<LicenseUsagePatch, ValidationError> {
    let object = parse_object(body)?;
    let fields = entity_fields(&object)?;
    if let Some(id) = fields.id {
        if !id.eq_ignore_ascii_case(key) {
            return Err(ValidationError::at(
                "id",
                format_args!("'{id}' does not match the key of the object addressed by the URL"),
            ));
        }
    }
    Ok(LicenseUsagePatch {
        snapshot_date_time: fields.snapshot_date_time,
        license_info_details: fields.license_info_details,
    })
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, ValidationError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ValidationError {
            message: "The request body is empty; a JSON object was expected.".to_owned(),
        });
    }
    match parse_strict(body)? {
        Value::Object(object) => Ok(object),
        other => Err(ValidationError {
            message: format!(
                "The request body must be a JSON object, not {}.",
                describe(&other)
            ),
        }),
    }
}

/// The entity's properties as found in a body; `None` where absent.
struct EntityFields<'a> {
    id: Option<&'a str>,
    snapshot_date_time: Option<DateTimeOffset>,
    license_info_details: Option<Vec<LicenseInfoDetail>>,
}

fn entity_fields(object: &Map<String, Value>) -> Result<EntityFields<'_>, ValidationError> {
    let mut fields = EntityFields {
        id: None,
        snapshot_date_time: None,
        license_info_details: None,
    };
    for (name, value) in object {
        match name.as_str() {
            "@odata.type" => check_type_annotation(name, value, ENTITY_TYPE)?,
            "id" => {
                fields.id = Some(value.as_str().ok_or_else(|| {
                    ValidationError::at(
                        "id",
                        format_args!("expected a string, not {}", describe(value)),
                    )
                })?);
            }
            "snapshotDateTime" => fields.snapshot_date_time = Some(date_time_offset(name, value)?),
            "licenseInfoDetails" => fields.license_info_details = Some(details(name, value)?),
            other if is_annotation(other) => {}
            other => return Err(unknown_property(other, ENTITY_TYPE)),
        }
    }
    Ok(fields)
}

/// Instance and property annotations other than `@odata.type` (such as `@odata.etag` or
/// `@odata.context` echoed back from a response) carry no data and are ignored, as OData allows.
fn is_annotation(name: &str) -> bool {
    name.contains('@')
}

fn unknown_property(path: &str, type_name: &str) -> ValidationError {
    let name = path.rsplit('.').next().unwrap_or(path);
    ValidationError {
        message: format!(
            "Invalid property '{path}': the type '{type_name}' has no property named '{name}'."
        ),
    }
}

fn check_type_annotation(path: &str, value: &Value, expected: &str) -> Result<(), ValidationError> {
    match value.as_str() {
        Some(name) if name.strip_prefix('#').unwrap_or(name) == expected => Ok(()),
        Some(name) => Err(ValidationError::at(
            path,
            format_args!("'{name}' is not the type '#{expected}'"),
        )),
        None => Err(ValidationError::at(
            path,
            format_args!("expected a string, not {}", describe(value)),
        )),
    }
}

fn date_time_offset(path: &str, value: &Value) -> Result<DateTimeOffset, ValidationError> {
    let text = match value {
        Value::String(text) => text,
        Value::Null => return Err(ValidationError::at(path, "the property is not nullable")),
        other => {
            return Err(ValidationError::at(
                path,
                format_args!(
                    "expected an Edm.DateTimeOffset string, not {}",
                    describe(other)
                ),
            ))
        }
    };
    DateTimeOffset::parse(text).map_err(|error| {
        ValidationError::at(
            path,
            format_args!("'{text}' is not a valid Edm.DateTimeOffset ({error})"),
        )
    })
}

fn details(path: &str, value: &Value) -> Result<Vec<LicenseInfoDetail>, ValidationError> {
    let items = match value {
        Value::Array(items) => items,
        Value::Null => {
            return Err(ValidationError::at(
                path,
                "a collection cannot be null; send [] for none",
            ))
        }
        other => {
            return Err(ValidationError::at(
                path,
                format_args!("expected an array, not {}", describe(other)),
            ))
        }
    };
    let mut result: Vec<LicenseInfoDetail> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item_path = format!("{path}[{index}]");
        let detail = detail(&item_path, item)?;
        if result
            .iter()
            .any(|seen| seen.license_type == detail.license_type)
        {
            return Err(ValidationError::at(
                &format!("{item_path}.licenseType"),
                format_args!(
                    "'{}' appears more than once; each licenseType may have at most one entry",
                    detail.license_type.as_str()
                ),
            ));
        }
        result.push(detail);
    }
    Ok(result)
}

fn detail(path: &str, value: &Value) -> Result<LicenseInfoDetail, ValidationError> {
    let object = match value {
        Value::Object(object) => object,
        Value::Null => {
            return Err(ValidationError::at(
                path,
                "the collection cannot contain null",
            ))
        }
        other => {
            return Err(ValidationError::at(
                path,
                format_args!("expected a {DETAIL_TYPE} object, not {}", describe(other)),
            ))
        }
    };
    let mut license_type = None;
    let mut counts = [None; 3];
    // The child's path is written only for an error: valid bodies allocate nothing for it.
    let child = |name: &str| format!("{path}.{name}");
    for (name, value) in object {
        match name.as_str() {
            "@odata.type" => check_type_annotation(&child(name), value, DETAIL_TYPE)?,
            "licenseType" => {
                let known = value.as_str().and_then(LicenseType::from_name);
                license_type = Some(match known {
                    Some(member) => member,
                    None => license_type_value(&child(name), value)?,
                });
            }
            "totalLicenseCount" | "totalAssignedCount" | "totalUsageCount" => {
                let slot = match name.as_str() {
                    "totalLicenseCount" => 0,
                    "totalAssignedCount" => 1,
                    _ => 2,
                };
                counts[slot] = match valid_count(value) {
                    Some(valid) => valid,
                    None => count(&child(name), value)?,
                };
            }
            other if is_annotation(other) => {}
            _ => return Err(unknown_property(&child(name), DETAIL_TYPE)),
        }
    }
    let license_type = license_type.ok_or_else(|| ValidationError {
        message: format!("The property '{path}.licenseType' is required."),
    })?;
    Ok(LicenseInfoDetail {
        license_type,
        total_license_count: counts[0],
        total_assigned_count: counts[1],
        total_usage_count: counts[2],
    })
}

fn license_type_value(path: &str, value: &Value) -> Result<LicenseType, ValidationError> {
    let members = LicenseType::member_list();
    match value {
        Value::String(name) => LicenseType::from_name(name).ok_or_else(|| {
            ValidationError::at(
                path,
                format_args!("'{name}' is not a member of microsoft.graph.azureADLicenseType; the members are {members}"),
            )
        }),
        Value::Null => Err(ValidationError::at(path, format_args!("the property is required and cannot be null; the members are {members}"))),
        other => Err(ValidationError::at(path, format_args!("expected a string naming one of {members}, not {}", describe(other)))),
    }
}

/// A count that is valid as it is (null or 0..=i32::MAX); None when [`count`] must explain.
fn valid_count(value: &Value) -> Option<Option<i32>> {
    match value {
        Value::Null => Some(None),
        Value::Number(number) => number
            .as_i64()
            .filter(|n| *n >= 0)
            .and_then(|n| i32::try_from(n).ok())
            .map(Some),
        _ => None,
    }
}

fn count(path: &str, value: &Value) -> Result<Option<i32>, ValidationError> {
    const RANGE: &str = "an Edm.Int32 count must be a whole number from 0 to 2147483647";
    match value {
        Value::Null => Ok(None),
        Value::Number(number) => match number.as_i64() {
            Some(n) if n < 0 => Err(ValidationError::at(
                path,
                format_args!("{n} is negative; {RANGE}"),
            )),
            Some(n) => i32::try_from(n).map(Some).map_err(|_| {
                ValidationError::at(path, format_args!("{n} overflows Edm.Int32; {RANGE}"))
            }),
            None if number.as_u64().is_some() => Err(ValidationError::at(
                path,
                format_args!("{number} overflows Edm.Int32; {RANGE}"),
            )),
            None => Err(ValidationError::at(
                path,
                format_args!("{number} is not a whole number; {RANGE}"),
            )),
        },
        other => Err(ValidationError::at(
            path,
            format_args!("expected a number or null, not {}", describe(other)),
        )),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
