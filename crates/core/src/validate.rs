//! Checking a response against the questionnaire it answers.

use crate::questionnaire::Questionnaire;
use crate::response::Response;
use time::{Duration, OffsetDateTime};

/// One thing wrong with a response; `field` names it (`answers.q3`, `submitted_at`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct Problem {
    pub field: String,
    pub message: String,
}

/// What validation needs from outside: the caller's clock and its tolerance.
#[derive(Debug, Clone, Copy)]
pub struct Rules {
    pub now: OffsetDateTime,
    /// How far in the future a device clock may be before timestamps are refused.
    pub max_clock_skew: Duration,
}

/// Check `r` against `q` (which must be the questionnaire id+version it names).
pub fn validate(q: &Questionnaire, r: &Response, rules: &Rules) -> Result<(), Vec<Problem>> {
    let _ = (q, r, rules);
    todo!("helper")
}
