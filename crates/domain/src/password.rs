//! Analysts' passwords: Argon2id (RFC 9106's second recommended setting, the crate's default:
//! 19 MiB, two passes), stored as PHC strings so the parameters travel with each hash and can
//! be raised later without invalidating old ones.
//!
//! Hashing is deliberately slow (tens of milliseconds): callers on an async runtime run it on a
//! blocking thread.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::secret::{Secret, fill_random};

/// Shortest password accepted when one is set by hand.
pub const MIN_LEN: usize = 12;
/// Longest password accepted (Argon2 takes any length; this bounds the work per attempt).
pub const MAX_LEN: usize = 256;

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    pub fn from_stored(phc: String) -> Self {
        Self(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHash(<redacted>)")
    }
}

/// Hashes `password` with a fresh 16-byte salt.
pub fn hash(password: &str) -> Result<PasswordHash, String> {
    let mut salt = [0u8; 16];
    fill_random(&mut salt);
    let phc = Argon2::default().hash_password_with_salt(password.as_bytes(), &salt).map_err(|e| e.to_string())?;
    Ok(PasswordHash(phc.to_string()))
}

/// Whether `password` matches `stored` (in constant time; a malformed hash matches nothing).
pub fn verify(password: &str, stored: &PasswordHash) -> bool {
    password.len() <= MAX_LEN && Argon2::default().verify_password(password.as_bytes(), stored.as_str()).is_ok()
}

/// Spends the time a real verification takes, for logins of unknown accounts, so the answer's
/// timing does not tell which emails have accounts.
pub fn verify_nothing(password: &str) {
    static DUMMY: std::sync::OnceLock<Option<PasswordHash>> = std::sync::OnceLock::new();
    if let Some(dummy) = DUMMY.get_or_init(|| hash("an account that does not exist").ok()) {
        let _ = verify(password, dummy);
    }
}

/// A random password for a new account, shown once (about 190 bits).
pub fn generate() -> Secret {
    Secret::generate("")
}

/// Checks a password chosen by hand.
pub fn check_strength(password: &str) -> Result<(), &'static str> {
    let n = password.chars().count();
    if n < MIN_LEN {
        Err("must be at least 12 characters")
    } else if password.len() > MAX_LEN {
        Err("must be at most 256 bytes")
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_differ() {
        let a = hash("correct horse battery staple").unwrap();
        let b = hash("correct horse battery staple").unwrap();
        assert!(a.as_str().starts_with("$argon2id$v=19$"), "{}", a.as_str());
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify("correct horse battery staple", &a));
        assert!(!verify("correct horse battery stapler", &a));
        assert!(!verify("", &a));
        assert!(!verify("x", &PasswordHash::from_stored("not a phc string".into())));
        assert!(!format!("{a:?}").contains("argon2"));
    }

    #[test]
    fn strength() {
        assert!(check_strength("short").is_err());
        assert!(check_strength("twelve chars").is_ok());
        assert!(check_strength(&"x".repeat(257)).is_err());
        assert!(check_strength(generate().expose()).is_ok());
    }
}
