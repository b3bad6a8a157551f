//! The managers' read side: aggregates from the rollups, the items behind
//! them, the latest comments, and CSV exports of responses and aggregates.
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
use branchpulse_core::drivers::{self, Drivers};
use branchpulse_core::protocol::Branch;
use branchpulse_core::questionnaire::{Dimension, Kind};
use branchpulse_core::scorecard::{self, Change, CommitmentDef, Items};
use branchpulse_core::stats::Estimate;
use branchpulse_core::ProblemCode;
use branchpulse_core::{score, Answer, Channel, Locale, Response, YesNo};
use std::collections::HashMap;

/// The byte-order mark that starts every CSV file.
pub const BOM: &str = "\u{feff}";

/// Responses read from the database per page of the responses export.
const PAGE: u32 = 1000;

/// 400 for a filter naming an unknown region, branch or questionnaire.
pub fn check(catalog: &Catalog, filter: &Filter) -> Result<(), ApiError> {
    filter.check(&catalog.branches(), &catalog.formats())?;
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
    let commitments = defs.commitment_items();
    let branches = snapshot.branches();
    // Each channel read apart: without a channel the answer holds both,
    // flagged as one family (`aggregate_channels`).
    let parts_of = |f: &Filter| {
        let f = f.clone();
        let commitments = &commitments;
        async move {
            let mut out = Vec::new();
            for channel in aggregate::CHANNELS {
                if f.channel.is_some_and(|c| c != channel) {
                    continue;
                }
                let one = Filter {
                    channel: Some(channel),
                    ..f.clone()
                };
                let parts = crate::telemetry::timed(
                    "aggregates",
                    state.store.rollup_parts(&one, commitments),
                )
                .await?;
                out.push((channel, parts));
            }
            Ok::<_, ApiError>(out)
        }
    };
    let mut a = aggregate::aggregate_channels(filter, branches, &defs, parts_of(filter).await?);
    if let Some(before) = filter.previous() {
        let then =
            aggregate::aggregate_channels(&before, branches, &defs, parts_of(&before).await?);
        aggregate::with_changes(&mut a, &then);
    }
    Ok(a)
}

/// The figures of `filter` (already checked) per channel: the filter's
/// channel, or each channel in turn, so that the kiosk's and the mystery
/// shop's figures are never mixed; flagged as the dashboard's screen is.
pub async fn aggregates_by_channel(
    state: &AppState,
    filter: &Filter,
) -> Result<Vec<(Channel, Aggregates)>, ApiError> {
    let a = aggregates(state, filter).await?;
    Ok(match filter.channel {
        Some(c) => vec![(c, a)],
        None => aggregate::CHANNELS.into_iter().zip(a.channels).collect(),
    })
}

/// The figures of every item behind the scores for `filter` (already
/// checked): the network's and those of the filter's branches.
pub async fn items(state: &AppState, filter: &Filter) -> Result<Items, ApiError> {
    let snapshot = state.catalog.snapshot();
    let parts = crate::telemetry::timed("items", state.store.items(filter)).await?;
    Ok(scorecard::items(
        filter,
        snapshot.branches(),
        &snapshot.actives(),
        parts,
    ))
}

/// The most kiosk responses a drivers answer reads: the latest of the filter.
pub const DRIVERS_CAP: u32 = 20_000;

/// The key drivers of the kiosk's responses in `filter` (already checked and
/// narrowed): the latest [`DRIVERS_CAP`] responses, each scored with the
/// questionnaire version it answered, and the network's dimension scores
/// from the figures.
pub async fn drivers(state: &AppState, filter: &Filter) -> Result<Drivers, ApiError> {
    let filter = Filter {
        channel: Some(Channel::Kiosk),
        ..filter.clone()
    };
    let snapshot = state.catalog.snapshot();
    let branches = selected(snapshot.branches(), &filter);
    let codes = branches.keys().map(|c| (*c).to_owned()).collect();
    let payloads = crate::telemetry::timed(
        "drivers",
        state.store.latest_kiosk(&filter, codes, DRIVERS_CAP),
    )
    .await?;
    let capped = payloads.len() == DRIVERS_CAP as usize;
    let mut read = 0u64;
    let mut cases = Vec::new();
    for payload in &payloads {
        let response: Response = serde_json::from_str(payload)
            .map_err(|e| ApiError::Internal(format!("a stored response cannot be read: {e}")))?;
        if !filter.takes(
            aggregate::day_of(&response),
            &response.questionnaire_id,
            response.channel,
        ) {
            continue;
        }
        read += 1;
        let Some(q) =
            snapshot.questionnaire(&response.questionnaire_id, response.questionnaire_version)
        else {
            continue;
        };
        cases.extend(drivers::case_of(q, &response));
    }
    // The bootstrap refits each outcome hundreds of times: off the async workers.
    let (satisfaction, nps) = tokio::task::spawn_blocking(move || drivers::drivers_of(&cases))
        .await
        .map_err(|e| ApiError::Internal(format!("the drivers could not be computed: {e}")))?;
    // The scores of the selection itself: its branches are the "network"
    // the figures are summed over.
    let defs = snapshot.definitions();
    let parts = crate::telemetry::timed(
        "drivers",
        state.store.rollup_parts(&filter, &defs.commitment_items()),
    )
    .await?;
    let mine: Vec<Branch> = branches.values().map(|b| (*b).clone()).collect();
    let figures = aggregate(&filter, &mine, &defs, parts);
    let scores = Dimension::CUSTOMER
        .iter()
        .filter_map(|d| figures.network.dimensions.get(d).map(|f| (*d, *f)))
        .collect();
    Ok(Drivers {
        filter,
        cap: u64::from(DRIVERS_CAP),
        read,
        capped,
        satisfaction,
        nps,
        scores,
    })
}

/// The English label of each commitment of the active questionnaires, by
/// (questionnaire, item): how the aggregates CSV names them.
pub fn commitment_labels(snapshot: &Snapshot) -> HashMap<(String, String), String> {
    let mut labels = HashMap::new();
    for q in snapshot.actives() {
        for item in q.items() {
            if let Some(c) = &item.commitment {
                labels.insert(
                    (q.id.clone(), item.id.clone()),
                    c.label.get(Locale::En).to_owned(),
                );
            }
        }
    }
    labels
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
    out.push(("satisfaction".into(), f.satisfaction));
    out.push(("visit_score".into(), f.mystery.score));
    out.push(("pass_rate".into(), f.mystery.pass_rate));
    out
}

fn number(x: Option<f64>) -> String {
    x.map(|x| x.to_string()).unwrap_or_default()
}

/// A unit enum's JSON name (`better`, `met`, `up`), or nothing.
fn label<T: serde::Serialize>(value: Option<T>) -> String {
    value
        .and_then(|v| serde_json::to_value(v).ok())
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Value, low and high of an estimate (empty without one).
fn interval(e: Option<Estimate>) -> [String; 3] {
    [
        number(e.map(|e| e.value)),
        number(e.map(|e| e.low)),
        number(e.map(|e| e.high)),
    ]
}

fn iso_date(d: time::Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// The headline figures whose change since the previous period the CSV shows.
const CHANGES: [&str; 3] = ["csat", "nps", "satisfaction"];

fn change_of<'a>(c: &'a scorecard::Changes, name: &str) -> &'a Change {
    match name {
        "csat" => &c.csat,
        "nps" => &c.nps,
        _ => &c.satisfaction,
    }
}

/// The header of the aggregates CSV, with a group of columns per
/// commitment of `commitments`.
fn aggregates_header(commitments: &[CommitmentDef]) -> Vec<String> {
    let mut header: Vec<String> = [
        "scope",
        "channel",
        "code",
        "name",
        "region",
        "n",
        "completed",
        "too_few",
    ]
    .map(String::from)
    .to_vec();
    for (name, _) in named_figures(&empty_figures()) {
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
            "wait_target_s",
            "wait_within_target_n",
            "wait_within_target_value",
            "wait_within_target_low",
            "wait_within_target_high",
            "wait_within_target_too_few",
            "critical_failures",
        ]
        .map(String::from),
    );
    for c in commitments {
        let prefix = format!("commitment_{}_{}", c.questionnaire_id, c.item);
        for part in [
            "label", "target", "n", "rate", "low", "high", "too_few", "standing",
        ] {
            header.push(format!("{prefix}_{part}"));
        }
    }
    header.extend(["change_from", "change_to"].map(String::from));
    for name in CHANGES {
        for part in [
            "previous_n",
            "previous_value",
            "previous_low",
            "previous_high",
            "difference",
            "difference_low",
            "difference_high",
            "movement",
        ] {
            header.push(format!("{name}_{part}"));
        }
    }
    header
}

/// Figures on nothing, for the names of the columns.
fn empty_figures() -> Figures {
    aggregate::figures(&Default::default(), &Default::default())
}

/// One row of the aggregates CSV.
fn aggregates_row(
    ids: [&str; 5],
    f: &Figures,
    commitments: &[CommitmentDef],
    labels: &HashMap<(String, String), String>,
) -> Vec<String> {
    let mut row: Vec<String> = ids.iter().map(|s| (*s).to_owned()).collect();
    row.extend([
        f.n.to_string(),
        f.completed.to_string(),
        f.too_few.to_string(),
    ]);
    for (_, fig) in named_figures(f) {
        row.push(fig.n.to_string());
        row.extend(interval(fig.estimate));
        row.push(fig.too_few.to_string());
        row.push(label(fig.comparison));
    }
    let within = &f.wait.within_target;
    row.extend([
        f.mystery.visits.to_string(),
        f.wait.n.to_string(),
        number(f.wait.median),
        number(f.wait.p90),
        f.wait.target.map(|t| t.to_string()).unwrap_or_default(),
        within.n.to_string(),
    ]);
    row.extend(interval(within.estimate));
    row.push(within.too_few.to_string());
    row.push(
        f.mystery
            .critical_failures
            .iter()
            .map(|c| format!("{} {}/{}", c.item, c.count, c.n))
            .collect::<Vec<_>>()
            .join("; "),
    );
    for def in commitments {
        let key = (def.questionnaire_id.clone(), def.item.clone());
        row.push(
            labels
                .get(&key)
                .cloned()
                .unwrap_or_else(|| def.item.clone()),
        );
        row.push(def.target.to_string());
        match f
            .commitments
            .iter()
            .find(|c| c.questionnaire_id == def.questionnaire_id && c.item == def.item)
        {
            Some(c) => {
                row.push(c.rate.n.to_string());
                row.extend(interval(c.rate.estimate));
                row.push(c.rate.too_few.to_string());
                row.push(label(c.standing));
            }
            None => row.extend(std::iter::repeat_n(String::new(), 6)),
        }
    }
    match &f.change {
        Some(changes) => {
            row.push(iso_date(changes.from));
            row.push(iso_date(changes.to));
            for name in CHANGES {
                let c = change_of(changes, name);
                row.push(c.previous.n.to_string());
                row.extend(interval(c.previous.estimate));
                row.extend(interval(c.difference));
                row.push(label(c.movement));
            }
        }
        None => row.extend(std::iter::repeat_n(String::new(), 2 + 8 * CHANGES.len())),
    }
    row
}

/// The aggregates as CSV: for each channel of `sets` (never mixed), a row
/// for the network, then one per branch.
///
/// Columns: `scope` (`network` or `branch`), `channel` (`kiosk` or
/// `mystery_shop`), `code`, `name`, `region`, `n`, `completed`, `too_few`;
/// then for each figure (`overall`, `completion` (percent of `n`
/// completed), the five dimensions, `csat`, `nps`, `satisfaction` (the
/// overall-satisfaction question's mean, 1–5), `visit_score`, `pass_rate`)
/// `<figure>_n`, `_value`, `_low`, `_high`, `_too_few`, `_comparison`;
/// then `visits`, `wait_n`, `wait_median_s`, `wait_p90_s`,
/// `wait_target_s`, `wait_within_target_n`, `_value`, `_low`, `_high`,
/// `_too_few` (percent of visits waiting no longer than the target) and
/// `critical_failures` (`item count/n; …`); then for each commitment of the
/// active questionnaires `commitment_<questionnaire>_<item>_label` (its
/// English label), `_target` (percent), `_n`, `_rate`, `_low`, `_high`,
/// `_too_few`, `_standing` (`met`, `missed`, `unclear`; empty when too
/// few); then the change since the previous period of the same length
/// (only when the filter has both dates): `change_from`, `change_to`, and
/// for `csat`, `nps` and `satisfaction` `<figure>_previous_n`,
/// `_previous_value`, `_previous_low`, `_previous_high`, `_difference`,
/// `_difference_low`, `_difference_high`, `_movement` (`up`, `down`,
/// `steady`; empty when either period is too few). Empty cells where there
/// is nothing to show.
pub fn aggregates_csv(
    sets: &[(Channel, Aggregates)],
    labels: &HashMap<(String, String), String>,
) -> Result<Vec<u8>, ApiError> {
    let commitments: Vec<CommitmentDef> = sets
        .first()
        .map(|(_, a)| {
            a.network
                .commitments
                .iter()
                .map(|c| CommitmentDef {
                    questionnaire_id: c.questionnaire_id.clone(),
                    item: c.item.clone(),
                    target: c.target,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut w = csv_writer();
    record(&mut w, aggregates_header(&commitments))?;
    for (channel, a) in sets {
        let channel = channel_label(*channel);
        let network = (["network", channel, "", "", ""], &a.network);
        let rows = std::iter::once(network).chain(a.branches.iter().map(|b| {
            (
                ["branch", channel, &*b.code, &*b.name, &*b.region],
                &b.figures,
            )
        }));
        for (ids, f) in rows {
            record(&mut w, aggregates_row(ids, f, &commitments, labels))?;
        }
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
        Answer::Call {
            rings,
            answered,
            seconds,
        } => format!(
            "{}, {rings} rings, {seconds} s",
            if *answered {
                "answered"
            } else {
                "not answered"
            }
        ),
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
