//! `/users`: create, list (`$filter`, `$count`, `$orderby`, `$select`, keyset paging), get by id
//! or userPrincipalName, PATCH (204, as Graph answers) and DELETE.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use tally_model::directory::body::{user_create, UserPatch};
use tally_model::directory::types::{filterable, USER};
use tally_model::directory::wire::{self, UserView, SIGN_IN_ACTIVITY};
use tally_model::directory::{User, UserKey, AUDIT_LOG};
use tally_model::push_json_str;
use tally_odata::query::{Operand, TypedExpr};
use tally_odata::schema::Property;
use tally_store::directory::UserQuery;
use uuid::Uuid;

use super::{bad_request, directory_error, no_content, not_found, with_location};
use crate::error::ApiError;
use crate::http::odata_response::odata_json_bytes;
use crate::paging::{self, PageToken};
use crate::query_options::{QueryOptions, Target};
use crate::resource::ApiVersion;
use crate::routes::listing::DEFAULT_PAGE_SIZE;
use crate::routes::ApiRequest;
use crate::state::AppState;

/// What a listing's `$skiptoken` is bound to.
const LISTING: &str = "users";

/// The options of a user request, checked: what `$filter` may name, one `$orderby` key, and
/// AuditLog.Read.All wherever `signInActivity` is read.
fn options(request: &ApiRequest, target: Target) -> Result<QueryOptions, ApiError> {
    let options = QueryOptions::parse(&USER, request.raw_query.as_deref(), request.filter_options)?;
    options.check_target(target)?;
    let mut reads_sign_in = options.select.as_ref().is_some_and(|select| {
        select
            .selection
            .properties
            .iter()
            .any(|p| p.name == SIGN_IN_ACTIVITY)
    });
    if let Some(filter) = &options.filter {
        let mut refused = None;
        visit(&filter.expr, &mut |property| {
            if property.column.starts_with("sign_in") {
                reads_sign_in = true;
            }
            if !filterable(property) && refused.is_none() {
                refused = Some(property.name);
            }
        });
        if let Some(name) = refused {
            return Err(bad_request(format!(
                "Filtering on the property '{name}' of users is not supported."
            )));
        }
    }
    if options.orderby.as_ref().is_some_and(|o| o.keys.len() > 1) {
        return Err(bad_request(
            "Users are ordered by one property: displayName, userPrincipalName or id.",
        ));
    }
    if reads_sign_in && !request.principal.allows(&AUDIT_LOG, false) {
        return Err(ApiError::forbidden(AUDIT_LOG.read_denied));
    }
    Ok(options)
}

/// Calls `found` with each property of the user (not of a lambda's items) `expr` reads.
fn visit(expr: &TypedExpr, found: &mut impl FnMut(&'static Property)) {
    let operand = |operand: &Operand, found: &mut dyn FnMut(&'static Property)| match operand {
        Operand::Property(property) | Operand::Count(property) => found(property),
        Operand::Member(_) | Operand::Constant(_) => {}
    };
    match expr {
        TypedExpr::Constant(_) => {}
        TypedExpr::Compare { left, right, .. } => {
            operand(left, found);
            operand(right, found);
        }
        TypedExpr::In { operand: value, .. } => operand(value, found),
        TypedExpr::And(items) | TypedExpr::Or(items) => {
            items.iter().for_each(|item| visit(item, found));
        }
        TypedExpr::Not(inner) => visit(inner, found),
        TypedExpr::Any {
            collection,
            predicate,
        } => {
            found(collection);
            if let Some(predicate) = predicate {
                visit(predicate, found);
            }
        }
        TypedExpr::All {
            collection,
            predicate,
        } => {
            found(collection);
            visit(predicate, found);
        }
        TypedExpr::StartsWith { property, .. } => found(property),
    }
}

/// Which properties a response carries.
fn view<'a>(request: &ApiRequest, options: &'a QueryOptions) -> UserView<'a> {
    match (&options.select, request.version) {
        (Some(select), _) => UserView::Selected(&select.selection),
        (None, ApiVersion::V1) => UserView::V1Default,
        (None, ApiVersion::Beta) => UserView::BetaDefault,
    }
}

fn entity_context(request: &ApiRequest, options: &QueryOptions) -> String {
    match &options.select {
        Some(select) => request.context_url(&format!("users({})/$entity", select.names.join(","))),
        None => request.context_url("users/$entity"),
    }
}

pub async fn list(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    let options = options(request, Target::Collection)?;
    let fingerprint = options.fingerprint(LISTING);
    let mut query = UserQuery {
        filter: options.filter.as_ref().map(|filter| filter.expr.clone()),
        order: options
            .orderby
            .as_ref()
            .and_then(|orderby| orderby.keys.first().copied()),
        after: None,
        skip: options.skip.unwrap_or(0),
        page_size: options.top.unwrap_or(DEFAULT_PAGE_SIZE),
        without_plans: !view(request, &options).shows_plans(),
    };
    if let Some(text) = &options.skiptoken {
        let token = PageToken::decode(text, &state.paging, request.tenant(), &fingerprint)?;
        query.after = Some(token.after);
        query.skip = 0;
    }
    let count = if options.count {
        Some(
            state
                .store
                .count_users(request.tenant(), query.filter.clone())
                .await?,
        )
    } else {
        None
    };
    let page = state.store.list_users(request.tenant(), query).await?;
    let view = view(request, &options);
    let fragment = match &options.select {
        Some(select) => format!("users({})", select.names.join(",")),
        None => "users".into(),
    };
    let mut body = Vec::with_capacity(256 + page.items.len() * 400);
    body.extend_from_slice(b"{\"@odata.context\":");
    push_json_str(&mut body, &request.context_url(&fragment));
    if let Some(count) = count {
        body.extend_from_slice(format!(",\"@odata.count\":{count}").as_bytes());
    }
    if let Some(after) = page.next {
        let token = PageToken {
            tenant: request.tenant(),
            fingerprint,
            since_ticks: None,
            after,
        };
        let link = paging::next_link(
            &request.base_url,
            &request.path,
            request.raw_query.as_deref(),
            &token.encode(&state.paging),
        );
        body.extend_from_slice(b",\"@odata.nextLink\":");
        push_json_str(&mut body, &link);
    }
    body.extend_from_slice(b",\"value\":[");
    for (index, user) in page.items.iter().enumerate() {
        if index > 0 {
            body.push(b',');
        }
        wire::write_user(&mut body, user, view, None);
    }
    body.extend_from_slice(b"]}");
    Ok(odata_json_bytes(StatusCode::OK, body))
}

/// One user as a response.
fn user_response(status: StatusCode, context: &str, user: &User, view: UserView<'_>) -> Response {
    let mut body = Vec::with_capacity(1024);
    wire::write_user(&mut body, user, view, Some(context));
    odata_json_bytes(status, body)
}

/// `/users/$count`: plain text, as Graph answers.
pub async fn count(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    let options = options(request, Target::Count)?;
    let count = state
        .store
        .count_users(request.tenant(), options.filter.map(|filter| filter.expr))
        .await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain;charset=utf-8")],
        count.to_string(),
    )
        .into_response())
}

pub async fn get(state: &AppState, request: &ApiRequest, key: &str) -> Result<Response, ApiError> {
    let options = options(request, Target::Single)?;
    let user = state
        .store
        .get_user(request.tenant(), UserKey::parse(key))
        .await?
        .ok_or_else(|| not_found(key))?;
    Ok(user_response(
        StatusCode::OK,
        &entity_context(request, &options),
        &user,
        view(request, &options),
    ))
}

/// POST: 201 with the user (its default properties) and `Location`.
pub async fn create(state: &AppState, request: &ApiRequest) -> Result<Response, ApiError> {
    let options = options(request, Target::Single)?;
    let user = user_create(&request.body, Uuid::new_v4()).map_err(bad_request)?;
    let user = state
        .store
        .create_user(request.tenant(), user)
        .await
        .map_err(|error| directory_error(error, "users"))?;
    let response = user_response(
        StatusCode::CREATED,
        &entity_context(request, &options),
        &user,
        view(request, &options),
    );
    Ok(with_location(
        response,
        &format!("{}/users/{}", request.service_root(), user.id),
    ))
}

/// PATCH: 204, as Graph answers a user's update.
pub async fn update(
    state: &AppState,
    request: &ApiRequest,
    key: &str,
) -> Result<Response, ApiError> {
    let patch = UserPatch::parse(&request.body).map_err(bad_request)?;
    state
        .store
        .update_user(request.tenant(), UserKey::parse(key), patch)
        .await
        .map_err(|error| directory_error(error, key))?;
    Ok(no_content())
}

pub async fn delete(
    state: &AppState,
    request: &ApiRequest,
    key: &str,
) -> Result<Response, ApiError> {
    state
        .store
        .delete_user(request.tenant(), UserKey::parse(key))
        .await
        .map_err(|error| directory_error(error, key))?;
    Ok(no_content())
}
