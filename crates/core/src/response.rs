//! Responses: one filled-in questionnaire, identified by a client-made UUID.

use crate::locale::Locale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    Yes,
    No,
    /// Not applicable: leaves the item out of every score.
    Na,
}

/// One answer. Tagged so that a wrong type is reported as such, not guessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    Rating(u8),
    YesNo(YesNo),
    Nps(u8),
    Seconds(u32),
    /// The chosen option's id.
    Choice(String),
    Text(String),
}

impl Answer {
    /// The JSON `type` of the answer: `rating`, `yes_no`, `nps`, `seconds`, `choice` or `text`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Answer::Rating(_) => "rating",
            Answer::YesNo(_) => "yes_no",
            Answer::Nps(_) => "nps",
            Answer::Seconds(_) => "seconds",
            Answer::Choice(_) => "choice",
            Answer::Text(_) => "text",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Kiosk,
    MysteryShop,
}

/// Timing evidence of a mystery-shop visit, tapped by the shopper.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VisitTimes {
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub arrived_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub queue_joined_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub served_at: Option<OffsetDateTime>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub left_at: Option<OffsetDateTime>,
    /// Why the waiting time differs from served − joined, if edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Made on the device; the server's primary key, so a resend is harmless.
    pub id: Uuid,
    pub questionnaire_id: String,
    pub questionnaire_version: u32,
    /// The branch's code.
    pub branch: String,
    pub device_id: String,
    pub channel: Channel,
    pub locale: Locale,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// Answers by item id. Unanswered items are absent.
    pub answers: BTreeMap<String, Answer>,
    /// Free-text comments by item or section id (mystery shop).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comments: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<VisitTimes>,
    /// The visit assignment a mystery-shop report answers (`GET
    /// /api/v1/visits`); absent for kiosk responses and ad-hoc visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Uuid>,
}
