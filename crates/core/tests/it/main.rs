//! Core's tests, one module per area, in one test binary (one link instead
//! of one per file). Run one area with a filter:
//! `cargo test -p branchpulse-core --test it validate::`.
//!
//! Proptest keeps the failures it found in `../proptest-regressions/`
//! (next to this folder, because this one has a `main.rs`); they are
//! replayed before new cases are tried.

mod aggregate;
mod alerts;
mod cases;
mod compare;
mod contacts;
mod drivers;
mod glossary;
mod limits;
mod programme;
mod properties;
mod questionnaire;
mod score;
mod scorecard;
mod stats;
mod validate;
mod webhooks;
