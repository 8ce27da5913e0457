//! Collection responses shared by the collection and the report function: query options,
//! keyset paging with `$skiptoken`, `@odata.count` and `@odata.nextLink`.

use axum::http::StatusCode;
use axum::response::Response;
use tally_model::{push_json_str, EntityJson, Selection};
use tally_store::{ListQuery, ListedUsage};

use super::ApiRequest;
use crate::error::ApiError;
use crate::http::json::odata_json_bytes;
use crate::paging::{self, PageToken};
use crate::query_options::{QueryOptions, Target};
use crate::state::AppState;

/// The page size when the client does not set `$top`.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// What differs between the collection and the function.
pub struct Listing<'a> {
    /// A name that keeps one resource's tokens from being used on another.
    pub resource: &'static str,
    /// The report window; a `$skiptoken` replaces it with the first page's.
    pub since_ticks: Option<i64>,
    /// The `@odata.context` fragment, before any `$select`.
    pub context_fragment: &'a str,
    /// Whether the fragment names an entity set (so `$select` goes in parentheses after it).
    pub selectable_context: bool,
}

/// The query a request's options describe, and the options themselves.
pub fn query_for(
    state: &AppState,
    request: &ApiRequest,
    listing: &Listing<'_>,
    target: Target,
) -> Result<(ListQuery, QueryOptions), ApiError> {
    let options = QueryOptions::parse(request.raw_query.as_deref())?;
    options.check_target(target)?;
    let fingerprint = options.fingerprint(listing.resource);
    let mut query = ListQuery {
        since_ticks: listing.since_ticks,
        filter: options.filter.as_ref().map(|filter| filter.expr.clone()),
        order: options
            .orderby
            .as_ref()
            .map(|orderby| orderby.keys.clone())
            .unwrap_or_default(),
        after: None,
        skip: options.skip.unwrap_or(0),
        page_size: options.top.unwrap_or(DEFAULT_PAGE_SIZE),
    };
    if let Some(text) = &options.skiptoken {
        let token = PageToken::decode(text, &state.paging, request.tenant(), &fingerprint)?;
        query.since_ticks = token.since_ticks;
        query.after = Some(token.after);
        query.skip = 0;
    }
    Ok((query, options))
}

/// Answers one page of a collection.
pub async fn page(
    state: &AppState,
    request: &ApiRequest,
    listing: &Listing<'_>,
) -> Result<Response, ApiError> {
    let (query, options) = query_for(state, request, listing, Target::Collection)?;
    let count = if options.count {
        Some(state.store.count(request.tenant(), query.clone()).await?)
    } else {
        None
    };
    let page = state.store.list(request.tenant(), query.clone()).await?;
    let next_link = page.next.map(|after| {
        let token = PageToken {
            tenant: request.tenant(),
            fingerprint: options.fingerprint(listing.resource),
            since_ticks: query.since_ticks,
            after,
        };
        paging::next_link(
            &request.base_url,
            &request.path,
            request.raw_query.as_deref(),
            &token.encode(&state.paging),
        )
    });
    let selection = options
        .select
        .as_ref()
        .map_or(Selection::ALL, |select| select.selection);
    let fragment = match (&options.select, listing.selectable_context) {
        (Some(select), true) => format!("{}({})", listing.context_fragment, select.names.join(",")),
        _ => listing.context_fragment.to_owned(),
    };
    let body = CollectionJson {
        context: request.context_url(&fragment),
        count,
        next_link,
        items: &page.items,
        selection,
    };
    Ok(odata_json_bytes(StatusCode::OK, body.to_vec()))
}

/// Answers `/$count`: the number as plain text.
pub async fn count(
    state: &AppState,
    request: &ApiRequest,
    listing: &Listing<'_>,
) -> Result<Response, ApiError> {
    let (query, _) = query_for(state, request, listing, Target::Count)?;
    let count = state.store.count(request.tenant(), query).await?;
    Ok(axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "text/plain;charset=utf-8")],
        count.to_string(),
    )))
}

struct CollectionJson<'a> {
    context: String,
    count: Option<u64>,
    next_link: Option<String>,
    items: &'a [ListedUsage],
    selection: Selection,
}

impl CollectionJson<'_> {
    /// `{"@odata.context", "@odata.count"?, "@odata.nextLink"?, "value": [...]}`, written as
    /// [`EntityJson::write_to`] writes each object.
    fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.items.len() * 700);
        out.extend_from_slice(b"{\"@odata.context\":");
        push_json_str(&mut out, &self.context);
        if let Some(count) = self.count {
            out.extend_from_slice(b",\"@odata.count\":");
            out.extend_from_slice(count.to_string().as_bytes());
        }
        if let Some(next_link) = &self.next_link {
            out.extend_from_slice(b",\"@odata.nextLink\":");
            push_json_str(&mut out, next_link);
        }
        out.extend_from_slice(b",\"value\":[");
        for (index, item) in self.items.iter().enumerate() {
            if index > 0 {
                out.push(b',');
            }
            EntityJson {
                id: item.id,
                snapshot_date_time: &item.snapshot_date_time,
                details: item.details_json(),
                etag: Some(item.etag()),
                context: None,
                selection: self.selection,
            }
            .write_to(&mut out);
        }
        out.extend_from_slice(b"]}");
        out
    }
}
