//! Server-driven paging: the opaque, tamper-evident `$skiptoken` and the absolute
//! `@odata.nextLink` that carries it.
//!
//! A token holds the keyset position (the order-key values of the last object sent), the
//! report window fixed by the first page, the tenant, and a fingerprint of the query it belongs
//! to; it is signed with HMAC-SHA256 under a key derived from the local signing key, so every
//! process sharing the data directory accepts every other's tokens.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tally_store::{Cursor, CursorValue, TenantId};
use uuid::Uuid;

use crate::error::ApiError;

/// The secret that signs paging tokens.
#[derive(Clone)]
pub struct PagingKey([u8; 32]);

impl PagingKey {
    /// Derives the key from other secret bytes (the local signing key).
    pub fn derive(secret: &[u8]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"tally paging token key v1\0");
        hasher.update(secret);
        Self(hasher.finalize().into())
    }

    fn mac(&self, payload: &[u8]) -> Hmac<Sha256> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
        mac.update(payload);
        mac
    }
}

/// What a `$skiptoken` says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageToken {
    pub tenant: TenantId,
    /// Ties the token to one query (resource, filter, order).
    pub fingerprint: String,
    pub since_ticks: Option<i64>,
    pub after: Cursor,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    t: Uuid,
    f: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    s: Option<i64>,
    c: Vec<WireValue>,
}

#[derive(Serialize, Deserialize)]
enum WireValue {
    T(i64),
    S(String),
    I(Uuid),
    N,
}

impl PageToken {
    pub fn encode(&self, key: &PagingKey) -> String {
        let wire = Wire {
            t: self.tenant,
            f: self.fingerprint.clone(),
            s: self.since_ticks,
            c: self
                .after
                .0
                .iter()
                .map(|value| match value {
                    CursorValue::Int(number) => WireValue::T(*number),
                    CursorValue::Text(text) => WireValue::S(text.clone()),
                    CursorValue::Id(id) => WireValue::I(*id),
                    CursorValue::Null => WireValue::N,
                })
                .collect(),
        };
        let payload = serde_json::to_vec(&wire).unwrap_or_default();
        let tag = key.mac(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// Checks the signature and that the token belongs to this tenant and query.
    pub fn decode(
        text: &str,
        key: &PagingKey,
        tenant: TenantId,
        fingerprint: &str,
    ) -> Result<Self, ApiError> {
        let invalid = || {
            ApiError::bad_request(
                "The $skiptoken is invalid; follow @odata.nextLink as it was returned.",
            )
        };
        let (payload, tag) = text.split_once('.').ok_or_else(invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        key.mac(&payload)
            .verify_slice(&tag)
            .map_err(|_| invalid())?;
        let wire: Wire = serde_json::from_slice(&payload).map_err(|_| invalid())?;
        if wire.t != tenant || wire.f != fingerprint {
            return Err(invalid());
        }
        Ok(PageToken {
            tenant,
            fingerprint: wire.f,
            since_ticks: wire.s,
            after: Cursor(
                wire.c
                    .into_iter()
                    .map(|value| match value {
                        WireValue::T(number) => CursorValue::Int(number),
                        WireValue::S(text) => CursorValue::Text(text),
                        WireValue::I(id) => CursorValue::Id(id),
                        WireValue::N => CursorValue::Null,
                    })
                    .collect(),
            ),
        })
    }
}

/// The fingerprint of a query: what must stay the same from page to page.
pub fn fingerprint(resource: &str, filter: Option<&str>, orderby: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    for part in [
        resource,
        filter.unwrap_or_default(),
        orderby.unwrap_or_default(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    URL_SAFE_NO_PAD.encode(&hasher.finalize()[..12])
}

/// The next page's URL: this request's URL, its other parameters kept as the client wrote them,
/// with `$skip` dropped and `$skiptoken` replaced (the token is URL-safe as it is).
pub fn next_link(base_url: &str, path: &str, raw_query: Option<&str>, token: &str) -> String {
    let mut query: Vec<&str> = raw_query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            let name = percent_encoding::percent_decode_str(name).decode_utf8_lossy();
            !pair.is_empty()
                && !name.eq_ignore_ascii_case("$skip")
                && !name.eq_ignore_ascii_case("$skiptoken")
        })
        .collect();
    let skiptoken = format!("$skiptoken={token}");
    query.push(&skiptoken);
    format!("{base_url}{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> PageToken {
        PageToken {
            tenant: Uuid::from_u128(1),
            fingerprint: fingerprint("collection", None, Some("id desc")),
            since_ticks: Some(42),
            after: Cursor(vec![
                CursorValue::Int(-5),
                CursorValue::Id(Uuid::from_u128(9)),
            ]),
        }
    }

    #[test]
    fn a_token_round_trips_for_its_tenant_and_query() {
        let key = PagingKey::derive(b"secret");
        let text = token().encode(&key);
        assert_eq!(
            PageToken::decode(&text, &key, token().tenant, &token().fingerprint).unwrap(),
            token()
        );
    }

    #[test]
    fn tampering_another_key_tenant_or_query_is_refused() {
        let key = PagingKey::derive(b"secret");
        let text = token().encode(&key);
        let mut tampered = text.clone().into_bytes();
        tampered[3] = if tampered[3] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).unwrap();
        let fp = token().fingerprint;
        assert!(PageToken::decode(&tampered, &key, token().tenant, &fp).is_err());
        assert!(
            PageToken::decode(&text, &PagingKey::derive(b"other"), token().tenant, &fp).is_err()
        );
        assert!(PageToken::decode(&text, &key, Uuid::from_u128(2), &fp).is_err());
        assert!(PageToken::decode(&text, &key, token().tenant, "other").is_err());
        assert!(PageToken::decode("garbage", &key, token().tenant, &fp).is_err());
    }
}
