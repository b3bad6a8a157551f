//! Responses: one filled-in questionnaire, identified by a client-made UUID.

use crate::locale::Locale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use time::OffsetDateTime;
use uuid::Uuid;

/// A yes/no answer, or not applicable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum YesNo {
    /// Yes.
    Yes,
    /// No.
    No,
    /// Not applicable: leaves the item out of every score.
    Na,
}

/// One answer. Tagged so that a wrong type is reported as such, not guessed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Answer {
    /// 1–5.
    Rating(u8),
    /// Yes, no or not applicable.
    YesNo(YesNo),
    /// 0–10.
    Nps(u8),
    /// A duration in seconds.
    Seconds(u32),
    /// The chosen option's id.
    Choice(String),
    /// Free text.
    Text(String),
    /// A telephone call, counted by the shopper: `{"rings": 4, "answered":
    /// true, "seconds": 21}`.
    Call {
        /// How many rings were heard before the answer (or before hanging up).
        rings: u8,
        /// Whether someone answered.
        answered: bool,
        /// From the first ring to the answer, or to hanging up.
        seconds: u32,
    },
    /// "Does not apply", on an item that offers it: out of every score.
    NotApplicable,
}

impl Answer {
    /// The JSON `type` of the answer: `rating`, `yes_no`, `nps`, `seconds`, `choice`, `text`, `call` or `not_applicable`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Answer::Rating(_) => "rating",
            Answer::YesNo(_) => "yes_no",
            Answer::Nps(_) => "nps",
            Answer::Seconds(_) => "seconds",
            Answer::Choice(_) => "choice",
            Answer::Text(_) => "text",
            Answer::Call { .. } => "call",
            Answer::NotApplicable => "not_applicable",
        }
    }
}

/// How a response was collected; figures of the two are never mixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A lobby kiosk.
    Kiosk,
    /// A mystery shopper's phone.
    MysteryShop,
}

/// Timing evidence of a mystery-shop visit, tapped by the shopper.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VisitTimes {
    /// When the shopper entered the branch.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub arrived_at: Option<OffsetDateTime>,
    /// When the shopper joined the queue.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub queue_joined_at: Option<OffsetDateTime>,
    /// When the shopper was served.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub served_at: Option<OffsetDateTime>,
    /// When the shopper left.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub left_at: Option<OffsetDateTime>,
    /// Why the waiting time differs from served − joined, if edited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_override_reason: Option<String>,
}

/// One filled-in questionnaire, as the device sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Response {
    /// Made on the device; the server's primary key, so a resend is harmless.
    pub id: Uuid,
    /// The questionnaire answered.
    pub questionnaire_id: String,
    /// The version of it answered.
    pub questionnaire_version: u32,
    /// The branch's code.
    pub branch: String,
    /// The enrolled device that collected it.
    pub device_id: String,
    /// Kiosk or mystery shop.
    pub channel: Channel,
    /// The language it was answered in.
    pub locale: Locale,
    /// When the first screen was shown, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    /// When it was submitted on the device, RFC 3339.
    #[serde(with = "time::serde::rfc3339")]
    pub submitted_at: OffsetDateTime,
    /// Answers by item id. Unanswered items are absent.
    pub answers: BTreeMap<String, Answer>,
    /// Free-text comments by item or section id (mystery shop).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub comments: BTreeMap<String, String>,
    /// Timing evidence of a mystery-shop visit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<VisitTimes>,
    /// The visit assignment a mystery-shop report answers (`GET
    /// /api/v1/visits`); absent for kiosk responses and ad-hoc visits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assignment: Option<Uuid>,
    /// The returned report this one corrects (a new response, same visit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revises: Option<Uuid>,
    /// The customer left before the end: the idle timeout submitted what was
    /// given. Required items may be missing; at least one item is answered.
    /// Each answered item counts in the figures; the response counts as
    /// not completed in the completion rate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
}
