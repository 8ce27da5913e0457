//! The system query options of a request (`$top`, `$skip`, `$count`, `$select`, `$orderby`,
//! `$filter`, `$skiptoken`), parsed once at the edge. Unknown `$` options and the unsupported ones
//! are 400s; unknown non-`$` parameters are ignored, as on Graph.

use tally_odata::query::{self, FilterOptions, OrderBy, QueryError, Selection, TypedExpr};
use tally_odata::schema::EntityType;

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
    pub filter: Option<FilterOption>,
    pub skiptoken: Option<String>,
}

#[derive(Clone, Debug)]
pub struct SelectOption {
    pub selection: Selection,

    /// The selected names as written, for `@odata.context`.
    pub names: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct FilterOption {
    pub expr: TypedExpr,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct OrderByOption {
    pub keys: Vec<OrderBy>,
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
    /// Parses the options of a request on objects of `ty` (which `$filter`, `$select` and
    /// `$orderby` are bound against); `$filter` within `filter_options` (the server's).
    pub fn parse(
        ty: &'static EntityType,
        raw: Option<&str>,
        filter_options: FilterOptions,
    ) -> Result<Self, ApiError> {
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
                "$select" => options.select = Some(parse_select(ty, &value)?),
                "$orderby" => options.orderby = Some(parse_orderby(ty, &value)?),
                "$filter" => {
                    options.filter = Some(FilterOption {
                        expr: query::filter_with(ty, &value, filter_options)
                            .map_err(query_error)?,
                        text: value.into_owned(),
                    })
                }
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
        Ok(options)
    }

    /// What a `$skiptoken` is bound to: the resource, the filter and the order.
    pub fn fingerprint(&self, resource: &str) -> String {
        crate::paging::fingerprint(
            resource,
            self.filter.as_ref().map(|filter| filter.text.as_str()),
            self.orderby.as_ref().map(|orderby| orderby.text.as_str()),
        )
    }

    /// The first option given that is not in `supported` (`"$select"`, `"$top"`, …), in the
    /// order `$filter`, `$orderby`, `$select`, `$top`, `$skip`, `$count`, `$skiptoken`: what a
    /// read that takes only some of them refuses.
    pub fn unsupported(&self, supported: &[&str]) -> Option<&'static str> {
        let given = [
            ("$filter", self.filter.is_some()),
            ("$orderby", self.orderby.is_some()),
            ("$select", self.select.is_some()),
            ("$top", self.top.is_some()),
            ("$skip", self.skip.is_some()),
            ("$count", self.count),
            ("$skiptoken", self.skiptoken.is_some()),
        ];
        given
            .into_iter()
            .find(|(name, present)| *present && !supported.contains(name))
            .map(|(name, _)| name)
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
            ("$filter", self.filter.is_some() && target == Target::Single),
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

fn query_error(error: QueryError) -> ApiError {
    ApiError::bad_request(format!("{error}."))
}

fn parse_select(ty: &'static EntityType, value: &str) -> Result<SelectOption, ApiError> {
    let selection = query::select(ty, value).map_err(query_error)?;
    let mut names: Vec<String> = selection
        .properties
        .iter()
        .map(|property| property.name.to_owned())
        .collect();
    if selection.star {
        names.push("*".to_owned());
    }
    Ok(SelectOption { selection, names })
}

fn parse_orderby(ty: &'static EntityType, value: &str) -> Result<OrderByOption, ApiError> {
    Ok(OrderByOption {
        keys: query::orderby(ty, value).map_err(query_error)?,
        text: value.to_owned(),
    })
}
