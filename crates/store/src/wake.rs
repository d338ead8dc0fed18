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
}

impl DeliveryWake {
    pub fn new() -> Self {
        Self::default()
    }

    /// Deliveries were created (after their transaction committed).
    pub fn new_deliveries(&self) {
        self.notify.notify_one();
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
    }
}
