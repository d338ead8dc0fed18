//! Signing: `X-FML-Signature: sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the
//! endpoint secret's UTF-8 bytes.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The `X-FML-Signature` value for `body`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

/// A new endpoint secret: 64 hex characters from the OS CSPRNG.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 32];
    fml_domain::secret::fill_random(&mut bytes);
    hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_known_hmac() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn secrets_are_64_hex_and_random() {
        let a = generate_secret();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, generate_secret());
    }
}
