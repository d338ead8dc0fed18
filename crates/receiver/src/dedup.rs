//! Remembering which events were processed: the [`Dedup`] trait and its in-memory store.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// Where a receiver remembers the `eventId`s it has taken.
///
/// `claim` must be atomic: of two concurrent calls for one id, exactly one returns `true`.
/// A database table with a unique key on the id does that; write to it in the same
/// transaction as the work the event causes, and a crash can never lose or repeat it.
pub trait Dedup: Send + Sync {
    /// Records `event_id` as taken at `now`; `false` when it already was.
    fn claim(&self, event_id: &str, now: SystemTime) -> bool;
}

/// The default store: the ids taken in this process over the last `keep` (the replay
/// window: anything older is refused as stale anyway), at most `capacity` of them, the
/// oldest forgotten first.
pub struct MemoryDedup {
    keep: Duration,
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    order: VecDeque<(SystemTime, String)>,
    ids: HashSet<String>,
}

impl MemoryDedup {
    /// The default capacity: a million ids (roughly 150 bytes each, so about 150 MB at worst).
    pub const CAPACITY: usize = 1_000_000;

    pub fn new(keep: Duration) -> Self {
        Self::with_capacity(keep, Self::CAPACITY)
    }

    pub fn with_capacity(keep: Duration, capacity: usize) -> Self {
        Self { keep, capacity: capacity.max(1), inner: Mutex::default() }
    }

    /// How many ids are remembered now.
    pub fn len(&self) -> usize {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for MemoryDedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryDedup").field("keep", &self.keep).field("len", &self.len()).finish()
    }
}

impl Dedup for MemoryDedup {
    fn claim(&self, event_id: &str, now: SystemTime) -> bool {
        let mut m = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let horizon = now.checked_sub(self.keep).unwrap_or(SystemTime::UNIX_EPOCH);
        while m.order.front().is_some_and(|(at, _)| *at < horizon) || m.order.len() >= self.capacity {
            if let Some((_, id)) = m.order.pop_front() {
                m.ids.remove(&id);
            }
        }
        if m.ids.contains(event_id) {
            return false;
        }
        m.ids.insert(event_id.to_owned());
        m.order.push_back((now, event_id.to_owned()));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_taken_once_within_the_window_then_forgotten() {
        let d = MemoryDedup::new(Duration::from_secs(60));
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        assert!(d.claim("a", t));
        assert!(!d.claim("a", t + Duration::from_secs(59)));
        assert!(d.claim("b", t + Duration::from_secs(1)));
        assert!(d.claim("c", t + Duration::from_secs(61)), "a is forgotten past the window");
        assert_eq!(d.len(), 2);
        assert!(d.claim("a", t + Duration::from_secs(62)));
    }

    #[test]
    fn memory_is_bounded() {
        let d = MemoryDedup::with_capacity(Duration::from_secs(3600), 3);
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        for id in ["a", "b", "c", "d"] {
            assert!(d.claim(id, t));
        }
        assert_eq!(d.len(), 3);
        assert!(!d.claim("d", t));
        assert!(d.claim("a", t), "the oldest was forgotten to make room");
    }
}
