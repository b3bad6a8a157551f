//! Mystery-shop visit assignments, and which of them have been reported.

use super::{get_id, get_time, DbRow, Pool, B};
use crate::store::backend::Backend;
use crate::store::{StoreError, VisitRecord};
use sqlx::Row;
use uuid::Uuid;

const COLUMNS: &str = "id, branch, scenario, questionnaire_id, due, created_at, shopper";

fn visit_of(row: &DbRow) -> Result<VisitRecord, StoreError> {
    Ok(VisitRecord {
        id: get_id(row, "id")?,
        branch: row.try_get("branch")?,
        scenario: row.try_get("scenario")?,
        questionnaire_id: row.try_get("questionnaire_id")?,
        due: row.try_get("due")?,
        created_at: get_time(row, "created_at")?,
        shopper: row.try_get("shopper")?,
    })
}

/// Store `v`; with `or_skip`, a visit whose id is stored is left as it is
/// (copying, safe to run again). Whether it was stored.
pub async fn add_visit(pool: &Pool, v: &VisitRecord, or_skip: bool) -> Result<bool, StoreError> {
    let sql = format!(
        "INSERT INTO visits ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7){}",
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
        .bind(v.due)
        .bind(B::time(v.created_at))
        .bind(&v.shopper)
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

pub async fn visit(pool: &Pool, id: Uuid) -> Result<Option<VisitRecord>, StoreError> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM visits WHERE id = $1"))
        .bind(B::id(id))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(visit_of).transpose()
}

pub async fn shopper_visits(pool: &Pool, shopper: &str) -> Result<Vec<VisitRecord>, StoreError> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM visits WHERE shopper IS NULL OR shopper = $1 \
         ORDER BY due, created_at, id"
    ))
    .bind(shopper)
    .fetch_all(pool)
    .await?;
    rows.iter().map(visit_of).collect()
}

/// A visit is reported when a stored mystery-shop response of one of
/// `branches` names it as its `assignment`.
pub async fn reported_visits(
    pool: &Pool,
    branches: &[String],
    visits: &[Uuid],
) -> Result<Vec<Uuid>, StoreError> {
    let assignment = B::json_text("payload", "assignment");
    let sql = format!(
        "SELECT DISTINCT {assignment} FROM responses \
         WHERE channel = 'mystery_shop' AND {} AND {}",
        B::one_of("branch", "$1"),
        B::one_of(&assignment, "$2"),
    );
    let ids: Vec<String> = visits.iter().map(Uuid::to_string).collect();
    let rows: Vec<String> = sqlx::query_scalar(&sql)
        .bind(B::list(branches.to_vec()))
        .bind(B::list(ids))
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().filter_map(|id| id.parse().ok()).collect())
}
