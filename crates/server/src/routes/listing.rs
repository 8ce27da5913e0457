//! Collection responses shared by the collection and the report function: query options,
//! keyset paging with `$skiptoken`, `@odata.count` and `@odata.nextLink`.

use axum::http::StatusCode;
use axum::response::Response;
use tally_model::{push_json_str, EntityJson, ResourceDef, Versioned};
use tally_odata::query::Selection;
use tally_store::{ListQuery, Scope};

use super::ApiRequest;
use crate::error::ApiError;
use crate::http::odata_response::odata_json_bytes;
use crate::paging::{self, PageToken};
use crate::query_options::{QueryOptions, Target};
use crate::state::AppState;

/// The page size when the client does not set `$top`.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// What differs between a collection and its function.
pub struct Listing {
    pub def: &'static ResourceDef,
    /// A name that keeps one listing's tokens from being used on another.
    pub name: &'static str,
    /// Which objects; a `$skiptoken` replaces a report window with the first page's.
    pub scope: Scope,
    /// The `@odata.context` fragment, before any `$select`.
    pub context_fragment: String,
    /// Whether the fragment names an entity set (so `$select` goes in parentheses after it).
    pub selectable_context: bool,
}

impl Listing {
    /// The collection, `/reports/{collection}` or `/directory/{collection}`.
    pub fn collection(def: &'static ResourceDef) -> Self {
        Self {
            def,
            name: def.collection,
            scope: Scope::All,
            context_fragment: def.path(),
            selectable_context: true,
        }
    }

    /// The resource's function `name`, over `scope`.
    pub fn function(def: &'static ResourceDef, name: &'static str, scope: Scope) -> Self {
        Self {
            def,
            name,
            scope,
            context_fragment: format!("Collection({})", def.entity.name),
            selectable_context: false,
        }
    }
}

/// The query a request's options describe, and the options themselves.
pub fn query_for(
    state: &AppState,
    request: &ApiRequest,
    listing: &Listing,
    target: Target,
) -> Result<(ListQuery, QueryOptions), ApiError> {
    let options = request.options(listing.def, target)?;
    let fingerprint = options.fingerprint(listing.name);
    let mut query = ListQuery {
        scope: listing.scope,
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
        if let Some(since) = token.since_ticks {
            query.scope = Scope::Since(since);
        }
        query.after = Some(token.after);
        query.skip = 0;
    }
    Ok((query, options))
}

/// Answers one page of a collection.
pub async fn page(
    state: &AppState,
    request: &ApiRequest,
    listing: &Listing,
) -> Result<Response, ApiError> {
    let def = listing.def;
    let (query, options) = query_for(state, request, listing, Target::Collection)?;
    let count = if options.count {
        Some(
            state
                .store
                .count(def, request.tenant(), query.clone())
                .await?,
        )
    } else {
        None
    };
    let page = state
        .store
        .list(def, request.tenant(), query.clone())
        .await?;
    let next_link = page.next.map(|after| {
        let token = PageToken {
            tenant: request.tenant(),
            fingerprint: options.fingerprint(listing.name),
            since_ticks: match query.scope {
                Scope::Since(since) => Some(since),
                Scope::All | Scope::Latest => None,
            },
            after,
        };
        paging::next_link(
            &request.base_url,
            &request.path,
            request.raw_query.as_deref(),
            &token.encode(&state.paging),
        )
    });
    let fragment = match (&options.select, listing.selectable_context) {
        (Some(select), true) => format!("{}({})", listing.context_fragment, select.names.join(",")),
        _ => listing.context_fragment.to_owned(),
    };
    let body = CollectionJson {
        def,
        context: request.context_url(&fragment),
        count,
        next_link,
        items: &page.items,
        selection: options.select.as_ref().map(|select| &select.selection),
    };
    Ok(odata_json_bytes(StatusCode::OK, body.to_vec()))
}

/// Answers `/$count`: the number as plain text.
pub async fn count(
    state: &AppState,
    request: &ApiRequest,
    listing: &Listing,
) -> Result<Response, ApiError> {
    let (query, _) = query_for(state, request, listing, Target::Count)?;
    let count = state
        .store
        .count(listing.def, request.tenant(), query)
        .await?;
    Ok(axum::response::IntoResponse::into_response((
        [(axum::http::header::CONTENT_TYPE, "text/plain;charset=utf-8")],
        count.to_string(),
    )))
}

struct CollectionJson<'a> {
    def: &'static ResourceDef,
    context: String,
    count: Option<u64>,
    next_link: Option<String>,
    items: &'a [Versioned],
    selection: Option<&'a Selection>,
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
                etag: Some(item.etag()),
                selection: self.selection,
                ..EntityJson::of(self.def.entity, &item.entity)
            }
            .write_to(&mut out);
        }
        out.extend_from_slice(b"]}");
        out
    }
}
