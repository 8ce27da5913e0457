//! Client assertions (RFC 7523, as Entra ID takes them): instead of a secret, the app sends a JWT
//! signed (RS256 or PS256) with its certificate's key, whose header names the certificate by
//! thumbprint (`x5t`: SHA-1, or `x5t#S256`), and whose claims say `aud` = the token endpoint,
//! `iss` = `sub` = the client id, `exp` (and `nbf`), and a `jti`. The app's certificate is
//! registered with `tally app add --certificate cert.pem`, which keeps its thumbprints and RSA
//! public key ([`registered`]).

use anyhow::Context;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use p256::pkcs8::der::Decode;
use p256::pkcs8::spki::SubjectPublicKeyInfoRef;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tally_store::apps::{App, Certificate};

use super::error::SigninError;

/// rsaEncryption (1.2.840.113549.1.1.1).
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
/// Clock skew allowed on `exp` and `nbf`, as for access tokens.
const LEEWAY_SECONDS: u64 = 300;

/// What tally keeps of the PEM certificate `pem` (its first): an RSA certificate's thumbprints
/// and public key.
pub fn registered(pem: &[u8]) -> anyhow::Result<Certificate> {
    let der = CertificateDer::from_pem_slice(pem).context("not a PEM certificate")?;
    let parsed = webpki::EndEntityCert::try_from(&der)
        .map_err(|error| anyhow::anyhow!("not an X.509 certificate: {error:?}"))?;
    let spki_der = parsed.subject_public_key_info();
    let spki = SubjectPublicKeyInfoRef::from_der(spki_der.as_ref())
        .map_err(|error| anyhow::anyhow!("the certificate's public key: {error}"))?;
    if spki.algorithm.oid.to_string() != RSA_ENCRYPTION {
        anyhow::bail!(
            "the certificate's key is not an RSA key (client assertions are RS256 or PS256)"
        );
    }
    let key = spki.subject_public_key.raw_bytes();
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der.as_ref());
    Ok(Certificate {
        sha1: URL_SAFE_NO_PAD.encode(sha1.as_ref()),
        sha256: URL_SAFE_NO_PAD.encode(Sha256::digest(der.as_ref())),
        key: URL_SAFE_NO_PAD.encode(key),
    })
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    sub: Option<String>,
    jti: Option<String>,
}

/// Checks `assertion` as `app`'s proof, for a request at one of `audiences` (the token
/// endpoint's URLs).
pub fn verify(assertion: &str, app: &App, audiences: &[String]) -> Result<(), SigninError> {
    let client_id = app.client_id.to_string();
    let not_registered = || SigninError::assertion_not_registered(&client_id);
    let header =
        jsonwebtoken::decode_header(assertion).map_err(|_| SigninError::assertion_malformed())?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
        return Err(SigninError::assertion_malformed());
    }
    let certificate = app.certificate.as_ref().ok_or_else(not_registered)?;
    let named = match (header.x5t.as_deref(), header.x5t_s256.as_deref()) {
        (_, Some(sha256)) => sha256 == certificate.sha256,
        (Some(sha1), None) => sha1 == certificate.sha1,
        (None, None) => false,
    };
    if !named {
        return Err(not_registered());
    }
    let key = URL_SAFE_NO_PAD
        .decode(&certificate.key)
        .map_err(|_| not_registered())?;
    let mut validation = Validation::new(header.alg);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation.set_audience(audiences);
    validation.set_required_spec_claims(&["exp", "aud"]);
    let claims =
        jsonwebtoken::decode::<Claims>(assertion, &DecodingKey::from_rsa_der(&key), &validation)
            .map_err(|error| {
                use jsonwebtoken::errors::ErrorKind;
                match error.kind() {
                    ErrorKind::InvalidSignature => SigninError::assertion_signature(),
                    ErrorKind::InvalidAudience => SigninError::assertion_audience(),
                    ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => {
                        SigninError::assertion_expired()
                    }
                    _ => SigninError::assertion_malformed(),
                }
            })?
            .claims;
    let is_client = |value: &Option<String>| {
        value
            .as_deref()
            .is_some_and(|value| value.eq_ignore_ascii_case(&client_id))
    };
    if !is_client(&claims.iss) || !is_client(&claims.sub) {
        return Err(SigninError::assertion_subject());
    }
    if claims.jti.as_deref().is_none_or(str::is_empty) {
        return Err(SigninError::assertion_malformed());
    }
    Ok(())
}
