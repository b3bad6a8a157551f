//! What the sync client and the server say to each other.

use crate::problem::ProblemCode;
use crate::questionnaire::Questionnaire;
use crate::response::Response;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Body of `POST /api/v1/responses`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncBatch {
    /// The responses to store, each answered on its own.
    pub responses: Vec<Response>,
}

/// The server's answer for one response of a batch, in the batch's order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Outcome {
    /// Stored now.
    Accepted {
        /// The response's id.
        id: Uuid,
    },
    /// Already stored with the same content: a success for the client.
    Duplicate {
        /// The response's id.
        id: Uuid,
    },
    /// Not stored; `reason` says what to fix, naming the field. Final: the
    /// device sets the response aside ("needs attention") and stops sending it.
    Rejected {
        /// The response's id.
        id: Uuid,
        /// What is wrong, naming the field.
        reason: String,
    },
    /// Not stored *yet*: the response is dated ahead of the server's clock by
    /// more than the skew allowed (the device's clock is fast). Not final: the
    /// device keeps it in the outbox and sends it again later, when the
    /// server's clock has caught up or the device's clock was corrected.
    Deferred {
        /// The response's id.
        id: Uuid,
        /// Which timestamp is ahead of the server's clock.
        reason: String,
    },
}

impl Outcome {
    /// The id of the response this outcome is for.
    pub fn id(&self) -> Uuid {
        match self {
            Outcome::Accepted { id }
            | Outcome::Duplicate { id }
            | Outcome::Rejected { id, .. }
            | Outcome::Deferred { id, .. } => *id,
        }
    }

    /// Whether the client may drop the response from its outbox.
    pub fn is_stored(&self) -> bool {
        matches!(self, Outcome::Accepted { .. } | Outcome::Duplicate { .. })
    }
}

/// The answer to `POST /api/v1/responses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncReply {
    /// One outcome per response of the batch, in its order.
    pub results: Vec<Outcome>,
}

/// Every error body the server sends:
/// `{"error": "…", "code": "username_taken", "field": "username"}`.
///
/// `error` is English for people (logs, curl); clients act on `code` and
/// `field`. Both are optional when read: servers before problem codes sent
/// only `error`, and a newer server may send a code this build does not
/// know (read as `None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// What went wrong and, where it helps, what to do.
    pub error: String,
    /// What went wrong, by name: what clients translate and act on.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::problem::lenient"
    )]
    pub code: Option<ProblemCode>,
    /// The field or parameter at fault, as the request named it
    /// (`username`, `from`, `branches`), when the problem is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// `GET /api/v1/health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
    /// The server's version.
    pub version: String,
}

/// One entry of `GET /api/v1/questionnaires`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionnaireSummary {
    /// The questionnaire's id.
    pub id: String,
    /// Its active version.
    pub version: u32,
    /// Kiosk or mystery shop.
    pub kind: crate::questionnaire::Kind,
    /// Its title in each of its languages.
    pub title: crate::locale::Text,
    /// The languages it is offered in.
    pub languages: Vec<crate::locale::Locale>,
    /// How many items it has.
    pub items: usize,
}

impl From<&Questionnaire> for QuestionnaireSummary {
    fn from(q: &Questionnaire) -> Self {
        QuestionnaireSummary {
            id: q.id.clone(),
            version: q.version,
            kind: q.kind,
            title: q.title.clone(),
            languages: q.languages.clone(),
            items: q.items().count(),
        }
    }
}

/// A branch of the bank. Until the admin screens exist, from `branches.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Branch {
    /// The branch's code, named by responses, devices and filters.
    pub code: String,
    /// Its name for people.
    pub name: String,
    /// The region it belongs to (what a regional manager reads).
    pub region: String,
    /// An inactive (closed) branch keeps its data but takes no new responses or visits.
    #[serde(default = "yes")]
    pub active: bool,
    /// Its format (peer group), a [`Format`]'s code: the branches it is
    /// compared with when the dashboard compares with peers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// A kind of branch (community, business district, loan centre, …), whose
/// branches are one another's peers; admins keep the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Format {
    /// Its code, as branches name it (like a branch code: `A-Z`, `0-9`, `-`, `_`).
    pub code: String,
    /// Its name in zh-CN, en and es.
    pub name: crate::Text,
}

fn yes() -> bool {
    true
}

// Mystery-shop visit assignments

/// Body of `POST /api/v1/visits`: a visit assigned to a mystery shopper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    /// The branch's code.
    pub branch: String,
    /// What the shopper asks or does at the branch, e.g. "open a savings account".
    pub scenario: String,
    /// A questionnaire of kind `mystery_shop`; its latest version is used.
    pub questionnaire_id: String,
    /// When the visit must be made; its last day is the day it is due.
    pub window: crate::programme::Window,
    /// The shopper who makes the visit; only that shopper's phones list it.
    /// `None`: any shopper's phone lists it.
    #[serde(default)]
    pub shopper: Option<String>,
}

/// A visit assignment as the server keeps it (`GET /api/v1/visits`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Visit {
    /// The visit's id, made by the server.
    pub id: Uuid,
    /// The branch's code.
    pub branch: String,
    /// What the shopper asks or does at the branch.
    pub scenario: String,
    /// The mystery-shop questionnaire the report answers.
    pub questionnaire_id: String,
    /// The window's last day, `YYYY-MM-DD`.
    pub due: String,
    /// When the visit must be made.
    pub window: crate::programme::Window,
    /// When it was planned, RFC 3339 (UTC).
    pub created_at: String,
    /// The shopper who makes the visit; `None` for any shopper, and for managers.
    #[serde(default)]
    pub shopper: Option<String>,
    /// Where it stands.
    pub status: crate::programme::VisitStatus,
    /// Its window has passed with the shopper still to act.
    #[serde(default)]
    pub overdue: bool,
    /// The reviewer's note when its report was returned or rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Its latest report, once one has arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Uuid>,
}

// Evidence: photos attached to a mystery-shop report

/// Body of `POST /api/v1/evidence`: a photo the phone is about to send,
/// announced once its report is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewEvidence {
    /// The photo's id, made by the phone (a resend announces the same one).
    pub id: Uuid,
    /// The report (response id) the photo belongs to.
    pub report: Uuid,
    /// The item it shows; exactly one of `item` and `stage` is given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The stage (a section id) it shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Always `image/jpeg`.
    pub content_type: String,
    /// Its length in bytes.
    pub size: u64,
    /// Lowercase hex SHA-256 of its bytes.
    pub sha256: String,
}

/// How much of a photo the server has (`POST`, `PUT …/content`,
/// `GET /api/v1/evidence/{id}`): the phone sends the rest from `received`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceStatus {
    /// The photo's id.
    pub id: Uuid,
    /// Bytes received so far.
    pub received: u64,
    /// Bytes announced.
    pub size: u64,
    /// Received whole, checked and stored: the phone may forget it.
    pub complete: bool,
    /// Why a chunk was not taken (a 409: it did not start at `received`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One photo of a report (`GET /api/v1/evidence?report=ID`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvidenceSummary {
    /// The photo's id.
    pub id: Uuid,
    /// The report (response) it was sent with: the one asked about, or an
    /// earlier version that one corrects.
    pub report: Uuid,
    /// The item it shows, if it shows an item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<String>,
    /// The stage it shows, if it shows a stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Bytes announced.
    pub size: u64,
    /// Whether its bytes can be read (`GET /api/v1/evidence/{id}/content`).
    pub complete: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_without_or_with_an_unknown_code_still_read() {
        let old: ErrorBody = serde_json::from_str(r#"{"error": "no user 7"}"#).unwrap();
        assert_eq!((old.code, old.field), (None, None));
        let newer: ErrorBody =
            serde_json::from_str(r#"{"error": "x", "code": "not_yet_invented", "field": "f"}"#)
                .unwrap();
        assert_eq!(newer.code, None);
        assert_eq!(newer.field.as_deref(), Some("f"));
        let body = ErrorBody {
            error: "username: \"ana\" is taken".into(),
            code: Some(ProblemCode::UsernameTaken),
            field: Some("username".into()),
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["code"], "username_taken");
        assert_eq!(serde_json::from_value::<ErrorBody>(json).unwrap(), body);
    }
}
