//! The dashboard's tables: the rollups (daily and weekly sums, critical
//! failures, waits, item sums daily and weekly, wait slots) and the comment
//! list, grown at ingest and read by the dashboard. The columns of the main
//! rollups are listed once in `store/rollup.rs`.

use super::{get_id, get_time, Pool, B};
use crate::store::backend::Backend;
use crate::store::rollup::{self, count, Num, Pending, RollupKey, Rows, COLUMNS, COLUMN_COUNT};
use crate::store::{channel_of, StoreError};
use branchpulse_core::aggregate::{
    channel_label, fold, Comment, CommentOrder, CommentQuery, Filter, Part, Rollup,
};
use branchpulse_core::scorecard::{ItemMap, ItemSums, SlotSums};
use branchpulse_core::stats::Moments;
use sqlx::Row;
use std::sync::LazyLock;
use time::Date;

/// `INSERT … ON CONFLICT DO UPDATE` adding one row of sums to `table`,
/// keyed by `keys` (its primary key, in order); the parameters are the
/// keys, then [`COLUMNS`].
fn upsert_sql(table: &str, keys: &[&str]) -> String {
    let placeholders: Vec<String> = (1..=keys.len() + COLUMN_COUNT)
        .map(|i| format!("${i}"))
        .collect();
    let updates: Vec<String> = COLUMNS
        .iter()
        .map(|c| format!("{c} = {table}.{c} + excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO {table} ({}, {}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        keys.join(", "),
        COLUMNS.join(", "),
        placeholders.join(", "),
        keys.join(", "),
        updates.join(", ")
    )
}

/// The sums per (week, branch) of the rows of `table` that `filter` (a
/// WHERE clause) keeps.
fn select_sql(table: &str, filter: &str) -> String {
    let sums: Vec<String> = COLUMNS
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let ty = if rollup::is_int(i) {
                "BIGINT"
            } else {
                "DOUBLE PRECISION"
            };
            format!("CAST(SUM({c}) AS {ty})")
        })
        .collect();
    format!(
        "SELECT week, branch, {} FROM {table} WHERE {filter} GROUP BY week, branch",
        sums.join(", ")
    )
}

static UPSERT_DAILY: LazyLock<String> = LazyLock::new(|| {
    upsert_sql(
        "rollups",
        &["week", "branch", "day", "questionnaire_id", "channel"],
    )
});
static UPSERT_WEEKLY: LazyLock<String> = LazyLock::new(|| {
    upsert_sql(
        "rollups_weekly",
        &["week", "branch", "questionnaire_id", "channel"],
    )
});

/// Day, channel and questionnaire of a filter: parameters $1–$4.
const FILTER: &str = "($1 IS NULL OR day >= $1) AND ($2 IS NULL OR day <= $2) \
     AND ($3 IS NULL OR channel = $3) AND ($4 IS NULL OR questionnaire_id = $4)";

/// Days in range of the partly covered weeks $5 and $6 (see `rollup::edge_weeks`).
static SELECT_DAILY: LazyLock<String> =
    LazyLock::new(|| select_sql("rollups", &format!("week IN ($5, $6) AND {FILTER}")));

/// The whole weeks $1–$2.
static SELECT_WEEKLY: LazyLock<String> = LazyLock::new(|| {
    select_sql(
        "rollups_weekly",
        "($1 IS NULL OR week >= $1) AND ($2 IS NULL OR week <= $2) \
         AND ($3 IS NULL OR channel = $3) AND ($4 IS NULL OR questionnaire_id = $4)",
    )
});

static CRITICAL_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT week, branch, item, CAST(SUM(count) AS BIGINT) FROM rollup_critical \
         WHERE {FILTER} GROUP BY week, branch, item"
    )
});

static WAITS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT week, branch, seconds, CAST(SUM(count) AS BIGINT) FROM rollup_waits \
         WHERE {FILTER} GROUP BY week, branch, seconds"
    )
});

/// Item sums: of the days in range of the partly covered weeks $5 and $6
/// (`daily`), or of the whole weeks $1–$2. Per week: only the items of the
/// list that follows ($7 daily, $5 weekly: the commitments, read for every
/// branch by their key's first column; a `… IS NULL OR …` would keep
/// SQLite from using it), with the week as the last column. Columns:
/// branch, questionnaire_id, item, n, sum, sum_sq, met[, week].
fn items_sql(daily: bool, per_week: bool) -> String {
    let (table, days, list) = if daily {
        (
            "rollup_items",
            format!("week IN ($5, $6) AND {FILTER}"),
            "$7",
        )
    } else {
        (
            "rollup_items_weekly",
            "($1 IS NULL OR week >= $1) AND ($2 IS NULL OR week <= $2) \
             AND ($3 IS NULL OR channel = $3) AND ($4 IS NULL OR questionnaire_id = $4)"
                .to_owned(),
            "$5",
        )
    };
    let (week, only) = if per_week {
        (", week", format!("{} AND ", B::one_of("item", list)))
    } else {
        ("", String::new())
    };
    format!(
        "SELECT branch, questionnaire_id, item, CAST(SUM(n) AS BIGINT), \
         CAST(SUM(sum) AS DOUBLE PRECISION), CAST(SUM(sum_sq) AS DOUBLE PRECISION), \
         CAST(SUM(met) AS BIGINT){week} FROM {table} \
         WHERE {only}{days} GROUP BY branch, questionnaire_id, item{week}"
    )
}

/// By daily table (true, false) and per week (true, false).
static ITEMS_SQL: LazyLock<[[String; 2]; 2]> = LazyLock::new(|| {
    [true, false].map(|daily| [true, false].map(|per_week| items_sql(daily, per_week)))
});

static SLOTS_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT week, branch, slot, CAST(SUM(n) AS BIGINT), CAST(SUM(sum) AS DOUBLE PRECISION), \
         CAST(SUM(sum_sq) AS DOUBLE PRECISION), CAST(SUM(over_target) AS BIGINT) \
         FROM rollup_wait_slots WHERE {FILTER} GROUP BY week, branch, slot"
    )
});

/// The comments `query` asks for, by [`CommentOrder`]: the latest $6 per
/// branch (and per satisfaction answer, by score), ordered to match.
fn comments_sql(by: CommentOrder) -> String {
    let (part, order) = match by {
        CommentOrder::Latest => ("branch", "submitted_at DESC, response_id, item"),
        // Comments without a score last: SQLite sorts NULL first, PostgreSQL last.
        CommentOrder::Score => (
            "branch, satisfaction",
            "CASE WHEN satisfaction IS NULL THEN 1 ELSE 0 END, satisfaction, \
             submitted_at DESC, response_id, item",
        ),
    };
    format!(
        "SELECT response_id, branch, questionnaire_id, channel, submitted_at, item, text, \
           satisfaction FROM ( \
           SELECT response_id, branch, questionnaire_id, channel, submitted_at, item, text, \
             satisfaction, \
             ROW_NUMBER() OVER (PARTITION BY {part} ORDER BY submitted_at DESC, response_id, item) AS pos \
           FROM comments WHERE {FILTER} AND ($5 IS NULL OR folded LIKE $5 ESCAPE '\\') \
         ) AS ranked WHERE pos <= $6 ORDER BY {order}"
    )
}

static COMMENTS_SQL: LazyLock<[String; 2]> =
    LazyLock::new(|| [CommentOrder::Latest, CommentOrder::Score].map(comments_sql));

type Query<'q> = sqlx::query::Query<'q, B, <B as sqlx::Database>::Arguments<'q>>;

/// `q` with the values of `rollup`'s [`COLUMNS`] bound next.
fn bind_sums<'q>(q: Query<'q>, rollup: &Rollup) -> Query<'q> {
    rollup::values(rollup).into_iter().fold(q, |q, v| match v {
        Num::Int(i) => q.bind(i),
        Num::Real(x) => q.bind(x),
    })
}

/// Add the pending sums to the rollup tables, in their fixed order, and the
/// pending comments.
pub async fn add_sums(
    tx: &mut <B as sqlx::Database>::Connection,
    pending: &Pending,
) -> Result<(), StoreError> {
    for (key, rollup) in pending.daily() {
        let q = sqlx::query(UPSERT_DAILY.as_str())
            .bind(key.week)
            .bind(&key.branch)
            .bind(key.day)
            .bind(&key.questionnaire_id)
            .bind(&key.channel);
        bind_sums(q, rollup).execute(&mut *tx).await?;
    }
    for (key, rollup) in &pending.weekly() {
        let q = sqlx::query(UPSERT_WEEKLY.as_str())
            .bind(key.week)
            .bind(&key.branch)
            .bind(&key.questionnaire_id)
            .bind(&key.channel);
        bind_sums(q, rollup).execute(&mut *tx).await?;
    }
    for (key, rollup) in pending.daily() {
        for (item, count) in &rollup.critical {
            sqlx::query(
                "INSERT INTO rollup_critical (day, week, branch, questionnaire_id, channel, item, count) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (day, branch, questionnaire_id, channel, item) \
                 DO UPDATE SET count = rollup_critical.count + excluded.count",
            )
            .bind(key.day)
            .bind(key.week)
            .bind(&key.branch)
            .bind(&key.questionnaire_id)
            .bind(&key.channel)
            .bind(item)
            .bind(i64::try_from(*count).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
    }
    for (key, rollup) in pending.daily() {
        for (seconds, count) in &rollup.wait {
            sqlx::query(
                "INSERT INTO rollup_waits (day, week, branch, questionnaire_id, channel, seconds, count) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (day, branch, questionnaire_id, channel, seconds) \
                 DO UPDATE SET count = rollup_waits.count + excluded.count",
            )
            .bind(key.day)
            .bind(key.week)
            .bind(&key.branch)
            .bind(&key.questionnaire_id)
            .bind(&key.channel)
            .bind(i64::from(*seconds))
            .bind(i64::try_from(*count).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        }
    }
    add_items(tx, "rollup_items", true, &pending.daily_items()).await?;
    let weekly = pending.weekly();
    add_items(
        tx,
        "rollup_items_weekly",
        false,
        &rollup::item_rows(weekly.iter()),
    )
    .await?;
    add_slots(tx, &pending.slots()).await?;
    add_comments(tx, pending).await
}

/// Add item sums to `table` (with a `day` column when `daily`), many rows
/// per statement, in the order given. Rows have distinct keys: PostgreSQL
/// refuses a statement that would update one row twice.
async fn add_items(
    tx: &mut <B as sqlx::Database>::Connection,
    table: &str,
    daily: bool,
    rows: &[(&RollupKey, &str, &ItemSums)],
) -> Result<(), StoreError> {
    let day = if daily { ", day" } else { "" };
    for chunk in rows.chunks(rollup::ROWS_PER_INSERT) {
        let mut q = sqlx::QueryBuilder::<B>::new(format!(
            "INSERT INTO {table} (item, week, questionnaire_id, channel, branch{day}, \
             n, sum, sum_sq, met) "
        ));
        q.push_values(chunk, |mut row, (key, item, sums)| {
            row.push_bind(item.to_string())
                .push_bind(key.week)
                .push_bind(key.questionnaire_id.clone())
                .push_bind(key.channel.clone())
                .push_bind(key.branch.clone());
            if daily {
                row.push_bind(key.day);
            }
            row.push_bind(int(sums.score.n))
                .push_bind(sums.score.sum)
                .push_bind(sums.score.sum_sq)
                .push_bind(int(sums.met));
        });
        q.push(format!(
            " ON CONFLICT (item, week, questionnaire_id, channel, branch{day}) DO UPDATE SET \
             n = {table}.n + excluded.n, sum = {table}.sum + excluded.sum, \
             sum_sq = {table}.sum_sq + excluded.sum_sq, met = {table}.met + excluded.met"
        ));
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

/// Add wait-slot sums, many rows per statement, in the order given.
async fn add_slots(
    tx: &mut <B as sqlx::Database>::Connection,
    rows: &[(&RollupKey, u16, &SlotSums)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(rollup::ROWS_PER_INSERT) {
        let mut q = sqlx::QueryBuilder::<B>::new(
            "INSERT INTO rollup_wait_slots (day, week, branch, questionnaire_id, channel, slot, \
             n, sum, sum_sq, over_target) ",
        );
        q.push_values(chunk, |mut row, (key, slot, sums)| {
            row.push_bind(key.day)
                .push_bind(key.week)
                .push_bind(key.branch.clone())
                .push_bind(key.questionnaire_id.clone())
                .push_bind(key.channel.clone())
                .push_bind(i64::from(*slot))
                .push_bind(int(sums.wait.n))
                .push_bind(sums.wait.sum)
                .push_bind(sums.wait.sum_sq)
                .push_bind(int(sums.over));
        });
        q.push(
            " ON CONFLICT (day, branch, questionnaire_id, channel, slot) DO UPDATE SET \
             n = rollup_wait_slots.n + excluded.n, sum = rollup_wait_slots.sum + excluded.sum, \
             sum_sq = rollup_wait_slots.sum_sq + excluded.sum_sq, \
             over_target = rollup_wait_slots.over_target + excluded.over_target",
        );
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

fn int(x: u64) -> i64 {
    i64::try_from(x).unwrap_or(i64::MAX)
}

/// Add the pending comments to the dashboard's comment list, many rows per
/// statement.
async fn add_comments(
    tx: &mut <B as sqlx::Database>::Connection,
    pending: &Pending,
) -> Result<(), StoreError> {
    for chunk in pending.comments.chunks(rollup::COMMENTS_PER_INSERT) {
        let mut q = sqlx::QueryBuilder::<B>::new(
            "INSERT INTO comments (response_id, item, branch, questionnaire_id, channel, day, \
             submitted_at, text, folded, satisfaction) ",
        );
        q.push_values(chunk, |mut row, (day, c)| {
            row.push_bind(B::id(c.response_id))
                .push_bind(c.item.clone())
                .push_bind(c.branch.clone())
                .push_bind(c.questionnaire_id.clone())
                .push_bind(channel_label(c.channel))
                .push_bind(*day)
                .push_bind(B::time(c.submitted_at))
                .push_bind(c.text.clone())
                .push_bind(fold(&c.text))
                .push_bind(c.satisfaction.map(i64::from));
        });
        q.push(" ON CONFLICT (response_id, item) DO NOTHING");
        q.build().execute(&mut *tx).await?;
    }
    Ok(())
}

pub async fn add_rollups(pool: &Pool, rows: &[(RollupKey, Rollup)]) -> Result<(), StoreError> {
    let mut pending = Pending::default();
    for (key, rollup) in rows {
        pending.add(key.clone(), rollup);
    }
    let mut tx = pool.begin().await?;
    add_sums(&mut tx, &pending).await?;
    tx.commit().await?;
    Ok(())
}

/// The parts of `filter`, with the sums of the items `commitments` names
/// (questionnaire, item) and the wait slots.
pub async fn rollup_parts(
    pool: &Pool,
    filter: &Filter,
    commitments: &[(String, String)],
) -> Result<Vec<Part>, StoreError> {
    let bind = |sql: &'static str| {
        sqlx::query(sql)
            .bind(filter.from)
            .bind(filter.to)
            .bind(filter.channel.map(channel_label))
            .bind(filter.questionnaire.as_deref())
    };
    let (first, last) = rollup::whole_weeks(filter);
    let edges = rollup::edge_weeks(filter);
    let daily = match (edges.first(), edges.last()) {
        (Some(a), Some(b)) => {
            bind(SELECT_DAILY.as_str())
                .bind(*a)
                .bind(*b)
                .fetch_all(pool)
                .await?
        }
        _ => Vec::new(),
    };
    let weekly = sqlx::query(SELECT_WEEKLY.as_str())
        .bind(first)
        .bind(last)
        .bind(filter.channel.map(channel_label))
        .bind(filter.questionnaire.as_deref())
        .fetch_all(pool)
        .await?;
    let mut rows = Rows::default();
    for row in daily.iter().chain(&weekly) {
        let mut values = Vec::with_capacity(COLUMN_COUNT);
        for i in 0..COLUMN_COUNT {
            values.push(if rollup::is_int(i) {
                Num::Int(row.try_get::<Option<i64>, _>(i + 2)?.unwrap_or(0))
            } else {
                Num::Real(row.try_get::<Option<f64>, _>(i + 2)?.unwrap_or(0.0))
            });
        }
        rows.main.push((
            row.try_get::<Date, _>(0)?,
            row.try_get::<String, _>(1)?,
            rollup::rollup_of(&values),
        ));
    }
    rows.critical = bind(CRITICAL_SQL.as_str())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    rows.waits = bind(WAITS_SQL.as_str())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    if !commitments.is_empty() {
        let names: Vec<String> = commitments.iter().map(|(_, item)| item.clone()).collect();
        // Items of the same id in another questionnaire are read too, and
        // left out here.
        rows.items = item_sums(pool, filter, Some(names))
            .await?
            .into_iter()
            .filter(|(_, q, item, _, _)| commitments.iter().any(|(cq, ci)| cq == q && ci == item))
            .filter_map(|(branch, q, item, sums, week)| Some((week?, branch, q, item, sums)))
            .collect();
    }
    rows.slots = bind(SLOTS_SQL.as_str())
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| {
            let sums = SlotSums {
                wait: Moments {
                    n: count(r.try_get::<Option<i64>, _>(3)?.unwrap_or(0)),
                    sum: r.try_get::<Option<f64>, _>(4)?.unwrap_or(0.0),
                    sum_sq: r.try_get::<Option<f64>, _>(5)?.unwrap_or(0.0),
                },
                over: count(r.try_get::<Option<i64>, _>(6)?.unwrap_or(0)),
            };
            Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, sums))
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    Ok(rollup::assemble(rows))
}

/// One row of [`items_sql`]: its key, its sums, its week if read.
type ItemRow = (String, String, String, ItemSums, Option<Date>);

/// The item sums `filter` takes in per (branch, questionnaire, item):
/// whole weeks from the weekly table, the other days from the daily one.
/// With `only` (item ids), only those items, per week.
async fn item_sums(
    pool: &Pool,
    filter: &Filter,
    only: Option<Vec<String>>,
) -> Result<Vec<ItemRow>, StoreError> {
    let per_week = only.is_some();
    let (first, last) = rollup::whole_weeks(filter);
    let edges = rollup::edge_weeks(filter);
    let grouping = usize::from(!per_week);
    let only = |q: Query<'static>| match &only {
        Some(items) => q.bind(B::list(items.clone())),
        None => q,
    };
    let mut rows = match (edges.first(), edges.last()) {
        (Some(a), Some(b)) => {
            let q = sqlx::query(ITEMS_SQL[0][grouping].as_str())
                .bind(filter.from)
                .bind(filter.to)
                .bind(filter.channel.map(channel_label))
                .bind(filter.questionnaire.clone())
                .bind(*a)
                .bind(*b);
            only(q).fetch_all(pool).await?
        }
        _ => Vec::new(),
    };
    let q = sqlx::query(ITEMS_SQL[1][grouping].as_str())
        .bind(first)
        .bind(last)
        .bind(filter.channel.map(channel_label))
        .bind(filter.questionnaire.clone());
    rows.extend(only(q).fetch_all(pool).await?);
    rows.iter()
        .map(|r| {
            let sums = ItemSums {
                score: Moments {
                    n: count(r.try_get::<Option<i64>, _>(3)?.unwrap_or(0)),
                    sum: r.try_get::<Option<f64>, _>(4)?.unwrap_or(0.0),
                    sum_sq: r.try_get::<Option<f64>, _>(5)?.unwrap_or(0.0),
                },
                met: count(r.try_get::<Option<i64>, _>(6)?.unwrap_or(0)),
            };
            let week = if per_week {
                Some(r.try_get::<Date, _>(7)?)
            } else {
                None
            };
            Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, sums, week))
        })
        .collect()
}

/// Every item's sums that `filter` takes in, per branch.
pub async fn items(pool: &Pool, filter: &Filter) -> Result<Vec<(String, ItemMap)>, StoreError> {
    let rows = item_sums(pool, filter, None).await?;
    Ok(rollup::items_by_branch(
        rows.into_iter()
            .map(|(branch, q, item, sums, _)| (branch, q, item, sums))
            .collect(),
    ))
}

pub async fn comments(pool: &Pool, query: &CommentQuery) -> Result<Vec<Comment>, StoreError> {
    let filter = &query.filter;
    let sql = &COMMENTS_SQL[usize::from(query.by == CommentOrder::Score)];
    let rows = sqlx::query(sql.as_str())
        .bind(filter.from)
        .bind(filter.to)
        .bind(filter.channel.map(channel_label))
        .bind(filter.questionnaire.as_deref())
        .bind(query.q.as_deref().map(rollup::like_pattern))
        .bind(i64::from(query.limit))
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Comment {
                response_id: get_id(row, "response_id")?,
                branch: row.try_get("branch")?,
                questionnaire_id: row.try_get("questionnaire_id")?,
                channel: channel_of(&row.try_get::<String, _>("channel")?)?,
                submitted_at: get_time(row, "submitted_at")?,
                item: row.try_get("item")?,
                text: row.try_get("text")?,
                satisfaction: row
                    .try_get::<Option<i64>, _>("satisfaction")?
                    .and_then(|x| u8::try_from(x).ok()),
            })
        })
        .collect()
}
