//! Which body a request's path takes, decided from the path alone before any byte of the body
//! is read: the API's (up to `--body-limit`, after its token is checked), the token endpoint's
//! (a small form of client credentials, read within a short deadline and holding no slot), or
//! none at all (every other path: health, metrics, the dashboard, discovery, the JWKS, unknown
//! paths), where a body is refused unread.

use std::time::Duration;

use axum::http::Request;

use crate::resource::Resolution;
use crate::signin;

/// The most a token request's form may be: a client secret or a client assertion (a JWT signed
/// with RS256 and its certificate's thumbprint) with the other parameters fit in a few KiB.
pub const TOKEN_FORM_LIMIT: usize = 16 * 1024;

/// A token request's form must arrive whole within this: SDKs send it in one write, with its
/// headers. A stalled one is answered 408 and its memory (at most [`TOKEN_FORM_LIMIT`]) freed.
pub const TOKEN_FORM_DEADLINE: Duration = Duration::from_secs(2);

/// The body a path takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyRule {
    /// `/v1.0` and `/beta`: the token first, then up to `--body-limit` within the body deadline,
    /// holding a body slot.
    Api,
    /// `POST /{tenant}/oauth2/v2.0/token`: a form up to [`TOKEN_FORM_LIMIT`] within
    /// [`TOKEN_FORM_DEADLINE`], no slot.
    TokenForm,
    /// Everything else takes no body.
    Nothing,
}

impl BodyRule {
    /// The rule of `request`'s path (after `canonical_version`): the API's when the
    /// [`Resolution`] the outermost layer left says it is under `/v1.0` or `/beta` (without one,
    /// it is not: a body there is refused, never read).
    pub fn of<B>(request: &Request<B>) -> Self {
        let api = request
            .extensions()
            .get::<Resolution>()
            .is_some_and(Resolution::is_api);
        if api {
            BodyRule::Api
        } else if signin::is_token_path(request.uri().path()) {
            BodyRule::TokenForm
        } else {
            BodyRule::Nothing
        }
    }

    /// The largest body the rule takes, given the API's `--body-limit`.
    pub fn limit(self, api_limit: usize) -> usize {
        match self {
            BodyRule::Api => api_limit,
            BodyRule::TokenForm => TOKEN_FORM_LIMIT,
            BodyRule::Nothing => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource;

    impl BodyRule {
        /// The rule of a request to `path`, its path resolved as the outermost layer does.
        fn of_path(path: &str) -> Self {
            let mut request = Request::new(());
            *request.uri_mut() = path.parse().unwrap();
            let resolution = Resolution(resource::resolve(path));
            request.extensions_mut().insert(resolution);
            Self::of(&request)
        }
    }

    #[test]
    fn paths_have_their_rules() {
        assert_eq!(BodyRule::of_path("/v1.0/reports/x"), BodyRule::Api);
        assert_eq!(BodyRule::of_path("/beta"), BodyRule::Api);
        let tenant = "0b4a7c52-4a6e-4d4f-9a39-2c8a3c1f9d11";
        let token = format!("/{tenant}/oauth2/v2.0/token");
        assert_eq!(BodyRule::of_path(&token), BodyRule::TokenForm);
        assert_eq!(
            BodyRule::of_path("/organizations/oauth2/v2.0/token"),
            BodyRule::TokenForm
        );
        for path in [
            "/",
            "/healthz",
            "/metrics",
            "/openapi.json",
            "/app.js",
            "/x/y/oauth2/v2.0/token",
            "//oauth2/v2.0/token",
            "/t/oauth2/v2.0/token/",
            "/t/v2.0/.well-known/openid-configuration",
            "/v1.0x/reports",
        ] {
            assert_eq!(BodyRule::of_path(path), BodyRule::Nothing, "{path}");
        }
        assert_eq!(BodyRule::Nothing.limit(1 << 20), 0);
        assert_eq!(BodyRule::Api.limit(1 << 20), 1 << 20);
    }
}
