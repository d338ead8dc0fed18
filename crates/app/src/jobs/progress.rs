//! Live progress of running jobs in this process, for whoever follows one (a streamed review);
//! only a shortcut, as a job's outcome is in the database. Each followed or running job has
//! one bounded `broadcast` channel, removed by whichever of its publishers and subscribers
//! goes last. A subscriber that falls behind loses the oldest messages (and is told so).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::broadcast::{self, error::RecvError};

/// Messages kept for a subscriber that has not read them yet; beyond this it lags.
pub const BUFFER: usize = 64;

/// One channel per job id.
#[derive(Debug)]
pub struct ProgressHub<T> {
    channels: Mutex<HashMap<i64, Channel<T>>>,
}

#[derive(Debug)]
struct Channel<T> {
    tx: broadcast::Sender<T>,
    /// Runs of the job publishing now (one, unless a lease ran out under a slow run).
    publishers: usize,
}

impl<T> Default for ProgressHub<T> {
    fn default() -> Self {
        Self { channels: Mutex::new(HashMap::new()) }
    }
}

impl<T: Clone> ProgressHub<T> {
    /// Follows job `id`: what its runs publish from now on.
    pub fn subscribe(self: &Arc<Self>, id: i64) -> Subscription<T> {
        let rx = self.lock().entry(id).or_insert_with(channel).tx.subscribe();
        Subscription { rx: Some(rx), hub: Arc::clone(self), id }
    }

    /// A run of job `id` begins: what it sends reaches the job's subscribers, and dropping the
    /// publisher tells them the run ended.
    pub fn publish(self: &Arc<Self>, id: i64) -> Publisher<T> {
        let mut channels = self.lock();
        let c = channels.entry(id).or_insert_with(channel);
        c.publishers += 1;
        Publisher { tx: c.tx.clone(), hub: Arc::clone(self), id }
    }
}

impl<T> ProgressHub<T> {
    fn lock(&self) -> MutexGuard<'_, HashMap<i64, Channel<T>>> {
        // Each change under the lock is one insert or remove: a panic cannot leave it torn.
        self.channels.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn channel<T: Clone>() -> Channel<T> {
    Channel { tx: broadcast::channel(BUFFER).0, publishers: 0 }
}

/// A job's progress as it is published.
#[derive(Debug)]
pub struct Subscription<T> {
    rx: Option<broadcast::Receiver<T>>,
    hub: Arc<ProgressHub<T>>,
    id: i64,
}

impl<T: Clone> Subscription<T> {
    /// The next message; `Lagged` when it fell behind, `Closed` once the run it heard ended.
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        self.rx.as_mut().ok_or(RecvError::Closed)?.recv().await
    }
}

impl<T> Drop for Subscription<T> {
    fn drop(&mut self) {
        drop(self.rx.take());
        let mut channels = self.hub.lock();
        if channels.get(&self.id).is_some_and(|c| c.publishers == 0 && c.tx.receiver_count() == 0) {
            channels.remove(&self.id);
        }
    }
}

/// A run's side of a job's channel.
#[derive(Debug)]
pub struct Publisher<T> {
    tx: broadcast::Sender<T>,
    hub: Arc<ProgressHub<T>>,
    id: i64,
}

impl<T> Publisher<T> {
    /// Tells the subscribers, if any (nobody listening is not an error).
    pub fn send(&self, message: T) {
        let _ = self.tx.send(message);
    }
}

impl<T> Drop for Publisher<T> {
    fn drop(&mut self) {
        let mut channels = self.hub.lock();
        if let Some(c) = channels.get_mut(&self.id).filter(|c| c.tx.same_channel(&self.tx)) {
            c.publishers -= 1;
            // The run ended: without the map's sender (and, after this, the run's), the
            // subscribers hear `Closed` once they have read what it sent; a retry opens anew.
            if c.publishers == 0 {
                channels.remove(&self.id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl<T> ProgressHub<T> {
        fn len(&self) -> usize {
            self.lock().len()
        }

        fn is_empty(&self) -> bool {
            self.len() == 0
        }
    }

    #[tokio::test]
    async fn subscribers_hear_a_run_then_its_end_and_the_channel_goes() {
        let hub = Arc::new(ProgressHub::<u32>::default());
        let mut early = hub.subscribe(7);
        let run = hub.publish(7);
        run.send(1);
        // One that joins mid-run hears the rest.
        let mut late = hub.subscribe(7);
        run.send(2);
        drop(run);
        assert_eq!(early.recv().await, Ok(1));
        assert_eq!(early.recv().await, Ok(2));
        assert_eq!(early.recv().await, Err(RecvError::Closed));
        assert_eq!(late.recv().await, Ok(2));
        assert_eq!(late.recv().await, Err(RecvError::Closed));
        assert!(hub.is_empty(), "the run's end removed the channel");
        drop((early, late));
        assert!(hub.is_empty());
    }

    #[tokio::test]
    async fn a_slow_subscriber_lags_within_the_buffer() {
        let hub = Arc::new(ProgressHub::<usize>::default());
        let mut slow = hub.subscribe(1);
        let run = hub.publish(1);
        for i in 0..BUFFER * 3 {
            run.send(i);
        }
        let lost = u64::try_from(BUFFER * 2).unwrap();
        assert_eq!(slow.recv().await, Err(RecvError::Lagged(lost)));
        assert_eq!(slow.recv().await, Ok(BUFFER * 2));
    }

    #[tokio::test]
    async fn whoever_goes_last_removes_the_channel() {
        let hub = Arc::new(ProgressHub::<u8>::default());
        // A subscriber that leaves while the job runs: the run keeps the channel, then ends it.
        let sub = hub.subscribe(1);
        let run = hub.publish(1);
        drop(sub);
        assert_eq!(hub.len(), 1);
        run.send(1);
        drop(run);
        assert!(hub.is_empty());
        // A subscriber whose job runs elsewhere (nobody publishes here) removes it itself.
        let sub = hub.subscribe(2);
        let other = hub.subscribe(2);
        drop(sub);
        assert_eq!(hub.len(), 1, "one subscriber is left");
        drop(other);
        assert!(hub.is_empty());
        // A run nobody follows leaves nothing behind either.
        hub.publish(3).send(9);
        assert!(hub.is_empty());
    }

    #[tokio::test]
    async fn a_subscriber_that_joins_after_a_run_waits_for_the_next() {
        let hub = Arc::new(ProgressHub::<u8>::default());
        drop(hub.publish(4));
        let mut sub = hub.subscribe(4);
        let retry = hub.publish(4);
        retry.send(5);
        drop(retry);
        assert_eq!(sub.recv().await, Ok(5));
        assert_eq!(sub.recv().await, Err(RecvError::Closed));
    }
}
