//! The local signing key: an ECDSA P-256 key (ES256) kept as PKCS#8 PEM in the data directory,
//! made on first start. Several processes may share the directory, so creation is atomic.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::DecodingKey;
use p256::elliptic_curve::Generate;
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use sha2::{Digest, Sha256};

/// The key file's name inside the data directory.
pub const KEY_FILE: &str = "signing-key.pem";

/// The local key, ready to sign and to verify.
pub struct LocalKey {
    /// The `kid` header of the tokens it signs: a digest of the public key.
    pub kid: String,
    /// The signing key, parsed once: jsonwebtoken's `encode` parses its PKCS#8 and derives the
    /// public key again for every token (two thirds of a token's 155 µs; a signature alone is
    /// 55 µs), which the token endpoint pays per request.
    pub signing: p256::ecdsa::SigningKey,
    pub decoding: DecodingKey,
    /// Secret bytes from which other keys (the paging token key) are derived.
    pub secret: Vec<u8>,
    /// The public key's coordinates, base64url (a JWK's `x` and `y`), for the sign-in
    /// endpoint's JWKS.
    pub x: String,
    pub y: String,
}

impl LocalKey {
    /// Loads `data_dir/signing-key.pem`, creating the directory and the key if they are missing.
    pub fn load_or_create(data_dir: &Path) -> anyhow::Result<Self> {
        // 0700 when created here: the key mints tokens, and the database beside it holds every
        // tenant's data.
        tally_store::create_private_dir(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let path = data_dir.join(KEY_FILE);
        if !path.exists() {
            create(&path, data_dir)?;
        }
        let pem = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        Self::from_pem(&pem).with_context(|| format!("loading the signing key {}", path.display()))
    }

    fn from_pem(pem: &str) -> anyhow::Result<Self> {
        let secret = p256::SecretKey::from_pkcs8_pem(pem).context("not a PKCS#8 P-256 key")?;
        let public_der = secret
            .public_key()
            .to_public_key_der()
            .context("encoding the public key")?;
        let public_pem = secret
            .public_key()
            .to_public_key_pem(LineEnding::LF)
            .context("encoding the public key")?;
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(public_der.as_bytes())[..16]);
        // SEC1 uncompressed: 0x04, then x and y, 32 bytes each.
        let point = secret.public_key().to_sec1_bytes();
        let (x, y) = point
            .get(1..)
            .filter(|coordinates| coordinates.len() == 64)
            .map(|coordinates| coordinates.split_at(32))
            .context("the public key is not an uncompressed P-256 point")?;
        Ok(Self {
            x: URL_SAFE_NO_PAD.encode(x),
            y: URL_SAFE_NO_PAD.encode(y),
            kid,
            signing: p256::ecdsa::SigningKey::from(&secret),
            decoding: DecodingKey::from_ec_pem(public_pem.as_bytes())?,
            secret: secret.to_bytes().to_vec(),
        })
    }

    /// The JWK of the public key (as `/{tenant}/discovery/v2.0/keys` lists it).
    pub fn public_jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "EC",
            "use": "sig",
            "crv": "P-256",
            "alg": "ES256",
            "kid": self.kid,
            "x": self.x,
            "y": self.y,
        })
    }
}

/// Writes a new key to a temporary file, fsyncs it, and links it into place; if another process
/// won the race, its key stays and ours is dropped.
fn create(path: &Path, data_dir: &Path) -> anyhow::Result<()> {
    let key = p256::SecretKey::try_generate()
        .map_err(|error| anyhow::anyhow!("no randomness: {error}"))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .context("encoding the new key")?;
    let temporary: PathBuf = data_dir.join(format!(".{KEY_FILE}.{}", std::process::id()));
    {
        let mut file = open_private(&temporary)?;
        file.write_all(pem.as_bytes())?;
        file.sync_all()?;
    }
    let linked = std::fs::hard_link(&temporary, path);
    std::fs::remove_file(&temporary).ok();
    match linked {
        Ok(()) => {}
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(error) => return Err(error).with_context(|| format!("creating {}", path.display())),
    }
    std::fs::File::open(data_dir)?.sync_all()?;
    Ok(())
}

#[cfg(unix)]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}
