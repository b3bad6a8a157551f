//! Alerts, around the judging itself (which happens in the transactions
//! that store responses and approve reports, see `store/sql/alerts.rs`):
//! the rules admins set ([`rules`]), the sweep that finds silent kiosks
//! ([`sweep`]), and each reader's inbox ([`inbox`]).
//!
//! Who sees an alert: admins every one; anyone else the alerts of rules
//! whose recipients name their role, at branches their scope reads
//! (`branchpulse_core::alerts::visible`). Read state is per user.

pub mod inbox;
pub mod rules;
pub mod sweep;
