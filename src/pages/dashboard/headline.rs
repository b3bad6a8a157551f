//! The kiosk's headline figures: CSAT (percent top-2-box), NPS and the
//! overall-satisfaction question's mean (1–5), each with its n, 95%
//! interval and change since the previous period of the same length. A
//! change is flagged up or down only when the difference's interval
//! excludes zero (`Change::movement`); otherwise it says so.

use super::figures::{branch_label, cell, compared, compared_label, fill, list, with_interval, Tx};
use super::filter::DashState;
use crate::charts::dots::{self, Dot, Panel, Tone};
use crate::charts::figure::Row;
use crate::charts::palette;
use crate::charts::{fmt_value, Chart, LegendEntry, Table, WIDE};
use crate::i18n::{t, text, Key};
use branchpulse_core::aggregate::{Aggregates, Figure, Figures};
use branchpulse_core::scorecard::{Change, Changes};
use branchpulse_core::stats::{Comparison, Movement};
use branchpulse_core::Locale;
use leptos::prelude::*;

/// One of the three headline figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Headline {
    Csat,
    Nps,
    Satisfaction,
}

impl Headline {
    pub const ALL: [Headline; 3] = [Headline::Csat, Headline::Nps, Headline::Satisfaction];

    /// Its name, as in the data attributes and the CSV.
    pub fn param(self) -> &'static str {
        match self {
            Headline::Csat => "csat",
            Headline::Nps => "nps",
            Headline::Satisfaction => "satisfaction",
        }
    }

    pub fn key(self) -> Key {
        match self {
            Headline::Csat => Key::DashCsat,
            Headline::Nps => Key::DashNps,
            Headline::Satisfaction => Key::DashSatisfaction,
        }
    }

    /// The scale it is drawn on.
    pub fn range(self) -> (f64, f64) {
        match self {
            Headline::Csat => (0.0, 100.0),
            Headline::Nps => (-100.0, 100.0),
            Headline::Satisfaction => (1.0, 5.0),
        }
    }

    pub fn figure(self, f: &Figures) -> &Figure {
        match self {
            Headline::Csat => &f.csat,
            Headline::Nps => &f.nps,
            Headline::Satisfaction => &f.satisfaction,
        }
    }

    pub fn change(self, c: &Changes) -> &Change {
        match self {
            Headline::Csat => &c.csat,
            Headline::Nps => &c.nps,
            Headline::Satisfaction => &c.satisfaction,
        }
    }
}

/// A difference with its sign: "+4.2", "-3.0", "0.0".
pub fn signed(v: f64) -> String {
    if v > 0.0 {
        format!("+{}", fmt_value(v))
    } else {
        fmt_value(v)
    }
}

/// How the change of one figure reads, and its `data-movement`: `up` and
/// `down` only when the interval of the difference excludes zero.
pub fn change_text(
    h: Headline,
    changes: Option<&Changes>,
    dated: bool,
    tx: Tx<'_>,
) -> (String, &'static str) {
    let Some(c) = changes else {
        return if dated {
            ("–".into(), "none")
        } else {
            (tx(Key::DashChangeNoDates).into(), "none")
        };
    };
    let ch = h.change(c);
    let mut values = vec![
        ("from", c.from.to_string()),
        ("to", c.to.to_string()),
        ("prev", with_interval(&ch.previous)),
        ("n", ch.previous.n.to_string()),
    ];
    if let Some(d) = ch.difference {
        values.extend([
            ("diff", signed(d.value)),
            ("low", signed(d.low)),
            ("high", signed(d.high)),
        ]);
    }
    let (key, movement) = match (ch.movement, ch.difference) {
        (Some(Movement::Up), Some(_)) => (Key::DashChangeUp, "up"),
        (Some(Movement::Down), Some(_)) => (Key::DashChangeDown, "down"),
        (Some(Movement::Steady), Some(_)) => (Key::DashChangeSteady, "steady"),
        _ => (Key::DashChangeTooFew, "unknown"),
    };
    (fill(tx(key), &values), movement)
}

/// The network's three figures as tiles, above the charts.
pub fn tiles(a: &Aggregates, locale: Locale) -> impl IntoView {
    let tx = |k| text(locale, k);
    let dated = a.filter.from.is_some() && a.filter.to.is_some();
    let tiles = Headline::ALL
        .into_iter()
        .map(|h| {
            let f = *h.figure(&a.network);
            let (change, movement) = change_text(h, a.network.change.as_ref(), dated, &tx);
            let value = f.estimate.map(|e| fmt_value(e.value)).unwrap_or("–".into());
            // The figure's interval (as in the tables), n, and whether too few.
            let interval = with_interval(&f)
                .split_once(' ')
                .map(|(_, i)| i.to_string());
            let detail: Vec<String> = interval
                .into_iter()
                .chain([format!("n={}", f.n)])
                .chain(f.too_few.then(|| tx(Key::DashTooFew).to_string()))
                .collect();
            let detail = detail.join(" · ");
            view! {
                <div class="tile" class:too-few=f.too_few data-figure=h.param() data-n=f.n>
                    <p class="tile-name">{t(h.key())}</p>
                    <p class="tile-value">{value}</p>
                    <p class="tile-detail">{detail}</p>
                    <p class="change" data-movement=movement>
                        {change}
                    </p>
                </div>
            }
        })
        .collect_view();
    view! {
        <div class="headline" role="group" aria-label=t(Key::DashHeadlineTitle)>
            <p class="headline-title">{t(Key::DashNetwork)}</p>
            {tiles}
        </div>
    }
}

fn dot(f: &Figure, network: bool) -> Option<Dot> {
    let e = f.estimate?;
    let (tone, mark) = match f.comparison {
        _ if f.too_few => (Tone::Greyed, None),
        _ if network => (Tone::Network, None),
        Some(Comparison::Better) => (Tone::Good, Some("▲")),
        Some(Comparison::Worse) => (Tone::Bad, Some("▼")),
        _ => (Tone::Plain, None),
    };
    Some(Dot {
        value: e.value,
        low: e.low,
        high: e.high,
        tone,
        mark,
    })
}

/// The headline figures of the network and the compared branches: three
/// panels of dots with whiskers, the network's figure dashed.
pub fn chart(a: &Aggregates, state: &DashState, tx: Tx<'_>) -> Chart {
    let chosen = compared(a, state);
    let mut rows = vec![dots::Row {
        label: tx(Key::DashNetwork).into(),
        greyed: a.network.too_few,
    }];
    rows.extend(chosen.iter().map(|b| dots::Row {
        label: branch_label(b),
        greyed: b.figures.too_few,
    }));
    let panels: Vec<Panel> = Headline::ALL
        .iter()
        .map(|&h| {
            let mut dots = vec![dot(h.figure(&a.network), true)];
            dots.extend(chosen.iter().map(|b| dot(h.figure(&b.figures), false)));
            Panel {
                title: tx(h.key()).into(),
                range: h.range(),
                line: h.figure(&a.network).estimate.map(|e| e.value),
                dots,
            }
        })
        .collect();
    let svg = dots::svg(&rows, &panels, 3, WIDE);
    let dated = a.filter.from.is_some() && a.filter.to.is_some();
    let mut head = vec![tx(Key::Branch).to_string()];
    for h in Headline::ALL {
        head.push(tx(h.key()).into());
        head.push(format!("{} ({})", tx(Key::DashChange), tx(h.key())));
    }
    let row = |label: String, f: &Figures| Row {
        cells: std::iter::once(label)
            .chain(Headline::ALL.into_iter().flat_map(|h| {
                [
                    cell(h.figure(f), tx),
                    change_text(h, f.change.as_ref(), dated, tx).0,
                ]
            }))
            .collect(),
        greyed: f.too_few,
        links: Vec::new(),
    };
    let mut table_rows = vec![row(tx(Key::DashNetwork).into(), &a.network)];
    table_rows.extend(
        chosen
            .iter()
            .map(|b| row(compared_label(b, tx), &b.figures)),
    );
    let moved: Vec<String> = Headline::ALL
        .into_iter()
        .filter_map(|h| {
            let (_, m) = change_text(h, a.network.change.as_ref(), dated, tx);
            match m {
                "up" => Some(format!("{} ▲", tx(h.key()))),
                "down" => Some(format!("{} ▼", tx(h.key()))),
                _ => None,
            }
        })
        .collect();
    let changes = if dated {
        list(moved, tx)
    } else {
        tx(Key::DashChangeNoDates).into()
    };
    let value = |h: Headline| {
        let f = h.figure(&a.network);
        format!("{} (n={})", with_interval(f), f.n)
    };
    let names: Vec<String> = chosen.iter().map(|b| branch_label(b)).collect();
    let description = fill(
        tx(Key::DashHeadlineDesc),
        &[
            ("names", list(names, tx)),
            ("csat", value(Headline::Csat)),
            ("nps", value(Headline::Nps)),
            ("sat", value(Headline::Satisfaction)),
            ("changes", changes),
        ],
    );
    let legend = vec![
        LegendEntry {
            label: tx(Key::DashNetwork).into(),
            colour: palette::css(palette::NETWORK),
            marker: Some(palette::Marker::Circle),
            dash: Some(5),
        },
        LegendEntry {
            label: tx(Key::DashBetter).into(),
            colour: palette::css(dots::colour(Tone::Good)),
            marker: Some(palette::Marker::Triangle),
            dash: None,
        },
        LegendEntry {
            label: tx(Key::DashWorse).into(),
            colour: palette::css(dots::colour(Tone::Bad)),
            marker: Some(palette::Marker::Triangle),
            dash: None,
        },
        LegendEntry {
            label: tx(Key::DashTooFew).into(),
            colour: palette::css(palette::GREYED),
            marker: None,
            dash: None,
        },
    ];
    Chart {
        id: "chart-headline",
        title: tx(Key::DashHeadlineTitle).into(),
        description,
        svg,
        legend,
        notes: vec![
            tx(Key::DashNoteHeadline).into(),
            tx(Key::DashNoteChange).into(),
            tx(Key::DashNoteGrey).into(),
        ],
        table: Table {
            head,
            rows: table_rows,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use branchpulse_core::stats::Estimate;

    fn en(k: Key) -> &'static str {
        text(Locale::En, k)
    }

    fn figure(n: u64, value: f64, low: f64, high: f64) -> Figure {
        Figure {
            n,
            too_few: n < 30,
            estimate: Some(Estimate {
                n,
                value,
                low,
                high,
            }),
            comparison: None,
        }
    }

    fn changes(movement: Option<Movement>) -> Changes {
        let c = Change {
            previous: figure(80, 72.0, 62.0, 80.0),
            difference: Some(Estimate {
                n: 0,
                value: 8.5,
                low: -1.25,
                high: 17.0,
            }),
            movement,
        };
        Changes {
            from: time::macros::date!(2025 - 05 - 05),
            to: time::macros::date!(2025 - 06 - 01),
            csat: c.clone(),
            nps: c.clone(),
            satisfaction: c,
        }
    }

    #[test]
    fn a_change_is_flagged_only_when_its_interval_says_so() {
        let steady = changes(Some(Movement::Steady));
        let (s, m) = change_text(Headline::Csat, Some(&steady), true, &en);
        assert_eq!(m, "steady");
        assert_eq!(
            s,
            "No clear change since 2025-05-05 – 2025-06-01 (then 72 [62–80]; difference +8.5, 95% interval -1.2 to +17)"
        );
        let up = changes(Some(Movement::Up));
        let (s, m) = change_text(Headline::Nps, Some(&up), true, &en);
        assert_eq!(m, "up");
        assert!(s.starts_with("▲ Up +8.5 (95% interval -1.2 to +17)"), "{s}");
        let (_, m) = change_text(Headline::Nps, Some(&changes(None)), true, &en);
        assert_eq!(m, "unknown");
        // Without both dates there is no previous period to compare with.
        let (s, m) = change_text(Headline::Satisfaction, None, false, &en);
        assert_eq!((s.as_str(), m), (en(Key::DashChangeNoDates), "none"));
    }

    #[test]
    fn signs_are_written_out() {
        assert_eq!(signed(4.25), "+4.2");
        assert_eq!(signed(-12.0), "-12");
        assert_eq!(signed(0.0), "0.0");
    }
}
