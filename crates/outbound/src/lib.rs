//! Outbound webhooks, the integrator's side of the platform: endpoints (their secrets,
//! schemes, pings and health), redelivery of one delivery, bulk recovery of many, and the
//! rule that disables an endpoint that keeps failing. Commands run on `fml-app`'s units of
//! work, so they audit and wake the engine like every other command.

pub mod deliveries;
pub mod endpoints;
pub mod listen;
pub mod recover;
