//! Sign-in throttling: failed attempts are counted per account and per client address in
//! fixed windows; past the limit, attempts are refused before any password is checked (so a
//! guessing run costs us no Argon2 work) until the window ends.
//!
//! Counts live in this process: on several nodes each node counts its own, so the effective
//! limit is the per-node limit times the nodes behind the load balancer (docs/decisions.md).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Length of a counting window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Failed attempts allowed per account per window.
pub const PER_ACCOUNT: u32 = 5;
/// Failed attempts allowed per client address per window.
pub const PER_ADDRESS: u32 = 20;
/// Most keys tracked; past it, expired windows are dropped, and if none are, new keys are
/// refused (failing closed keeps memory bounded under a flood of distinct accounts).
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct LoginLimiter {
    windows: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    /// `Err(retry_after)` if either key is over its limit.
    pub fn check(&self, account: &str, address: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        let over = |key: String, limit: u32| {
            map.get(&key).and_then(|(n, start)| {
                let age = now.duration_since(*start);
                (age < WINDOW && *n >= limit).then(|| WINDOW - age)
            })
        };
        let wait = [over(format!("a:{account}"), PER_ACCOUNT), over(format!("i:{address}"), PER_ADDRESS)]
            .into_iter()
            .flatten()
            .max();
        match wait {
            Some(w) => Err(w.max(Duration::from_secs(1))),
            None if map.len() >= MAX_KEYS && !map.contains_key(&format!("a:{account}")) => Err(Duration::from_secs(60)),
            None => Ok(()),
        }
    }

    /// Counts a failed attempt against both keys.
    pub fn failed(&self, account: &str, address: &str) {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_KEYS {
            map.retain(|_, (_, start)| now.duration_since(*start) < WINDOW);
        }
        for key in [format!("a:{account}"), format!("i:{address}")] {
            if map.len() >= MAX_KEYS && !map.contains_key(&key) {
                continue;
            }
            let entry = map.entry(key).or_insert((0, now));
            if now.duration_since(entry.1) >= WINDOW {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
    }

    /// A successful sign-in clears the account's count (not the address's).
    pub fn succeeded(&self, account: &str) {
        self.windows.lock().unwrap_or_else(|p| p.into_inner()).remove(&format!("a:{account}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_account_and_per_address() {
        let l = LoginLimiter::default();
        for _ in 0..PER_ACCOUNT {
            assert!(l.check("a@x.test", "10.0.0.1").is_ok());
            l.failed("a@x.test", "10.0.0.1");
        }
        let wait = l.check("a@x.test", "10.0.0.2").unwrap_err();
        assert!(wait <= WINDOW && wait >= Duration::from_secs(1));
        assert!(l.check("b@x.test", "10.0.0.1").is_ok(), "another account from the same address");
        // The address limit catches one address trying many accounts.
        for i in 0..PER_ADDRESS {
            l.failed(&format!("u{i}@x.test"), "10.0.0.9");
        }
        assert!(l.check("fresh@x.test", "10.0.0.9").is_err());
        assert!(l.check("fresh@x.test", "10.0.0.8").is_ok());
        l.succeeded("a@x.test");
        assert!(l.check("a@x.test", "10.0.0.3").is_ok(), "a success clears the account");
    }
}
