//! The server's tests over HTTP, one module per area, in one test binary:
//! each binary links the whole server and its dependencies, so one link
//! instead of one per file keeps a change to the server quick to test on a
//! two-core machine. Run one area with a filter:
//! `cargo test -p branchpulse-server --test it responses::`.
//!
//! All of them share one process: anything process-wide (the `metrics`
//! recorder, tracing's global subscriber) is compared before and after, or
//! exercised in a child process (the JSON-log test in `metrics`).

mod common;

mod access;
mod admins;
mod aggregates;
mod alerts;
mod api;
mod assets;
mod attacks;
mod bounds;
mod cases;
mod catalog;
mod comments;
mod concurrency;
mod contacts;
mod delivery;
mod demo;
mod drivers;
mod durability;
mod edges;
mod erasure;
mod evidence;
mod formats;
mod hostile;
mod kiosk;
mod metrics;
mod migrate;
mod openapi;
mod partial;
mod programme;
mod responses;
mod scorecard;
mod secrecy;
mod visits;
