//! Follow-up cases, their history, and the contact details a customer left:
//! read for the case's owner and admins, erased on schedule and with their
//! response. Every change of a case writes its `case_events` rows and its
//! audit-log line in the transaction that makes it.

use super::access::audit_in;
use super::{get_id, get_opt_id, get_opt_time, get_time, DbRow, Pool, B};
use crate::store::access::rfc3339;
use crate::store::backend::Backend;
use crate::store::cases::{AlertRow, CaseQuery, CaseRow, CaseUpdate, ErasedContact, NewCaseRow};
use crate::store::StoreError;
use branchpulse_core::alerts::{Alert, Finding, NewRule};
use branchpulse_core::cases::{CaseEvent, CaseFacts, CaseStatus, Contact, ContactWay};
use branchpulse_core::Locale;
use sqlx::Row;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

type Conn = <B as sqlx::Database>::Connection;

/// An alert's columns, with its case's id and the rule's definition.
const ALERT: &str = "a.id AS alert_id, a.rule_id, a.rule_name, a.branch, a.raised_at, \
     a.finding, a.response_id";

fn status_of(label: &str) -> Result<CaseStatus, StoreError> {
    CaseStatus::parse(label).ok_or_else(|| StoreError::Corrupt(format!("case status \"{label}\"")))
}

/// The alert of `row` (selected with [`ALERT`]); `case` is its case's id.
fn alert_of(row: &DbRow, case: Option<Uuid>) -> Result<Alert, StoreError> {
    let id = get_id(row, "alert_id")?;
    let finding: String = row.try_get("finding")?;
    let finding: Finding = serde_json::from_str(&finding)
        .map_err(|e| StoreError::Corrupt(format!("alert {id}'s finding: {e}")))?;
    Ok(Alert {
        id,
        rule: get_id(row, "rule_id")?,
        rule_name: row.try_get("rule_name")?,
        branch: row.try_get("branch")?,
        raised_at: rfc3339(get_time(row, "raised_at")?),
        finding,
        response: get_opt_id(row, "response_id")?,
        // Read state is the inbox's, per reader; a case does not say it.
        read: false,
        case,
    })
}

pub async fn case_alert(pool: &Pool, id: Uuid) -> Result<Option<AlertRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {ALERT}, r.definition, k.id AS case_id FROM alerts a \
         JOIN alert_rules r ON r.id = a.rule_id LEFT JOIN cases k ON k.alert_id = a.id \
         WHERE a.id = $1"
    ))
    .bind(B::id(id))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let definition: String = row.try_get("definition")?;
    let rule: NewRule = serde_json::from_str(&definition)
        .map_err(|e| StoreError::Corrupt(format!("the rule of alert {id}: {e}")))?;
    Ok(Some(AlertRow {
        alert: alert_of(&row, get_opt_id(&row, "case_id")?)?,
        roles: rule.recipients.roles,
    }))
}

const CASE: &str = "SELECT k.id, k.owner, COALESCE(u.username, '') AS owner_name, k.due, \
     k.status, k.created_at, k.updated_at, k.resolved_at, k.informed_at, \
     a.id AS alert_id, a.rule_id, a.rule_name, a.branch, a.raised_at, a.finding, a.response_id, \
     (SELECT COUNT(*) FROM contacts c WHERE c.response_id = a.response_id) AS contacts \
     FROM cases k JOIN alerts a ON a.id = k.alert_id LEFT JOIN users u ON u.id = k.owner";

fn case_of(row: &DbRow) -> Result<CaseRow, StoreError> {
    let id = get_id(row, "id")?;
    let status: String = row.try_get("status")?;
    let contacts: i64 = row.try_get("contacts")?;
    Ok(CaseRow {
        id,
        alert: alert_of(row, Some(id))?,
        owner: get_id(row, "owner")?,
        owner_name: row.try_get("owner_name")?,
        due: row.try_get("due")?,
        status: status_of(&status)?,
        created_at: get_time(row, "created_at")?,
        updated_at: get_time(row, "updated_at")?,
        resolved_at: get_opt_time(row, "resolved_at")?,
        informed_at: get_opt_time(row, "informed_at")?,
        has_contact: contacts > 0,
    })
}

pub async fn case(pool: &Pool, id: Uuid) -> Result<Option<CaseRow>, StoreError> {
    let row = sqlx::query(&format!("{CASE} WHERE k.id = $1"))
        .bind(B::id(id))
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(case_of).transpose()
}

/// Soonest due first, then oldest made.
pub async fn cases(pool: &Pool, q: &CaseQuery) -> Result<Vec<CaseRow>, StoreError> {
    let rows = sqlx::query(&format!(
        "{CASE} WHERE ($1 IS NULL OR k.status = $1) AND ($2 IS NULL OR k.owner = $2) \
         AND ($3 IS NULL OR {}) ORDER BY k.due, k.created_at, k.id",
        B::one_of("a.branch", "$3")
    ))
    .bind(q.status.map(CaseStatus::as_str))
    .bind(q.owner.map(B::id))
    .bind(q.branches.clone().map(B::list))
    .fetch_all(pool)
    .await?;
    rows.iter().map(case_of).collect()
}

pub async fn history(pool: &Pool, id: Uuid) -> Result<Vec<CaseEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT at, by_user, what, text FROM case_events WHERE case_id = $1 ORDER BY id",
    )
    .bind(B::id(id))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(CaseEvent {
                at: rfc3339(get_time(row, "at")?),
                by: row.try_get("by_user")?,
                what: row.try_get("what")?,
                text: row.try_get("text")?,
            })
        })
        .collect()
}

async fn event(
    tx: &mut Conn,
    case: Uuid,
    at: OffsetDateTime,
    by: &str,
    what: &str,
    text: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO case_events (case_id, at, by_user, what, text) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(B::id(case))
    .bind(B::time(at))
    .bind(by)
    .bind(what)
    .bind(text)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// `false`, with nothing written, when the alert already has a case.
pub async fn add_case(pool: &Pool, c: &NewCaseRow<'_>) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO cases (id, alert_id, branch, owner, due, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $6) ON CONFLICT (alert_id) DO NOTHING",
    )
    .bind(B::id(c.id))
    .bind(B::id(c.alert))
    .bind(c.branch)
    .bind(B::id(c.owner))
    .bind(c.due)
    .bind(B::time(c.at))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        tx.rollback().await?;
        return Ok(false);
    }
    let made = format!("owner {}, due {}", c.owner_name, c.due);
    event(&mut tx, c.id, c.at, c.by, "created", &made).await?;
    if let Some(note) = c.note {
        event(&mut tx, c.id, c.at, c.by, "note", note).await?;
    }
    let detail = serde_json::json!({
        "alert": c.alert,
        "branch": c.branch,
        "owner": c.owner_name,
        "due": c.due.to_string(),
        "note": c.note.is_some(),
    });
    audit_in(
        &mut tx,
        c.at,
        c.actor,
        "case.create",
        &c.id.to_string(),
        &detail,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// `false`, with nothing written, when the case is no longer in status
/// `u.from` (another change came first).
pub async fn change_case(pool: &Pool, u: &CaseUpdate<'_>) -> Result<bool, StoreError> {
    let mut tx = pool.begin().await?;
    let status = u.status.unwrap_or(u.from);
    let resolved = u.status == Some(CaseStatus::Resolved);
    let informed = u.status == Some(CaseStatus::CustomerInformed);
    // The first resolution is kept: the time to resolve runs to it, and a
    // case reopened and resolved again does not start over.
    let changed = sqlx::query(
        "UPDATE cases SET status = $1, owner = COALESCE($2, owner), due = COALESCE($3, due), \
         updated_at = $4, \
         resolved_at = CASE WHEN $5 THEN COALESCE(resolved_at, $4) ELSE resolved_at END, \
         informed_at = CASE WHEN $6 THEN $4 ELSE informed_at END \
         WHERE id = $7 AND status = $8",
    )
    .bind(status.as_str())
    .bind(u.owner.map(|(id, _)| B::id(id)))
    .bind(u.due)
    .bind(B::time(u.at))
    .bind(resolved)
    .bind(informed)
    .bind(B::id(u.id))
    .bind(u.from.as_str())
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !changed {
        tx.rollback().await?;
        return Ok(false);
    }
    let mut detail = serde_json::Map::new();
    if let Some(s) = u.status {
        event(&mut tx, u.id, u.at, u.by, "status", s.as_str()).await?;
        detail.insert("from".into(), u.from.as_str().into());
        detail.insert("status".into(), s.as_str().into());
    }
    if let Some((_, name)) = u.owner {
        event(&mut tx, u.id, u.at, u.by, "owner", name).await?;
        detail.insert("owner".into(), name.into());
    }
    if let Some(due) = u.due {
        event(&mut tx, u.id, u.at, u.by, "due", &due.to_string()).await?;
        detail.insert("due".into(), due.to_string().into());
    }
    if let Some(note) = u.note {
        event(&mut tx, u.id, u.at, u.by, "note", note).await?;
    }
    // The note's text is in the case's history; the log says one was added.
    detail.insert("note".into(), u.note.is_some().into());
    audit_in(
        &mut tx,
        u.at,
        u.actor,
        "case.change",
        &u.id.to_string(),
        &serde_json::Value::Object(detail),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

pub async fn contact(pool: &Pool, response: Uuid) -> Result<Option<Contact>, StoreError> {
    let row = sqlx::query("SELECT way, value, locale FROM contacts WHERE response_id = $1")
        .bind(B::id(response))
        .fetch_optional(pool)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let way = match row.try_get::<String, _>("way")?.as_str() {
        "phone" => ContactWay::Phone,
        "email" => ContactWay::Email,
        other => return Err(StoreError::Corrupt(format!("contact way \"{other}\""))),
    };
    let tag: String = row.try_get("locale")?;
    let locale = Locale::from_tag(&tag)
        .ok_or_else(|| StoreError::Corrupt(format!("contact locale \"{tag}\"")))?;
    Ok(Some(Contact {
        way,
        value: row.try_get("value")?,
        locale,
    }))
}

/// The cases made from `from` (inclusive) to `to` (exclusive), by branch.
pub async fn facts(
    pool: &Pool,
    from: Option<OffsetDateTime>,
    to: Option<OffsetDateTime>,
) -> Result<Vec<(String, CaseFacts)>, StoreError> {
    let rows = sqlx::query(
        "SELECT branch, status, due, created_at, resolved_at FROM cases \
         WHERE ($1 IS NULL OR created_at >= $1) AND ($2 IS NULL OR created_at < $2) \
         ORDER BY branch, id",
    )
    .bind(from.map(B::time))
    .bind(to.map(B::time))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            let status: String = row.try_get("status")?;
            let due: Date = row.try_get("due")?;
            Ok((
                row.try_get("branch")?,
                CaseFacts {
                    status: status_of(&status)?,
                    due,
                    created_at: get_time(row, "created_at")?,
                    resolved_at: get_opt_time(row, "resolved_at")?,
                },
            ))
        })
        .collect()
}

/// Delete the contacts `select` names (a query of `response_id`s, its
/// parameter `$1`, if any, bound to `param`), each with an audit line
/// naming why; never the value.
async fn erase_where(
    tx: &mut Conn,
    select: &str,
    param: Option<OffsetDateTime>,
    actor: &str,
    why: &str,
    now: OffsetDateTime,
) -> Result<Vec<ErasedContact>, StoreError> {
    let sql =
        format!("DELETE FROM contacts WHERE response_id IN ({select}) RETURNING id, response_id");
    let mut query = sqlx::query(&sql);
    if let Some(param) = param {
        query = query.bind(B::time(param));
    }
    let rows = query.fetch_all(&mut *tx).await?;
    let mut erased = Vec::with_capacity(rows.len());
    for row in &rows {
        let e = ErasedContact {
            contact: get_id(row, "id")?,
            response: get_id(row, "response_id")?,
        };
        let detail = serde_json::json!({ "response": e.response, "why": why });
        audit_in(
            tx,
            now,
            actor,
            "contact.erase",
            &e.contact.to_string(),
            &detail,
        )
        .await?;
        erased.push(e);
    }
    Ok(erased)
}

/// The contacts whose cases are all closed, the last before `closed_before`,
/// those whose response's texts were erased (purge or retention), and
/// those no alert refers to, with an audit line each, in one transaction.
pub async fn erase_contacts(
    pool: &Pool,
    closed_before: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Vec<ErasedContact>, StoreError> {
    let mut tx = pool.begin().await?;
    // A contact may be followed up by more than one case (its own alert,
    // and a low score's about the same response): it is kept while any is
    // still open.
    let closed = "SELECT a.response_id FROM alerts a JOIN cases k ON k.alert_id = a.id \
         WHERE a.response_id IS NOT NULL GROUP BY a.response_id \
         HAVING COUNT(k.informed_at) = COUNT(*) AND MAX(k.informed_at) < $1";
    // The purge erases its response's contact itself; this catches one
    // that failed between the response's erasure and its contact's.
    let purged = "SELECT c.response_id FROM contacts c JOIN responses r ON r.id = c.response_id \
                  WHERE r.payload_hash LIKE 'purged-text:%'";
    // No alert tells anyone of it (none was raised, or it went with its
    // rule, and its case with it): nobody will ever call, so it is not kept.
    let unheard = "SELECT c.response_id FROM contacts c WHERE NOT EXISTS \
                   (SELECT 1 FROM alerts a WHERE a.response_id = c.response_id)";
    let mut erased = Vec::new();
    for (select, param, why) in [
        (closed, Some(closed_before), "closed"),
        (purged, None, "text_erased"),
        (unheard, None, "no_alert"),
    ] {
        erased.extend(erase_where(&mut tx, select, param, "system:retention", why, now).await?);
    }
    tx.commit().await?;
    Ok(erased)
}

/// Delete the contact left with `response`, if any, with an audit line.
pub async fn erase_contact(
    pool: &Pool,
    response: Uuid,
    actor: &str,
    why: &str,
    now: OffsetDateTime,
) -> Result<Option<ErasedContact>, StoreError> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query("DELETE FROM contacts WHERE response_id = $1 RETURNING id")
        .bind(B::id(response))
        .fetch_optional(&mut *tx)
        .await?;
    let erased = match row {
        Some(row) => {
            let e = ErasedContact {
                contact: get_id(&row, "id")?,
                response,
            };
            let detail = serde_json::json!({ "response": response, "why": why });
            audit_in(
                &mut tx,
                now,
                actor,
                "contact.erase",
                &e.contact.to_string(),
                &detail,
            )
            .await?;
            Some(e)
        }
        None => None,
    };
    tx.commit().await?;
    Ok(erased)
}
