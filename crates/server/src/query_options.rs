//! The system query options of a request (`$top`, `$skip`, `$count`, `$select`, `$orderby`,
//! `$filter`, `$skiptoken`), parsed once at the edge. Unknown `$` options and the unsupported ones
//! are 400s; unknown non-`$` parameters are ignored, as on Graph.

use tally_model::Selection;
use tally_store::{OrderKey, OrderProperty};

use crate::error::ApiError;

/// The largest page a client may ask for with `$top`.
pub const MAX_TOP: usize = 999;

/// The parsed options, each `None` when absent.
#[derive(Clone, Debug, Default)]
pub struct QueryOptions {
    pub top: Option<usize>,
    pub skip: Option<u64>,
    pub count: bool,
    pub select: Option<SelectOption>,
    pub orderby: Option<OrderByOption>,
    pub filter: Option<String>,
    pub skiptoken: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SelectOption {
    pub selection: Selection,
    /// The selected names as written, for `@odata.context`.
    pub names: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct OrderByOption {
    pub keys: Vec<OrderKey>,
    pub text: String,
}

/// Where the options are used: some make sense only on collections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Collection,
    Count,
    Single,
}

impl QueryOptions {
    pub fn parse(raw: Option<&str>) -> Result<Self, ApiError> {
        let mut options = QueryOptions::default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
            if !name.starts_with('$') {
                continue;
            }
            let lower = name.to_ascii_lowercase();
            if seen.contains(&lower) {
                return Err(ApiError::bad_request(format!(
                    "The query option '{name}' is specified more than once."
                )));
            }
            seen.push(lower.clone());
            match lower.as_str() {
                "$top" => options.top = Some(parse_top(&value)?),
                "$skip" => options.skip = Some(parse_number(&name, &value)?),
                "$count" => options.count = parse_bool(&name, &value)?,
                "$select" => options.select = Some(parse_select(&value)?),
                "$orderby" => options.orderby = Some(parse_orderby(&value)?),
                "$filter" => options.filter = Some(value.into_owned()),
                "$skiptoken" => options.skiptoken = Some(value.into_owned()),
                "$expand" | "$search" | "$apply" | "$format" | "$compute" | "$index"
                | "$levels" | "$schemaversion" | "$deltatoken" => {
                    return Err(ApiError::bad_request(format!(
                        "The query option '{name}' is not supported."
                    )))
                }
                _ => {
                    return Err(ApiError::bad_request(format!(
                        "The query option '{name}' is not supported."
                    )))
                }
            }
        }
        if options.filter.is_some() {
            return Err(ApiError::bad_request(
                "The query option '$filter' is not supported yet by this version of tally.",
            ));
        }
        Ok(options)
    }

    /// Refuses the options that do not apply to `target`.
    pub fn check_target(&self, target: Target) -> Result<(), ApiError> {
        let refused = |name: &str| {
            let place = match target {
                Target::Single => "a single object",
                _ => "a count",
            };
            Err(ApiError::bad_request(format!(
                "The query option '{name}' is not allowed on {place}."
            )))
        };
        if target == Target::Collection {
            return Ok(());
        }
        let collection_only = [
            ("$top", self.top.is_some()),
            ("$skip", self.skip.is_some()),
            ("$orderby", self.orderby.is_some()),
            ("$skiptoken", self.skiptoken.is_some()),
            ("$count", self.count),
        ];
        if let Some((name, _)) = collection_only.iter().find(|(_, present)| *present) {
            return refused(name);
        }
        if target == Target::Count && self.select.is_some() {
            return refused("$select");
        }
        Ok(())
    }
}

fn parse_number(name: &str, value: &str) -> Result<u64, ApiError> {
    value.trim().parse::<u64>().map_err(|_| {
        ApiError::bad_request(format!(
            "Syntax error at position 1 in '{name}': '{value}' is not a non-negative integer."
        ))
    })
}

fn parse_top(value: &str) -> Result<usize, ApiError> {
    let top = parse_number("$top", value)?;
    if top == 0 || top > MAX_TOP as u64 {
        return Err(ApiError::bad_request(format!(
            "Invalid value '{value}' for '$top': it must be between 1 and {MAX_TOP}."
        )));
    }
    Ok(top as usize)
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ApiError> {
    match value.trim() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ApiError::bad_request(format!(
            "Syntax error at position 1 in '{name}': expected true or false, found '{value}'."
        ))),
    }
}

/// The comma-separated items of an option, each with its 1-based character position.
fn items(value: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut position = 1;
    value.split(',').map(move |item| {
        let leading = item.chars().take_while(|c| c.is_whitespace()).count();
        let start = position + leading;
        position += item.chars().count() + 1;
        (start, item.trim())
    })
}

fn parse_select(value: &str) -> Result<SelectOption, ApiError> {
    let mut selection = Selection {
        snapshot_date_time: false,
        license_info_details: false,
    };
    let mut names = Vec::new();
    for (position, item) in items(value) {
        match item {
            "*" => selection = Selection::ALL,
            "id" => {}
            "snapshotDateTime" => selection.snapshot_date_time = true,
            "licenseInfoDetails" => selection.license_info_details = true,
            "" => {
                return Err(ApiError::bad_request(format!(
                    "Syntax error at position {position} in '$select': expected a property name."
                )))
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Syntax error at position {position} in '$select': could not find a property named '{other}' on type 'microsoft.graph.azureADLicenseUsage'."
                )))
            }
        }
        names.push(item.to_owned());
    }
    Ok(SelectOption { selection, names })
}

fn parse_orderby(value: &str) -> Result<OrderByOption, ApiError> {
    let mut keys = Vec::new();
    for (position, item) in items(value) {
        let mut words = item.split_whitespace();
        let property = match words.next() {
            Some("id") => OrderProperty::Id,
            Some("snapshotDateTime") => OrderProperty::SnapshotDateTime,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "Syntax error at position {position} in '$orderby': '{other}' is not a sortable property; use id or snapshotDateTime."
                )))
            }
            None => {
                return Err(ApiError::bad_request(format!(
                    "Syntax error at position {position} in '$orderby': expected a property name."
                )))
            }
        };
        let descending = match words.next() {
            None | Some("asc") => false,
            Some("desc") => true,
            Some(other) => {
                return Err(ApiError::bad_request(format!(
                    "Syntax error in '$orderby' item at position {position}: expected asc or desc, found '{other}'."
                )))
            }
        };
        if let Some(extra) = words.next() {
            return Err(ApiError::bad_request(format!(
                "Syntax error in '$orderby' item at position {position}: unexpected '{extra}'."
            )));
        }
        keys.push(OrderKey {
            property,
            descending,
        });
    }
    Ok(OrderByOption {
        keys,
        text: value.to_owned(),
    })
}
