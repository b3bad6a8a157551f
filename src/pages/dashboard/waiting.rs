//! Waiting time at mystery-shop visits per branch (median, 90th percentile
//! and the share within the target, each with its n) and by hour of day ×
//! weekday as a heat map, so that a lunchtime queue shows.

use super::figures::{branch_label, cell, fill, list, minutes, with_interval, Tx};
use super::filter::DashState;
use crate::charts::dots::{self, Dot, Panel, Tone};
use crate::charts::figure::Row;
use crate::charts::heatmap::{self, Cell};
use crate::charts::palette;
use crate::charts::{fmt_value, Chart, LegendEntry, Table, WIDE};
use crate::i18n::Key;
use branchpulse_core::aggregate::{Aggregates, BranchFigures, Wait};
use branchpulse_core::collect;
use branchpulse_core::scorecard::WaitSlot;

/// Fewer visits than this in one hour of one weekday: the cell is drawn
/// pale and struck through, and left out of the longest waits named.
pub const FEW_VISITS: u64 = 5;

/// The weekday names' keys, Monday first.
const DAYS: [Key; 7] = [
    Key::DashMon,
    Key::DashTue,
    Key::DashWed,
    Key::DashThu,
    Key::DashFri,
    Key::DashSat,
    Key::DashSun,
];

/// "Mon 12:00–13:00".
pub fn slot_label(day: &str, hour: u8) -> String {
    format!("{day} {hour:02}:00–{:02}:00", hour + 1)
}

/// The `k` slots with the longest mean waits, longest first (ties in week
/// order); those with at least [`FEW_VISITS`] visits when there are any.
pub fn longest(slots: &[WaitSlot], k: usize) -> Vec<&WaitSlot> {
    let enough = slots.iter().any(|s| s.n >= FEW_VISITS);
    let mut v: Vec<&WaitSlot> = slots
        .iter()
        .filter(|s| !enough || s.n >= FEW_VISITS)
        .collect();
    collect::sort_by(&mut v, |a, b| b.mean.total_cmp(&a.mean));
    v.truncate(k);
    v
}

/// The target and the share of visits within it, for the network's note.
pub fn target_note(w: &Wait, tx: Tx<'_>) -> String {
    match w.target {
        Some(t) => fill(
            tx(Key::DashWaitTargetNote),
            &[
                ("target", minutes(f64::from(t), tx)),
                (
                    "within",
                    format!(
                        "{} (n={})",
                        with_interval(&w.within_target),
                        w.within_target.n
                    ),
                ),
            ],
        ),
        None => tx(Key::DashNoWaitTarget).into(),
    }
}

fn wait_dot(v: Option<f64>, w: &Wait, target: Option<u32>, network: bool) -> Option<Dot> {
    let m = v? / 60.0;
    let over = target.is_some_and(|t| m > f64::from(t) / 60.0);
    let tone = match () {
        _ if w.too_few => Tone::Greyed,
        _ if network => Tone::Network,
        _ if over => Tone::Bad,
        _ => Tone::Plain,
    };
    Some(Dot {
        value: m,
        low: m,
        high: m,
        tone,
        mark: None,
    })
}

/// Median, 90th percentile and share within the target per branch.
pub fn per_branch(a: &Aggregates, tx: Tx<'_>) -> Chart {
    let target = a.network.wait.target;
    let all: Vec<(String, &Wait)> = std::iter::once((tx(Key::DashNetwork).into(), &a.network.wait))
        .chain(
            a.branches
                .iter()
                .map(|b| (branch_label(b), &b.figures.wait)),
        )
        .collect();
    let rows: Vec<dots::Row> = all
        .iter()
        .map(|(label, w)| dots::Row {
            label: label.clone(),
            greyed: w.too_few,
        })
        .collect();
    // One scale for both the median and the 90th percentile, the target on it.
    let top = all
        .iter()
        .filter_map(|(_, w)| w.p90)
        .chain(target.map(f64::from))
        .fold(60.0, f64::max)
        / 60.0
        * 1.1;
    let line = target.map(|t| f64::from(t) / 60.0);
    let mut panels = vec![
        Panel {
            title: format!("{} ({})", tx(Key::DashMedian), tx(Key::DashMin)),
            range: (0.0, top),
            line,
            dots: all
                .iter()
                .enumerate()
                .map(|(i, (_, w))| wait_dot(w.median, w, target, i == 0))
                .collect(),
        },
        Panel {
            title: format!("{} ({})", tx(Key::DashP90), tx(Key::DashMin)),
            range: (0.0, top),
            line,
            dots: all
                .iter()
                .enumerate()
                .map(|(i, (_, w))| wait_dot(w.p90, w, target, i == 0))
                .collect(),
        },
    ];
    if target.is_some() {
        panels.push(Panel {
            title: tx(Key::DashWithinTarget).into(),
            range: (0.0, 100.0),
            line: None,
            dots: all
                .iter()
                .enumerate()
                .map(|(i, (_, w))| {
                    let e = w.within_target.estimate?;
                    Some(Dot {
                        value: e.value,
                        low: e.low,
                        high: e.high,
                        tone: match () {
                            _ if w.within_target.too_few => Tone::Greyed,
                            _ if i == 0 => Tone::Network,
                            _ => Tone::Plain,
                        },
                        mark: None,
                    })
                })
                .collect(),
        });
    }
    let columns = panels.len();
    let svg = dots::svg(&rows, &panels, columns, WIDE);
    let shown = |v: Option<f64>| v.map(|s| minutes(s, tx)).unwrap_or_else(|| "–".into());
    let mut head = vec![
        tx(Key::Branch).to_string(),
        "n".into(),
        tx(Key::DashMedian).to_string(),
        tx(Key::DashP90).to_string(),
    ];
    if target.is_some() {
        head.push(tx(Key::DashWithinTarget).into());
    }
    let table_rows = all
        .iter()
        .map(|(label, w)| {
            let mut cells = vec![
                if w.too_few {
                    format!("{label} ({})", tx(Key::DashTooFew))
                } else {
                    label.clone()
                },
                w.n.to_string(),
                shown(w.median),
                shown(w.p90),
            ];
            if target.is_some() {
                cells.push(cell(&w.within_target, tx));
            }
            Row {
                cells,
                greyed: w.too_few,
                links: Vec::new(),
            }
        })
        .collect();
    let over: Vec<String> = a
        .branches
        .iter()
        .filter(|b| {
            let w = &b.figures.wait;
            !w.too_few && target.is_some_and(|t| w.median.is_some_and(|m| m > f64::from(t)))
        })
        .map(|b| b.code.clone())
        .collect();
    let net = &a.network.wait;
    let description = fill(
        tx(Key::DashWaitBranchesDesc),
        &[
            ("b", a.branches.len().to_string()),
            (
                "target",
                target
                    .map(|t| minutes(f64::from(t), tx))
                    .unwrap_or_else(|| tx(Key::DashNone).into()),
            ),
            ("n", net.n.to_string()),
            ("median", shown(net.median)),
            ("p90", shown(net.p90)),
            ("over", list(over, tx)),
        ],
    );
    let legend = vec![
        LegendEntry {
            label: tx(Key::DashNetwork).into(),
            colour: palette::css(palette::NETWORK),
            marker: Some(palette::Marker::Circle),
            dash: None,
        },
        LegendEntry {
            label: tx(Key::DashOverTarget).into(),
            colour: palette::css(dots::colour(Tone::Bad)),
            marker: Some(palette::Marker::Circle),
            dash: None,
        },
        LegendEntry {
            label: tx(Key::DashTarget).into(),
            colour: palette::css(palette::NETWORK),
            marker: None,
            dash: Some(5),
        },
        LegendEntry {
            label: tx(Key::DashTooFew).into(),
            colour: palette::css(palette::GREYED),
            marker: None,
            dash: None,
        },
    ];
    Chart {
        id: "chart-wait-branches",
        title: tx(Key::DashWaitBranchesTitle).into(),
        description,
        svg,
        legend,
        notes: vec![target_note(net, tx), tx(Key::DashNoteGrey).into()],
        table: Table {
            head,
            rows: table_rows,
        },
    }
}

/// The branch the heat map shows: the one branch compared, else the one
/// branch the filter selects; the network otherwise.
pub fn heatmap_of<'a>(a: &'a Aggregates, state: &DashState) -> Option<&'a BranchFigures> {
    if let [code] = state.compare.as_slice() {
        if let Some(b) = a.branches.iter().find(|b| &b.code == code) {
            return Some(b);
        }
    }
    match a.branches.as_slice() {
        [b] => Some(b),
        _ => None,
    }
}

/// The heat map of mean waits by weekday and hour, when there are visits.
pub fn heatmap(a: &Aggregates, state: &DashState, tx: Tx<'_>) -> Option<Chart> {
    let branch = heatmap_of(a, state);
    let w = branch.map_or(&a.network.wait, |b| &b.figures.wait);
    if w.slots.is_empty() {
        return None;
    }
    let place = branch.map_or_else(|| tx(Key::DashNetwork).to_string(), branch_label);
    let days: Vec<String> = DAYS.iter().map(|k| tx(*k).to_string()).collect();
    // Bands around the target (half, at, 1.5×, twice) when there is one.
    let bounds = match w.target.or(a.network.wait.target) {
        Some(t) => {
            let t = f64::from(t) / 60.0;
            [t / 2.0, t, t * 1.5, t * 2.0]
        }
        None => [2.0, 5.0, 10.0, 15.0],
    };
    let cells: Vec<Cell> = w
        .slots
        .iter()
        .map(|s| Cell {
            weekday: s.weekday,
            hour: s.hour,
            value: s.mean / 60.0,
            few: s.n < FEW_VISITS,
        })
        .collect();
    let x = format!("{} ({})", tx(Key::DashHour), tx(Key::DashLocalTime));
    let svg = heatmap::svg(
        &cells,
        &heatmap::Axes {
            days: &days,
            x: &x,
            bounds,
        },
    );
    let day = |d: u8| days.get(usize::from(d)).cloned().unwrap_or_default();
    let min = tx(Key::DashMin);
    let worst: Vec<String> = longest(&w.slots, 3)
        .into_iter()
        .map(|s| {
            format!(
                "{} ({} {min}, n={})",
                slot_label(&day(s.weekday), s.hour),
                fmt_value(s.mean / 60.0),
                s.n
            )
        })
        .collect();
    let n: u64 = w.slots.iter().map(|s| s.n).sum();
    let description = fill(
        tx(Key::DashHeatmapDesc),
        &[
            ("place", place.clone()),
            ("n", n.to_string()),
            ("k", w.slots.len().to_string()),
            ("worst", list(worst, tx)),
        ],
    );
    let b = |v: f64| fmt_value(v);
    let band_labels = [
        format!("< {} {min}", b(bounds[0])),
        format!("{}–{} {min}", b(bounds[0]), b(bounds[1])),
        format!("{}–{} {min}", b(bounds[1]), b(bounds[2])),
        format!("{}–{} {min}", b(bounds[2]), b(bounds[3])),
        format!("≥ {} {min}", b(bounds[3])),
    ];
    let mut legend: Vec<LegendEntry> = band_labels
        .into_iter()
        .zip(heatmap::SCALE)
        .map(|(label, c)| LegendEntry {
            label,
            colour: palette::css(c),
            marker: None,
            dash: None,
        })
        .collect();
    legend.push(LegendEntry {
        label: fill(tx(Key::DashFewVisits), &[("k", FEW_VISITS.to_string())]),
        colour: palette::css(palette::GREYED),
        marker: None,
        dash: None,
    });
    let rows = w
        .slots
        .iter()
        .map(|s| Row {
            cells: vec![
                slot_label(&day(s.weekday), s.hour),
                s.n.to_string(),
                fmt_value(s.mean / 60.0),
                s.over_target.to_string(),
            ],
            greyed: s.n < FEW_VISITS,
            links: Vec::new(),
        })
        .collect();
    let mut notes = vec![
        fill(tx(Key::DashNoteHeatmap), &[("k", FEW_VISITS.to_string())]),
        target_note(w, tx),
    ];
    if branch.is_none() {
        notes.push(tx(Key::DashNoteHeatmapBranch).into());
    }
    Some(Chart {
        id: "heatmap",
        title: fill(tx(Key::DashHeatmapTitle), &[("place", place)]),
        description,
        svg,
        legend,
        notes,
        table: Table {
            head: vec![
                tx(Key::DashSlot).into(),
                tx(Key::DashVisitsAxis).into(),
                format!("{} ({min})", tx(Key::DashMeanWait)),
                tx(Key::DashOverTarget).into(),
            ],
            rows,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::text;
    use branchpulse_core::aggregate::{aggregate_responses, Filter};
    use branchpulse_core::protocol::Branch;
    use branchpulse_core::scorecard::Definitions;
    use branchpulse_core::{Locale, Questionnaire, Response};

    fn en(k: Key) -> &'static str {
        text(Locale::En, k)
    }

    /// `n` visits to `branch` arriving at `at` (RFC 3339, local time) on
    /// the mystery-shop questionnaire, each waiting `wait` seconds.
    fn visits(branch: &str, at: &str, wait: u32, n: usize) -> Vec<Response> {
        (0..n)
            .map(|k| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("00000000-0000-4000-8000-{:012}", k + 1000 * wait as usize + at.len()),
                    "questionnaire_id": "branch_visit",
                    "questionnaire_version": 1,
                    "branch": branch,
                    "device_id": "test",
                    "channel": "mystery_shop",
                    "locale": "en",
                    "started_at": at,
                    "submitted_at": at,
                    "answers": { "wait_seconds": { "type": "seconds", "value": wait } },
                    "visit": { "arrived_at": at },
                }))
                .unwrap()
            })
            .collect()
    }

    fn state(compare: &[&str]) -> DashState {
        DashState {
            filter: Ok(Filter::default()),
            compare: compare.iter().map(|c| c.to_string()).collect(),
            trend: None,
            q: String::new(),
            drill: None,
            table: Default::default(),
        }
    }

    /// N01: six visits on a Monday at 12:xx waiting 15 minutes and six at
    /// 09:xx waiting 2; N02: six on a Wednesday at 12:xx waiting 5.
    fn aggregates() -> Aggregates {
        let shop: Questionnaire =
            serde_json::from_str(include_str!("../../../questionnaires/mystery_shop.json"))
                .unwrap();
        let branches: Vec<Branch> = ["N01", "N02"]
            .map(|code| Branch {
                code: code.into(),
                name: format!("{code} branch"),
                region: "North".into(),
                active: true,
                format: None,
            })
            .into();
        let mut responses = visits("N01", "2025-06-02T12:10:00Z", 900, 6);
        responses.extend(visits("N01", "2025-06-02T09:30:00Z", 120, 6));
        responses.extend(visits("N02", "2025-06-04T12:40:00Z", 300, 6));
        let defs = Definitions::of([&shop]);
        aggregate_responses(&Filter::default(), &branches, &defs, &responses, |_, _| {
            Some(&shop)
        })
    }

    #[test]
    fn the_heat_map_names_the_longest_waits_of_the_network_or_one_branch() {
        let a = aggregates();
        let chart = heatmap(&a, &state(&[]), &en).unwrap();
        assert_eq!(chart.id, "heatmap");
        assert_eq!(chart.title, "Waiting time by weekday and hour: Network");
        assert_eq!(
            chart.description,
            "Heat map of the mean waiting time by weekday and hour at Network: 18 visits in 3 hours \
             of the week. Longest mean waits: Mon 12:00–13:00 (15 min, n=6), \
             Wed 12:00–13:00 (5.0 min, n=6), Mon 09:00–10:00 (2.0 min, n=6)."
        );
        // The target is 600 s: the Monday lunchtime visits are over it.
        let noon = &chart.table.rows[1];
        assert_eq!(noon.cells, ["Mon 12:00–13:00", "6", "15", "6"]);
        // One branch compared: that branch alone, said in the title.
        let n02 = heatmap(&a, &state(&["N02"]), &en).unwrap();
        assert_eq!(
            n02.title,
            "Waiting time by weekday and hour: N02 N02 branch"
        );
        assert_eq!(n02.table.rows.len(), 1);
    }

    #[test]
    fn waits_per_branch_give_median_p90_and_the_share_within_the_target() {
        let a = aggregates();
        let chart = per_branch(&a, &en);
        let n01 = &chart.table.rows[1];
        // Twelve waits, six of 120 s and six of 900 s: the median (type 7)
        // halfway between, 510 s; the 90th percentile 900 s; 6 of 12 within
        // 600 s, Wilson [25.4, 74.6].
        assert_eq!(
            n01.cells,
            [
                "N01 N01 branch (too few responses)",
                "12",
                "8.5 min",
                "15 min",
                "50 [25–75] · n=12 · too few responses"
            ]
        );
        assert!(n01.greyed);
        assert!(chart
            .description
            .contains("against the target of 10 min. Network: median 5.0 min"));
    }

    fn slot(weekday: u8, hour: u8, n: u64, mean: f64) -> WaitSlot {
        WaitSlot {
            weekday,
            hour,
            n,
            mean,
            over_target: 0,
        }
    }

    #[test]
    fn slots_are_named_by_weekday_and_hour() {
        assert_eq!(slot_label("Mon", 12), "Mon 12:00–13:00");
        assert_eq!(slot_label("Sun", 9), "Sun 09:00–10:00");
        assert_eq!(slot_label("Fri", 23), "Fri 23:00–24:00");
    }

    #[test]
    fn the_longest_waits_are_those_with_enough_visits() {
        let slots = [
            slot(0, 9, 6, 120.0),
            slot(0, 12, 8, 840.0),
            slot(1, 12, 2, 1800.0),
            slot(2, 12, 5, 840.0),
            slot(3, 15, 7, 300.0),
        ];
        let top: Vec<(u8, u8)> = longest(&slots, 3)
            .iter()
            .map(|s| (s.weekday, s.hour))
            .collect();
        // Tuesday noon (2 visits) is left out; ties keep week order.
        assert_eq!(top, [(0, 12), (2, 12), (3, 15)]);
        // With no slot of enough visits, the few are named all the same.
        let few = [slot(4, 10, 1, 60.0), slot(4, 11, 2, 90.0)];
        assert_eq!(longest(&few, 3)[0].hour, 11);
    }
}
