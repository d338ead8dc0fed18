//! Random secrets, their stored hashes, and constant-time comparison.
//!
//! Client secrets, access tokens and magic-link tokens are 256 random bits, so a plain SHA-256
//! of them is a safe stored form (no salt or slow hash needed: there is nothing to brute-force).

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Fills `buf` from the operating system's CSPRNG.
pub fn fill_random(buf: &mut [u8]) {
    // The OS RNG failing leaves no safe way to mint secrets; stop rather than mint weak ones.
    getrandom::fill(buf).expect("the operating system's random number generator failed");
}

/// A secret value that never shows itself in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// `prefix` followed by 32 random bytes in unpadded base64url (43 characters).
    pub fn generate(prefix: &str) -> Self {
        let mut bytes = [0u8; 32];
        fill_random(&mut bytes);
        Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }

    /// The secret itself: call only where it must leave the process (a response, an email).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The SHA-256 of the secret, hex-encoded: what the database stores.
    pub fn hash(&self) -> SecretHash {
        SecretHash::of(&self.0)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// The stored form of a [`Secret`]: hex SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHash(String);

impl SecretHash {
    pub fn of(value: &str) -> Self {
        Self(hex::encode(Sha256::digest(value.as_bytes())))
    }

    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Constant-time check of a presented secret against this hash.
    pub fn verify(&self, presented: &str) -> bool {
        constant_time_eq(SecretHash::of(presented).0.as_bytes(), self.0.as_bytes())
    }
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Hex SHA-256 of arbitrary bytes (request fingerprints and the like).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_secrets_are_long_random_and_redacted() {
        let a = Secret::generate("fml_sk_");
        let b = Secret::generate("fml_sk_");
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), "fml_sk_".len() + 43);
        assert_eq!(format!("{a:?}"), "Secret(<redacted>)");
    }

    #[test]
    fn hash_verifies_only_the_original() {
        let s = Secret::generate("");
        let h = s.hash();
        assert_eq!(h.as_str().len(), 64);
        assert!(h.verify(s.expose()));
        assert!(!h.verify(&format!("{}x", s.expose())));
        assert!(!h.verify(""));
    }

    #[test]
    fn constant_time_eq_checks_length_and_content() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
