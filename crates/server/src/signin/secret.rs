//! Client secrets: made from 32 random bytes (256 bits, base64url: 43 characters), shown once,
//! stored as a SHA-256 digest, compared in constant time.
//!
//! Why no slow KDF (bcrypt, Argon2): a slow hash protects *guessable* secrets (passwords) from
//! being found by trying candidates against a stolen digest. These secrets are not chosen by
//! people: 2^256 candidates make a stolen SHA-256 digest as unguessable as the secret itself,
//! and a fast check keeps the token endpoint fast (SPEC §12.4's throughput). The digest is
//! prefixed with its algorithm (`sha256:`) so another could be introduced later.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const PREFIX: &str = "sha256:";

/// A new secret and its stored digest.
pub fn generate() -> anyhow::Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|error| anyhow::anyhow!("no randomness: {error}"))?;
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let stored = digest(&secret);
    Ok((secret, stored))
}

/// The stored form of `secret`.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    let mut text = String::with_capacity(PREFIX.len() + 64);
    text.push_str(PREFIX);
    for byte in hash {
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

/// Whether `secret` is the one whose digest is `stored` (constant time in the secret).
pub fn matches(secret: &str, stored: &str) -> bool {
    let presented = digest(secret);
    presented.len() == stored.len() && bool::from(presented.as_bytes().ct_eq(stored.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_matches_its_digest_only() {
        let (secret, stored) = generate().expect("a secret");
        assert_eq!(secret.len(), 43);
        assert!(stored.starts_with("sha256:") && stored.len() == 71);
        assert!(matches(&secret, &stored));
        assert!(!matches(&format!("{secret}x"), &stored));
        assert!(!matches("", &stored));
        let (other, _) = generate().expect("a secret");
        assert_ne!(secret, other);
    }
}
