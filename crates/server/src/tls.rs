//! HTTPS (SPEC §9): the certificate — given PEM files, or a self-signed one for localhost made
//! once in `<data-dir>/tls/` — as a rustls configuration (ring; no OpenSSL, no cmake). The
//! accept loop that uses it is `http::listener`, shared with plain HTTP.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The self-signed material's folder inside the data directory.
pub const TLS_DIR: &str = "tls";
pub const CERT_FILE: &str = "cert.pem";
pub const KEY_FILE: &str = "key.pem";

/// The names the self-signed certificate is valid for.
const SELF_SIGNED_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

/// Where the certificate comes from (`--tls-cert`/`--tls-key`, or `--tls-self-signed`).
#[derive(Clone, Debug)]
pub enum TlsSource {
    Files { cert: PathBuf, key: PathBuf },
    SelfSigned,
}

/// A loaded certificate, ready to serve.
#[derive(Clone)]
pub struct Tls {
    pub config: Arc<rustls::ServerConfig>,
    /// The certificate file served (for the self-signed one: the file clients should trust).
    pub certificate: PathBuf,
}

impl Tls {
    /// Loads the certificate and key, first making the self-signed pair if asked and missing.
    pub fn load(source: &TlsSource, data_dir: &Path) -> anyhow::Result<Self> {
        let (cert, key) = match source {
            TlsSource::Files { cert, key } => (cert.clone(), key.clone()),
            TlsSource::SelfSigned => self_signed(data_dir)?,
        };
        let chain = CertificateDer::pem_file_iter(&cert)
            .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
            .with_context(|| format!("reading the certificate {}", cert.display()))?;
        if chain.is_empty() {
            bail!("{} holds no PEM certificate", cert.display());
        }
        let private = PrivateKeyDer::from_pem_file(&key)
            .with_context(|| format!("reading the private key {}", key.display()))?;
        let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_single_cert(chain, private)
        .with_context(|| {
            format!(
                "the key {} does not fit the certificate {}",
                key.display(),
                cert.display()
            )
        })?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        let certificate = std::fs::canonicalize(&cert).unwrap_or(cert);
        Ok(Self {
            config: Arc::new(config),
            certificate,
        })
    }
}

/// Answers `<data-dir>/tls/cert.pem` and `key.pem`, making them on first use. Several processes
/// may share the data directory: the pair is written to a folder of its own and renamed into
/// place, so a reader sees both files or none, and the first process to rename wins.
pub fn self_signed(data_dir: &Path) -> anyhow::Result<(PathBuf, PathBuf)> {
    let dir = data_dir.join(TLS_DIR);
    let (cert, key) = (dir.join(CERT_FILE), dir.join(KEY_FILE));
    if !cert.exists() {
        tally_store::create_private_dir(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        create(data_dir, &dir)?;
    }
    if !cert.is_file() || !key.is_file() {
        bail!(
            "{} must hold {CERT_FILE} and {KEY_FILE}; remove it to make a new self-signed \
             certificate",
            dir.display()
        );
    }
    Ok((cert, key))
}

fn create(data_dir: &Path, dir: &Path) -> anyhow::Result<()> {
    let (cert_pem, key_pem) = generate()?;
    let staging = data_dir.join(format!(".{TLS_DIR}.{}", uuid::Uuid::new_v4().simple()));
    let written = write_pair(&staging, &cert_pem, &key_pem);
    let renamed = written.and_then(|()| {
        std::fs::rename(&staging, dir).with_context(|| format!("creating {}", dir.display()))
    });
    match renamed {
        Ok(()) => {
            std::fs::File::open(data_dir)?.sync_all()?;
            Ok(())
        }
        // Another process won the race: its pair stays, ours goes.
        Err(_) if dir.join(CERT_FILE).exists() => {
            std::fs::remove_dir_all(&staging).ok();
            Ok(())
        }
        Err(error) => {
            std::fs::remove_dir_all(&staging).ok();
            Err(error)
        }
    }
}

fn write_pair(staging: &Path, cert_pem: &str, key_pem: &str) -> anyhow::Result<()> {
    std::fs::create_dir(staging).with_context(|| format!("creating {}", staging.display()))?;
    write_synced(&staging.join(CERT_FILE), cert_pem.as_bytes(), 0o644)?;
    write_synced(&staging.join(KEY_FILE), key_pem.as_bytes(), 0o600)?;
    std::fs::File::open(staging)?.sync_all()?;
    Ok(())
}

/// A certificate for localhost, 127.0.0.1 and ::1 (ECDSA P-256), valid from yesterday for ten
/// years, that is not a CA: clients trust it as it is (`NODE_EXTRA_CA_CERTS`, `--cacert`).
fn generate() -> anyhow::Result<(String, String)> {
    use rcgen::{
        CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
        SerialNumber,
    };
    let names = SELF_SIGNED_NAMES.map(str::to_owned).to_vec();
    let mut params = CertificateParams::new(names).context("certificate names")?;
    params
        .distinguished_name
        .push(DnType::CommonName, "tally self-signed (localhost)");
    params
        .distinguished_name
        .push(DnType::OrganizationName, "tally");
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let mut serial = *uuid::Uuid::new_v4().as_bytes();
    serial[0] &= 0x7f;
    params.serial_number = Some(SerialNumber::from_slice(&serial));
    let date = |day: chrono::NaiveDate| {
        use chrono::Datelike;
        // Month and day always fit in a u8.
        rcgen::date_time_ymd(day.year(), day.month() as u8, day.day() as u8)
    };
    let today = chrono::Utc::now().date_naive();
    params.not_before = date(today - chrono::Days::new(1));
    params.not_after = date(today + chrono::Days::new(3650));
    let key = KeyPair::generate().context("generating the TLS key")?;
    let cert = params
        .self_signed(&key)
        .context("signing the certificate")?;
    Ok((cert.pem(), key.serialize_pem()))
}

#[cfg(unix)]
fn write_synced(path: &Path, bytes: &[u8], mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}

#[cfg(not(unix))]
fn write_synced(path: &Path, bytes: &[u8], _mode: u32) -> anyhow::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    Ok(())
}
