//! Who is calling, and what they may do (docs/access.md; the shared types and checks are in `branchpulse_core::access`).
//!
//! [`secret`] makes tokens, codes and passwords and hashes them for the
//! database, [`password`] hashes passwords with argon2id, [`extract`] holds
//! the axum extractors that guard the routes ([`Admin`], [`Reader`],
//! [`DeviceAuth`], [`Caller`]), [`scope`] narrows dashboard filters to a
//! reader's branches, [`qr`] draws enrolment QR codes, [`first_run`] makes
//! the first admin and resets passwords from the command line.

pub mod accounts;
pub mod enrolment;
pub mod extract;
pub mod first_run;
pub mod limits;
pub mod password;
pub mod qr;
pub mod scope;
pub mod secret;
pub mod sign_in;

pub use extract::{Admin, Caller, Coordinator, DeviceAuth, Reader, SignedIn};
