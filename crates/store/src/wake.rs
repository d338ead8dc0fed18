//! What wakes the delivery engine: new deliveries (it reads those past the last id it saw),
//! and older deliveries made due again — a manual redelivery, an endpoint enabled again —
//! which it could not find by id, so they name their endpoint.

use std::sync::Mutex;

use tokio::sync::Notify;

/// Shared between the writers of deliveries and the engine of one process. Other nodes hear
/// the same through PostgreSQL `NOTIFY` (see [`crate::deliveries::CHANNEL`]).
#[derive(Debug, Default)]
pub struct DeliveryWake {
    notify: Notify,
    endpoints: Mutex<Vec<String>>,
    due_now: Mutex<Vec<String>>,
    scan: std::sync::atomic::AtomicBool,
}

impl DeliveryWake {
    pub fn new() -> Self {
        Self::default()
    }

    /// Deliveries were created whose endpoints are not known here (after their transaction
    /// committed): the engine looks for deliveries newer than the last it saw.
    pub fn new_deliveries(&self) {
        self.scan.store(true, std::sync::atomic::Ordering::Release);
        self.notify.notify_one();
    }

    /// Whether [`Self::new_deliveries`] was called since the last call.
    pub fn take_scan(&self) -> bool {
        self.scan.swap(false, std::sync::atomic::Ordering::AcqRel)
    }

    /// Existing deliveries of `endpoint` are due now.
    pub fn endpoint_due(&self, endpoint: &str) {
        if let Ok(mut list) = self.endpoints.lock()
            && !list.iter().any(|e| e == endpoint)
        {
            list.push(endpoint.to_owned());
        }
        self.notify.notify_one();
    }

    /// These endpoints have new deliveries, due now: the engine claims them without reading
    /// when they are due.
    pub fn due_now(&self, endpoints: &[String]) {
        if let Ok(mut list) = self.due_now.lock() {
            for e in endpoints {
                if !list.contains(e) {
                    list.push(e.clone());
                }
            }
        }
        self.notify.notify_one();
    }

    /// The endpoints named by [`Self::due_now`] since the last call.
    pub fn take_due_now(&self) -> Vec<String> {
        self.due_now.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default()
    }

    /// Waits for the next wake-up.
    pub async fn notified(&self) {
        self.notify.notified().await;
    }

    /// The endpoints named since the last call.
    pub fn take_endpoints(&self) -> Vec<String> {
        self.endpoints.lock().map(|mut l| std::mem::take(&mut *l)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_endpoint_wake_is_remembered_until_taken() {
        let w = DeliveryWake::new();
        w.endpoint_due("ep_1");
        w.endpoint_due("ep_1");
        w.endpoint_due("ep_2");
        // The permit is stored: a waiter that arrives later is not lost.
        w.notified().await;
        assert_eq!(w.take_endpoints(), ["ep_1", "ep_2"]);
        assert!(w.take_endpoints().is_empty());
        w.due_now(&["ep_3".to_owned(), "ep_3".to_owned()]);
        w.notified().await;
        assert_eq!(w.take_due_now(), ["ep_3"]);
        assert!(w.take_due_now().is_empty());
    }
}
