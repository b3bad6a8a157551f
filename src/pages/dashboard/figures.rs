//! The dashboard's charts, built from [`Aggregates`]: what each chart
//! draws, its description, legend, notes and data table, in the chosen
//! language. Branches keep the order of the branch list (never ranked).

use super::filter::DashState;
use super::texts::Texts;
use super::{commitments, headline, waiting};
use crate::charts::figure::Row;
use crate::charts::palette::{self, Marker};
use crate::charts::{bars, fmt_value, radar, trend, waits, Chart, LegendEntry, Table};
use crate::i18n::{dimension_key, text, Key};
use branchpulse_core::aggregate::{Aggregates, BranchFigures, Figure, Figures, Reference};
use branchpulse_core::stats::Comparison;
use branchpulse_core::{Channel, Dimension, Locale};

/// Every chart of one channel's section, in page order. The kiosk's
/// customers judge four dimensions; shoppers also observe the environment
/// (hall, signage, cleanliness), drawn as a group of its own on the shop's
/// chart rather than folded into another dimension, so that a dimension
/// means the same on both.
pub fn charts(
    channel: Channel,
    a: &Aggregates,
    state: &DashState,
    texts: &Texts,
    locale: Locale,
) -> Vec<Chart> {
    let tx = |k| text(locale, against(a, k));
    match channel {
        Channel::Kiosk => vec![
            headline::chart(a, state, &tx),
            dimensions(
                a,
                &Dimension::CUSTOMER,
                "chart-dimensions",
                &drill_to(state, channel),
                &tx,
            ),
            radar_chart(a, state, &tx),
            trend_chart(a, state, "chart-trend", &tx),
        ],
        Channel::MysteryShop => {
            let mut out = vec![
                dimensions(
                    a,
                    &Dimension::ALL,
                    "chart-shop-dimensions",
                    &drill_to(state, channel),
                    &tx,
                ),
                mystery(a, texts, locale, &tx),
            ];
            out.extend(commitments::chart(a, texts, locale, &tx));
            out.push(waiting::per_branch(a, &tx));
            out.push(wait(a, &tx));
            out.extend(waiting::heatmap(a, state, &tx));
            out.push(trend_chart(a, state, "chart-shop-trend", &tx));
            out
        }
    }
}

pub type Tx<'a> = &'a dyn Fn(Key) -> &'static str;

/// Where a branch's (or, without one, the network's) dimension score leads:
/// the items behind it.
type DrillTo<'a> = dyn Fn(Option<&str>, Dimension) -> String + 'a;

fn drill_to(
    state: &DashState,
    channel: Channel,
) -> impl Fn(Option<&str>, Dimension) -> String + '_ {
    move |branch, d| super::drill::href(state, branch, d, Some(channel))
}

/// `template` with each `{name}` replaced.
pub fn fill(template: &str, values: &[(&str, String)]) -> String {
    values.iter().fold(template.to_string(), |s, (k, v)| {
        s.replace(&format!("{{{k}}}"), v)
    })
}

pub fn branch_label(b: &BranchFigures) -> String {
    format!("{} {}", b.code, b.name)
}

/// A list for a description, or "none".
pub fn list(v: Vec<String>, tx: Tx<'_>) -> String {
    if v.is_empty() {
        tx(Key::DashNone).to_string()
    } else {
        v.join(", ")
    }
}

/// "72.4 [68.1–76.0]", or "–" without a figure; an interval reaching
/// below zero (NPS) as "[-27, -22]", a dash between negatives being
/// unreadable.
pub fn with_interval(f: &Figure) -> String {
    match f.estimate {
        Some(e) if e.low < 0.0 => format!(
            "{} [{}, {}]",
            fmt_value(e.value),
            fmt_value(e.low),
            fmt_value(e.high)
        ),
        Some(e) => format!(
            "{} [{}–{}]",
            fmt_value(e.value),
            fmt_value(e.low),
            fmt_value(e.high)
        ),
        None => "–".into(),
    }
}

pub fn versus(f: &Figure, tx: Tx<'_>) -> String {
    if f.too_few {
        return tx(Key::DashTooFew).into();
    }
    match f.comparison {
        Some(Comparison::Better) => tx(Key::DashBetter).into(),
        Some(Comparison::Worse) => tx(Key::DashWorse).into(),
        Some(Comparison::Indistinguishable) => tx(Key::DashSame).into(),
        None => "–".into(),
    }
}

/// `key`, or its words for peers when the branches were compared with
/// their peers rather than the network.
pub fn against(a: &Aggregates, key: Key) -> Key {
    if a.flags.compared_with == Reference::Network {
        return key;
    }
    match key {
        Key::DashBetter => Key::DashBetterPeers,
        Key::DashWorse => Key::DashWorsePeers,
        Key::DashSame => Key::DashSamePeers,
        other => other,
    }
}

/// What ▲ / ▼ mean in this answer: against the network or each branch's
/// peers, with the false-discovery rate held across every comparison made.
pub fn flags_note(a: &Aggregates, tx: Tx<'_>) -> String {
    let key = match a.flags.compared_with {
        Reference::Network => Key::DashNoteFlags,
        Reference::Peers => Key::DashNoteFlagsPeers,
    };
    fill(
        tx(key),
        &[
            ("tests", a.flags.tests.to_string()),
            ("flagged", a.flags.flagged.to_string()),
        ],
    )
}

/// A table cell with the figure, its interval, its n and the comparison.
pub fn cell(f: &Figure, tx: Tx<'_>) -> String {
    format!("{} · n={} · {}", with_interval(f), f.n, versus(f, tx))
}

fn row_head(label: String, figures: &Figures, tx: Tx<'_>) -> String {
    if figures.too_few {
        format!("{label} ({})", tx(Key::DashTooFew))
    } else {
        label
    }
}

fn dim(figures: &Figures, d: Dimension) -> Figure {
    figures.dimensions.get(&d).copied().unwrap_or(Figure {
        n: 0,
        too_few: true,
        estimate: None,
        comparison: None,
    })
}

fn bar(f: &Figure) -> Option<(branchpulse_core::stats::Estimate, Comparison)> {
    f.estimate
        .map(|e| (e, f.comparison.unwrap_or(Comparison::Indistinguishable)))
}

fn dimensions(
    a: &Aggregates,
    dims: &[Dimension],
    id: &'static str,
    drill: &DrillTo<'_>,
    tx: Tx<'_>,
) -> Chart {
    let mut groups = vec![bars::Group {
        label: format!("{} · n={}", tx(Key::DashNetwork), a.network.n),
        greyed: a.network.too_few,
        network: true,
        bars: dims.iter().map(|d| bar(&dim(&a.network, *d))).collect(),
        mark: None,
    }];
    let (mut up, mut down, mut few) = (Vec::new(), Vec::new(), Vec::new());
    for b in &a.branches {
        let f = &b.figures;
        if f.too_few {
            few.push(b.code.clone());
        }
        for &d in dims {
            match dim(f, d).comparison {
                Some(Comparison::Better) => up.push(format!("{} {}", b.code, tx(dimension_key(d)))),
                Some(Comparison::Worse) => {
                    down.push(format!("{} {}", b.code, tx(dimension_key(d))))
                }
                _ => {}
            }
        }
        groups.push(bars::Group {
            label: format!("{} · n={}", branch_label(b), f.n),
            greyed: f.too_few,
            network: false,
            bars: dims.iter().map(|d| bar(&dim(f, *d))).collect(),
            mark: None,
        });
    }
    let svg = bars::svg(
        &groups,
        dims.len(),
        &bars::Axes {
            value: tx(Key::DashScoreAxis),
            range: (0.0, 100.0),
            reference: None,
            width: crate::charts::WIDE,
        },
    );
    let description = fill(
        tx(Key::DashBarsDesc),
        &[
            ("b", a.branches.len().to_string()),
            ("d", dims.len().to_string()),
            ("up", list(up, tx)),
            ("down", list(down, tx)),
            ("few", list(few, tx)),
        ],
    );
    let mut legend: Vec<LegendEntry> = dims
        .iter()
        .enumerate()
        .map(|(i, d)| LegendEntry {
            label: tx(dimension_key(*d)).into(),
            colour: palette::css(palette::series(i)),
            marker: None,
            dash: None,
        })
        .collect();
    legend.push(LegendEntry {
        label: tx(Key::DashNetwork).into(),
        colour: palette::css(palette::NETWORK),
        marker: None,
        dash: None,
    });
    legend.push(LegendEntry {
        label: tx(Key::DashTooFew).into(),
        colour: palette::css(palette::GREYED),
        marker: None,
        dash: None,
    });
    let mut head = vec![tx(Key::Branch).to_string(), "n".into()];
    head.extend(dims.iter().map(|d| tx(dimension_key(*d)).to_string()));
    head.push(tx(Key::DashCompleted).into());
    let row = |label: String, code: Option<&str>, f: &Figures| Row {
        cells: [row_head(label, f, tx), f.n.to_string()]
            .into_iter()
            .chain(dims.iter().map(|d| cell(&dim(f, *d), tx)))
            .chain([cell(&f.completion, tx)])
            .collect(),
        greyed: f.too_few,
        // Each score with answers leads to the items behind it.
        links: [None, None]
            .into_iter()
            .chain(
                dims.iter()
                    .map(|d| (dim(f, *d).n > 0).then(|| drill(code, *d))),
            )
            .collect(),
    };
    let mut rows = vec![row(tx(Key::DashNetwork).into(), None, &a.network)];
    rows.extend(
        a.branches
            .iter()
            .map(|b| row(branch_label(b), Some(&b.code), &b.figures)),
    );
    let mut notes = vec![
        flags_note(a, tx),
        tx(Key::DashNoteGrey).into(),
        tx(Key::DashNoteDrill).into(),
    ];
    if dims.contains(&Dimension::Environment) {
        notes.push(tx(Key::DashNoteEnvironment).into());
    } else {
        // Walk-aways are kiosk customers: shoppers report every visit whole.
        notes.push(completion_note(a, tx));
    }
    Chart {
        id,
        title: tx(Key::DashBarsTitle).into(),
        description,
        svg,
        legend,
        notes,
        table: Table { head, rows },
    }
}

/// How many responses were answered to the end: walk-aways are sent as
/// partial responses, so a branch whose customers leave early shows here
/// rather than in fewer responses.
fn completion_note(a: &Aggregates, tx: Tx<'_>) -> String {
    let below: Vec<String> = a
        .branches
        .iter()
        .filter(|b| b.figures.completion.comparison == Some(Comparison::Worse))
        .map(|b| b.code.clone())
        .collect();
    fill(
        tx(Key::DashNoteCompletion),
        &[
            (
                "pct",
                a.network.completion.estimate.map_or("–".into(), |e| {
                    format!(
                        "{}% [{}–{}]",
                        fmt_value(e.value),
                        fmt_value(e.low),
                        fmt_value(e.high)
                    )
                }),
            ),
            ("n", a.network.n.to_string()),
            (
                "down",
                if below.is_empty() {
                    tx(Key::DashNone).into()
                } else {
                    below.join(", ")
                },
            ),
        ],
    )
}

/// The branches drawn on the radar and the trend: those chosen, or else the
/// first three (in the branch list's order) with enough responses.
pub fn compared<'a>(a: &'a Aggregates, state: &DashState) -> Vec<&'a BranchFigures> {
    let chosen: Vec<&BranchFigures> = state
        .compare
        .iter()
        .filter_map(|c| a.branches.iter().find(|b| &b.code == c))
        .collect();
    if !chosen.is_empty() {
        return chosen;
    }
    a.branches
        .iter()
        .filter(|b| !b.figures.too_few)
        .take(3)
        .collect()
}

pub fn series_legend(label: String, i: usize, network: bool) -> LegendEntry {
    let (colour, dash, marker) = radar::style(i, network);
    LegendEntry {
        label,
        colour: palette::css(colour),
        marker: Some(marker),
        dash: Some(dash),
    }
}

pub fn compared_label(b: &BranchFigures, tx: Tx<'_>) -> String {
    if b.figures.too_few {
        format!("{} ({})", branch_label(b), tx(Key::DashTooFew))
    } else {
        branch_label(b)
    }
}

fn radar_chart(a: &Aggregates, state: &DashState, tx: Tx<'_>) -> Chart {
    let dims = Dimension::CUSTOMER;
    let chosen = compared(a, state);
    let value = |f: &Figures| -> Vec<Option<f64>> {
        dims.iter()
            .map(|d| dim(f, *d).estimate.map(|e| e.value))
            .collect()
    };
    let mut series = vec![radar::Series {
        label: tx(Key::DashNetwork).into(),
        values: value(&a.network),
        network: true,
    }];
    let mut legend = vec![series_legend(tx(Key::DashNetwork).into(), 0, true)];
    for (i, b) in chosen.iter().enumerate() {
        series.push(radar::Series {
            label: branch_label(b),
            values: value(&b.figures),
            network: false,
        });
        legend.push(series_legend(compared_label(b, tx), i, false));
    }
    let axes: Vec<String> = dims
        .iter()
        .map(|d| tx(dimension_key(*d)).to_string())
        .collect();
    let svg = radar::svg(&axes, &series);
    let names: Vec<String> = legend.iter().map(|l| l.label.clone()).collect();
    let mut head = vec![tx(Key::Branch).to_string(), "n".into()];
    head.extend(axes.iter().cloned());
    let row = |label: String, f: &Figures| Row {
        cells: [label, f.n.to_string()]
            .into_iter()
            .chain(dims.iter().map(|d| cell(&dim(f, *d), tx)))
            .collect(),
        greyed: f.too_few,
        links: Vec::new(),
    };
    let mut rows = vec![row(tx(Key::DashNetwork).into(), &a.network)];
    rows.extend(
        chosen
            .iter()
            .map(|b| row(compared_label(b, tx), &b.figures)),
    );
    Chart {
        id: "chart-radar",
        title: tx(Key::DashRadarTitle).into(),
        description: fill(tx(Key::DashRadarDesc), &[("names", names.join(", "))]),
        svg,
        legend,
        notes: Vec::new(),
        table: Table { head, rows },
    }
}

fn trend_chart(a: &Aggregates, state: &DashState, id: &'static str, tx: Tx<'_>) -> Chart {
    let chosen = compared(a, state);
    let what = match state.trend {
        Some(d) => tx(dimension_key(d)),
        None => tx(Key::DashOverall),
    };
    let mean = |p: &branchpulse_core::aggregate::TrendPoint| match state.trend {
        Some(d) => p.dimensions.get(&d).copied(),
        None => p.overall,
    };
    let weeks: Vec<String> = a.trend.iter().map(|p| p.week.clone()).collect();
    let mut series = vec![trend::Series {
        label: tx(Key::DashNetwork).into(),
        points: a.trend.iter().map(|p| mean(p).map(|m| m.mean)).collect(),
        network: true,
    }];
    let mut legend = vec![series_legend(tx(Key::DashNetwork).into(), 0, true)];
    for (i, b) in chosen.iter().enumerate() {
        series.push(trend::Series {
            label: branch_label(b),
            points: b.trend.iter().map(|p| mean(p).map(|m| m.mean)).collect(),
            network: false,
        });
        legend.push(series_legend(compared_label(b, tx), i, false));
    }
    let y = format!("{} ({what})", tx(Key::DashMeanAxis));
    let svg = trend::svg(
        &series,
        &trend::Axes {
            weeks: &weeks,
            x: tx(Key::DashWeekAxis),
            y: &y,
            range: (0.0, 100.0),
        },
    );
    let names: Vec<String> = legend.iter().map(|l| l.label.clone()).collect();
    let mut head = vec![
        tx(Key::DashWeek).to_string(),
        tx(Key::DashNetwork).to_string(),
    ];
    head.extend(chosen.iter().map(|b| branch_label(b)));
    let point = |p: Option<&branchpulse_core::aggregate::TrendPoint>| match p.and_then(mean) {
        Some(m) => format!("{} · n={}", fmt_value(m.mean), m.n),
        None => "–".into(),
    };
    let rows = a
        .trend
        .iter()
        .enumerate()
        .map(|(w, p)| Row {
            cells: [p.week.clone(), point(Some(p))]
                .into_iter()
                .chain(chosen.iter().map(|b| point(b.trend.get(w))))
                .collect(),
            greyed: false,
            links: Vec::new(),
        })
        .collect();
    Chart {
        id,
        title: format!("{} — {what}", tx(Key::DashTrendTitle)),
        description: fill(
            tx(Key::DashTrendDesc),
            &[
                ("what", what.to_string()),
                ("w", weeks.len().to_string()),
                ("names", names.join(", ")),
            ],
        ),
        svg,
        legend,
        notes: Vec::new(),
        table: Table { head, rows },
    }
}

/// Visits with at least one critical failure: those that did not pass.
fn failed_visits(f: &Figures) -> u64 {
    let m = &f.mystery;
    let passes = m
        .pass_rate
        .estimate
        .map(|e| (e.value / 100.0 * m.visits as f64).round() as u64)
        .unwrap_or(m.visits);
    m.visits.saturating_sub(passes)
}

/// The critical items failed, by their text and how many visits failed
/// each, most failed first.
fn critical_items(f: &Figures, texts: &Texts, locale: Locale) -> Vec<String> {
    f.mystery
        .critical_failures
        .iter()
        .map(|c| format!("{} × {}", texts.item(None, &c.item, locale), c.count))
        .collect()
}

fn mystery(a: &Aggregates, texts: &Texts, locale: Locale, tx: Tx<'_>) -> Chart {
    let groups: Vec<bars::Group> = a
        .branches
        .iter()
        .map(|b| {
            let m = &b.figures.mystery;
            let fails = failed_visits(&b.figures);
            bars::Group {
                label: format!("{} · n={}", branch_label(b), m.visits),
                greyed: m.score.too_few,
                network: false,
                bars: vec![bar(&m.score)],
                mark: (fails > 0).then(|| format!("✕ {fails}")),
            }
        })
        .collect();
    let net = a.network.mystery.score.estimate.map(|e| e.value);
    let svg = bars::svg(
        &groups,
        1,
        &bars::Axes {
            value: tx(Key::DashScoreAxis),
            range: (0.0, 100.0),
            reference: net,
            width: crate::charts::WIDTH,
        },
    );
    let head = vec![
        tx(Key::Branch).to_string(),
        tx(Key::DashVisitsAxis).to_string(),
        tx(Key::DashValue).to_string(),
        tx(Key::DashPassRate).to_string(),
        tx(Key::DashCritical).to_string(),
    ];
    let row = |label: String, f: &Figures| {
        let m = &f.mystery;
        let items = critical_items(f, texts, locale);
        Row {
            cells: vec![
                if m.score.too_few {
                    format!("{label} ({})", tx(Key::DashTooFew))
                } else {
                    label
                },
                m.visits.to_string(),
                cell(&m.score, tx),
                cell(&m.pass_rate, tx),
                if items.is_empty() {
                    failed_visits(f).to_string()
                } else {
                    format!("{} ({})", failed_visits(f), items.join(", "))
                },
            ],
            greyed: m.score.too_few,
            links: Vec::new(),
        }
    };
    let mut rows = vec![row(tx(Key::DashNetwork).into(), &a.network)];
    rows.extend(a.branches.iter().map(|b| row(branch_label(b), &b.figures)));
    let legend = vec![
        LegendEntry {
            label: tx(Key::DashValue).into(),
            colour: palette::css(palette::series(0)),
            marker: None,
            dash: None,
        },
        LegendEntry {
            label: tx(Key::DashNetwork).into(),
            colour: palette::css(palette::NETWORK),
            marker: None,
            dash: Some(5),
        },
        LegendEntry {
            label: tx(Key::DashCritical).into(),
            colour: palette::css(palette::ALERT),
            marker: Some(Marker::Cross),
            dash: Some(0),
        },
        LegendEntry {
            label: tx(Key::DashTooFew).into(),
            colour: palette::css(palette::GREYED),
            marker: None,
            dash: None,
        },
    ];
    Chart {
        id: "chart-mystery",
        title: tx(Key::DashMysteryTitle).into(),
        description: fill(
            tx(Key::DashMysteryDesc),
            &[
                ("b", a.branches.len().to_string()),
                ("net", net.map(fmt_value).unwrap_or_else(|| "–".into())),
                ("fails", failed_visits(&a.network).to_string()),
                ("items", list(critical_items(&a.network, texts, locale), tx)),
            ],
        ),
        svg,
        legend,
        notes: vec![
            flags_note(a, tx),
            tx(Key::DashNoteCritical).into(),
            tx(Key::DashNoteGrey).into(),
        ],
        table: Table { head, rows },
    }
}

pub fn minutes(seconds: f64, tx: Tx<'_>) -> String {
    format!("{} {}", fmt_value(seconds / 60.0), tx(Key::DashMin))
}

fn wait(a: &Aggregates, tx: Tx<'_>) -> Chart {
    let w = &a.network.wait;
    let bands: Vec<waits::Band> = w
        .histogram
        .iter()
        .map(|b| waits::Band {
            label: match b.to {
                Some(to) => format!("{}–{}", b.from / 60, to / 60),
                None => format!("≥{}", b.from / 60),
            },
            count: b.count,
        })
        .collect();
    let x = format!("{} ({})", tx(Key::DashWaitAxis), tx(Key::DashMin));
    let svg = waits::svg(
        &bands,
        &waits::Axes {
            x: &x,
            y: tx(Key::DashVisitsAxis),
        },
    );
    let median = w
        .median
        .map(|s| minutes(s, tx))
        .unwrap_or_else(|| "–".into());
    let p90 = w.p90.map(|s| minutes(s, tx)).unwrap_or_else(|| "–".into());
    let mut notes = vec![format!(
        "n={} · {}: {median} · {}: {p90}",
        w.n,
        tx(Key::DashMedian),
        tx(Key::DashP90)
    )];
    notes.push(waiting::target_note(w, tx));
    if w.too_few {
        notes.push(tx(Key::DashNoteGrey).into());
    }
    let rows = bands
        .iter()
        .map(|b| Row {
            cells: vec![
                format!("{} {}", b.label, tx(Key::DashMin)),
                b.count.to_string(),
            ],
            greyed: w.too_few,
            links: Vec::new(),
        })
        .collect();
    Chart {
        id: "chart-wait",
        title: tx(Key::DashWaitTitle).into(),
        description: fill(
            tx(Key::DashWaitDesc),
            &[("n", w.n.to_string()), ("median", median), ("p90", p90)],
        ),
        svg,
        legend: vec![LegendEntry {
            label: tx(Key::DashVisitsAxis).into(),
            colour: palette::css(palette::series(0)),
            marker: None,
            dash: None,
        }],
        notes,
        table: Table {
            head: vec![tx(Key::DashWaitAxis).into(), tx(Key::DashCount).into()],
            rows,
        },
    }
}
