//! The words of BranchPulse's domain, shared by the web app and the server.
//!
//! A [`Questionnaire`] is data (loaded from JSON with [`questionnaire::load`]);
//! a [`Response`] answers one; [`validate::validate`] checks a response against
//! its questionnaire; [`score::score`] turns answers into 0–100 scores per
//! dimension; [`stats`] puts honest intervals around aggregated figures;
//! [`protocol`] is what the sync client and the server say to each other.
//!
//! ```
//! use branchpulse_core::questionnaire;
//! let json = include_str!("../../../questionnaires/kiosk.json");
//! let q = questionnaire::load("kiosk.json", json).unwrap();
//! assert_eq!(q.kind, branchpulse_core::Kind::Kiosk);
//! ```
//!
//! Nothing here reads a clock, a file or the network: callers pass in `now`
//! and file contents, so the same code runs natively and in WebAssembly.

pub mod access;
pub mod aggregate;
pub mod alerts;
pub mod cases;
pub mod collect;
pub mod day;
pub mod drivers;
pub mod fdr;
pub mod locale;
pub mod problem;
pub mod programme;
pub mod protocol;
pub mod questionnaire;
pub mod response;
pub mod score;
pub mod scorecard;
pub mod stats;
pub mod text;
pub mod validate;
pub mod webhooks;

pub use locale::{Locale, Text};
pub use problem::ProblemCode;
pub use questionnaire::{Dimension, Item, ItemKind, Kind, Questionnaire, Scale, Section};
pub use response::{Answer, Channel, Response, VisitTimes, YesNo};
