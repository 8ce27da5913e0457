//! `GET /beta/reports/licenseReclaim?licenseType=…` (tally's, for the dashboard's Reclaim view):
//! the users of one license type who have not signed in within the last 30 × 24 h, in id
//! order, with the licenses each holds. `$top` and `$skiptoken` page it; `$count=true` adds the
//! number of users (`@odata.count`) and of the units they hold (`@tally.unitCount`), which
//! takes a pass over every candidate.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value as Json};
use tally_model::directory::derive::{Tier, ACTIVE_WINDOW};
use tally_model::directory::reclaim::{deciding_skus, Reclaim};
use tally_model::directory::types::USER;
use tally_model::directory::{User, AUDIT_LOG};
use tally_odata::edm::DateTimeOffset;
use tally_store::directory::insight::ReclaimQuery;
use tally_store::{Cursor, CursorValue};

use crate::error::ApiError;
use crate::http::odata_response::odata_json_bytes;
use crate::paging::{self, PageToken};
use crate::query_options::{QueryOptions, Target};
use crate::routes::listing::DEFAULT_PAGE_SIZE;
use crate::routes::ApiRequest;
use crate::state::AppState;

/// Candidates read by the first query of a scan beyond those wanted, and the most any query
/// reads. Nearly every candidate is listed (only disabled plans can lower a holder's type), so
/// a page's first query usually fills it; a count reads in large batches.
const SLACK: usize = 8;
const BATCH: usize = 2000;

pub async fn get(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    if !request.principal.allows(&AUDIT_LOG, false) {
        return Err(ApiError::forbidden(AUDIT_LOG.read_denied));
    }
    let tier = license_type(request)?;
    let options = QueryOptions::parse(&USER, request.raw_query.as_deref(), request.filter_options)?;
    options.check_target(Target::Collection)?;
    if let Some(name) = options.unsupported(&["$top", "$count", "$skiptoken"]) {
        return Err(ApiError::bad_request(format!(
            "The query option '{name}' is not supported on licenseReclaim."
        )));
    }
    let fingerprint = paging::fingerprint(&format!("licenseReclaim/{}", tier.member()), None, None);
    let after = match &options.skiptoken {
        Some(text) => {
            let token = PageToken::decode(text, &state.paging, request.tenant(), &fingerprint)?;
            match token.after.0.as_slice() {
                [CursorValue::Text(id)] => Some(id.clone()),
                _ => return Err(ApiError::bad_request("The $skiptoken is invalid.")),
            }
        }
        None => None,
    };
    let page_size = options.top.unwrap_or(DEFAULT_PAGE_SIZE);

    let tenant = request.tenant();
    let skus = state.store.list_skus(tenant).await?;
    let now = DateTimeOffset::parse(&tally_store::directory::now_text())
        .map_err(|_| ApiError::internal())?;
    let reclaim = Reclaim::new(&skus, tier, &now);
    let mut query = ReclaimQuery {
        skus: deciding_skus(&skus, tier),
        active: (now.ticks() - ACTIVE_WINDOW, now.ticks()),
        after: None,
        limit: BATCH,
    };

    let count = if options.count {
        let (mut users, mut units) = (0usize, 0usize);
        scan(
            state,
            request,
            &reclaim,
            query.clone(),
            usize::MAX,
            |user| {
                users += 1;
                units += Reclaim::units(&user);
            },
        )
        .await?;
        Some((users, units))
    } else {
        None
    };
    query.after = after;
    let mut rows = Vec::with_capacity(page_size + 1);
    scan(state, request, &reclaim, query, page_size + 1, |user| {
        rows.push(user);
    })
    .await?;
    let next = (rows.len() > page_size).then(|| {
        rows.truncate(page_size);
        let token = PageToken {
            tenant,
            fingerprint,
            since_ticks: None,
            after: Cursor(vec![CursorValue::Text(rows[page_size - 1].id.to_string())]),
        };
        paging::next_link(
            &request.base_url,
            &request.path,
            request.raw_query.as_deref(),
            &token.encode(&state.paging),
        )
    });

    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        Json::String(request.context_url("reports/licenseReclaim")),
    );
    if let Some((users, units)) = count {
        body.insert("@odata.count".into(), users.into());
        body.insert("@tally.unitCount".into(), units.into());
    }
    if let Some(link) = next {
        body.insert("@odata.nextLink".into(), Json::String(link));
    }
    // The annotations, then the rows written straight from their structs.
    let mut bytes = serde_json::to_vec(&body).unwrap_or_default();
    bytes.pop();
    bytes.extend_from_slice(b",\"value\":");
    let value: Vec<_> = rows.iter().map(|user| reclaim.row(user)).collect();
    serde_json::to_writer(&mut bytes, &value).map_err(|_| ApiError::internal())?;
    bytes.push(b'}');
    Ok(odata_json_bytes(StatusCode::OK, bytes))
}

/// The `licenseType` parameter: basic, premiumP1 or premiumP2.
fn license_type(request: &ApiRequest) -> Result<Tier, ApiError> {
    let given = form_urlencoded::parse(request.raw_query.as_deref().unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "licenseType")
        .map(|(_, value)| value.into_owned());
    match given {
        Some(name) => Tier::parse(&name).ok_or_else(|| {
            ApiError::bad_request(format!(
                "licenseType '{name}' is not one of basic, premiumP1, premiumP2."
            ))
        }),
        None => Err(ApiError::bad_request(
            "licenseReclaim needs a licenseType: basic, premiumP1 or premiumP2.",
        )),
    }
}

/// Calls `listed` with each listed user after `query.after`, in id order, until `wanted` were.
async fn scan(
    state: &AppState,
    request: &ApiRequest,
    reclaim: &Reclaim<'_>,
    mut query: ReclaimQuery,
    wanted: usize,
    mut listed: impl FnMut(User),
) -> Result<(), ApiError> {
    let mut found = 0;
    query.limit = wanted.saturating_add(SLACK).min(BATCH);
    loop {
        let candidates = state
            .store
            .reclaim_candidates(request.tenant(), query.clone())
            .await?;
        let full = candidates.len() == query.limit;
        let last = candidates.last().map(|user| user.id.to_string());
        for user in candidates {
            if reclaim.lists(&user) {
                listed(user);
                found += 1;
                if found == wanted {
                    return Ok(());
                }
            }
        }
        match last {
            Some(last) if full => {
                query.after = Some(last);
                query.limit = (query.limit * 2).min(BATCH);
            }
            _ => return Ok(()),
        }
    }
}
