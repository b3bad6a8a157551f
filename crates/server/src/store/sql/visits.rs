//! Mystery-shop visits: planned with a window, edited, started, cancelled;
//! every change of status is a guarded `UPDATE … WHERE status IN (…)`, so
//! two changes at once never both apply.

use super::{get_id, get_time, DbRow, Pool, B};
use crate::store::backend::Backend;
use crate::store::{status_label, status_of, StoreError, VisitRecord};
use branchpulse_core::programme::{Hours, VisitStatus, Window};
use sqlx::Row;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

const COLUMNS: &str = "id, branch, scenario, questionnaire_id, due, created_at, shopper, \
     window_from, weekdays, hour_from, hour_to, status, cancelled_reason, updated_at";

fn visit_of(row: &DbRow) -> Result<VisitRecord, StoreError> {
    let weekdays: String = row.try_get("weekdays")?;
    let weekdays = weekdays
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| {
            d.parse::<u8>()
                .map_err(|_| StoreError::Corrupt(format!("visit weekdays \"{weekdays}\"")))
        })
        .collect::<Result<Vec<u8>, _>>()?;
    let hour_from: Option<i64> = row.try_get("hour_from")?;
    let hour_to: Option<i64> = row.try_get("hour_to")?;
    let hours = match (hour_from, hour_to) {
        (Some(from), Some(to)) => Some(Hours {
            from: u8::try_from(from).map_err(|e| StoreError::Corrupt(format!("hour {e}")))?,
            to: u8::try_from(to).map_err(|e| StoreError::Corrupt(format!("hour {e}")))?,
        }),
        _ => None,
    };
    let status: String = row.try_get("status")?;
    Ok(VisitRecord {
        id: get_id(row, "id")?,
        branch: row.try_get("branch")?,
        scenario: row.try_get("scenario")?,
        questionnaire_id: row.try_get("questionnaire_id")?,
        window: Window {
            from: row.try_get("window_from")?,
            to: row.try_get("due")?,
            weekdays,
            hours,
        },
        created_at: get_time(row, "created_at")?,
        shopper: row.try_get("shopper")?,
        status: status_of(&status)?,
        cancelled_reason: row.try_get("cancelled_reason")?,
        updated_at: get_time(row, "updated_at")?,
    })
}

fn weekdays_text(w: &Window) -> String {
    w.weekdays
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

fn labels(statuses: &[VisitStatus]) -> Vec<String> {
    statuses
        .iter()
        .map(|s| status_label(*s).to_owned())
        .collect()
}

/// Store `v`; with `or_skip`, a visit whose id is stored is left as it is
/// (copying, safe to run again). Whether it was stored.
pub async fn add_visit(pool: &Pool, v: &VisitRecord, or_skip: bool) -> Result<bool, StoreError> {
    let sql = format!(
        "INSERT INTO visits ({COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14){}",
        if or_skip {
            " ON CONFLICT (id) DO NOTHING"
        } else {
            ""
        }
    );
    let done = sqlx::query(&sql)
        .bind(B::id(v.id))
        .bind(&v.branch)
        .bind(&v.scenario)
        .bind(&v.questionnaire_id)
        .bind(v.window.to)
        .bind(B::time(v.created_at))
        .bind(&v.shopper)
        .bind(v.window.from)
        .bind(weekdays_text(&v.window))
        .bind(v.window.hours.map(|h| i64::from(h.from)))
        .bind(v.window.hours.map(|h| i64::from(h.to)))
        .bind(status_label(v.status))
        .bind(&v.cancelled_reason)
        .bind(B::time(v.updated_at))
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Write `v` over the stored visit if its status is still one of `from`.
pub async fn update_visit(
    pool: &Pool,
    v: &VisitRecord,
    from: &[VisitStatus],
) -> Result<bool, StoreError> {
    let sql = format!(
        "UPDATE visits SET branch = $2, scenario = $3, questionnaire_id = $4, due = $5, \
         shopper = $6, window_from = $7, weekdays = $8, hour_from = $9, hour_to = $10, \
         status = $11, cancelled_reason = $12, updated_at = $13 \
         WHERE id = $1 AND {}",
        B::one_of("status", "$14")
    );
    let done = sqlx::query(&sql)
        .bind(B::id(v.id))
        .bind(&v.branch)
        .bind(&v.scenario)
        .bind(&v.questionnaire_id)
        .bind(v.window.to)
        .bind(&v.shopper)
        .bind(v.window.from)
        .bind(weekdays_text(&v.window))
        .bind(v.window.hours.map(|h| i64::from(h.from)))
        .bind(v.window.hours.map(|h| i64::from(h.to)))
        .bind(status_label(v.status))
        .bind(&v.cancelled_reason)
        .bind(B::time(v.updated_at))
        .bind(B::list(labels(from)))
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// The shopper `shopper` starts visit `id`: in progress, and theirs if it
/// was nobody's. Whether it changed.
pub async fn start_visit(
    pool: &Pool,
    id: Uuid,
    shopper: &str,
    now: OffsetDateTime,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE visits SET status = 'in_progress', shopper = $2, updated_at = $3 \
         WHERE id = $1 AND status IN ('planned', 'assigned', 'in_progress') \
         AND (shopper IS NULL OR shopper = $2)",
    )
    .bind(B::id(id))
    .bind(shopper)
    .bind(B::time(now))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn visits(pool: &Pool, branch: Option<&str>) -> Result<Vec<VisitRecord>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM visits WHERE $1 IS NULL OR branch = $1 \
         ORDER BY due, created_at, id"
    ))
    .bind(branch)
    .fetch_all(pool)
    .await?;
    rows.iter().map(visit_of).collect()
}

/// The visits whose last day is from `from` to `to`.
pub async fn visits_due(pool: &Pool, from: Date, to: Date) -> Result<Vec<VisitRecord>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM visits WHERE due >= $1 AND due <= $2 ORDER BY due, created_at, id"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(pool)
    .await?;
    rows.iter().map(visit_of).collect()
}

pub async fn visit(pool: &Pool, id: Uuid) -> Result<Option<VisitRecord>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM visits WHERE id = $1"))
        .bind(B::id(id))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(visit_of).transpose()
}

/// A shopper's own visits (those ended only if changed since `since`) and
/// the planned ones nobody has taken.
pub async fn shopper_visits(
    pool: &Pool,
    shopper: &str,
    since: OffsetDateTime,
) -> Result<Vec<VisitRecord>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM visits \
         WHERE (shopper IS NULL AND status = 'planned') \
         OR (shopper = $1 AND (status NOT IN ('approved', 'rejected', 'cancelled') \
             OR updated_at >= $2)) \
         ORDER BY due, created_at, id"
    ))
    .bind(shopper)
    .bind(B::time(since))
    .fetch_all(pool)
    .await?;
    rows.iter().map(visit_of).collect()
}
