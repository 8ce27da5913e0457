//! The query options that name a resource's properties: `$filter`, `$select` and `$orderby`,
//! one component each per resource (`azureADLicenseUsage.filter`, …). The others (`$top`,
//! `$skip`, `$count`, `$skiptoken`, the preconditions, `Prefer`) are the same for every
//! resource and are in `base.json`.

use serde_json::{json, Value};
use tally_odata::schema::{ComplexType, Property, Type};

use super::schemas::collections;
use super::words;
use super::Object;
use crate::resources::ResourceDef;

/// The component names of `def`'s `$filter`, `$select` and `$orderby`.
pub(super) fn filter(def: &ResourceDef) -> String {
    format!("{}.filter", def.collection)
}

pub(super) fn select(def: &ResourceDef) -> String {
    format!("{}.select", def.collection)
}

pub(super) fn orderby(def: &ResourceDef) -> String {
    format!("{}.orderby", def.collection)
}

/// Adds `def`'s three parameters to `parameters`.
pub(super) fn add(parameters: &mut Object, def: &ResourceDef) {
    parameters.insert(filter(def), filter_parameter(def));
    parameters.insert(select(def), select_parameter(def));
    parameters.insert(orderby(def), orderby_parameter(def));
}

fn filter_parameter(def: &ResourceDef) -> Value {
    let properties = def.entity.properties;
    let all: Vec<&str> = properties.iter().map(|p| p.name).collect();
    let operators = if def.entity.has_collection() {
        "any/all lambdas, $count, in, not"
    } else {
        "in, not"
    };
    let mut parameter = json!({
        "name": "$filter",
        "in": "query",
        "description": format!(
            "OData $filter over {} ({operators}).",
            words::list(&all, "and")
        ),
        "schema": { "type": "string", "minLength": 1 },
    });
    if let Some((name, example)) = filter_example(def) {
        parameter["examples"] = json!({ name: { "value": example } });
    }
    parameter
}

/// An example filter: a lambda over the first collection if there is one (its enum property
/// equal to the last member before `unknownFutureValue`, its last integer greater than 10),
/// else a time since.
fn filter_example(def: &ResourceDef) -> Option<(&'static str, String)> {
    let Some((property, item)) = collections(def.entity.properties).next() else {
        return Some((
            "since",
            format!("{} ge 2025-01-01T00:00:00Z", def.time.name),
        ));
    };
    let mut conditions = Vec::new();
    if let Some((member_of, member)) = enum_condition(item) {
        conditions.push(format!("d/{member_of} eq '{member}'"));
    }
    if let Some(count) = item.properties.iter().rev().find(|p| p.ty == Type::Int32) {
        conditions.push(format!("d/{} gt 10", count.name));
    }
    if conditions.is_empty() {
        return None;
    }
    Some((
        "lambda",
        format!("{}/any(d: {})", property.name, conditions.join(" and ")),
    ))
}

/// The property (the unique one if it is an enum, else the first enum) and member of `item`
/// an example compares.
fn enum_condition(item: &ComplexType) -> Option<(&'static str, &'static str)> {
    let is_enum = |p: &&Property| matches!(p.ty, Type::Enum(_));
    let property = item
        .unique
        .and_then(|name| item.property(name))
        .filter(is_enum)
        .or_else(|| item.properties.iter().find(is_enum))?;
    let Type::Enum(ty) = property.ty else {
        return None;
    };
    let member = ty
        .members
        .iter()
        .rev()
        .find(|m| **m != "unknownFutureValue")?;
    Some((property.name, member))
}

fn select_parameter(def: &ResourceDef) -> Value {
    let properties = def.entity.properties;
    let names: Vec<&str> = properties.iter().map(|p| p.name).collect();
    let one = format!(r"(\*|{})", names.join("|"));
    let two: Vec<&str> = names.iter().take(2).copied().collect();
    json!({
        "name": "$select",
        "in": "query",
        "description": "Comma-separated properties (or *); id is always returned.",
        "schema": {
            "type": "string",
            "pattern": format!("^ *{one} *(, *{one} *)*$"),
        },
        "examples": { "two": { "value": two.join(",") } },
    })
}

fn orderby_parameter(def: &ResourceDef) -> Value {
    let sortable: Vec<&str> = def
        .entity
        .properties
        .iter()
        .filter(|p| p.sortable)
        .map(|p| p.name)
        .collect();
    let one = format!("({})( +(asc|desc))?", sortable.join("|"));
    json!({
        "name": "$orderby",
        "in": "query",
        "description": format!(
            "{}, asc or desc; ties broken by id.",
            words::list(&sortable, "or")
        ),
        "schema": {
            "type": "string",
            "pattern": format!("^ *{one} *(, *{one} *)*$"),
        },
        "examples": { "newest": { "value": format!("{} desc", def.time.name) } },
    })
}
