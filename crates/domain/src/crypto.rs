//! Encryption of secrets at rest (XChaCha20-Poly1305 under the deployment's master key).
//!
//! A sealed value is `nonce (24 bytes) || ciphertext+tag`. Random 192-bit nonces make nonce
//! reuse under one key a non-issue at any realistic volume.

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_LEN: usize = 24;

/// The 256-bit master key. Never printed; identified by its [fingerprint](Self::fingerprint).
#[derive(Clone)]
pub struct MasterKey {
    cipher: XChaCha20Poly1305,
    fingerprint: [u8; 32],
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CryptoError {
    #[error("the master key must be 64 hex characters (32 bytes)")]
    BadKey,
    #[error("a sealed value could not be opened (wrong master key, or the data was altered)")]
    Open,
}

impl MasterKey {
    pub fn from_bytes(bytes: &[u8; 32]) -> Self {
        use sha2::Digest;
        let fingerprint =
            sha2::Sha256::new_with_prefix(b"fml/master-key/fingerprint/v1\0").chain_update(bytes).finalize();
        Self { cipher: XChaCha20Poly1305::new(bytes.into()), fingerprint: fingerprint.into() }
    }

    /// Identifies the key without revealing it (a domain-separated SHA-256 of a 256-bit random
    /// key cannot be inverted): the database records it, so a node started with another key is
    /// refused instead of failing to open every secret. 64 hex characters.
    pub fn fingerprint(&self) -> String {
        hex::encode(self.fingerprint)
    }

    pub fn from_hex(hex_key: &str) -> Result<Self, CryptoError> {
        let bytes = hex::decode(hex_key.trim()).map_err(|_| CryptoError::BadKey)?;
        let arr: [u8; 32] = bytes.try_into().map_err(|_| CryptoError::BadKey)?;
        Ok(Self::from_bytes(&arr))
    }

    /// A fresh random key, hex-encoded (for key files and tests).
    pub fn generate_hex() -> String {
        let mut bytes = [0u8; 32];
        crate::secret::fill_random(&mut bytes);
        hex::encode(bytes)
    }

    /// Encrypts `plaintext`, binding it to `context` (e.g. the table and row kind) so a sealed
    /// value cannot be moved to another place and still open.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        crate::secret::fill_random(&mut nonce);
        let ct = self
            .cipher
            .encrypt(&XNonce::from(nonce), Payload { msg: plaintext, aad: context })
            .expect("XChaCha20-Poly1305 encryption of an in-memory buffer cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if sealed.len() < NONCE_LEN {
            return Err(CryptoError::Open);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| CryptoError::Open)?;
        self.cipher.decrypt(&nonce, Payload { msg: ct, aad: context }).map_err(|_| CryptoError::Open)
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_open_round_trip_and_tamper_detection() {
        let key = MasterKey::from_hex(&MasterKey::generate_hex()).unwrap();
        let sealed = key.seal(b"mail", b"hello");
        assert!(!sealed.windows(5).any(|w| w == b"hello"));
        assert_eq!(key.open(b"mail", &sealed).unwrap(), b"hello");
        assert_eq!(key.open(b"other", &sealed), Err(CryptoError::Open));
        let mut bad = sealed.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(b"mail", &bad), Err(CryptoError::Open));
        let other = MasterKey::from_hex(&MasterKey::generate_hex()).unwrap();
        assert_eq!(other.open(b"mail", &sealed), Err(CryptoError::Open));
    }

    #[test]
    fn fingerprints_identify_a_key_without_showing_it() {
        let hex_key = MasterKey::generate_hex();
        let a = MasterKey::from_hex(&hex_key).unwrap();
        let b = MasterKey::from_hex(&hex_key).unwrap();
        let other = MasterKey::from_hex(&MasterKey::generate_hex()).unwrap();
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), other.fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
        assert!(!a.fingerprint().contains(&hex_key[..16]));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert_eq!(MasterKey::from_hex("abcd").unwrap_err(), CryptoError::BadKey);
        assert_eq!(MasterKey::from_hex(&"z".repeat(64)).unwrap_err(), CryptoError::BadKey);
    }
}
