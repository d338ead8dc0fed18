//! The HTTP routes, one module per resource, merged in [`crate::app`].

pub mod cases;
pub mod catalog;
pub mod clients;
pub mod deliveries;
pub mod documents;
pub mod edd;
pub mod endpoints;
pub mod engines;
pub mod health;
pub mod idempotent;
pub mod idv;
pub mod listen;
pub mod monitoring;
pub mod oauth;
pub mod persons;
pub mod review;
pub mod risk;
pub mod screening;
pub mod session;
pub mod settings;
pub mod workflow;
