//! Request bodies to validated values, for any resource: every rule of its description (types,
//! nullability, required properties, minimums, unique items) and of SPEC §4, each failure a
//! message that names the property path (`licenseInfoDetails[1].totalUsageCount`).

use std::fmt;

use serde_json::{Map, Value as Json};
use tally_odata::schema::{ComplexType, Default, EntityType, Property, Type};
use tally_odata::{DateTimeOffset, Decimal};
use uuid::Uuid;

use crate::strict_json::{parse_strict, JsonError};
use crate::value::{Collection, Entity, Item, NewEntity, Patch, Value};

/// Why a body was refused; the message is meant for the client, as is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    pub message: String,
}

impl ValidationError {
    fn at(path: impl fmt::Display, problem: impl fmt::Display) -> Self {
        Self {
            message: format!("Invalid value for property '{path}': {problem}."),
        }
    }

    fn required(path: impl fmt::Display) -> Self {
        Self {
            message: format!("The property '{path}' is required."),
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

/// Validates a POST body. `id` is read-only; required properties must be there.
pub fn parse_create(ty: &EntityType, body: &[u8]) -> Result<NewEntity, ValidationError> {
    let object = parse_object(body)?;
    let fields = entity_fields(ty, &object)?;
    if fields.id.is_some() {
        return Err(ValidationError::at(
            ty.key().name,
            "the property is read-only and is assigned by the server",
        ));
    }
    fields.refuse_read_only(ty)?;
    fields.with_defaults(ty).complete(ty)
}

/// Validates one record of `tally import`: a POST body that may also carry the object's `id`
/// (as `tally export` writes it), kept so that an export imports back unchanged.
pub fn parse_import(
    ty: &EntityType,
    body: &[u8],
) -> Result<(Option<Uuid>, NewEntity), ValidationError> {
    let object = parse_object(body)?;
    let fields = entity_fields(ty, &object)?;
    let id = fields
        .id
        .map(|id| {
            Uuid::parse_str(id)
                .map_err(|_| ValidationError::at("id", format_args!("'{id}' is not a GUID")))
        })
        .transpose()?;
    fields.refuse_read_only(ty)?;
    Ok((id, fields.with_defaults(ty).complete(ty)?))
}

/// Validates an object as a Graph-compatible source reported it (`tally collect`): as an
/// import's record, but its `id` is required and kept, and its read-only properties are kept as
/// the source set them (they are the source's to derive, not tally's to re-derive).
pub fn parse_reported(ty: &EntityType, body: &[u8]) -> Result<Entity, ValidationError> {
    let object = parse_object(body)?;
    let fields = entity_fields(ty, &object)?;
    let id = fields.id.ok_or_else(|| ValidationError::required("id"))?;
    let id = Uuid::parse_str(id)
        .map_err(|_| ValidationError::at("id", format_args!("'{id}' is not a GUID")))?;
    Ok(fields.with_defaults(ty).complete(ty)?.with_id(id))
}

/// Validates a PUT body, the whole object `key` (created or replaced): as a POST's, but a key
/// in the body must be the URL's.
pub fn parse_put(ty: &EntityType, body: &[u8], key: &str) -> Result<NewEntity, ValidationError> {
    let object = parse_object(body)?;
    let fields = entity_fields(ty, &object)?;
    fields.check_key(ty, key)?;
    fields.refuse_read_only(ty)?;
    fields.with_defaults(ty).complete(ty)
}

/// Validates a PATCH body for the object `key`: an `id` in the body must name the same object.
pub fn parse_patch(ty: &EntityType, body: &[u8], key: &str) -> Result<Patch, ValidationError> {
    let object = parse_object(body)?;
    let fields = entity_fields(ty, &object)?;
    fields.check_key(ty, key)?;
    fields.refuse_read_only(ty)?;
    for (property, value) in ty.properties[1..].iter().zip(&fields.values) {
        if property.immutable && value.is_some() {
            return Err(ValidationError::at(
                property.name,
                "the property is set when the object is created and cannot be changed",
            ));
        }
    }
    Ok(Patch(fields.values))
}

fn parse_object(body: &[u8]) -> Result<Map<String, Json>, ValidationError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ValidationError {
            message: "The request body is empty; a JSON object was expected.".to_owned(),
        });
    }
    match parse_strict(body)? {
        Json::Object(object) => Ok(object),
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
    /// Per property after `id`.
    values: Vec<Option<Value>>,
}

impl EntityFields<'_> {
    /// A key the body gives must be the one the URL addresses.
    fn check_key(&self, ty: &EntityType, key: &str) -> Result<(), ValidationError> {
        match self.id {
            Some(id) if !id.eq_ignore_ascii_case(key) => Err(ValidationError::at(
                ty.key().name,
                format_args!("'{id}' does not match the key of the object addressed by the URL"),
            )),
            _ => Ok(()),
        }
    }

    /// Refuses a body that names a property only the server sets.
    fn refuse_read_only(&self, ty: &EntityType) -> Result<(), ValidationError> {
        match ty.properties[1..]
            .iter()
            .zip(&self.values)
            .find(|(property, value)| property.read_only && value.is_some())
        {
            Some((property, _)) => Err(ValidationError::at(
                property.name,
                "the property is read-only and is set by the server",
            )),
            None => Ok(()),
        }
    }

    /// Fills each absent property that has a default (SPEC §13.2's `createdDateTime`, …).
    fn with_defaults(mut self, ty: &EntityType) -> Self {
        for (property, value) in ty.properties[1..].iter().zip(&mut self.values) {
            if value.is_none() {
                *value = property.default.map(|default| match default {
                    Default::Now => Value::DateTimeOffset(now()),
                    Default::NewGuid => Value::String(Uuid::new_v4().to_string().into()),
                    Default::Boolean(value) => Value::Boolean(value),
                    Default::Member(member) => Value::Enum(member),
                });
            }
        }
        self
    }

    /// A POST's values: required properties present, absent ones null (collections empty).
    fn complete(self, ty: &EntityType) -> Result<NewEntity, ValidationError> {
        ty.properties[1..]
            .iter()
            .zip(self.values)
            .map(|(property, value)| match value {
                Some(value) => Ok(value),
                None if property.required => Err(ValidationError::required(property.name)),
                None => Ok(match property.ty {
                    Type::Collection(_) => Value::Collection(Collection::Items(Vec::new())),
                    _ => Value::Null,
                }),
            })
            .collect::<Result<_, _>>()
            .map(NewEntity)
    }
}

fn entity_fields<'a>(
    ty: &EntityType,
    object: &'a Map<String, Json>,
) -> Result<EntityFields<'a>, ValidationError> {
    let mut fields = EntityFields {
        id: None,
        values: vec![None; ty.properties.len() - 1],
    };
    for (name, json) in object {
        if name == "@odata.type" {
            check_type_annotation(&PropertyPath::Root(name), json, ty.name)?;
            continue;
        }
        if name == ty.key().name {
            fields.id = Some(json.as_str().ok_or_else(|| {
                ValidationError::at(
                    ty.key().name,
                    format_args!("expected a string, not {}", describe(json)),
                )
            })?);
            continue;
        }
        match ty.properties[1..].iter().position(|p| p.name == name) {
            Some(index) => {
                let property = &ty.properties[index + 1];
                fields.values[index] = Some(value(property, &PropertyPath::Root(name), json)?);
            }
            None if is_annotation(name) => {}
            None => return Err(unknown_property(&PropertyPath::Root(name), ty.name)),
        }
    }
    Ok(fields)
}

/// The request's time, to the second, in UTC (as Graph writes `createdDateTime`).
fn now() -> DateTimeOffset {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| i64::try_from(since.as_secs()).unwrap_or(0));
    let canonical = DateTimeOffset::from_ticks(seconds * tally_odata::edm::TICKS_PER_SECOND);
    let text = canonical.as_str().replace(".0000000Z", "Z");
    DateTimeOffset::parse(&text).unwrap_or(canonical)
}

/// Where a value sits in a body (`licenseInfoDetails[1].totalUsageCount`), written out only
/// for an error message: a valid body formats no path.
#[derive(Clone, Copy)]
enum PropertyPath<'a> {
    Root(&'a str),
    Index(&'a PropertyPath<'a>, usize),
    Member(&'a PropertyPath<'a>, &'a str),
}

impl fmt::Display for PropertyPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyPath::Root(name) => f.write_str(name),
            PropertyPath::Index(parent, index) => write!(f, "{parent}[{index}]"),
            PropertyPath::Member(parent, name) => write!(f, "{parent}.{name}"),
        }
    }
}

/// The value of `property` at `path`.
fn value(
    property: &Property,
    path: &PropertyPath<'_>,
    json: &Json,
) -> Result<Value, ValidationError> {
    if json.is_null() {
        return match property.ty {
            Type::Collection(_) => Err(ValidationError::at(
                path,
                "a collection cannot be null; send [] for none",
            )),
            Type::Enum(ty) if !property.nullable => Err(ValidationError::at(
                path,
                format_args!(
                    "the property is required and cannot be null; the members are {}",
                    ty.member_list()
                ),
            )),
            _ if !property.nullable => {
                Err(ValidationError::at(path, "the property is not nullable"))
            }
            _ => Ok(Value::Null),
        };
    }
    match property.ty {
        Type::String => match json {
            Json::String(text) => match property.format {
                Some(format) if !format.admits(text) => Err(ValidationError::at(
                    path,
                    format_args!("'{text}' is not {}", format.describe()),
                )),
                _ => Ok(Value::String(text.as_str().into())),
            },
            other => Err(ValidationError::at(
                path,
                format_args!("expected a string, not {}", describe(other)),
            )),
        },
        Type::Int32 => int32(path, json, property.minimum),
        Type::Decimal => decimal(path, json, property.minimum),
        Type::Boolean => match json {
            Json::Bool(value) => Ok(Value::Boolean(*value)),
            other => Err(ValidationError::at(
                path,
                format_args!("expected true or false, not {}", describe(other)),
            )),
        },
        Type::Guid => match json.as_str().map(uuid::Uuid::parse_str) {
            Some(Ok(id)) => Ok(Value::String(id.to_string().into())),
            _ => Err(ValidationError::at(
                path,
                format_args!("expected a GUID string, not {}", describe(json)),
            )),
        },
        Type::DateTimeOffset => date_time_offset(path, json),
        Type::Enum(ty) => {
            let members = ty.member_list();
            match json {
                Json::String(name) => ty.member(name).map(Value::Enum).ok_or_else(|| {
                    ValidationError::at(
                        path,
                        format_args!(
                            "'{name}' is not a member of {}; the members are {members}",
                            ty.name
                        ),
                    )
                }),
                other => Err(ValidationError::at(
                    path,
                    format_args!(
                        "expected a string naming one of {members}, not {}",
                        describe(other)
                    ),
                )),
            }
        }
        Type::Collection(ty) => collection(ty, path, json),
        // No described resource writes these; the directory validates its bodies itself.
        Type::Int64 | Type::Complex(_) | Type::Primitives(_) => Err(ValidationError::at(
            path,
            format_args!("{} cannot be written here", property.ty.describe()),
        )),
    }
}

fn collection(
    ty: &ComplexType,
    path: &PropertyPath<'_>,
    json: &Json,
) -> Result<Value, ValidationError> {
    let Json::Array(array) = json else {
        return Err(ValidationError::at(
            path,
            format_args!("expected an array, not {}", describe(json)),
        ));
    };
    let unique = ty
        .unique
        .and_then(|name| ty.properties.iter().position(|p| p.name == name));
    let mut items: Vec<Item> = Vec::with_capacity(array.len());
    for (index, json) in array.iter().enumerate() {
        let item_path = PropertyPath::Index(path, index);
        let item = item(ty, &item_path, json)?;
        if let Some(unique) = unique {
            let value = &item.0[unique];
            if items.iter().any(|seen| seen.0[unique] == *value) {
                let name = ty.properties[unique].name;
                let shown = value.as_str().unwrap_or_default();
                return Err(ValidationError::at(
                    PropertyPath::Member(&item_path, name),
                    format_args!(
                        "'{shown}' appears more than once; each {name} may have at most one entry"
                    ),
                ));
            }
        }
        items.push(item);
    }
    Ok(Value::Collection(Collection::Items(items)))
}

fn item(ty: &ComplexType, path: &PropertyPath<'_>, json: &Json) -> Result<Item, ValidationError> {
    let object = match json {
        Json::Object(object) => object,
        Json::Null => {
            return Err(ValidationError::at(
                path,
                "the collection cannot contain null",
            ))
        }
        other => {
            return Err(ValidationError::at(
                path,
                format_args!("expected a {} object, not {}", ty.name, describe(other)),
            ))
        }
    };
    let mut values: Vec<Option<Value>> = vec![None; ty.properties.len()];
    let child = |name| PropertyPath::Member(path, name);
    for (name, json) in object {
        if name == "@odata.type" {
            check_type_annotation(&child(name), json, ty.name)?;
            continue;
        }
        match ty.properties.iter().position(|p| p.name == name) {
            Some(index) => {
                values[index] = Some(value(&ty.properties[index], &child(name), json)?);
            }
            None if is_annotation(name) => {}
            None => return Err(unknown_property(&child(name), ty.name)),
        }
    }
    ty.properties
        .iter()
        .zip(values)
        .map(|(property, value)| match value {
            Some(value) => Ok(value),
            None if property.required => Err(ValidationError::required(child(property.name))),
            None => Ok(Value::Null),
        })
        .collect::<Result<_, _>>()
        .map(Item)
}

/// Instance and property annotations other than `@odata.type` (such as `@odata.etag` or
/// `@odata.context` echoed back from a response) carry no data and are ignored, as OData allows.
fn is_annotation(name: &str) -> bool {
    name.contains('@')
}

/// The path's last name is the unknown property's.
fn unknown_property(path: &PropertyPath<'_>, type_name: &str) -> ValidationError {
    let name = match path {
        PropertyPath::Root(name) | PropertyPath::Member(_, name) => name,
        PropertyPath::Index(..) => "",
    };
    ValidationError {
        message: format!(
            "Invalid property '{path}': the type '{type_name}' has no property named '{name}'."
        ),
    }
}

fn check_type_annotation(
    path: &PropertyPath<'_>,
    value: &Json,
    expected: &str,
) -> Result<(), ValidationError> {
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

fn date_time_offset(path: &PropertyPath<'_>, json: &Json) -> Result<Value, ValidationError> {
    let Json::String(text) = json else {
        return Err(ValidationError::at(
            path,
            format_args!(
                "expected an Edm.DateTimeOffset string, not {}",
                describe(json)
            ),
        ));
    };
    DateTimeOffset::parse(text)
        .map(Value::DateTimeOffset)
        .map_err(|error| {
            ValidationError::at(
                path,
                format_args!("'{text}' is not a valid Edm.DateTimeOffset ({error})"),
            )
        })
}

/// An `Edm.Decimal` of at most four decimals, at least `minimum` when there is one.
fn decimal(
    path: &PropertyPath<'_>,
    json: &Json,
    minimum: Option<i32>,
) -> Result<Value, ValidationError> {
    let number = match json {
        Json::Number(number) => number.as_f64().unwrap_or(f64::NAN),
        other => {
            return Err(ValidationError::at(
                path,
                format_args!("expected a number, not {}", describe(other)),
            ))
        }
    };
    let decimal = Decimal::from_f64(number).map_err(|why| {
        ValidationError::at(
            path,
            format_args!("{json} is not a decimal of at most 4 decimals up to 100000000000: {why}"),
        )
    })?;
    match minimum {
        Some(min) if decimal.ten_thousandths() < i64::from(min) * Decimal::ONE => Err(
            ValidationError::at(path, format_args!("{json} is less than {min}")),
        ),
        _ => Ok(Value::Decimal(decimal)),
    }
}

fn int32(
    path: &PropertyPath<'_>,
    json: &Json,
    minimum: Option<i32>,
) -> Result<Value, ValidationError> {
    let range = match minimum {
        Some(0) => "an Edm.Int32 count must be a whole number from 0 to 2147483647".to_owned(),
        Some(min) => format!("an Edm.Int32 here must be a whole number from {min} to 2147483647"),
        None => "an Edm.Int32 must be a whole number from -2147483648 to 2147483647".to_owned(),
    };
    let Json::Number(number) = json else {
        return Err(ValidationError::at(
            path,
            format_args!("expected a number or null, not {}", describe(json)),
        ));
    };
    match number.as_i64() {
        Some(n) if minimum.is_some_and(|min| n < i64::from(min)) => {
            let problem = if n < 0 { "is negative" } else { "is too small" };
            Err(ValidationError::at(
                path,
                format_args!("{n} {problem}; {range}"),
            ))
        }
        Some(n) => i32::try_from(n).map(Value::Int).map_err(|_| {
            ValidationError::at(path, format_args!("{n} overflows Edm.Int32; {range}"))
        }),
        None if number.as_u64().is_some() => Err(ValidationError::at(
            path,
            format_args!("{number} overflows Edm.Int32; {range}"),
        )),
        None => Err(ValidationError::at(
            path,
            format_args!("{number} is not a whole number; {range}"),
        )),
    }
}

fn describe(value: &Json) -> &'static str {
    match value {
        Json::Null => "null",
        Json::Bool(_) => "a boolean",
        Json::Number(_) => "a number",
        Json::String(_) => "a string",
        Json::Array(_) => "an array",
        Json::Object(_) => "an object",
    }
}
