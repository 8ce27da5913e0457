//! `tally collect`'s client of Microsoft Graph: it signs in with client credentials (a secret,
//! or a certificate's client assertion) and renews its token, sends the token only to Graph's
//! origin, streams each page into its records ([`page`](super::page)) within
//! `--max-page-bytes`, and retries 429, 5xx and broken connections after their Retry-After
//! (decimal seconds too) or a backoff, a capped number of times, for a capped time of waiting,
//! and never past `--timeout`.

use std::io::Read;
use std::net::IpAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::de::DeserializeOwned;
use serde_json::Value;
use ureq::http::Uri;

use super::limits::Limits;
use super::page::{self, Page, PageError};

/// The longest single wait, whatever Retry-After says, and the most waiting in all.
const LONGEST_WAIT: Duration = Duration::from_secs(120);
const TOTAL_WAIT: Duration = Duration::from_secs(900);
/// The longest a single request may take, body included (less when `--timeout` is nearer).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);
/// The largest token response read.
const TOKEN_LIMIT: u64 = 1 << 20;
/// How much of an error's body is read for its message.
const ERROR_BODY_LIMIT: u64 = 64 << 10;
/// The longest a token is trusted, whatever `expires_in` says (Entra's last 60 to 90 minutes).
const LONGEST_TOKEN_LIFETIME: u64 = 86_400;

/// A base URL without its trailing slash: https, or http on a loopback address.
pub(super) fn checked_url(flag: &str, text: &str) -> anyhow::Result<String> {
    let text = text.trim_end_matches('/');
    let uri: Uri = text
        .parse()
        .with_context(|| format!("{flag}: '{text}' is not a URL"))?;
    let host = uri
        .host()
        .with_context(|| format!("{flag}: '{text}' has no host"))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(host) => {}
        _ => anyhow::bail!(
            "{flag}: '{text}' must be https (http only on a loopback address, for tests)"
        ),
    }
    if uri.query().is_some() {
        anyhow::bail!("{flag}: '{text}' must not have a query");
    }
    Ok(text.to_owned())
}

fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Scheme, host and port of a URL, lowercased: where the bearer token may be sent.
fn origin(url: &str) -> anyhow::Result<String> {
    let uri: Uri = url
        .parse()
        .with_context(|| format!("'{url}' is not a URL"))?;
    let scheme = uri.scheme_str().unwrap_or("");
    let port = uri
        .port_u16()
        .unwrap_or(if scheme == "https" { 443 } else { 80 });
    Ok(format!(
        "{scheme}://{}:{port}",
        uri.host().unwrap_or("").to_ascii_lowercase()
    ))
}

/// The token's scope: Graph's own, whatever URL reaches it (another tally accepts Graph's
/// audience).
const SCOPE: &str = "https://graph.microsoft.com/.default";

pub(super) enum Credential {
    Secret(String),
    Certificate(Certificate),
}

/// A certificate and its RSA key, for client assertions (RFC 7523, as Entra takes them).
pub(super) struct Certificate {
    x5t_s256: String,
    key: jsonwebtoken::EncodingKey,
}

impl Certificate {
    pub(super) fn from_pem(pem: &[u8]) -> anyhow::Result<Self> {
        let registered = tally_server::signin::certificate::registered(pem)?;
        let text = std::str::from_utf8(pem).context("not a PEM file")?;
        let begin = text
            .find("-----BEGIN RSA PRIVATE KEY-----")
            .or_else(|| text.find("-----BEGIN PRIVATE KEY-----"))
            .context("no private key (PKCS#8 or PKCS#1 RSA) after the certificate")?;
        let end_marker = "PRIVATE KEY-----";
        let end = text[begin..]
            .find("-----END")
            .and_then(|at| {
                text[begin + at..]
                    .find(end_marker)
                    .map(|to| begin + at + to)
            })
            .context("an unterminated private key")?
            + end_marker.len();
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(&text.as_bytes()[begin..end])
            .context("the private key")?;
        Ok(Self {
            x5t_s256: registered.sha256,
            key,
        })
    }

    fn assertion(&self, client_id: &str, audience: &str) -> anyhow::Result<String> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        header.x5t_s256 = Some(self.x5t_s256.clone());
        let now = chrono_now();
        let claims = serde_json::json!({
            "aud": audience,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + 600,
        });
        Ok(jsonwebtoken::encode(&header, &claims, &self.key)?)
    }
}

fn chrono_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|since| since.as_secs())
        .unwrap_or(0)
}

struct Token {
    value: String,
    renew_at: Instant,
}

pub(super) struct Graph {
    agent: ureq::Agent,
    token_url: String,
    scope: String,
    origin: String,
    client_id: String,
    credential: Credential,
    token: Option<Token>,
    max_attempts: u32,
    limits: Limits,
    /// Attempts beyond the first, over the whole collect.
    pub(super) retries: u32,
    waited: Duration,
}

/// What one attempt of a request came to.
enum Attempt<T> {
    Done(T),
    /// Worth another try, after Retry-After if it said.
    Retry(String, Option<Duration>),
}

impl Graph {
    pub(super) fn new(
        authority: &str,
        tenant: uuid::Uuid,
        graph: &str,
        client_id: String,
        credential: Credential,
        max_attempts: u32,
        limits: Limits,
    ) -> anyhow::Result<Self> {
        Ok(Graph {
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(REQUEST_TIMEOUT))
                .timeout_connect(Some(Duration::from_secs(10)))
                .max_redirects(0)
                .build()
                .into(),
            token_url: format!("{authority}/{tenant}/oauth2/v2.0/token"),
            scope: SCOPE.to_owned(),
            origin: origin(graph)?,
            client_id,
            credential,
            token: None,
            max_attempts: max_attempts.max(1),
            limits,
            retries: 0,
            waited: Duration::ZERO,
        })
    }

    /// A page's `@odata.nextLink`, checked to be on Graph's origin (the token goes there).
    pub(super) fn next_link(&self, link: Option<String>) -> anyhow::Result<Option<String>> {
        let Some(link) = link else {
            return Ok(None);
        };
        if origin(&link)? != self.origin {
            anyhow::bail!(
                "an @odata.nextLink '{link}' leaves {} (the token is not sent elsewhere)",
                self.origin
            );
        }
        Ok(Some(link))
    }

    /// GETs the page at `url` with the app's token, retrying what may pass: each item a `T`,
    /// made a record by `convert` as it arrives. A retry reads the page again from its start.
    pub(super) fn get_page<T: DeserializeOwned, R>(
        &mut self,
        url: &str,
        mut convert: impl FnMut(T) -> anyhow::Result<R>,
    ) -> anyhow::Result<Page<R>> {
        let what = format!("GET {url}");
        self.with_retries(&what, |graph| {
            let token = graph.token()?;
            let response = graph
                .agent
                .get(url)
                .header("Authorization", format!("Bearer {token}"))
                .header("Accept", "application/json")
                .config()
                .timeout_global(Some(graph.request_timeout()))
                .build()
                .call();
            let limits = graph.limits;
            graph.answer(response, true, |body| {
                let body = body
                    .into_with_config()
                    .limit(limits.max_page_bytes)
                    .reader();
                match page::read(body, &mut convert) {
                    Ok(page) => Ok(Attempt::Done(page)),
                    Err(PageError::Item(error)) => Err(error),
                    Err(PageError::Json(error)) => unreadable(error, &limits, &what),
                }
            })
        })
    }

    /// A request's time: its own limit, or what is left of `--timeout` when that is less.
    fn request_timeout(&self) -> Duration {
        REQUEST_TIMEOUT.min(self.limits.remaining())
    }

    /// A valid access token: the one held, or a new one from the token endpoint.
    fn token(&mut self) -> anyhow::Result<String> {
        if let Some(token) = &self.token {
            if Instant::now() < token.renew_at {
                return Ok(token.value.clone());
            }
        }
        let url = self.token_url.clone();
        let answer = self.with_retries(&format!("POST {url}"), |graph| {
            let mut form = vec![
                ("grant_type", "client_credentials".to_owned()),
                ("client_id", graph.client_id.clone()),
                ("scope", graph.scope.clone()),
            ];
            match &graph.credential {
                Credential::Secret(secret) => form.push(("client_secret", secret.clone())),
                Credential::Certificate(certificate) => {
                    form.push((
                        "client_assertion_type",
                        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
                    ));
                    form.push((
                        "client_assertion",
                        certificate.assertion(&graph.client_id, &url)?,
                    ));
                }
            }
            let response = graph
                .agent
                .post(&url)
                .config()
                .timeout_global(Some(graph.request_timeout()))
                .build()
                .send_form(form.iter().map(|(name, value)| (*name, value.as_str())));
            graph.answer(response, false, |body| {
                let body = body.into_with_config().limit(TOKEN_LIMIT).read_to_vec();
                match body {
                    Ok(body) => Ok(Attempt::Done(
                        serde_json::from_slice::<Value>(&body)
                            .context("a token response that is not JSON")?,
                    )),
                    Err(ureq::Error::BodyExceedsLimit(limit)) => {
                        anyhow::bail!("a token response larger than {limit} bytes")
                    }
                    Err(error) => Ok(Attempt::Retry(
                        format!("reading the response: {error}"),
                        None,
                    )),
                }
            })
        })?;
        let value = answer
            .get("access_token")
            .and_then(Value::as_str)
            .context("the token response has no access_token")?
            .to_owned();
        let lifetime = answer
            .get("expires_in")
            .and_then(|value| value.as_u64().or_else(|| value.as_str()?.parse().ok()))
            .unwrap_or(3600)
            // An absurd lifetime (`u64::MAX`) is held to a day: renewing sooner costs a sign-in.
            .min(LONGEST_TOKEN_LIFETIME);
        let now = Instant::now();
        self.token = Some(Token {
            value: value.clone(),
            // Renewed five minutes early, or at half its life when that is shorter.
            renew_at: now
                .checked_add(Duration::from_secs(
                    lifetime.saturating_sub(300).max(lifetime / 2),
                ))
                .unwrap_or(now),
        });
        Ok(value)
    }

    /// Runs `attempt` until it is done, fails, has been tried `max_attempts` times, or
    /// `--timeout` is reached.
    fn with_retries<T>(
        &mut self,
        what: &str,
        mut attempt: impl FnMut(&mut Self) -> anyhow::Result<Attempt<T>>,
    ) -> anyhow::Result<T> {
        let mut tries = 0;
        loop {
            if self.limits.remaining().is_zero() {
                return Err(self.limits.timed_out(what));
            }
            tries += 1;
            let (why, retry_after) = match attempt(self)? {
                Attempt::Done(value) => return Ok(value),
                Attempt::Retry(why, retry_after) => (why, retry_after),
            };
            if self.limits.remaining().is_zero() {
                return Err(self.limits.timed_out(&format!("{what}: {why}")));
            }
            if tries >= self.max_attempts {
                anyhow::bail!("{what}: {why} (gave up after {tries} attempts)");
            }
            let wait = retry_after
                .unwrap_or_else(|| backoff(tries))
                .min(LONGEST_WAIT);
            if wait >= self.limits.remaining() {
                return Err(self.limits.timed_out(&format!(
                    "{what}: {why} (a wait of {:.1} s would pass it)",
                    wait.as_secs_f64()
                )));
            }
            if self.waited + wait > TOTAL_WAIT {
                anyhow::bail!(
                    "{what}: {why} (gave up after waiting {} s in all)",
                    self.waited.as_secs()
                );
            }
            tracing::info!(%what, %why, wait_ms = wait.as_millis() as u64, "retrying");
            self.retries += 1;
            self.waited += wait;
            std::thread::sleep(wait);
        }
    }

    /// A response read: done on 200 (its body read by `on_ok`), retried on 429, 5xx and
    /// transport errors (and once on 401 of Graph, with a new token), else the error Graph said
    /// (a [`Refusal`] for a GET of Graph's).
    fn answer<T>(
        &mut self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        graph_call: bool,
        on_ok: impl FnOnce(ureq::Body) -> anyhow::Result<Attempt<T>>,
    ) -> anyhow::Result<Attempt<T>> {
        let response = match response {
            Ok(response) => response,
            Err(error) => return Ok(Attempt::Retry(error.to_string(), None)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(retry_after);
        let body = response.into_body();
        if status == 200 {
            return on_ok(body);
        }
        // The start of an error's body is enough for its message.
        let mut start = Vec::new();
        if let Err(error) = body
            .into_reader()
            .take(ERROR_BODY_LIMIT)
            .read_to_end(&mut start)
        {
            return Ok(Attempt::Retry(
                format!("reading the response: {error}"),
                None,
            ));
        }
        let message = error_message(status, &start);
        if status == 429 || status >= 500 {
            return Ok(Attempt::Retry(message, retry_after));
        }
        if status == 401 && graph_call && self.token.is_some() {
            // Revoked or expired early: one more try with a new token.
            self.token = None;
            return Ok(Attempt::Retry(message, Some(Duration::ZERO)));
        }
        if graph_call {
            return Err(Refusal { status, message }.into());
        }
        anyhow::bail!(message)
    }
}

/// Graph's answer to a GET that is not retried (a 4xx): its status, for a caller that goes on
/// without what was refused (a 403 on subscriptions), and its message.
#[derive(Debug)]
pub(super) struct Refusal {
    pub(super) status: u16,
    message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Refusal {}

/// A Retry-After in seconds, whole or decimal as Graph's throttling sample sends (`2.128`),
/// rounded up to the millisecond and held to [`LONGEST_WAIT`]; `None` for what is not a
/// number of seconds (then the backoff applies).
fn retry_after(text: &str) -> Option<Duration> {
    let seconds: f64 = text.trim().parse().ok()?;
    if !seconds.is_finite() || seconds < 0.0 {
        return None;
    }
    let millis = (seconds.min(LONGEST_WAIT.as_secs_f64()) * 1000.0).ceil() as u64;
    Some(Duration::from_millis(millis))
}

/// A page that could not be read: a limit, or a broken connection (retried), or a body that
/// is not a page (an error).
fn unreadable<T>(
    error: serde_json::Error,
    limits: &Limits,
    what: &str,
) -> anyhow::Result<Attempt<T>> {
    if !error.is_io() {
        anyhow::bail!("a response that is not a Graph page: {error}");
    }
    match ureq::Error::from(std::io::Error::from(error)) {
        ureq::Error::BodyExceedsLimit(_) => Err(limits.too_large(what)),
        error => Ok(Attempt::Retry(
            format!("reading the response: {error}"),
            None,
        )),
    }
}

/// 0.5 s doubling, capped at 30 s, with up to a quarter of jitter.
fn backoff(tries: u32) -> Duration {
    let base = Duration::from_millis(500) * 2u32.saturating_pow(tries.saturating_sub(1).min(6));
    let base = base.min(Duration::from_secs(30));
    let jitter = (uuid::Uuid::new_v4().as_u128() % 1000) as u32;
    base + base / 4 * jitter / 1000
}

/// `status` and what the body says: Graph's `error.code: error.message`, OAuth2's
/// `error: error_description`, else the start of the body.
fn error_message(status: u16, body: &[u8]) -> String {
    let said = serde_json::from_slice::<Value>(body).ok().and_then(|json| {
        if let Some(error) = json.get("error").filter(|error| error.is_object()) {
            let code = error.get("code").and_then(Value::as_str).unwrap_or("");
            let message = error.get("message").and_then(Value::as_str).unwrap_or("");
            return Some(format!("{code}: {message}"));
        }
        let error = json.get("error").and_then(Value::as_str)?;
        let description = json
            .get("error_description")
            .and_then(Value::as_str)
            .unwrap_or("");
        let first_line = description.lines().next().unwrap_or("");
        Some(format!("{error}: {first_line}"))
    });
    let said = said.unwrap_or_else(|| {
        String::from_utf8_lossy(&body[..body.len().min(200)])
            .trim()
            .to_owned()
    });
    format!("HTTP {status}: {said}")
}

#[cfg(test)]
mod tests {
    use super::retry_after;
    use std::time::Duration;

    #[test]
    fn retry_after_takes_decimal_seconds_rounded_up_and_capped() {
        assert_eq!(retry_after("2.128"), Some(Duration::from_millis(2128)));
        assert_eq!(retry_after(" 3 "), Some(Duration::from_secs(3)));
        assert_eq!(retry_after("0.0001"), Some(Duration::from_millis(1)));
        assert_eq!(retry_after("1e9"), Some(Duration::from_secs(120)));
        assert_eq!(retry_after("-1"), None);
        assert_eq!(retry_after("NaN"), None);
        assert_eq!(retry_after("inf"), None);
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
    }
}
