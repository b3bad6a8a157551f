//! The managers' read side: aggregates from the rollups, the latest
//! comments, and CSV exports of responses and aggregates.
//!
//! Figures are computed by `branchpulse_core::aggregate` from the sums the
//! store keeps at ingest, so a request reads a few thousand summed rows
//! whatever the number of responses.
//!
//! CSV files are UTF-8 with a byte-order mark (so spreadsheet programs read
//! Chinese text as UTF-8) and a header row. Every cell, headers included,
//! goes through [`cell`]: one that a spreadsheet could read as a formula
//! (starting with `=`, `+`, `-`, `@`, tab or carriage return, or their
//! full-width forms `＝＋－＠`, also after leading spaces) gets a leading
//! `'`, OWASP's guard against formula injection. A cell that is only a
//! plain decimal number (`-12.5`) is left as it is: it cannot call
//! anything, and negative figures (NPS, intervals) stay numbers a
//! spreadsheet can sum.

use crate::catalog::{Catalog, Snapshot};
use crate::error::ApiError;
use crate::store::Cursor;
use crate::AppState;
use branchpulse_core::aggregate::{
    self, aggregate, channel_label, Aggregates, Comment, CommentQuery, Figure, Figures, Filter,
};
use branchpulse_core::protocol::Branch;
use branchpulse_core::questionnaire::{Dimension, Kind};
use branchpulse_core::ProblemCode;
use branchpulse_core::{score, Answer, Channel, Response, YesNo};
use std::collections::HashMap;

/// The byte-order mark that starts every CSV file.
pub const BOM: &str = "\u{feff}";

/// Responses read from the database per page of the responses export.
const PAGE: u32 = 1000;

/// 400 for a filter naming an unknown region, branch or questionnaire.
pub fn check(catalog: &Catalog, filter: &Filter) -> Result<(), ApiError> {
    filter.check(&catalog.branches())?;
    match &filter.questionnaire {
        Some(id) if catalog.latest(id).is_none() => Err(ApiError::BadRequest(format!(
            "questionnaire: unknown questionnaire \"{id}\"; GET /api/v1/questionnaires lists them"
        ))
        .coded(ProblemCode::UnknownQuestionnaire)
        .at("questionnaire")),
        _ => Ok(()),
    }
}

/// The figures for `filter` (already checked), with the headline figures'
/// change since the previous period when the filter has both dates.
pub async fn aggregates(state: &AppState, filter: &Filter) -> Result<Aggregates, ApiError> {
    let snapshot = state.catalog.snapshot();
    let defs = snapshot.definitions();
    let branches = snapshot.branches();
    let parts = crate::telemetry::timed("aggregates", state.store.rollup_parts(filter)).await?;
    let mut a = aggregate(filter, branches, &defs, parts);
    if let Some(before) = filter.previous() {
        let parts =
            crate::telemetry::timed("aggregates", state.store.rollup_parts(&before)).await?;
        aggregate::with_changes(&mut a, &aggregate(&before, branches, &defs, parts));
    }
    Ok(a)
}

/// The latest comments per branch for `query` (already checked), newest first.
pub async fn comments(state: &AppState, query: &CommentQuery) -> Result<Vec<Comment>, ApiError> {
    let comments = crate::telemetry::timed("comments", state.store.comments(query)).await?;
    let all = state.catalog.branches();
    let branches = selected(&all, &query.filter);
    Ok(comments
        .into_iter()
        .filter(|c| branches.contains_key(c.branch.as_str()))
        .collect())
}

/// The branches a filter selects, by code.
fn selected<'a>(branches: &'a [Branch], filter: &Filter) -> HashMap<&'a str, &'a Branch> {
    branches
        .iter()
        .filter(|b| filter.selects(b))
        .map(|b| (b.code.as_str(), b))
        .collect()
}

/// What a spreadsheet may take for the start of a formula.
const FORMULA_STARTS: [char; 8] = ['=', '+', '-', '@', '＝', '＋', '－', '＠'];

/// A cell as written to CSV: formulas neutralized (see the module docs).
pub fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    let formula = s.starts_with(['\t', '\r'])
        || (s.trim_start().starts_with(FORMULA_STARTS) && !plain_number(s));
    if formula {
        format!("'{s}").into()
    } else {
        s.into()
    }
}

/// `-12`, `3.25`: digits with an optional leading minus and decimal point.
fn plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// Write one row (or the header), every cell through [`cell`].
fn record<S: AsRef<str>>(
    w: &mut csv::Writer<Vec<u8>>,
    row: impl IntoIterator<Item = S>,
) -> Result<(), ApiError> {
    w.write_record(row.into_iter().map(|c| cell(c.as_ref()).into_owned()))
        .map_err(csv_error)
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::Writer::from_writer(BOM.as_bytes().to_vec())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ApiError> {
    w.into_inner()
        .map_err(|e| ApiError::Internal(format!("writing CSV: {e}")))
}

fn csv_error(e: csv::Error) -> ApiError {
    ApiError::Internal(format!("writing CSV: {e}"))
}

/// The figures in the aggregates CSV, by column prefix.
fn named_figures(f: &Figures) -> Vec<(String, Figure)> {
    let mut out = vec![
        ("overall".to_owned(), f.overall),
        ("completion".to_owned(), f.completion),
    ];
    for d in Dimension::ALL {
        out.push((d.key().to_owned(), f.dimensions[&d]));
    }
    out.push(("csat".into(), f.csat));
    out.push(("nps".into(), f.nps));
    out.push(("visit_score".into(), f.mystery.score));
    out.push(("pass_rate".into(), f.mystery.pass_rate));
    out
}

fn number(x: Option<f64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

/// The aggregates as CSV: a row for the network, then one per branch.
///
/// Columns: `scope` (`network` or `branch`), `code`, `name`, `region`, `n`,
/// `completed`, `too_few`; then for each figure (`overall`, `completion`
/// (percent of `n` completed), the five dimensions, `csat`,
/// `nps`, `visit_score`, `pass_rate`) `<figure>_n`, `_value`, `_low`,
/// `_high`, `_too_few`, `_comparison`; then `visits`, `wait_n`,
/// `wait_median_s`, `wait_p90_s` and `critical_failures`
/// (`item count/n; …`). Empty cells where there is nothing to show.
pub fn aggregates_csv(a: &Aggregates) -> Result<Vec<u8>, ApiError> {
    let mut w = csv_writer();
    let mut header: Vec<String> = [
        "scope",
        "code",
        "name",
        "region",
        "n",
        "completed",
        "too_few",
    ]
    .map(String::from)
    .to_vec();
    for (name, _) in named_figures(&a.network) {
        for part in ["n", "value", "low", "high", "too_few", "comparison"] {
            header.push(format!("{name}_{part}"));
        }
    }
    header.extend(
        [
            "visits",
            "wait_n",
            "wait_median_s",
            "wait_p90_s",
            "critical_failures",
        ]
        .map(String::from),
    );
    record(&mut w, &header)?;
    let network = ("network", "", "", "", &a.network);
    let rows = std::iter::once(network).chain(
        a.branches
            .iter()
            .map(|b| ("branch", &*b.code, &*b.name, &*b.region, &b.figures)),
    );
    for (scope, code, name, region, f) in rows {
        let mut row = vec![
            scope.to_owned(),
            code.to_owned(),
            name.to_owned(),
            region.to_owned(),
            f.n.to_string(),
            f.completed.to_string(),
            f.too_few.to_string(),
        ];
        for (_, fig) in named_figures(f) {
            let e = fig.estimate;
            row.extend([
                fig.n.to_string(),
                number(e.map(|e| e.value)),
                number(e.map(|e| e.low)),
                number(e.map(|e| e.high)),
                fig.too_few.to_string(),
                fig.comparison
                    .map(|c| {
                        serde_json::to_value(c)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    })
                    .unwrap_or_default(),
            ]);
        }
        row.extend([
            f.mystery.visits.to_string(),
            f.wait.n.to_string(),
            number(f.wait.median),
            number(f.wait.p90),
            f.mystery
                .critical_failures
                .iter()
                .map(|c| format!("{} {}/{}", c.item, c.count, c.n))
                .collect::<Vec<_>>()
                .join("; "),
        ]);
        record(&mut w, &row)?;
    }
    finish(w)
}

/// The columns of the responses export for a filter: fixed columns, then
/// one per item of the questionnaires the filter can take in (every
/// version, in questionnaire order), then the attached comments.
#[derive(Debug, Clone)]
pub struct ResponseColumns {
    items: Vec<String>,
}

const FIXED: [&str; 18] = [
    "response_id",
    "branch",
    "branch_name",
    "region",
    "questionnaire_id",
    "questionnaire_version",
    "channel",
    "locale",
    "device_id",
    "started_at",
    "submitted_at",
    // `true` for a kiosk customer who walked away: the unanswered items
    // are missing, not skipped.
    "partial",
    "overall_score",
    "empathy_score",
    "process_convenience_score",
    "value_score",
    "trust_score",
    "environment_score",
];

impl ResponseColumns {
    pub fn new(catalog: &Catalog, filter: &Filter) -> ResponseColumns {
        let mut items: Vec<String> = Vec::new();
        for q in catalog.questionnaires() {
            let kind_fits = match filter.channel {
                None => true,
                Some(Channel::Kiosk) => q.kind == Kind::Kiosk,
                Some(Channel::MysteryShop) => q.kind == Kind::MysteryShop,
            };
            let id_fits = filter.questionnaire.as_ref().is_none_or(|id| *id == q.id);
            if !(kind_fits && id_fits) {
                continue;
            }
            for item in q.items() {
                if !items.contains(&item.id) {
                    items.push(item.id.clone());
                }
            }
        }
        ResponseColumns { items }
    }

    pub fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = FIXED.map(String::from).to_vec();
        h.extend(["passed".into(), "critical_failures".into()]);
        h.extend(self.items.iter().cloned());
        h.push("comments".into());
        h
    }

    fn row(&self, catalog: &Snapshot, branch: &Branch, r: &Response) -> Vec<String> {
        let rfc3339 = |t: time::OffsetDateTime| {
            t.format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default()
        };
        let q = catalog.questionnaire(&r.questionnaire_id, r.questionnaire_version);
        let card = q.map(|q| score::score(q, &r.answers));
        let mut row = vec![
            r.id.to_string(),
            r.branch.clone(),
            branch.name.clone(),
            branch.region.clone(),
            r.questionnaire_id.clone(),
            r.questionnaire_version.to_string(),
            channel_label(r.channel).to_owned(),
            r.locale.tag().to_owned(),
            r.device_id.clone(),
            rfc3339(r.started_at),
            rfc3339(r.submitted_at),
            r.partial.to_string(),
            number(card.as_ref().and_then(|c| c.overall)),
        ];
        for d in Dimension::ALL {
            row.push(number(
                card.as_ref()
                    .and_then(|c| c.dimensions.get(&d).copied().flatten()),
            ));
        }
        let mystery = r.channel == Channel::MysteryShop;
        row.push(match &card {
            Some(c) if mystery => c.passed.to_string(),
            _ => String::new(),
        });
        row.push(
            card.as_ref()
                .map(|c| c.critical_failures.join("; "))
                .unwrap_or_default(),
        );
        for item in &self.items {
            row.push(r.answers.get(item).map(answer_text).unwrap_or_default());
        }
        row.push(
            r.comments
                .iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        row
    }
}

fn answer_text(a: &Answer) -> String {
    match a {
        Answer::Rating(x) | Answer::Nps(x) => x.to_string(),
        Answer::Seconds(s) => s.to_string(),
        Answer::YesNo(YesNo::Yes) => "yes".into(),
        Answer::YesNo(YesNo::No) => "no".into(),
        Answer::YesNo(YesNo::Na) => "na".into(),
        Answer::Choice(c) => c.clone(),
        Answer::Text(t) => t.clone(),
        Answer::NotApplicable => "not_applicable".into(),
    }
}

/// One page of the responses export: its CSV lines (with the BOM and the
/// header on the first page) and where the next page starts (`None` at the
/// end).
pub async fn responses_page(
    state: &AppState,
    filter: &Filter,
    columns: &ResponseColumns,
    after: Option<Cursor>,
) -> Result<(Vec<u8>, Option<Cursor>), ApiError> {
    let first = after.is_none();
    let rows = state
        .store
        .responses_page(filter, after.as_ref(), PAGE)
        .await?;
    let next = (rows.len() == PAGE as usize).then(|| rows.last().map(|(c, _)| c.clone()));
    let mut w = if first {
        let mut w = csv_writer();
        record(&mut w, columns.header())?;
        w
    } else {
        csv::Writer::from_writer(Vec::new())
    };
    // One state of the catalog for the whole page.
    let catalog = state.catalog.snapshot();
    let branches = selected(catalog.branches(), filter);
    for (cursor, payload) in rows {
        let response: Response = serde_json::from_str(&payload).map_err(|e| {
            ApiError::Internal(format!("stored response {} cannot be read: {e}", cursor.id))
        })?;
        let Some(branch) = branches.get(response.branch.as_str()) else {
            continue;
        };
        let day = aggregate::day_of(&response);
        if !filter.takes(day, &response.questionnaire_id, response.channel) {
            continue;
        }
        record(&mut w, columns.row(&catalog, branch, &response))?;
    }
    Ok((finish(w)?, next.flatten()))
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_neutralized_and_numbers_kept() {
        for formula in [
            "=1+1",
            "+1",
            "-1+1",
            "@SUM(A1)",
            "\tx",
            "\r=x",
            "＝1",
            "＋1",
            "－1",
            "＠x",
            "  =1",
            "\u{3000}=1",
            " -5",
            "-",
            "-inf",
            "-1e5",
            "-.5",
        ] {
            assert_eq!(cell(formula), format!("'{formula}"), "{formula:?}");
        }
        for kept in [
            "", "Harbour", "-12", "-12.5", "0.25", "71", "a=b", "'=x", "N01",
        ] {
            assert_eq!(cell(kept), kept, "{kept:?}");
        }
    }
}
