//! The service-commitment scorecard: for each commitment (named by its
//! label in the questionnaire), the rate of the network and of every
//! branch with its n, 95% interval and standing against the target — met
//! only when the whole interval is at or above it, missed only when the
//! whole interval is below it, greyed below 30 answers.

use super::figures::{branch_label, fill, with_interval, Tx};
use super::texts::Texts;
use crate::charts::dots::{self, Dot, Panel, Tone};
use crate::charts::figure::Row;
use crate::charts::palette::{self, Marker};
use crate::charts::{fmt_value, Chart, LegendEntry, Table, WIDE};
use crate::i18n::Key;
use branchpulse_core::aggregate::Aggregates;
use branchpulse_core::scorecard::{CommitmentFigure, Standing};
use branchpulse_core::Locale;

/// The standing as words: met, missed, not clear yet, too few.
pub fn standing_text(c: &CommitmentFigure, tx: Tx<'_>) -> &'static str {
    match c.standing {
        _ if c.rate.too_few => tx(Key::DashTooFew),
        Some(Standing::Met) => tx(Key::DashMet),
        Some(Standing::Missed) => tx(Key::DashMissed),
        Some(Standing::Unclear) | None => tx(Key::DashUnclear),
    }
}

/// `data-standing` values and the tone of the dot.
fn tone(c: &CommitmentFigure) -> (Tone, Option<&'static str>) {
    match c.standing {
        _ if c.rate.too_few => (Tone::Greyed, None),
        Some(Standing::Met) => (Tone::Good, Some("✓")),
        Some(Standing::Missed) => (Tone::Bad, Some("✕")),
        _ => (Tone::Plain, None),
    }
}

/// A table cell: "96 [91–98] · n=84 · met".
pub fn cell(c: &CommitmentFigure, tx: Tx<'_>) -> String {
    format!(
        "{} · n={} · {}",
        with_interval(&c.rate),
        c.rate.n,
        standing_text(c, tx)
    )
}

fn find<'a>(list: &'a [CommitmentFigure], of: &CommitmentFigure) -> Option<&'a CommitmentFigure> {
    list.iter()
        .find(|c| c.questionnaire_id == of.questionnaire_id && c.item == of.item)
}

/// The branches missing a target, as "N02: label", in commitment order
/// (`names` are the network's commitments' labels, in its order).
pub fn missed(
    network: &[CommitmentFigure],
    branches: &[(&str, &[CommitmentFigure])],
    names: &[String],
) -> Vec<String> {
    let mut out = Vec::new();
    for (c, name) in network.iter().zip(names) {
        for (code, list) in branches {
            if find(list, c).and_then(|f| f.standing) == Some(Standing::Missed) {
                out.push(format!("{code}: {name}"));
            }
        }
    }
    out
}

/// The scorecard, when the questionnaires in use define commitments.
pub fn chart(a: &Aggregates, texts: &Texts, locale: Locale, tx: Tx<'_>) -> Option<Chart> {
    let list = &a.network.commitments;
    if list.is_empty() {
        return None;
    }
    let names: Vec<String> = list
        .iter()
        .map(|c| texts.commitment(&c.questionnaire_id, &c.item, locale))
        .collect();
    let target = |c: &CommitmentFigure| format!("≥ {}%", fmt_value(c.target));
    let mut rows = vec![dots::Row {
        label: tx(Key::DashNetwork).into(),
        greyed: false,
    }];
    rows.extend(a.branches.iter().map(|b| dots::Row {
        label: branch_label(b),
        greyed: false,
    }));
    let dot = |c: Option<&CommitmentFigure>, network: bool| {
        let c = c?;
        let e = c.rate.estimate?;
        let (tone, mark) = tone(c);
        Some(Dot {
            value: e.value,
            low: e.low,
            high: e.high,
            tone: if network && tone == Tone::Plain {
                Tone::Network
            } else {
                tone
            },
            mark,
        })
    };
    let panels: Vec<Panel> = list
        .iter()
        .zip(&names)
        .map(|(c, name)| {
            let mut dots = vec![dot(Some(c), true)];
            dots.extend(
                a.branches
                    .iter()
                    .map(|b| dot(find(&b.figures.commitments, c), false)),
            );
            Panel {
                title: format!("{name} ({})", target(c)),
                range: (0.0, 100.0),
                line: Some(c.target),
                dots,
            }
        })
        .collect();
    let svg = dots::svg(&rows, &panels, 2, WIDE);
    let mut head = vec![
        tx(Key::DashCommitment).to_string(),
        tx(Key::DashTarget).to_string(),
        tx(Key::DashNetwork).to_string(),
    ];
    head.extend(a.branches.iter().map(branch_label));
    let table_rows = list
        .iter()
        .zip(&names)
        .map(|(c, name)| Row {
            cells: [name.clone(), target(c), cell(c, tx)]
                .into_iter()
                .chain(a.branches.iter().map(|b| {
                    find(&b.figures.commitments, c)
                        .map(|f| cell(f, tx))
                        .unwrap_or_else(|| "–".into())
                }))
                .collect(),
            greyed: c.rate.too_few,
            links: Vec::new(),
        })
        .collect();
    let by_branch: Vec<(&str, &[CommitmentFigure])> = a
        .branches
        .iter()
        .map(|b| (b.code.as_str(), b.figures.commitments.as_slice()))
        .collect();
    let description = fill(
        tx(Key::DashScorecardDesc),
        &[
            ("k", list.len().to_string()),
            ("b", a.branches.len().to_string()),
            (
                "missed",
                super::figures::list(missed(list, &by_branch, &names), tx),
            ),
        ],
    );
    let legend = vec![
        LegendEntry {
            label: tx(Key::DashMet).into(),
            colour: palette::css(dots::colour(Tone::Good)),
            marker: Some(Marker::Circle),
            dash: None,
        },
        LegendEntry {
            label: tx(Key::DashMissed).into(),
            colour: palette::css(dots::colour(Tone::Bad)),
            marker: Some(Marker::Cross),
            dash: None,
        },
        LegendEntry {
            label: tx(Key::DashUnclear).into(),
            colour: palette::css(dots::colour(Tone::Plain)),
            marker: Some(Marker::Circle),
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
    Some(Chart {
        id: "scorecard",
        title: tx(Key::DashScorecardTitle).into(),
        description,
        svg,
        legend,
        notes: vec![
            tx(Key::DashNoteStanding).into(),
            tx(Key::DashNoteGrey).into(),
        ],
        table: Table {
            head,
            rows: table_rows,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::text;
    use branchpulse_core::aggregate::Figure;
    use branchpulse_core::stats::Estimate;

    fn en(k: Key) -> &'static str {
        text(Locale::En, k)
    }

    fn rate(item: &str, n: u64, v: f64, standing: Option<Standing>) -> CommitmentFigure {
        CommitmentFigure {
            questionnaire_id: "shop".into(),
            item: item.into(),
            target: 90.0,
            rate: Figure {
                n,
                too_few: n < 30,
                estimate: Some(Estimate {
                    n,
                    value: v,
                    low: v - 6.0,
                    high: v + 2.0,
                }),
                comparison: None,
            },
            standing,
        }
    }

    #[test]
    fn a_cell_says_rate_interval_n_and_standing() {
        let met = rate("rings", 40, 97.0, Some(Standing::Met));
        assert_eq!(cell(&met, &en), "97 [91–99] · n=40 · met");
        let unclear = rate("rings", 40, 90.0, Some(Standing::Unclear));
        assert_eq!(cell(&unclear, &en), "90 [84–92] · n=40 · not clear yet");
        // Below 30 answers the standing is never given.
        let few = rate("rings", 12, 50.0, None);
        assert_eq!(standing_text(&few, &en), "too few responses");
    }

    #[test]
    fn the_description_names_the_branches_missing_a_target() {
        let network = [
            rate("rings", 80, 92.0, Some(Standing::Unclear)),
            rate("greeted", 80, 96.0, Some(Standing::Met)),
        ];
        let n01 = [
            rate("rings", 40, 60.0, Some(Standing::Missed)),
            rate("greeted", 40, 96.0, Some(Standing::Met)),
        ];
        let n02 = [
            rate("greeted", 40, 70.0, Some(Standing::Missed)),
            rate("rings", 12, 20.0, None),
        ];
        let names = ["Three rings".to_string(), "Greeted".to_string()];
        let branches: [(&str, &[CommitmentFigure]); 2] = [("N01", &n01), ("N02", &n02)];
        assert_eq!(
            missed(&network, &branches, &names),
            ["N01: Three rings", "N02: Greeted"]
        );
    }
}
