//! Key drivers (issue 19), below the kiosk's charts: for overall
//! satisfaction and for NPS, how much each customer dimension matters
//! (Johnson's relative weights as a share of R², with 95% bootstrap
//! intervals, computed by the server) against how it scores now, so that
//! what is important and weak stands out. Asked of the server on its own
//! (`GET /api/v1/drivers`), after the figures; not kept for offline use.
//!
//! Sets the performance mark `dashboard:drivers` once drawn.

use super::figures::{fill, list, Tx};
use crate::charts::figure::Row;
use crate::charts::quadrant::{self, Point, Span, Words};
use crate::charts::{fmt_value, palette, Chart, ChartFigure, LegendEntry, Table};
use crate::i18n::{dimension_key, t, text, use_locale, Key};
use branchpulse_core::aggregate::Filter;
use branchpulse_core::drivers::{Drivers, Outcome, Reason};
use branchpulse_core::stats::Estimate;
use branchpulse_core::{Dimension, Locale};
use leptos::prelude::*;

/// Importance above this share of R² (one in four dimensions): "important".
const EQUAL_SHARE: f64 = 25.0;

/// What is shown for one outcome: its chart, or why there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    Chart(Box<Chart>),
    Missing {
        id: &'static str,
        title: String,
        why: String,
    },
}

fn span(e: &Estimate) -> Span {
    Span {
        value: e.value,
        low: e.low,
        high: e.high,
    }
}

/// "62 [48–75]".
fn with_interval(e: &Estimate, digits: usize) -> String {
    let f = |v: f64| {
        if digits == 0 {
            fmt_value(v)
        } else {
            format!("{v:.digits$}")
        }
    };
    if e.low < 0.0 {
        format!("{} [{}, {}]", f(e.value), f(e.low), f(e.high))
    } else {
        format!("{} [{}–{}]", f(e.value), f(e.low), f(e.high))
    }
}

/// The quadrant's key: important or not (share against an equal share),
/// weak or strong (score against the mean of the four).
fn quadrant(share: f64, score: f64, mean: f64) -> Key {
    match (share >= EQUAL_SHARE, score < mean) {
        (true, true) => Key::DrvFixFirst,
        (true, false) => Key::DrvKeep,
        (false, true) => Key::DrvWatch,
        (false, false) => Key::DrvMaintain,
    }
}

/// The chart of one outcome, or why it has none.
fn outcome_view(d: &Drivers, o: &Outcome, nps: bool, tx: Tx<'_>) -> Shown {
    let (id, title, outcome) = if nps {
        ("drivers-nps", Key::DrvTitleNps, Key::DrvNpsOutcome)
    } else {
        ("drivers-satisfaction", Key::DrvTitleSat, Key::DrvSatOutcome)
    };
    let title = tx(title).to_string();
    let missing = |why: String| Shown::Missing {
        id,
        title: title.clone(),
        why,
    };
    match (o.reason, o.r2) {
        (Some(Reason::TooFew), _) => {
            return missing(fill(tx(Key::DrvTooFew), &[("n", o.n.to_string())]))
        }
        (Some(Reason::Constant), _) => return missing(tx(Key::DrvConstant).into()),
        (Some(Reason::Collinear), _) => return missing(tx(Key::DrvCollinear).into()),
        (None, None) => return missing(tx(Key::DashNoData).into()),
        (None, Some(_)) => {}
    }
    let r2 = o.r2.expect("checked above");
    let scored: Vec<(Dimension, Estimate)> = o
        .drivers
        .iter()
        .filter_map(|dr| {
            let e = d.scores.get(&dr.dimension)?.estimate?;
            Some((dr.dimension, e))
        })
        .collect();
    let mean = if scored.is_empty() {
        50.0
    } else {
        scored.iter().map(|(_, e)| e.value).sum::<f64>() / scored.len() as f64
    };
    let score_of = |dim: Dimension| scored.iter().find(|(d, _)| *d == dim).map(|(_, e)| *e);
    let points: Vec<Point> = o
        .drivers
        .iter()
        .filter_map(|dr| {
            let s = score_of(dr.dimension)?;
            Some(Point {
                label: tx(dimension_key(dr.dimension)).into(),
                score: span(&s),
                importance: span(&dr.share),
                alert: quadrant(dr.share.value, s.value, mean) == Key::DrvFixFirst,
            })
        })
        .collect();
    let fix: Vec<String> = points
        .iter()
        .filter(|p| p.alert)
        .map(|p| p.label.clone())
        .collect();
    let svg = quadrant::svg(
        &points,
        (mean, EQUAL_SHARE),
        &Words {
            x: tx(Key::DrvAxisScore),
            y: tx(Key::DrvAxisImportance),
            quadrants: [
                tx(Key::DrvFixFirst),
                tx(Key::DrvKeep),
                tx(Key::DrvWatch),
                tx(Key::DrvMaintain),
            ],
        },
    );
    let rows = o
        .drivers
        .iter()
        .map(|dr| {
            let s = score_of(dr.dimension);
            Row {
                cells: vec![
                    tx(dimension_key(dr.dimension)).into(),
                    with_interval(&dr.share, 0),
                    with_interval(&dr.weight, 3),
                    with_interval(&dr.beta, 2),
                    s.map(|s| format!("{} · n={}", with_interval(&s, 0), s.n))
                        .unwrap_or_else(|| "–".into()),
                    s.map(|s| tx(quadrant(dr.share.value, s.value, mean)).to_string())
                        .unwrap_or_else(|| "–".into()),
                ],
                greyed: false,
                links: Vec::new(),
            }
        })
        .collect();
    let outcome = tx(outcome);
    Shown::Chart(Box::new(Chart {
        id,
        title,
        description: fill(
            tx(Key::DrvDesc),
            &[
                ("outcome", outcome.to_string()),
                ("n", o.n.to_string()),
                ("fix", list(fix, tx)),
            ],
        ),
        svg,
        legend: vec![
            LegendEntry {
                label: tx(Key::DrvFixFirst).into(),
                colour: palette::css(palette::ALERT),
                marker: Some(palette::Marker::Circle),
                dash: None,
            },
            LegendEntry {
                label: tx(Key::DashInterval).into(),
                colour: palette::css(palette::series(0)),
                marker: Some(palette::Marker::Circle),
                dash: Some(0),
            },
        ],
        notes: vec![fill(
            tx(Key::DrvNote),
            &[
                ("r2", fmt_value(r2.value * 100.0)),
                ("outcome", outcome.to_string()),
                ("resamples", o.resamples.to_string()),
                ("read", d.read.to_string()),
                ("cap", d.cap.to_string()),
            ],
        )],
        table: Table {
            head: vec![
                tx(Key::DashDimension).into(),
                tx(Key::DrvHeadImportance).into(),
                tx(Key::DrvHeadWeight).into(),
                tx(Key::DrvHeadBeta).into(),
                tx(Key::DrvHeadScore).into(),
                tx(Key::DrvHeadQuadrant).into(),
            ],
            rows,
        },
    }))
}

/// Satisfaction's and NPS's charts (or why not), in that order.
pub fn shown(d: &Drivers, locale: Locale) -> Vec<Shown> {
    let tx = move |k: Key| text(locale, k);
    vec![
        outcome_view(d, &d.satisfaction, false, &tx),
        outcome_view(d, &d.nps, true, &tx),
    ]
}

/// The drivers as drawn, with the mark `dashboard:drivers` once in the DOM.
#[component]
pub fn DriversView(drivers: Drivers) -> impl IntoView {
    let locale = use_locale();
    Effect::new(|_| super::mark("dashboard:drivers"));
    move || {
        shown(&drivers, locale.get())
            .into_iter()
            .map(|s| match s {
                Shown::Chart(chart) => view! { <ChartFigure chart=*chart /> }.into_any(),
                Shown::Missing { id, title, why } => {
                    let heading = format!("{id}-title");
                    let labelled_by = heading.clone();
                    view! {
                        <figure class="chart drivers-missing" id=id aria-labelledby=labelled_by>
                            <h3 id=heading>{title}</h3>
                            <p class="no-data" role="status">
                                {why}
                            </p>
                        </figure>
                    }
                    .into_any()
                }
            })
            .collect_view()
    }
}

/// The key drivers of the kiosk's responses in `filter`, asked of the server.
#[component]
pub fn KeyDrivers(filter: Filter) -> impl IntoView {
    let data = LocalResource::new(move || {
        let f = filter.clone();
        async move { crate::api::drivers(&f).await.map_err(|e| e.to_string()) }
    });
    view! {
        <div class="drivers" id="drivers" aria-labelledby="drivers-heading">
            <h3 id="drivers-heading">{t(Key::DrvSection)}</h3>
            <p class="intro">{t(Key::DrvIntro)}</p>
            <div class="charts">
                {move || match data.get() {
                    None => view! { <p class="loading">{t(Key::Loading)}</p> }.into_any(),
                    Some(Err(e)) => {
                        view! {
                            <p class="error" role="alert">
                                {t(Key::LoadFailed)}
                                ": "
                                {e}
                            </p>
                        }
                            .into_any()
                    }
                    Some(Ok(drivers)) => view! { <DriversView drivers /> }.into_any(),
                }}
            </div>
        </div>
    }
}
