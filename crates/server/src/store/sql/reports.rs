//! Mystery-shop reports in review, their decisions, and visit quotas.
//!
//! A decision is a guarded `UPDATE reports … WHERE status = 'submitted'`:
//! of two reviewers deciding at once, one changes the row and the other
//! finds nothing to change, so an approval rolls a report up exactly once.

use super::rollups::add_sums;
use super::{get_id, get_opt_id, get_opt_time, get_time, DbRow, Pool, B};
use crate::store::backend::Backend;
use crate::store::rollup::Pending;
use crate::store::{
    report_status_label, report_status_of, status_label, Decided, ReportRow, ReviewRow, StoreError,
};
use branchpulse_core::programme::{Decision, ReportStatus};
use sqlx::{Connection, Row};
use uuid::Uuid;

const COLUMNS: &str = "rp.response_id, rp.visit, rp.shopper, rp.status, rp.note, rp.revises, \
     rp.revised_by, rp.decided_at, rp.decided_by, r.branch, r.questionnaire_id, \
     r.questionnaire_version, r.submitted_at, r.received_at, \
     (SELECT COUNT(*) FROM evidence e WHERE e.report_id = rp.response_id) AS photos";

fn report_of(row: &DbRow) -> Result<ReportRow, StoreError> {
    let status: String = row.try_get("status")?;
    let version: i64 = row.try_get("questionnaire_version")?;
    let photos: i64 = row.try_get("photos")?;
    Ok(ReportRow {
        id: get_id(row, "response_id")?,
        visit: get_opt_id(row, "visit")?,
        shopper: row.try_get("shopper")?,
        status: report_status_of(&status)?,
        note: row.try_get("note")?,
        revises: get_opt_id(row, "revises")?,
        revised_by: get_opt_id(row, "revised_by")?,
        decided_at: get_opt_time(row, "decided_at")?,
        decided_by: row.try_get("decided_by")?,
        branch: row.try_get("branch")?,
        questionnaire_id: row.try_get("questionnaire_id")?,
        questionnaire_version: u32::try_from(version)
            .map_err(|e| StoreError::Corrupt(format!("questionnaire_version {version}: {e}")))?,
        submitted_at: get_time(row, "submitted_at")?,
        received_at: get_time(row, "received_at")?,
        photos: u32::try_from(photos).unwrap_or(u32::MAX),
    })
}

pub async fn report(pool: &Pool, id: Uuid) -> Result<Option<ReportRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reports rp JOIN responses r ON r.id = rp.response_id \
         WHERE rp.response_id = $1"
    ))
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    row.as_ref().map(report_of).transpose()
}

/// Reports newest first, narrowed by each filter given.
pub async fn reports(
    pool: &Pool,
    status: Option<ReportStatus>,
    branch: Option<&str>,
    shopper: Option<&str>,
) -> Result<Vec<ReportRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reports rp JOIN responses r ON r.id = rp.response_id \
         WHERE ($1 IS NULL OR rp.status = $1) AND ($2 IS NULL OR r.branch = $2) \
         AND ($3 IS NULL OR rp.shopper = $3) \
         ORDER BY r.submitted_at DESC, rp.response_id DESC"
    ))
    .bind(status.map(report_status_label))
    .bind(branch)
    .bind(shopper)
    .fetch_all(pool)
    .await?;
    rows.iter().map(report_of).collect()
}

/// The reports of `visits`, oldest received first.
pub async fn visit_reports(pool: &Pool, visits: &[Uuid]) -> Result<Vec<ReportRow>, StoreError> {
    let ids: Vec<_> = visits.iter().copied().map(B::id).collect();
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reports rp JOIN responses r ON r.id = rp.response_id \
         WHERE {} ORDER BY r.received_at, rp.response_id",
        B::one_of("rp.visit", "$1")
    ))
    .bind(B::list(ids))
    .fetch_all(pool)
    .await?;
    rows.iter().map(report_of).collect()
}

pub async fn reviews(pool: &Pool, id: Uuid) -> Result<Vec<ReviewRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT at, reviewer, decision, note FROM report_reviews \
         WHERE response_id = $1 ORDER BY id",
    )
    .bind(B::id(id))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let decision: String = row.try_get("decision")?;
            Ok(ReviewRow {
                at: get_time(row, "at")?,
                reviewer: row.try_get("reviewer")?,
                decision: match decision.as_str() {
                    "approve" => Decision::Approve,
                    "return" => Decision::Return,
                    "reject" => Decision::Reject,
                    other => return Err(StoreError::Corrupt(format!("decision \"{other}\""))),
                },
                note: row.try_get("note")?,
            })
        })
        .collect()
}

/// Decide on a submitted report in one transaction: its status and note,
/// the history line, its visit's status, and on approval its release
/// (`held` cleared) with `release`'s sums. `false` (and nothing written)
/// when the report is not awaiting review.
pub async fn decide(
    pool: &Pool,
    d: &Decided<'_>,
    release: Option<&Pending>,
) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let status = report_status_label(d.decision.status());
    let changed = sqlx::query(
        "UPDATE reports SET status = $2, note = $3, decided_at = $4, decided_by = $5 \
         WHERE response_id = $1 AND status = 'submitted'",
    )
    .bind(B::id(d.id))
    .bind(status)
    .bind((!d.note.is_empty()).then_some(d.note))
    .bind(B::time(d.at))
    .bind(d.reviewer)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !changed {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO report_reviews (response_id, at, reviewer, decision, note) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(B::id(d.id))
    .bind(B::time(d.at))
    .bind(d.reviewer)
    .bind(match d.decision {
        Decision::Approve => "approve",
        Decision::Return => "return",
        Decision::Reject => "reject",
    })
    .bind(d.note)
    .execute(&mut *tx)
    .await?;
    if let Some(visit) = d.visit {
        let to = branchpulse_core::programme::next(
            branchpulse_core::programme::VisitStatus::Submitted,
            d.decision.event(),
        )
        .expect("a submitted visit takes every decision");
        sqlx::query(
            "UPDATE visits SET status = $2, updated_at = $3 WHERE id = $1 AND status = 'submitted'",
        )
        .bind(B::id(visit))
        .bind(status_label(to))
        .bind(B::time(d.at))
        .execute(&mut *tx)
        .await?;
    }
    if d.decision == Decision::Approve {
        sqlx::query("UPDATE responses SET held = FALSE, rolled_up = TRUE WHERE id = $1")
            .bind(B::id(d.id))
            .execute(&mut *tx)
            .await?;
        if let Some(pending) = release {
            add_sums(&mut tx, pending).await?;
        }
        if let Some(seen) = d.observed {
            super::alerts::judge_report(&mut tx, d.id, seen, d.at).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

/// Within `tx`: record a newly stored report, mark the report it revises
/// and move its visit to submitted, each guarded. The reason, when a
/// guard finds the state changed since the checks (another report came
/// first); the caller then rolls back to before the response.
pub async fn add_report(
    tx: &mut <B as sqlx::Database>::Connection,
    r: &crate::store::Record,
    report: &crate::store::ReportFacts,
) -> Result<Result<(), String>, StoreError> {
    let mut sp = tx.begin().await?;
    if let Some(revises) = report.revises {
        let done = sqlx::query(
            "UPDATE reports SET revised_by = $2 WHERE response_id = $1 AND status = 'returned' \
             AND revised_by IS NULL \
             AND (shopper = $3 OR (shopper IS NULL AND $3 IS NULL)) \
             AND (visit = $4 OR (visit IS NULL AND $4 IS NULL))",
        )
        .bind(B::id(revises))
        .bind(B::id(r.id))
        .bind(&report.shopper)
        .bind(report.visit.map(B::id))
        .execute(&mut *sp)
        .await?;
        if done.rows_affected() != 1 {
            sp.rollback().await?;
            return Ok(Err(format!(
                "revises: report {revises} is no longer a returned report of this shopper \
                 awaiting correction"
            )));
        }
    }
    if let Some(visit) = report.visit {
        // A correction follows a returned report; a first report, a visit
        // not yet reported.
        let from = if report.revises.is_some() {
            "status = 'returned'"
        } else {
            "status IN ('planned', 'assigned', 'in_progress')"
        };
        let done = sqlx::query(&format!(
            "UPDATE visits SET status = 'submitted', shopper = COALESCE(shopper, $2), \
             updated_at = $3 WHERE id = $1 AND {from}"
        ))
        .bind(B::id(visit))
        .bind(&report.shopper)
        .bind(B::time(r.received_at))
        .execute(&mut *sp)
        .await?;
        if done.rows_affected() != 1 {
            sp.rollback().await?;
            return Ok(Err(format!(
                "assignment: visit {visit} has already been reported or cancelled"
            )));
        }
    }
    sqlx::query(
        "INSERT INTO reports (response_id, visit, shopper, status, revises) \
         VALUES ($1, $2, $3, 'submitted', $4)",
    )
    .bind(B::id(r.id))
    .bind(report.visit.map(B::id))
    .bind(&report.shopper)
    .bind(report.revises.map(B::id))
    .execute(&mut *sp)
    .await?;
    sp.commit().await?;
    Ok(Ok(()))
}

/// The targets of `quarter`, by branch.
pub async fn quotas(pool: &Pool, quarter: &str) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT branch, target FROM visit_quotas WHERE quarter = $1")
            .bind(quarter)
            .fetch_all(pool)
            .await?,
    )
}

/// Set the targets of `quarter` in one transaction.
pub async fn set_quotas(
    pool: &Pool,
    quarter: &str,
    targets: &[(String, u32)],
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    for (branch, target) in targets {
        sqlx::query(
            "INSERT INTO visit_quotas (branch, quarter, target) VALUES ($1, $2, $3) \
             ON CONFLICT (branch, quarter) DO UPDATE SET target = excluded.target",
        )
        .bind(branch)
        .bind(quarter)
        .bind(i64::from(*target))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
