//! Integration tests of the Public API over real HTTP, on SQLite and PostgreSQL.

mod helpers;
mod idv;

mod analysts;
mod cases;
mod catalog;
mod concurrency;
mod console;
mod controls;
mod documents;
mod e2e;
mod edd;
mod engine;
mod idempotency;
mod isolation;
mod jobs;
mod keyring;
mod listener;
mod mail;
mod monitoring;
mod oauth;
mod openapi;
mod persons;
mod portal;
mod processing;
mod queries;
mod receiver;
mod receivers;
mod recipes;
mod review;
mod risk;
mod screening;
mod unit;
mod vendors;
mod webhooks;
mod workflow;
