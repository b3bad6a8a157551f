//! What a stored response adds to the dashboard tables, and how their rows
//! are summed and read back (the SQL is in `sql/rollups.rs`).
//!
//! The `rollups` table has one column per field of [`Rollup`] (see
//! `migrations/*/0003_rollups.sql`, `completed` from `0006` and the
//! satisfaction moments from `0007`); [`COLUMNS`] lists them in one fixed
//! order used for writing ([`values`]) and reading ([`rollup_of`]). The
//! sums of each item and of each slot of the week have tables of their own
//! (`rollup_items`, `rollup_items_weekly`, `rollup_wait_slots`, from `0007`).

use branchpulse_core::aggregate::{self, Comment, Filter, Part, Rollup};
use branchpulse_core::questionnaire::Dimension;
use branchpulse_core::scorecard::{ItemMap, ItemSums, SlotSums};
use branchpulse_core::stats::Moments;
use branchpulse_core::{Questionnaire, Response};
use std::collections::BTreeMap;
use time::Date;

/// A response's contribution to the dashboard: its rollup and its comments,
/// on its day.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    pub day: Date,
    /// The Monday of `day`'s ISO week.
    pub week: Date,
    pub rollup: Rollup,
    pub comments: Vec<Comment>,
}

impl Facts {
    /// Score `response` with `q`, the questionnaire version it answered.
    pub fn of(q: &Questionnaire, response: &Response) -> Facts {
        let day = aggregate::day_of(response);
        let satisfaction = aggregate::satisfaction_of(q, response);
        let mut comments = aggregate::comments_of(response);
        for c in &mut comments {
            c.satisfaction = satisfaction;
        }
        Facts {
            day,
            week: aggregate::week_start(day),
            rollup: Rollup::of(q, response),
            comments,
        }
    }
}

/// The key of a row of the rollup tables.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RollupKey {
    pub day: Date,
    /// The Monday of `day`'s ISO week.
    pub week: Date,
    pub branch: String,
    pub questionnaire_id: String,
    /// `kiosk` or `mystery_shop`.
    pub channel: String,
}

impl RollupKey {
    /// The daily row a stored record with `facts` adds to.
    pub fn of(r: &super::Record, facts: &Facts) -> RollupKey {
        RollupKey {
            day: facts.day,
            week: facts.week,
            branch: r.branch.clone(),
            questionnaire_id: r.questionnaire_id.clone(),
            channel: r.channel.clone(),
        }
    }
}

/// The sums one transaction adds, merged per row and kept in key order.
///
/// Writing them in one fixed order (every daily row by key, then every
/// weekly row, then critical failures, waits, items daily and weekly, and
/// wait slots, each by key) means two transactions
/// never wait for each other's rows in opposite orders, so concurrent
/// ingests on PostgreSQL do not deadlock; merging means a batch from one
/// tablet adds to its row once rather than once per response.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    daily: BTreeMap<RollupKey, Rollup>,
    /// Comments of the stored responses, with their day; written together.
    pub comments: Vec<(Date, Comment)>,
}

impl Pending {
    pub fn add(&mut self, key: RollupKey, rollup: &Rollup) {
        self.daily.entry(key).or_default().merge(rollup);
    }

    /// A newly stored response's sums and comments.
    pub fn add_facts(&mut self, r: &super::Record, facts: &Facts) {
        self.add(RollupKey::of(r, facts), &facts.rollup);
        self.comments
            .extend(facts.comments.iter().map(|c| (facts.day, c.clone())));
    }

    pub fn is_empty(&self) -> bool {
        self.daily.is_empty() && self.comments.is_empty()
    }

    /// The daily rows, by key.
    pub fn daily(&self) -> impl Iterator<Item = (&RollupKey, &Rollup)> {
        self.daily.iter()
    }

    /// The weekly rows, by key (their `day` is the week's Monday, unused).
    pub fn weekly(&self) -> BTreeMap<RollupKey, Rollup> {
        let mut weeks: BTreeMap<RollupKey, Rollup> = BTreeMap::new();
        for (k, r) in &self.daily {
            let key = RollupKey {
                day: k.week,
                ..k.clone()
            };
            weeks.entry(key).or_default().merge(r);
        }
        weeks
    }

    /// The daily item rows: (row key, item id, sums), in key then item
    /// order. The key's questionnaire is the item's (a rollup holds the
    /// items of the questionnaire its row is of).
    pub fn daily_items(&self) -> Vec<(&RollupKey, &str, &ItemSums)> {
        item_rows(self.daily.iter())
    }

    /// The daily wait-slot rows: (row key, slot, sums), in key then slot order.
    pub fn slots(&self) -> Vec<(&RollupKey, u16, &SlotSums)> {
        self.daily
            .iter()
            .flat_map(|(k, r)| r.wait_slots.iter().map(move |(s, sums)| (k, *s, sums)))
            .collect()
    }
}

/// The item rows of `rows` (daily or weekly), in their order then item order.
pub fn item_rows<'a>(
    rows: impl Iterator<Item = (&'a RollupKey, &'a Rollup)>,
) -> Vec<(&'a RollupKey, &'a str, &'a ItemSums)> {
    rows.flat_map(|(k, r)| {
        r.items
            .get(&k.questionnaire_id)
            .into_iter()
            .flat_map(move |items| items.iter().map(move |(i, s)| (k, i.as_str(), s)))
    })
    .collect()
}

/// Comments written per statement (10 parameters each).
pub const COMMENTS_PER_INSERT: usize = 500;

/// Item and wait-slot rows written per statement (at most 10 parameters
/// each, well under either database's limit).
pub const ROWS_PER_INSERT: usize = 500;

/// A value of a `rollups` column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    Int(i64),
    Real(f64),
}

/// The summed columns of `rollups`, in the order of [`values`].
pub const COLUMNS: [&str; 33] = [
    "n",
    "overall_n",
    "overall_sum",
    "overall_sum_sq",
    "empathy_n",
    "empathy_sum",
    "empathy_sum_sq",
    "process_convenience_n",
    "process_convenience_sum",
    "process_convenience_sum_sq",
    "value_n",
    "value_sum",
    "value_sum_sq",
    "trust_n",
    "trust_sum",
    "trust_sum_sq",
    "environment_n",
    "environment_sum",
    "environment_sum_sq",
    "csat_n",
    "csat_top",
    "nps_promoters",
    "nps_passives",
    "nps_detractors",
    "visits",
    "passes",
    "visit_n",
    "visit_sum",
    "visit_sum_sq",
    // Added last, as their migrations added them.
    "completed",
    "satisfaction_n",
    "satisfaction_sum",
    "satisfaction_sum_sq",
];

pub const COLUMN_COUNT: usize = COLUMNS.len();

fn int(x: u64) -> Num {
    Num::Int(i64::try_from(x).unwrap_or(i64::MAX))
}

fn moments(m: &Moments) -> [Num; 3] {
    [int(m.n), Num::Real(m.sum), Num::Real(m.sum_sq)]
}

/// The column values of `r`, in the order of [`COLUMNS`].
pub fn values(r: &Rollup) -> Vec<Num> {
    let mut out = Vec::with_capacity(COLUMN_COUNT);
    out.push(int(r.n));
    out.extend(moments(&r.overall));
    for d in Dimension::ALL {
        out.extend(moments(&r.dimensions.get(&d).copied().unwrap_or_default()));
    }
    out.extend([
        int(r.csat_n),
        int(r.csat_top),
        int(r.nps.promoters),
        int(r.nps.passives),
        int(r.nps.detractors),
        int(r.visits),
        int(r.passes),
    ]);
    out.extend(moments(&r.visit_score));
    out.push(int(r.completed));
    out.extend(moments(&r.satisfaction));
    debug_assert_eq!(out.len(), COLUMN_COUNT);
    out
}

/// The rollup of column values read in the order of [`COLUMNS`] (critical
/// failures, waits, items and wait slots are read from their own tables).
pub fn rollup_of(values: &[Num]) -> Rollup {
    let u = |i: usize| match values[i] {
        Num::Int(x) => u64::try_from(x).unwrap_or(0),
        Num::Real(x) => x.max(0.0) as u64,
    };
    let f = |i: usize| match values[i] {
        Num::Int(x) => x as f64,
        Num::Real(x) => x,
    };
    let m = |i: usize| Moments {
        n: u(i),
        sum: f(i + 1),
        sum_sq: f(i + 2),
    };
    let mut r = Rollup {
        n: u(0),
        overall: m(1),
        ..Rollup::default()
    };
    for (k, d) in Dimension::ALL.iter().enumerate() {
        let dim = m(4 + 3 * k);
        if dim.n > 0 {
            r.dimensions.insert(*d, dim);
        }
    }
    r.csat_n = u(19);
    r.csat_top = u(20);
    r.nps.promoters = u(21);
    r.nps.passives = u(22);
    r.nps.detractors = u(23);
    r.visits = u(24);
    r.passes = u(25);
    r.visit_score = m(26);
    r.completed = u(29);
    r.satisfaction = m(30);
    r
}

/// Whether the column at `i` holds whole numbers.
pub fn is_int(i: usize) -> bool {
    !(COLUMNS[i].ends_with("_sum") || COLUMNS[i].ends_with("_sum_sq"))
}

/// The Mondays of the first and last weeks that the filter's dates cover
/// whole (`None`: no bound on that side). Those weeks are read from the
/// weekly table; the other days in range from the daily one. When the
/// range covers no whole week, first > last (also at the ends of the
/// calendar, where the week after or before does not exist).
pub fn whole_weeks(filter: &Filter) -> (Option<Date>, Option<Date>) {
    let week = time::Duration::weeks(1);
    let first = filter.from.map(|f| {
        let monday = aggregate::week_start(f);
        if monday == f {
            f
        } else {
            monday.checked_add(week).unwrap_or(Date::MAX)
        }
    });
    let last = filter.to.map(|t| {
        let monday = aggregate::week_start(t);
        if t.weekday() == time::Weekday::Sunday {
            monday
        } else {
            monday.checked_sub(week).unwrap_or(Date::MIN)
        }
    });
    (first, last)
}

/// The Mondays of the weeks the filter's dates cover only in part (none,
/// one or two): their days in range are read from the daily table.
pub fn edge_weeks(filter: &Filter) -> Vec<Date> {
    let mut weeks = Vec::new();
    if let Some(f) = filter.from {
        if f.weekday() != time::Weekday::Monday {
            weeks.push(aggregate::week_start(f));
        }
    }
    if let Some(t) = filter.to {
        if t.weekday() != time::Weekday::Sunday {
            weeks.push(aggregate::week_start(t));
        }
    }
    weeks.dedup();
    weeks
}

/// Summed rows of the rollup tables, as read per (week, branch).
#[derive(Debug, Default)]
pub(super) struct Rows {
    pub main: Vec<(Date, String, Rollup)>,
    /// (week, branch, item, count).
    pub critical: Vec<(Date, String, String, i64)>,
    /// (week, branch, seconds, count).
    pub waits: Vec<(Date, String, i64, i64)>,
    /// (week, branch, questionnaire, item, sums).
    pub items: Vec<(Date, String, String, String, ItemSums)>,
    /// (week, branch, slot, sums).
    pub slots: Vec<(Date, String, i64, SlotSums)>,
}

/// Count read back from a database column (never negative).
pub fn count(x: i64) -> u64 {
    u64::try_from(x).unwrap_or(0)
}

/// The summed rows of the rollup tables as parts per (branch, week).
pub(super) fn assemble(rows: Rows) -> Vec<Part> {
    let Rows {
        main,
        critical,
        waits,
        items,
        slots,
    } = rows;
    let mut parts: BTreeMap<(String, Date), Rollup> = BTreeMap::new();
    for (week, branch, r) in main {
        parts.entry((branch, week)).or_default().merge(&r);
    }
    for (week, branch, item, count) in critical {
        let r = parts.entry((branch, week)).or_default();
        *r.critical.entry(item).or_default() += u64::try_from(count).unwrap_or(0);
    }
    for (week, branch, seconds, count) in waits {
        let (Ok(seconds), Ok(count)) = (u32::try_from(seconds), u64::try_from(count)) else {
            continue;
        };
        let r = parts.entry((branch, week)).or_default();
        *r.wait.entry(seconds).or_default() += count;
    }
    for (week, branch, questionnaire_id, item, sums) in items {
        let r = parts.entry((branch, week)).or_default();
        r.items
            .entry(questionnaire_id)
            .or_default()
            .entry(item)
            .or_default()
            .merge(&sums);
    }
    for (week, branch, slot, sums) in slots {
        let Ok(slot) = u16::try_from(slot) else {
            continue;
        };
        let r = parts.entry((branch, week)).or_default();
        r.wait_slots.entry(slot).or_default().merge(&sums);
    }
    parts
        .into_iter()
        .map(|((branch, week), rollup)| Part {
            branch,
            week,
            rollup,
        })
        .collect()
}

/// Item sums per branch: (branch, questionnaire, item, sums) rows merged.
pub(super) fn items_by_branch(
    rows: Vec<(String, String, String, ItemSums)>,
) -> Vec<(String, ItemMap)> {
    let mut out: BTreeMap<String, ItemMap> = BTreeMap::new();
    for (branch, questionnaire_id, item, sums) in rows {
        out.entry(branch)
            .or_default()
            .entry(questionnaire_id)
            .or_default()
            .entry(item)
            .or_default()
            .merge(&sums);
    }
    out.into_iter().collect()
}

/// Escape `%`, `_` and `\` for `LIKE … ESCAPE '\'`, and wrap in `%…%`.
pub fn like_pattern(search: &str) -> String {
    let mut out = String::with_capacity(search.len() + 2);
    out.push('%');
    for c in aggregate::fold(search).chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_rollups_round_trip() {
        let mut r = Rollup {
            n: 7,
            completed: 6,
            csat_n: 5,
            csat_top: 3,
            visits: 2,
            passes: 1,
            ..Rollup::default()
        };
        r.overall.add(50.0);
        r.overall.add(75.0);
        r.dimensions
            .insert(Dimension::Trust, [25.0, 100.0].into_iter().collect());
        r.nps.passives = 4;
        r.visit_score.add(12.5);
        r.satisfaction.add(4.0);
        r.satisfaction.add(2.0);
        assert_eq!(rollup_of(&values(&r)), r);
    }

    #[test]
    fn the_int_columns_are_the_counts() {
        let ints: Vec<&str> = (0..COLUMN_COUNT)
            .filter(|i| is_int(*i))
            .map(|i| COLUMNS[i])
            .collect();
        assert!(ints.iter().all(|c| !c.contains("sum")));
        assert_eq!(ints.len(), 1 + 7 + 7 + 1 + 1);
    }

    #[test]
    fn whole_weeks_are_those_the_range_covers_from_monday_to_sunday() {
        use time::macros::date;
        let f = |q: &str| whole_weeks(&Filter::from_query(q).unwrap());
        assert_eq!(f(""), (None, None));
        // 2026-03-02 is a Monday, 2026-03-08 a Sunday.
        assert_eq!(
            f("from=2026-03-02&to=2026-03-15"),
            (Some(date!(2026 - 03 - 02)), Some(date!(2026 - 03 - 09)))
        );
        assert_eq!(
            f("from=2026-03-03&to=2026-03-14"),
            (Some(date!(2026 - 03 - 09)), Some(date!(2026 - 03 - 02)))
        );
        assert_eq!(f("from=2026-03-04"), (Some(date!(2026 - 03 - 09)), None));
        assert_eq!(f("to=2026-03-08"), (None, Some(date!(2026 - 03 - 02))));
    }

    #[test]
    fn edge_weeks_are_the_partly_covered_ones() {
        use time::macros::date;
        let f = |q: &str| edge_weeks(&Filter::from_query(q).unwrap());
        assert!(f("").is_empty());
        assert!(f("from=2026-03-02&to=2026-03-15").is_empty());
        assert_eq!(
            f("from=2026-03-03&to=2026-03-14"),
            [date!(2026 - 03 - 02), date!(2026 - 03 - 09)]
        );
        assert_eq!(f("from=2026-03-04&to=2026-03-05"), [date!(2026 - 03 - 02)]);
        assert_eq!(f("to=2026-03-10"), [date!(2026 - 03 - 09)]);
    }

    #[test]
    fn like_patterns_match_literally() {
        assert_eq!(like_pattern("50%_Off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(like_pattern("排队"), "%排队%");
    }
}
