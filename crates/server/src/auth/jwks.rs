//! Entra ID signing keys from a JWKS file or URL (`--jwks-file` / `--jwks-url`): parsed once,
//! cached, refreshed when a token names an unknown `kid` (at most once per
//! [`MIN_REFRESH_INTERVAL`], so a flood of forged kids cannot make tally hammer the source) and
//! every [`MAX_AGE`], so rotated keys are honoured and retired ones fall away.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey};
use tokio::sync::{Mutex, RwLock};

/// The shortest time between two refreshes caused by unknown kids.
pub const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(10);
/// How long a fetched key set is used before it is fetched again.
pub const MAX_AGE: Duration = Duration::from_secs(3600);

/// Where the key set comes from.
#[derive(Clone, Debug)]
pub enum JwksSource {
    File(PathBuf),
    Url(String),
}

/// A verification key and the one algorithm it may verify (RSA keys: RS256, as Entra ID signs;
/// P-256 keys: ES256). Symmetric keys in a JWKS are ignored: a public key set has none.
#[derive(Clone)]
pub struct TrustedKey {
    pub key: DecodingKey,
    pub algorithm: Algorithm,
}

struct Cache {
    keys: HashMap<String, TrustedKey>,
    fetched: Option<Instant>,
}

/// The cached key set of one source.
pub struct Jwks {
    source: JwksSource,
    cache: RwLock<Cache>,
    refreshing: Mutex<Option<Instant>>,
}

impl Jwks {
    /// Loads the key set once; a source that cannot be read at start-up is an error.
    pub async fn load(source: JwksSource) -> anyhow::Result<Self> {
        let jwks = Self {
            source,
            cache: RwLock::new(Cache {
                keys: HashMap::new(),
                fetched: None,
            }),
            refreshing: Mutex::new(None),
        };
        let keys = jwks.fetch().await?;
        *jwks.cache.write().await = Cache {
            keys,
            fetched: Some(Instant::now()),
        };
        Ok(jwks)
    }

    /// The key for `kid`, refreshing the set if the kid is unknown or the set is old.
    pub async fn key(&self, kid: &str) -> Option<TrustedKey> {
        {
            let cache = self.cache.read().await;
            let fresh = cache
                .fetched
                .is_some_and(|fetched| fetched.elapsed() < MAX_AGE);
            if let (true, Some(key)) = (fresh, cache.keys.get(kid)) {
                return Some(key.clone());
            }
        }
        self.refresh().await;
        self.cache.read().await.keys.get(kid).cloned()
    }

    /// Fetches the set again unless that was done within [`MIN_REFRESH_INTERVAL`]; on failure the
    /// old keys stay in use.
    async fn refresh(&self) {
        let mut last = self.refreshing.lock().await;
        if last.is_some_and(|at| at.elapsed() < MIN_REFRESH_INTERVAL) {
            return;
        }
        *last = Some(Instant::now());
        match self.fetch().await {
            Ok(keys) => {
                *self.cache.write().await = Cache {
                    keys,
                    fetched: Some(Instant::now()),
                };
            }
            Err(error) => {
                tracing::warn!(%error, "refreshing the JWKS failed; keeping the old keys")
            }
        }
    }

    async fn fetch(&self) -> anyhow::Result<HashMap<String, TrustedKey>> {
        let text = match &self.source {
            JwksSource::File(path) => tokio::fs::read_to_string(path).await?,
            JwksSource::Url(url) => {
                let url = url.clone();
                tokio::task::spawn_blocking(move || fetch_url(&url)).await??
            }
        };
        parse(&text)
    }
}

/// GETs `url` (https with the webpki roots, or http), with a 10 s timeout.
fn fetch_url(url: &str) -> anyhow::Result<String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    Ok(agent.get(url).call()?.body_mut().read_to_string()?)
}

/// The usable keys of a JWKS document, by kid.
pub fn parse(text: &str) -> anyhow::Result<HashMap<String, TrustedKey>> {
    let set: JwkSet = serde_json::from_str(text)?;
    let mut keys = HashMap::new();
    for jwk in &set.keys {
        let Some(kid) = jwk.common.key_id.clone() else {
            continue;
        };
        let algorithm = match &jwk.algorithm {
            AlgorithmParameters::RSA(_) => Algorithm::RS256,
            AlgorithmParameters::EllipticCurve(_) => Algorithm::ES256,
            _ => continue,
        };
        match DecodingKey::from_jwk(jwk) {
            Ok(key) => {
                keys.insert(kid, TrustedKey { key, algorithm });
            }
            Err(error) => tracing::warn!(%kid, %error, "skipping an unusable JWKS key"),
        }
    }
    Ok(keys)
}
