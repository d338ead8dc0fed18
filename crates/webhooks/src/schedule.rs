//! The retry schedule: after a failed attempt, retry 1 s, 5 s, 30 s, 5 min and 30 min later;
//! after the fifth retry fails, the delivery is `failed`.

use std::time::Duration;

/// The guide's schedule.
pub const DEFAULT: [Duration; 5] = [
    Duration::from_secs(1),
    Duration::from_secs(5),
    Duration::from_secs(30),
    Duration::from_secs(300),
    Duration::from_secs(1800),
];

/// A retry schedule (the guide's by default; tests use a scaled-down one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(Vec<Duration>);

impl Default for Schedule {
    fn default() -> Self {
        Self(DEFAULT.to_vec())
    }
}

impl Schedule {
    pub fn new(delays: Vec<Duration>) -> Self {
        Self(delays)
    }

    /// Parses `FML_TEST_RETRY_SCHEDULE_MS` ("10,20,30,40,50"): a test-only setting.
    pub fn from_millis_list(raw: &str) -> Option<Self> {
        let delays: Option<Vec<Duration>> =
            raw.split(',').map(|s| s.trim().parse::<u64>().ok().map(Duration::from_millis)).collect();
        delays.filter(|d| !d.is_empty()).map(Self)
    }

    /// After the `failures`-th automatic failure (1-based), how long until the next attempt;
    /// `None` once the retries are used up.
    pub fn delay_after(&self, failures: u32) -> Option<Duration> {
        let i = usize::try_from(failures).ok()?.checked_sub(1)?;
        self.0.get(i).copied()
    }

    /// How many automatic retries follow the first attempt.
    pub fn retries(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guides_schedule() {
        let s = Schedule::default();
        let secs: Vec<Option<u64>> = (1..=6).map(|n| s.delay_after(n).map(|d| d.as_secs())).collect();
        assert_eq!(secs, [Some(1), Some(5), Some(30), Some(300), Some(1800), None]);
        assert_eq!(s.delay_after(0), None);
        assert_eq!(s.retries(), 5);
    }

    #[test]
    fn test_schedules_parse() {
        let s = Schedule::from_millis_list("10, 20,30").unwrap();
        assert_eq!(s.delay_after(2), Some(Duration::from_millis(20)));
        assert_eq!(s.delay_after(4), None);
        assert!(Schedule::from_millis_list("").is_none());
        assert!(Schedule::from_millis_list("1,x").is_none());
    }
}
