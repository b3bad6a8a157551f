//! A reviewer's decision on a mystery-shop report: approve (it is released
//! and rolled up, in the same transaction), return it to the shopper with a
//! note, or reject it with a reason. The HTTP handler and the demo data
//! both go through [`decide`], so demo reports are released as real ones.

use crate::error::ApiError;
use crate::store::rollup::Pending;
use crate::store::{Decided, Facts, Record, ReportRow};
use crate::AppState;
use branchpulse_core::alerts::Observed;
use branchpulse_core::programme::{Decision, ReportStatus, Review, MAX_NOTE_CHARS};
use branchpulse_core::{ProblemCode, Response};
use time::OffsetDateTime;
use uuid::Uuid;

/// Check a reviewer's note: required to return or reject, plain text, at
/// most [`MAX_NOTE_CHARS`]. The trimmed note.
pub fn check_note(review: &Review) -> Result<String, ApiError> {
    let note = review.note.trim();
    let bad = |code: ProblemCode, message: String| {
        ApiError::Unprocessable(format!("note: {message}"))
            .coded(code)
            .at("note")
    };
    if note.is_empty() && review.decision.needs_note() {
        return Err(bad(
            ProblemCode::Empty,
            match review.decision {
                Decision::Return => "is empty; tell the shopper what to correct".into(),
                _ => "is empty; say why the report is rejected".into(),
            },
        ));
    }
    if let Err(e) = branchpulse_core::text::check_plain("note", note) {
        return Err(bad(e.code(), e.reason()));
    }
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(bad(
            ProblemCode::TooLong,
            format!("is longer than {MAX_NOTE_CHARS} characters"),
        ));
    }
    Ok(note.to_owned())
}

/// Decide on report `id` as `reviewer` (a user name; the audit log names
/// `actor`). 404 when there is no such report, 409 when it does not await
/// review (or another reviewer decided first), 422 naming `note`.
pub async fn decide(
    state: &AppState,
    id: Uuid,
    review: &Review,
    reviewer: &str,
    actor: &str,
    now: OffsetDateTime,
) -> Result<ReportRow, ApiError> {
    let note = check_note(review)?;
    let Some(report) = state.store.report(id).await? else {
        return Err(ApiError::NotFound(format!(
            "no report {id}; GET /api/v1/reports lists them"
        )));
    };
    if report.status != ReportStatus::Submitted {
        return Err(not_awaiting(id, report.status));
    }
    let (release, observed) = if review.decision == Decision::Approve {
        let (pending, observed) = release(state, id, now).await?;
        (Some(pending), observed)
    } else {
        (None, None)
    };
    let decided = Decided {
        id,
        visit: report.visit,
        decision: review.decision,
        note: &note,
        reviewer,
        at: now,
        observed: observed.as_ref(),
    };
    if !state.store.decide(&decided, release.as_ref()).await? {
        // Another reviewer decided between the read above and the write.
        let status = state
            .store
            .report(id)
            .await?
            .map_or(ReportStatus::Submitted, |r| r.status);
        return Err(not_awaiting(id, status));
    }
    state
        .store
        .audit(
            actor,
            match review.decision {
                Decision::Approve => "report.approve",
                Decision::Return => "report.return",
                Decision::Reject => "report.reject",
            },
            &id.to_string(),
            serde_json::json!({ "visit": report.visit, "note": note }),
        )
        .await?;
    state
        .store
        .report(id)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("report {id} vanished after its review")))
}

fn not_awaiting(id: Uuid, status: ReportStatus) -> ApiError {
    let status = crate::store::report_status_label(status);
    ApiError::Conflict(format!(
        "report {id} is {status}: only a submitted report awaits review"
    ))
}

/// What approving report `id` adds to the dashboard: its sums and
/// comments, scored with the questionnaire version it answered, exactly as
/// ingest would have added them; and what it shows the alert rules.
async fn release(
    state: &AppState,
    id: Uuid,
    now: OffsetDateTime,
) -> Result<(Pending, Option<Observed>), ApiError> {
    let payload = state
        .store
        .payload(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no report {id}")))?;
    let response: Response = serde_json::from_str(&payload)
        .map_err(|e| ApiError::Internal(format!("report {id} cannot be read: {e}")))?;
    let mut pending = Pending::default();
    let mut observed = None;
    match state
        .catalog
        .questionnaire(&response.questionnaire_id, response.questionnaire_version)
    {
        Some(q) => {
            let facts = Facts::of(&q, &response);
            pending.add_facts(&Record::new(&response, now), &facts);
            observed = Some(Observed::of(&q, &response));
        }
        // As the start-up backfill does: released, left out of the figures.
        None => {
            tracing::warn!(%id, "an approved report cannot be scored; it is left out of the dashboard")
        }
    }
    Ok((pending, observed))
}
