//! Throttling in fixed windows: sign-in per account and per client address, and public
//! applications per tenant and address. For sign-in, an attempt is
//! counted when it *starts*, before any password is checked: attempts still in flight count,
//! so forty concurrent guesses at one account get five Argon2 checks, not forty. A successful
//! sign-in clears the account's count and gives the address its attempt back.
//!
//! IPv6 clients are counted by their /64 (one host usually holds the whole prefix), IPv4 by
//! address. The table is bounded: when full, expired windows go first, then the oldest tenth
//! of the rest, so a flood of distinct accounts costs memory it cannot grow and never locks
//! out everyone else.
//!
//! Counts live in this process: on several nodes each node counts its own, so the effective
//! limit is the per-node limit times the nodes behind the load balancer (docs/decisions.md).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Length of a counting window.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Attempts allowed per account per window (successes are given back).
pub const PER_ACCOUNT: u32 = 5;
/// Attempts allowed per client address per window (successes are given back).
pub const PER_ADDRESS: u32 = 20;
/// Most keys tracked.
const MAX_KEYS: usize = 100_000;

/// The key an address is counted under: IPv4 (and IPv4-mapped IPv6) by address, IPv6 by /64.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// Counts under string keys in fixed windows, bounded in memory: when full, expired windows go
/// first, then the oldest tenth of the rest.
#[derive(Debug)]
pub struct Windows {
    map: Mutex<HashMap<String, (u32, Instant)>>,
    window: Duration,
    max_keys: usize,
}

impl Windows {
    pub fn new(window: Duration, max_keys: usize) -> Self {
        Self { map: Mutex::default(), window, max_keys }
    }

    /// Counts one against every key, or `Err(retry_after)` when any is at its limit (then
    /// none is counted).
    pub fn take(&self, keys: &[(&str, u32)]) -> Result<(), Duration> {
        let now = Instant::now();
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let over = |key: &str, limit: u32| {
            map.get(key).and_then(|(n, start)| {
                let age = now.duration_since(*start);
                (age < self.window && *n >= limit).then(|| self.window - age)
            })
        };
        if let Some(wait) = keys.iter().filter_map(|(k, limit)| over(k, *limit)).max() {
            return Err(wait.max(Duration::from_secs(1)));
        }
        if map.len() + keys.len() > self.max_keys {
            evict(&mut map, now, self.window, self.max_keys.saturating_sub(keys.len()));
        }
        for (key, _) in keys {
            let entry = map.entry((*key).to_owned()).or_insert((0, now));
            if now.duration_since(entry.1) >= self.window {
                *entry = (0, now);
            }
            entry.0 += 1;
        }
        Ok(())
    }

    /// Gives one back to `key` (an attempt that turned out not to count).
    pub fn give_back(&self, key: &str) {
        if let Some(entry) = self.map.lock().unwrap_or_else(|p| p.into_inner()).get_mut(key) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }

    /// Forgets `key`'s count.
    pub fn clear(&self, key: &str) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).remove(key);
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    #[cfg(test)]
    fn has(&self, key: &str) -> bool {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).contains_key(key)
    }
}

/// Sign-in attempts, per account and per address.
#[derive(Debug)]
pub struct LoginLimiter(Windows);

impl Default for LoginLimiter {
    fn default() -> Self {
        Self(Windows::new(WINDOW, MAX_KEYS))
    }
}

/// An attempt counted against its account and address. Dropped without
/// [`Attempt::succeeded`], it stays counted (a failure, or an error on the way).
#[derive(Debug)]
pub struct Attempt<'a> {
    limiter: &'a LoginLimiter,
    account: String,
    address: String,
}

impl Attempt<'_> {
    /// The password was right: the account's count is cleared and the address gets this
    /// attempt back.
    pub fn succeeded(self) {
        self.limiter.0.clear(&self.account);
        self.limiter.0.give_back(&self.address);
    }
}

impl LoginLimiter {
    /// Counts an attempt for `account` from `address`, or `Err(retry_after)` when either is
    /// at its limit (then nothing is counted).
    pub fn begin(&self, account: &str, address: &str) -> Result<Attempt<'_>, Duration> {
        let (account, address) = (format!("a:{account}"), format!("i:{address}"));
        self.0.take(&[(&account, PER_ACCOUNT), (&address, PER_ADDRESS)])?;
        Ok(Attempt { limiter: self, account, address })
    }
}

/// New public applications, per tenant and client address, per hour.
#[derive(Debug)]
pub struct ApplyLimiter(Windows);

impl Default for ApplyLimiter {
    fn default() -> Self {
        Self(Windows::new(Duration::from_secs(3600), MAX_KEYS))
    }
}

impl ApplyLimiter {
    /// Counts an application to `org` from `address` against the tenant's hourly `limit`.
    pub fn take(&self, org: &str, address: &str, limit: u32) -> Result<(), Duration> {
        self.0.take(&[(&format!("{org}|{address}"), limit)])
    }

    /// An application refused for its fields (cheap, stored nothing) does not count.
    pub fn give_back(&self, org: &str, address: &str) {
        self.0.give_back(&format!("{org}|{address}"));
    }
}

/// New portal links asked for by one email address in an hour: each may send that person
/// mail they did not ask for, so a few are enough for someone who lost theirs.
pub const LINKS_PER_EMAIL: u32 = 3;
/// New portal links asked for from one client address in an hour, whatever the emails.
pub const LINKS_PER_ADDRESS: u32 = 10;

/// Requests for a new portal link (`POST /portal/link`), per email address (ASCII letters in
/// any case) and per client address, per hour. Counted before anything is looked up; a
/// request whose email is malformed is given back.
#[derive(Debug)]
pub struct LinkLimiter(Windows);

impl Default for LinkLimiter {
    fn default() -> Self {
        Self(Windows::new(Duration::from_secs(3600), MAX_KEYS))
    }
}

impl LinkLimiter {
    /// Counts a request for `email` from `address`, or `Err(retry_after)` when either is at
    /// its limit (then nothing is counted).
    pub fn take(&self, email: &str, address: &str) -> Result<(), Duration> {
        let (email, address) = link_keys(email, address);
        self.0.take(&[(&email, LINKS_PER_EMAIL), (&address, LINKS_PER_ADDRESS)])
    }

    /// A request refused before any work (its email malformed) does not count.
    pub fn give_back(&self, email: &str, address: &str) {
        let (email, address) = link_keys(email, address);
        self.0.give_back(&email);
        self.0.give_back(&address);
    }
}

fn link_keys(email: &str, address: &str) -> (String, String) {
    (format!("e:{}", email.trim().to_ascii_lowercase()), format!("i:{address}"))
}

/// Makes room: expired windows first, then the oldest tenth of what is left.
fn evict(map: &mut HashMap<String, (u32, Instant)>, now: Instant, window: Duration, room_for: usize) {
    map.retain(|_, (_, start)| now.duration_since(*start) < window);
    if map.len() <= room_for {
        return;
    }
    let mut starts: Vec<Instant> = map.values().map(|(_, s)| *s).collect();
    let cut = (starts.len() / 10).max(2);
    let (_, nth, _) = starts.select_nth_unstable(cut - 1);
    let oldest_kept = *nth;
    let mut removed = 0;
    map.retain(|_, (_, start)| {
        let drop = *start <= oldest_kept && removed < cut;
        removed += usize::from(drop);
        !drop
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_account_and_per_address() {
        let l = LoginLimiter::default();
        for _ in 0..PER_ACCOUNT {
            drop(l.begin("a@x.test", "10.0.0.1").unwrap());
        }
        let wait = l.begin("a@x.test", "10.0.0.2").unwrap_err();
        assert!(wait <= WINDOW && wait >= Duration::from_secs(1));
        assert!(l.begin("b@x.test", "10.0.0.1").is_ok(), "another account from the same address");
        // The address limit catches one address trying many accounts.
        for i in 0..PER_ADDRESS {
            drop(l.begin(&format!("u{i}@x.test"), "10.0.0.9"));
        }
        assert!(l.begin("fresh@x.test", "10.0.0.9").is_err());
        assert!(l.begin("fresh@x.test", "10.0.0.8").is_ok());
    }

    #[test]
    fn attempts_in_flight_count() {
        let l = LoginLimiter::default();
        // Five attempts started, none finished: the sixth is refused at once.
        let held: Vec<_> = (0..PER_ACCOUNT).map(|_| l.begin("a@x.test", "10.0.0.1").unwrap()).collect();
        assert!(l.begin("a@x.test", "10.0.0.2").is_err());
        drop(held);
        assert!(l.begin("a@x.test", "10.0.0.3").is_err(), "failures stay counted");
    }

    #[test]
    fn a_success_clears_the_account_and_refunds_the_address() {
        let l = LoginLimiter::default();
        for _ in 0..PER_ACCOUNT - 1 {
            drop(l.begin("a@x.test", "10.0.0.1").unwrap());
        }
        l.begin("a@x.test", "10.0.0.1").unwrap().succeeded();
        // Cleared: five more tries before the account locks again.
        for _ in 0..PER_ACCOUNT {
            drop(l.begin("a@x.test", "10.0.0.1").unwrap());
        }
        assert!(l.begin("a@x.test", "10.0.0.1").is_err());
        let l2 = LoginLimiter::default();
        for _ in 0..PER_ADDRESS {
            l2.begin("ok@x.test", "10.0.0.7").unwrap().succeeded();
        }
        assert!(l2.begin("ok@x.test", "10.0.0.7").is_ok(), "successes never lock an office out");
    }

    #[test]
    fn a_full_table_evicts_the_oldest_instead_of_refusing() {
        let w = Windows::new(WINDOW, 100);
        for i in 0..500 {
            w.take(&[(&format!("a:u{i}"), 5), (&format!("i:{i}"), 20)]).unwrap();
        }
        assert!(w.len() <= 100, "{}", w.len());
        // A newcomer is still counted, and the newest keys survived.
        assert!(w.take(&[("a:new", 5), ("i:new", 20)]).is_ok());
        assert!(w.has("a:u499") && w.has("a:new") && w.has("i:new"));
        assert!(!w.has("a:u0"));
    }

    #[test]
    fn applications_per_tenant_and_address() {
        let l = ApplyLimiter::default();
        for _ in 0..5 {
            l.take("org_a", "10.0.0.1", 5).unwrap();
        }
        let wait = l.take("org_a", "10.0.0.1", 5).unwrap_err();
        assert!(wait > Duration::from_secs(3000) && wait <= Duration::from_secs(3600), "{wait:?}");
        assert!(l.take("org_b", "10.0.0.1", 5).is_ok(), "another tenant counts apart");
        assert!(l.take("org_a", "10.0.0.2", 5).is_ok(), "another address counts apart");
        l.give_back("org_a", "10.0.0.1");
        assert!(l.take("org_a", "10.0.0.1", 5).is_ok(), "a refused form is given back");
    }

    #[test]
    fn addresses_are_grouped() {
        let key = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(key("::ffff:203.0.113.7"), "203.0.113.7");
        assert_eq!(key("2001:db8:1:2:aaaa::1"), "2001:db8:1:2::/64");
        assert_eq!(key("2001:db8:1:2:ffff:ffff:ffff:ffff"), key("2001:db8:1:2::9"));
        assert_ne!(key("2001:db8:1:3::1"), key("2001:db8:1:2::1"));
    }

    #[test]
    fn new_links_are_limited_per_email_in_any_case_and_per_address() {
        let l = LinkLimiter::default();
        for _ in 0..LINKS_PER_EMAIL {
            l.take("Ann@Example.test", "10.0.0.1").unwrap();
        }
        assert!(l.take(" ann@example.TEST", "10.0.0.2").is_err(), "the same address in other cases");
        l.give_back("ann@example.test", "10.0.0.1");
        assert!(l.take("ann@example.test", "10.0.0.3").is_ok(), "a request given back does not count");
        // (10.0.0.1 has two left counted: three taken, one given back)
        for i in 0..LINKS_PER_ADDRESS - 2 {
            l.take(&format!("u{i}@example.test"), "10.0.0.1").unwrap();
        }
        assert!(l.take("fresh@example.test", "10.0.0.1").is_err(), "one client asking for many emails");
        assert!(l.take("fresh@example.test", "10.0.0.9").is_ok());
    }
}
