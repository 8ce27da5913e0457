//! `tally collect` (SPEC §12.4): signs in with client credentials (a secret, or a certificate's
//! client assertion), reads a tenant's `subscribedSkus` and `users` from Microsoft Graph (or any
//! Graph-compatible service, such as another tally) following every `@odata.nextLink`, retrying
//! 429 and 503 (and 5xx and broken connections) after their Retry-After or a backoff, a capped
//! number of times; then replaces the tenant's directory in the store in one transaction
//! ([`Store::replace_directory`]: a failed collect changes nothing), and takes the derived
//! snapshot (`crate::snapshots::take`). Everything is read before the store is touched. One
//! summary line on stdout, for cron's logs; errors are one line on stderr and a non-zero exit.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::{Map, Value};
use tally_model::directory::body::{sku_create, user_import};
use tally_model::directory::{AssignedLicense, Sku, User};
use tally_odata::edm::DateTimeOffset;
use tally_store::directory::{sql, DirectoryError};
use tally_store::Store;
use ureq::http::Uri;

use super::storage::open_store;
use crate::cli::CollectArgs;
use crate::snapshots::take;

/// What a user page asks for: what the directory keeps of a user.
const USER_SELECT: &str = "id,userPrincipalName,displayName,givenName,surname,jobTitle,mail,\
mailNickname,accountEnabled,userType,usageLocation,assignedLicenses,signInActivity";
/// Graph's error code for signInActivity asked of a tenant without Entra ID P1 or P2.
const NON_PREMIUM: &str = "Authentication_RequestFromNonPremiumTenantOrB2CTenant";
/// The properties of a user that tally keeps (anything else Graph adds is left out).
const USER_PROPERTIES: &[&str] = &[
    "id",
    "userPrincipalName",
    "displayName",
    "givenName",
    "surname",
    "jobTitle",
    "mail",
    "mailNickname",
    "accountEnabled",
    "userType",
    "usageLocation",
    "assignedLicenses",
];
const SIGN_IN_PROPERTIES: &[&str] = &[
    "lastSignInDateTime",
    "lastNonInteractiveSignInDateTime",
    "lastSuccessfulSignInDateTime",
];
/// The properties of a SKU that tally takes (`id` and `consumedUnits` are its own to compute).
const SKU_PROPERTIES: &[&str] = &[
    "skuId",
    "skuPartNumber",
    "appliesTo",
    "capabilityStatus",
    "prepaidUnits",
    "servicePlans",
    "accountId",
    "accountName",
    "subscriptionIds",
];
/// The longest single wait, whatever Retry-After says, and the most waiting in all.
const LONGEST_WAIT: Duration = Duration::from_secs(120);
const TOTAL_WAIT: Duration = Duration::from_secs(900);
/// The largest response body read.
const BODY_LIMIT: u64 = 256 << 20;

pub fn run(args: CollectArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let authority = checked_url("--authority", &args.authority)?;
    let graph = checked_url("--graph-url", &args.graph_url)?;
    let credential = match (&args.client_secret, &args.certificate) {
        (Some(secret), _) => Credential::Secret(secret.clone()),
        (None, Some(path)) => {
            let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            Credential::Certificate(
                Certificate::from_pem(&pem).with_context(|| format!("{}", path.display()))?,
            )
        }
        (None, None) => anyhow::bail!("--client-secret or --certificate is required"),
    };
    let tenant = args.tenant;
    let mut client = Graph {
        agent: ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .timeout_connect(Some(Duration::from_secs(10)))
            .max_redirects(0)
            .build()
            .into(),
        token_url: format!("{authority}/{tenant}/oauth2/v2.0/token"),
        scope: format!("{}/.default", scope_origin(&graph)),
        origin: origin(&graph)?,
        client_id: args.client_id.clone(),
        credential,
        token: None,
        max_attempts: args.max_attempts.max(1),
        retries: 0,
        waited: Duration::ZERO,
    };

    let progress =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    progress.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {pos} users {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    let read = read_tenant(&mut client, &graph, args.page_size.max(1), &progress);
    progress.finish_and_clear();
    let (skus, users) = read.context("reading the tenant from Graph (the store is unchanged)")?;

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (stored, snapshot) = runtime.block_on(async {
        let store = open_store(&args.data_dir, args.database_url.as_deref()).await?;
        let result = store_tenant(&store, tenant, skus, users).await;
        store.shutdown();
        result
    })?;
    let snapshot = match snapshot {
        Some(id) => format!("snapshot {id}"),
        None => "a snapshot of this minute exists already; none taken".to_owned(),
    };
    println!(
        "collected tenant {tenant}: {} SKUs, {} users in {:.1} s ({} retries); {snapshot}",
        stored.skus,
        stored.users,
        started.elapsed().as_secs_f64(),
        client.retries
    );
    Ok(())
}

async fn store_tenant(
    store: &Store,
    tenant: tally_store::TenantId,
    skus: Vec<Sku>,
    users: Vec<(User, Vec<AssignedLicense>)>,
) -> anyhow::Result<(tally_store::directory::ReplaceOutcome, Option<uuid::Uuid>)> {
    let stored = store
        .replace_directory(tenant, skus, users)
        .await
        .map_err(|error| match error {
            DirectoryError::NotFound => anyhow::anyhow!("not found"),
            DirectoryError::BadRequest(message) => anyhow::anyhow!(message),
            DirectoryError::Store(error) => anyhow::Error::new(error),
        })
        .context("storing the tenant's directory (the store is unchanged)")?;
    store
        .refresh_statistics(&[sql::SKUS, sql::USERS, sql::HOLDERS])
        .await?;
    let at = DateTimeOffset::parse(&tally_store::directory::now_text())
        .map_err(|error| anyhow::anyhow!("now: {error}"))?;
    let snapshot = take(store, tenant, &at)
        .await
        .context("taking the snapshot (the directory was stored)")?;
    Ok((stored, snapshot))
}

type Records = (Vec<Sku>, Vec<(User, Vec<AssignedLicense>)>);

fn read_tenant(
    client: &mut Graph,
    graph: &str,
    page_size: u32,
    progress: &indicatif::ProgressBar,
) -> anyhow::Result<Records> {
    let mut skus = Vec::new();
    let mut next = Some(format!("{graph}/v1.0/subscribedSkus"));
    while let Some(url) = next.take() {
        let page = client.get(&url)?;
        for item in items(&page)? {
            let body = only(item, SKU_PROPERTIES)?;
            let sku = sku_create(&serde_json::to_vec(&body)?)
                .map_err(|message| anyhow::anyhow!("a SKU from Graph: {message}"))?;
            skus.push(sku);
        }
        next = client.next_link(&page)?;
    }
    progress.set_message(format!("({} SKUs)", skus.len()));
    let mut users = Vec::new();
    let first = format!("{graph}/v1.0/users?$select={USER_SELECT}&$top={page_size}");
    let mut next = Some(first.clone());
    while let Some(url) = next.take() {
        let page = match client.get(&url) {
            // Graph answers signInActivity only in tenants with Entra ID P1 or P2: without,
            // the users are read without it (and their sign-ins are unknown).
            Err(error) if url == first && format!("{error}").contains(NON_PREMIUM) => {
                progress.suspend(|| {
                    eprintln!(
                        "the tenant has no Entra ID P1 or P2: users are read without signInActivity"
                    )
                });
                let select = USER_SELECT.replace(",signInActivity", "");
                client.get(&format!(
                    "{graph}/v1.0/users?$select={select}&$top={page_size}"
                ))?
            }
            page => page?,
        };
        for item in items(&page)? {
            let mut body = only(item, USER_PROPERTIES)?;
            if let Some(Value::Object(activity)) = item.get("signInActivity") {
                let dates: Map<String, Value> = activity
                    .iter()
                    .filter(|(name, value)| {
                        SIGN_IN_PROPERTIES.contains(&name.as_str()) && !value.is_null()
                    })
                    .map(|(name, value)| (name.clone(), value.clone()))
                    .collect();
                body.insert("signInActivity".into(), Value::Object(dates));
            }
            let record = user_import(&serde_json::to_vec(&body)?).map_err(|message| {
                let upn = item
                    .get("userPrincipalName")
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                anyhow::anyhow!("the user {upn} from Graph: {message}")
            })?;
            users.push(record);
        }
        progress.set_position(users.len() as u64);
        next = client.next_link(&page)?;
    }
    Ok((skus, users))
}

/// A page's `value` array.
fn items(page: &Value) -> anyhow::Result<&Vec<Value>> {
    page.get("value")
        .and_then(Value::as_array)
        .context("a Graph page without a 'value' array")
}

/// `item`'s properties among `names`, nulls left out.
fn only(item: &Value, names: &[&str]) -> anyhow::Result<Map<String, Value>> {
    let object = item
        .as_object()
        .context("a Graph item that is not an object")?;
    Ok(object
        .iter()
        .filter(|(name, value)| names.contains(&name.as_str()) && !value.is_null())
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect())
}

/// A base URL without its trailing slash: https, or http on a loopback address.
fn checked_url(flag: &str, text: &str) -> anyhow::Result<String> {
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

/// The resource of the token's scope: Graph's own, whatever URL reaches it (another tally
/// accepts Graph's audience).
fn scope_origin(_graph: &str) -> &'static str {
    "https://graph.microsoft.com"
}

enum Credential {
    Secret(String),
    Certificate(Certificate),
}

/// A certificate and its RSA key, for client assertions (RFC 7523, as Entra takes them).
struct Certificate {
    x5t_s256: String,
    key: jsonwebtoken::EncodingKey,
}

impl Certificate {
    fn from_pem(pem: &[u8]) -> anyhow::Result<Self> {
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

struct Graph {
    agent: ureq::Agent,
    token_url: String,
    scope: String,
    origin: String,
    client_id: String,
    credential: Credential,
    token: Option<Token>,
    max_attempts: u32,
    retries: u32,
    waited: Duration,
}

/// What one attempt of a request came to.
enum Attempt {
    Done(Value),
    /// Worth another try, after Retry-After if it said.
    Retry(String, Option<Duration>),
}

impl Graph {
    /// The page's `@odata.nextLink`, checked to be on Graph's origin (the token goes there).
    fn next_link(&self, page: &Value) -> anyhow::Result<Option<String>> {
        let Some(link) = page.get("@odata.nextLink") else {
            return Ok(None);
        };
        let link = link
            .as_str()
            .context("an @odata.nextLink that is not a string")?;
        if origin(link)? != self.origin {
            anyhow::bail!(
                "an @odata.nextLink '{link}' leaves {} (the token is not sent elsewhere)",
                self.origin
            );
        }
        Ok(Some(link.to_owned()))
    }

    /// GETs `url` with the app's token, retrying what may pass.
    fn get(&mut self, url: &str) -> anyhow::Result<Value> {
        self.with_retries(&format!("GET {url}"), |graph| {
            let token = graph.token()?;
            let response = graph
                .agent
                .get(url)
                .header("Authorization", format!("Bearer {token}"))
                .header("Accept", "application/json")
                .call();
            graph.answer(response, true)
        })
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
                .send_form(form.iter().map(|(name, value)| (*name, value.as_str())));
            graph.answer(response, false)
        })?;
        let value = answer
            .get("access_token")
            .and_then(Value::as_str)
            .context("the token response has no access_token")?
            .to_owned();
        let lifetime = answer
            .get("expires_in")
            .and_then(|value| value.as_u64().or_else(|| value.as_str()?.parse().ok()))
            .unwrap_or(3600);
        self.token = Some(Token {
            value: value.clone(),
            // Renewed five minutes early, or at half its life when that is shorter.
            renew_at: Instant::now()
                + Duration::from_secs(lifetime.saturating_sub(300).max(lifetime / 2)),
        });
        Ok(value)
    }

    /// Runs `attempt` until it is done, fails, or has been tried `max_attempts` times.
    fn with_retries(
        &mut self,
        what: &str,
        mut attempt: impl FnMut(&mut Self) -> anyhow::Result<Attempt>,
    ) -> anyhow::Result<Value> {
        let mut tries = 0;
        loop {
            tries += 1;
            let (why, retry_after) = match attempt(self)? {
                Attempt::Done(value) => return Ok(value),
                Attempt::Retry(why, retry_after) => (why, retry_after),
            };
            if tries >= self.max_attempts {
                anyhow::bail!("{what}: {why} (gave up after {tries} attempts)");
            }
            let wait = retry_after
                .unwrap_or_else(|| backoff(tries))
                .min(LONGEST_WAIT);
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

    /// A response read: done on 200, retried on 429, 5xx and transport errors (and once on 401
    /// of Graph, with a new token), else the error Graph said.
    fn answer(
        &mut self,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
        graph_call: bool,
    ) -> anyhow::Result<Attempt> {
        let mut response = match response {
            Ok(response) => response,
            Err(error) => return Ok(Attempt::Retry(error.to_string(), None)),
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|text| text.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = match response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_vec()
        {
            Ok(body) => body,
            Err(error) => {
                return Ok(Attempt::Retry(
                    format!("reading the response: {error}"),
                    None,
                ))
            }
        };
        if status == 200 {
            let value: Value =
                serde_json::from_slice(&body).context("a response that is not JSON")?;
            return Ok(Attempt::Done(value));
        }
        let message = error_message(status, &body);
        if status == 429 || status >= 500 {
            return Ok(Attempt::Retry(message, retry_after));
        }
        if status == 401 && graph_call && self.token.is_some() {
            // Revoked or expired early: one more try with a new token.
            self.token = None;
            return Ok(Attempt::Retry(message, Some(Duration::ZERO)));
        }
        anyhow::bail!(message)
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
