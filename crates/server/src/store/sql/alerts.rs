//! Alerts: raised inside the transaction that stores (or approves, or
//! sweeps) what they are about, once per rule and dedup key, with one
//! delivery queued per webhook and e-mail address the rule names; the
//! rules admins set; the inbox.
//!
//! Every path that raises an alert (ingest, approval, the contact request,
//! the silent-kiosk sweep) goes through [`raise`], so the uniqueness of
//! `(rule_id, dedup_key)` is what stands between two replicas (or a resent
//! batch) and a second alert.
//!
//! The unhappy burst needs more than uniqueness: two replicas each storing
//! one of the answers that make a burst must not each count without the
//! other's (READ COMMITTED shows neither the other's uncommitted row), or
//! neither raises it. So the answers of a branch are counted under a lock
//! of that branch ([`Backend::LOCK_BRANCH_ALERTS`]), taken after the
//! responses are written, in branch order: the second transaction counts
//! once the first has committed, with its answers.

use super::{get_id, get_opt_id, get_time, B};
use crate::store::alerts::{AlertRow, Inbox, InboxFilter, RuleDeleted};
use crate::store::backend::Backend;
use crate::store::{Record, StoreError};
use branchpulse_core::alerts::{
    self, burst_key, judge, response_key, Alert, AlertKind, Finding, NewRule, Observed, Rule,
    RuleKind,
};
use branchpulse_core::protocol::Branch;
use sqlx::Row;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use time::OffsetDateTime;
use uuid::Uuid;

pub use crate::store::alerts::Raise;

type Conn = <B as sqlx::Database>::Connection;
type Pool = super::Pool;

/// Raise `r` in the caller's transaction: the new alert's id, or `None`
/// when the rule already raised one with this key (here or on another
/// replica). Its deliveries are queued, due at once.
pub async fn raise(tx: &mut Conn, r: &Raise<'_>) -> Result<Option<Uuid>, StoreError> {
    let id = Uuid::new_v4();
    let finding = serde_json::to_string(r.finding)
        .map_err(|e| StoreError::Corrupt(format!("an alert's finding cannot be written: {e}")))?;
    let inserted = sqlx::query(
        "INSERT INTO alerts (id, rule_id, rule_name, dedup_key, kind, branch, raised_at, \
         finding, response_id, device_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (rule_id, dedup_key) DO NOTHING",
    )
    .bind(B::id(id))
    .bind(B::id(r.rule.id))
    .bind(&r.rule.def.name)
    .bind(&r.key)
    .bind(r.rule.def.rule.kind().as_str())
    .bind(r.branch)
    .bind(B::time(r.at))
    .bind(finding)
    .bind(r.response.map(B::id))
    .bind(r.device.map(B::id))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !inserted {
        return Ok(None);
    }
    let recipients = &r.rule.def.recipients;
    let targets = recipients
        .webhooks
        .iter()
        .map(|w| ("webhook", w.to_string()))
        .chain(recipients.emails.iter().map(|e| ("email", e.clone())));
    for (channel, target) in targets {
        sqlx::query(
            "INSERT INTO deliveries (id, alert_id, channel, target, next_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (alert_id, channel, target) DO NOTHING",
        )
        .bind(B::id(Uuid::new_v4()))
        .bind(B::id(id))
        .bind(channel)
        .bind(target)
        .bind(B::time(r.at))
        .execute(&mut *tx)
        .await?;
    }
    Ok(Some(id))
}

/// [`raise`] in a transaction of its own.
pub async fn raise_alone(pool: &Pool, r: &Raise<'_>) -> Result<Option<Uuid>, StoreError> {
    let mut tx = pool.begin().await?;
    let raised = raise(&mut tx, r).await?;
    tx.commit().await?;
    Ok(raised)
}

fn rule_of(row: &super::DbRow) -> Result<Rule, StoreError> {
    let id = get_id(row, "id")?;
    let definition: String = row.try_get("definition")?;
    let def: NewRule = serde_json::from_str(&definition)
        .map_err(|e| StoreError::Corrupt(format!("alert rule {id}: {e}")))?;
    let updated_at = get_time(row, "updated_at")?;
    Ok(Rule {
        id,
        def,
        updated_at: crate::store::access::rfc3339(updated_at),
    })
}

/// The active rules, read in the caller's transaction (there are few).
pub async fn active_rules(tx: &mut Conn) -> Result<Vec<Rule>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, definition, updated_at FROM alert_rules WHERE active = TRUE ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await?;
    rows.iter().map(rule_of).collect()
}

/// Every rule, oldest first.
pub async fn rules(pool: &Pool) -> Result<Vec<Rule>, StoreError> {
    let rows =
        sqlx::query("SELECT id, definition, updated_at FROM alert_rules ORDER BY created_at, id")
            .fetch_all(pool)
            .await?;
    rows.iter().map(rule_of).collect()
}

fn definition(def: &NewRule) -> Result<String, StoreError> {
    serde_json::to_string(def)
        .map_err(|e| StoreError::Corrupt(format!("a rule cannot be written: {e}")))
}

pub async fn add_rule(
    pool: &Pool,
    id: Uuid,
    def: &NewRule,
    now: OffsetDateTime,
) -> Result<Rule, StoreError> {
    sqlx::query(
        "INSERT INTO alert_rules (id, kind, definition, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(B::id(id))
    .bind(def.rule.kind().as_str())
    .bind(definition(def)?)
    .bind(def.active)
    .bind(B::time(now))
    .execute(pool)
    .await?;
    Ok(Rule {
        id,
        def: def.clone(),
        updated_at: crate::store::access::rfc3339(now),
    })
}

pub async fn update_rule(
    pool: &Pool,
    id: Uuid,
    def: &NewRule,
    now: OffsetDateTime,
) -> Result<Option<Rule>, StoreError> {
    let changed = sqlx::query(
        "UPDATE alert_rules SET kind = $2, definition = $3, active = $4, updated_at = $5 \
         WHERE id = $1",
    )
    .bind(B::id(id))
    .bind(def.rule.kind().as_str())
    .bind(definition(def)?)
    .bind(def.active)
    .bind(B::time(now))
    .execute(pool)
    .await?
    .rows_affected()
        == 1;
    Ok(changed.then(|| Rule {
        id,
        def: def.clone(),
        updated_at: crate::store::access::rfc3339(now),
    }))
}

/// The rule's alerts go with it (with their reads and deliveries), unless
/// a case holds one of them: the guarded DELETE and the count run in one
/// transaction, so a case made meanwhile makes the DELETE fail on its
/// reference rather than lose it.
pub async fn delete_rule(pool: &Pool, id: Uuid) -> Result<RuleDeleted, StoreError> {
    let mut tx = pool.begin().await?;
    let alerts: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alerts WHERE rule_id = $1")
        .bind(B::id(id))
        .fetch_one(&mut *tx)
        .await?;
    let deleted = sqlx::query(
        "DELETE FROM alert_rules WHERE id = $1 AND NOT EXISTS \
         (SELECT 1 FROM cases c JOIN alerts a ON a.id = c.alert_id WHERE a.rule_id = $1)",
    )
    .bind(B::id(id))
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if deleted {
        tx.commit().await?;
        return Ok(RuleDeleted::Done(u64::try_from(alerts).unwrap_or(0)));
    }
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM alert_rules WHERE id = $1")
        .bind(B::id(id))
        .fetch_one(&mut *tx)
        .await?;
    tx.rollback().await?;
    Ok(if exists > 0 {
        RuleDeleted::HasCases
    } else {
        RuleDeleted::NoSuchRule
    })
}

pub async fn unknown_webhooks(pool: &Pool, ids: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    let list: Vec<_> = ids.iter().copied().map(B::id).collect();
    let sql = format!("SELECT id FROM webhooks WHERE {}", B::one_of("id", "$1"));
    let rows = sqlx::query(&sql)
        .bind(B::list(list))
        .fetch_all(pool)
        .await?;
    let known: HashSet<Uuid> = rows
        .iter()
        .map(|row| get_id(row, "id"))
        .collect::<Result<_, _>>()?;
    Ok(ids
        .iter()
        .filter(|id| !known.contains(id))
        .copied()
        .collect())
}

/// The branches of `codes` that exist, by code.
async fn branches(
    tx: &mut Conn,
    codes: &BTreeSet<&str>,
) -> Result<BTreeMap<String, Branch>, StoreError> {
    let list: Vec<&str> = codes.iter().copied().collect();
    let sql = format!(
        "SELECT code, name, region, active FROM branches WHERE {}",
        B::one_of("code", "$1")
    );
    let rows = sqlx::query_as::<_, (String, String, String, bool)>(&sql)
        .bind(B::list(list))
        .fetch_all(&mut *tx)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(code, name, region, active)| {
            let branch = Branch {
                code: code.clone(),
                name,
                region,
                active,
                format: None,
            };
            (code, branch)
        })
        .collect())
}

/// Whether `rule` is judged one response at a time.
fn per_response(rule: &Rule) -> bool {
    matches!(
        rule.def.rule,
        RuleKind::CriticalFailure | RuleKind::MissedCommitment | RuleKind::LowScoreComment { .. }
    )
}

/// Judge the responses [`super::responses::save`] has just stored, in its
/// transaction, after every row of the batch is written: each against the
/// per-response rules covering its branch (`alerts::judge`), and the
/// kiosk satisfaction answers of each branch against its unhappy-burst
/// rules. Records without [`Record::observed`] (copied ones) and held
/// reports (judged at approval) are not judged.
pub async fn judge_stored(tx: &mut Conn, stored: &[&Record]) -> Result<(), StoreError> {
    let judged: Vec<(&Record, &Observed)> = stored
        .iter()
        .filter(|r| !r.is_held())
        .filter_map(|r| r.observed.as_ref().map(|seen| (*r, seen)))
        .collect();
    if judged.is_empty() {
        return Ok(());
    }
    let rules: Vec<Rule> = active_rules(tx)
        .await?
        .into_iter()
        .filter(|r| per_response(r) || r.def.rule.kind() == AlertKind::UnhappyBurst)
        .collect();
    if rules.is_empty() {
        return Ok(());
    }
    let codes: BTreeSet<&str> = judged.iter().map(|(r, _)| r.branch.as_str()).collect();
    let branches = branches(tx, &codes).await?;
    let bursts: Vec<(&Branch, Vec<&Rule>)> = branches
        .values()
        .map(|b| {
            let rules = rules
                .iter()
                .filter(|r| r.def.rule.kind() == AlertKind::UnhappyBurst && r.covers(b))
                .collect::<Vec<_>>();
            (b, rules)
        })
        .filter(|(_, rules)| !rules.is_empty())
        .collect();
    // Before any alert is raised, in branch order (see the module's docs).
    if let Some(lock) = B::LOCK_BRANCH_ALERTS {
        for (branch, _) in &bursts {
            sqlx::query(lock)
                .bind(&branch.code)
                .execute(&mut *tx)
                .await?;
        }
    }
    for (r, seen) in &judged {
        let Some(branch) = branches.get(&r.branch) else {
            continue;
        };
        for rule in rules.iter().filter(|x| per_response(x) && x.covers(branch)) {
            if let Some(finding) = judge(&rule.def.rule, seen) {
                let raised = Raise {
                    rule,
                    key: response_key(r.id),
                    branch: &r.branch,
                    finding: &finding,
                    response: Some(r.id),
                    device: r.enrolled_device,
                    at: r.received_at,
                };
                raise(tx, &raised).await?;
            }
        }
    }
    for (branch, rules) in bursts {
        let answered: Vec<&Record> = judged
            .iter()
            .filter(|(r, seen)| r.branch == branch.code && seen.satisfaction.is_some())
            .map(|(r, _)| *r)
            .collect();
        let new: Vec<OffsetDateTime> = answered.iter().map(|r| r.submitted_at).collect();
        let (Some(first), Some(last), Some(at)) = (
            new.iter().min(),
            new.iter().max(),
            answered.first().map(|r| r.received_at),
        ) else {
            continue;
        };
        for rule in rules {
            let RuleKind::UnhappyBurst { window_minutes, .. } = rule.def.rule else {
                continue;
            };
            let window = time::Duration::minutes(i64::from(window_minutes));
            let answers =
                satisfaction_answers(tx, &branch.code, *first - window, *last + window).await?;
            let mut keys = HashSet::new();
            for (end, finding) in alerts::bursts(&rule.def.rule, &answers, &new) {
                let key = burst_key(&branch.code, end, window_minutes);
                if !keys.insert(key.clone()) {
                    continue;
                }
                let raised = Raise {
                    rule,
                    key,
                    branch: &branch.code,
                    finding: &finding,
                    response: None,
                    device: None,
                    at,
                };
                raise(tx, &raised).await?;
            }
        }
    }
    Ok(())
}

/// The kiosk satisfaction answers of `branch` submitted strictly between
/// `after` and `before`.
async fn satisfaction_answers(
    tx: &mut Conn,
    branch: &str,
    after: OffsetDateTime,
    before: OffsetDateTime,
) -> Result<Vec<(OffsetDateTime, u8)>, StoreError> {
    let rows = sqlx::query(
        "SELECT submitted_at, satisfaction FROM responses WHERE branch = $1 \
         AND submitted_at > $2 AND submitted_at < $3 AND channel = 'kiosk' \
         AND satisfaction IS NOT NULL",
    )
    .bind(branch)
    .bind(B::time(after))
    .bind(B::time(before))
    .fetch_all(&mut *tx)
    .await?;
    rows.iter()
        .map(|row| {
            let score: i64 = row.try_get("satisfaction")?;
            let score = u8::try_from(score)
                .map_err(|_| StoreError::Corrupt(format!("satisfaction {score}")))?;
            Ok((get_time(row, "submitted_at")?, score))
        })
        .collect()
}

/// Judge report `id`, showing `seen`, against the per-response rules of
/// its branch, in the transaction approving it (only then does it count).
pub async fn judge_report(
    tx: &mut Conn,
    id: Uuid,
    seen: &Observed,
    at: OffsetDateTime,
) -> Result<(), StoreError> {
    let rules: Vec<Rule> = active_rules(tx)
        .await?
        .into_iter()
        .filter(per_response)
        .collect();
    if rules.is_empty() {
        return Ok(());
    }
    let row = sqlx::query(
        "SELECT b.code, b.name, b.region, b.active, r.enrolled_device FROM responses r \
         JOIN branches b ON b.code = r.branch WHERE r.id = $1",
    )
    .bind(B::id(id))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let branch = Branch {
        code: row.try_get("code")?,
        name: row.try_get("name")?,
        region: row.try_get("region")?,
        active: row.try_get("active")?,
        format: None,
    };
    let device = get_opt_id(&row, "enrolled_device")?;
    for rule in rules.iter().filter(|r| r.covers(&branch)) {
        if let Some(finding) = judge(&rule.def.rule, seen) {
            let raised = Raise {
                rule,
                key: response_key(id),
                branch: &branch.code,
                finding: &finding,
                response: Some(id),
                device,
                at,
            };
            raise(tx, &raised).await?;
        }
    }
    Ok(())
}

/// Within the erasure of response `id`'s free texts: the comments its
/// alerts quote go too (the finding keeps the score).
pub async fn erase_comments(tx: &mut Conn, id: Uuid) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT id, finding FROM alerts WHERE response_id = $1 AND kind = 'low_score_comment'",
    )
    .bind(B::id(id))
    .fetch_all(&mut *tx)
    .await?;
    for row in rows {
        let alert = get_id(&row, "id")?;
        let text: String = row.try_get("finding")?;
        let finding = match serde_json::from_str(&text) {
            Ok(Finding::LowScoreComment { score, .. }) => Finding::LowScoreComment {
                score,
                comment: String::new(),
            },
            _ => return Err(StoreError::Corrupt(format!("alert {alert}'s finding"))),
        };
        let text = serde_json::to_string(&finding)
            .map_err(|e| StoreError::Corrupt(format!("alert {alert}: {e}")))?;
        sqlx::query("UPDATE alerts SET finding = $2 WHERE id = $1")
            .bind(B::id(alert))
            .bind(text)
            .execute(&mut *tx)
            .await?;
    }
    Ok(())
}

pub async fn kiosks_last_response(
    pool: &Pool,
) -> Result<HashMap<Uuid, OffsetDateTime>, StoreError> {
    // One index probe per kiosk (responses_enrolled_device_received).
    let rows = sqlx::query(
        "SELECT d.id, (SELECT MAX(r.received_at) FROM responses r \
         WHERE r.enrolled_device = d.id) AS last FROM devices d \
         WHERE d.kind = 'kiosk' AND d.revoked_at IS NULL",
    )
    .fetch_all(pool)
    .await?;
    let mut last = HashMap::new();
    for row in rows {
        if let Some(at) = super::get_opt_time(&row, "last")? {
            last.insert(get_id(&row, "id")?, at);
        }
    }
    Ok(last)
}

/// The SQL that narrows `alerts a` to `inbox` and `filter`: parameters
/// `$1` to `$9`, bound by [`bind_inbox`]; a query's own start at `$10`.
const INBOX: &str = "($2 IS NULL OR {rules}) AND ($3 IS NULL OR {branches}) \
     AND ($4 IS NULL OR a.branch = $4) AND ($5 IS NULL OR a.kind = $5) \
     AND ($6 IS NULL OR a.id = $6) \
     AND ($7 IS NULL OR EXISTS (SELECT 1 FROM alert_reads ar \
          WHERE ar.alert_id = a.id AND ar.user_id = $1) = $7) \
     AND ($8 IS NULL OR (a.raised_at, a.id) < ($8, $9))";

fn inbox_sql() -> String {
    INBOX
        .replace("{rules}", &B::one_of("a.rule_id", "$2"))
        .replace("{branches}", &B::one_of("a.branch", "$3"))
}

type Query<'q> = sqlx::query::Query<'q, B, <B as sqlx::Database>::Arguments<'q>>;

fn bind_inbox<'q>(query: Query<'q>, inbox: &'q Inbox, filter: &'q InboxFilter) -> Query<'q> {
    query
        .bind(B::id(inbox.user))
        .bind(
            inbox
                .rules
                .as_ref()
                .map(|ids| B::list(ids.iter().copied().map(B::id).collect())),
        )
        .bind(inbox.branches.clone().map(B::list))
        .bind(filter.branch.as_deref())
        .bind(filter.kind.map(AlertKind::as_str))
        .bind(filter.id.map(B::id))
        .bind(filter.read)
        .bind(filter.before.map(|(at, _)| B::time(at)))
        .bind(filter.before.map(|(_, id)| B::id(id)))
}

pub async fn inbox(
    pool: &Pool,
    inbox: &Inbox,
    filter: &InboxFilter,
) -> Result<Vec<AlertRow>, StoreError> {
    let sql = format!(
        "SELECT a.id, a.rule_id, a.rule_name, a.branch, a.raised_at, a.finding, a.response_id, \
         EXISTS (SELECT 1 FROM alert_reads ar WHERE ar.alert_id = a.id AND ar.user_id = $1) \
         AS is_read, (SELECT c.id FROM cases c WHERE c.alert_id = a.id) AS case_id \
         FROM alerts a WHERE {} ORDER BY a.raised_at DESC, a.id DESC LIMIT $10",
        inbox_sql()
    );
    let rows = bind_inbox(sqlx::query(&sql), inbox, filter)
        .bind(i64::from(filter.limit))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            let id = get_id(row, "id")?;
            let finding: String = row.try_get("finding")?;
            let finding = serde_json::from_str(&finding)
                .map_err(|e| StoreError::Corrupt(format!("alert {id}'s finding: {e}")))?;
            let raised_at = get_time(row, "raised_at")?;
            Ok(AlertRow {
                alert: Alert {
                    id,
                    rule: get_id(row, "rule_id")?,
                    rule_name: row.try_get("rule_name")?,
                    branch: row.try_get("branch")?,
                    raised_at: crate::store::access::rfc3339(raised_at),
                    finding,
                    response: get_opt_id(row, "response_id")?,
                    read: row.try_get("is_read")?,
                    case: get_opt_id(row, "case_id")?,
                },
                raised_at,
            })
        })
        .collect()
}

/// Every alert of `inbox` not yet opened.
fn unread_filter() -> InboxFilter {
    InboxFilter {
        read: Some(false),
        ..InboxFilter::default()
    }
}

pub async fn unread(pool: &Pool, inbox: &Inbox) -> Result<u32, StoreError> {
    let sql = format!("SELECT COUNT(*) FROM alerts a WHERE {}", inbox_sql());
    let filter = unread_filter();
    let n: i64 = bind_inbox(sqlx::query(&sql), inbox, &filter)
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub async fn mark_read(
    pool: &Pool,
    user: Uuid,
    alert: Uuid,
    now: OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO alert_reads (alert_id, user_id, read_at) VALUES ($1, $2, $3) \
         ON CONFLICT (alert_id, user_id) DO NOTHING",
    )
    .bind(B::id(alert))
    .bind(B::id(user))
    .bind(B::time(now))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn mark_all_read(
    pool: &Pool,
    inbox: &Inbox,
    now: OffsetDateTime,
) -> Result<u64, StoreError> {
    let sql = format!(
        "INSERT INTO alert_reads (alert_id, user_id, read_at) \
         SELECT a.id, $1, $10 FROM alerts a WHERE {} \
         ON CONFLICT (alert_id, user_id) DO NOTHING",
        inbox_sql()
    );
    let filter = unread_filter();
    Ok(bind_inbox(sqlx::query(&sql), inbox, &filter)
        .bind(B::time(now))
        .execute(pool)
        .await?
        .rows_affected())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_inbox_sql_names_each_of_its_parameters() {
        let sql = super::inbox_sql();
        for n in 1..=9 {
            assert!(sql.contains(&format!("${n}")), "${n} in {sql}");
        }
        assert!(!sql.contains("$10") && !sql.contains('{'), "{sql}");
    }
}
