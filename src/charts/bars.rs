//! Horizontal bars per branch, one bar per series (the dimensions, or one
//! score), each with its 95% interval as a whisker. Branch labels sit on the
//! left, where long names fit; greyed rows are drawn grey.

use super::palette::{self, ALERT, GREYED, GREYED_TEXT, NETWORK};
use super::{render, short, AXIS, FONT, GRID, LABEL};
use branchpulse_core::stats::{Comparison, Estimate};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One row of bars: a branch, or the network.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// Shown on the left; cut when long.
    pub label: String,
    /// Too few responses: drawn grey, never flagged.
    pub greyed: bool,
    /// The network row: drawn black.
    pub network: bool,
    /// One per series; `None` where there is no figure.
    pub bars: Vec<Option<(Estimate, Comparison)>>,
    /// A mark drawn after the bars (critical failures), in the alert colour.
    pub mark: Option<String>,
}

/// Axis texts and the value range.
pub struct Axes<'a> {
    pub value: &'a str,
    pub range: (f64, f64),
    /// A dashed reference line (the network's figure) when there is one series.
    pub reference: Option<f64>,
    /// SVG width: [`super::WIDTH`] or [`super::WIDE`].
    pub width: u32,
}

const LABEL_WIDTH: u32 = 250;
const ROW_PAD: f64 = 0.15;

/// The SVG of `groups` with `series` bars each.
pub fn svg(groups: &[Group], series: usize, axes: &Axes<'_>) -> String {
    let rows = groups.len().max(1);
    let series = series.max(1);
    let row_px = 12 * series as u32 + 14;
    let height = 70 + row_px * rows as u32;
    let n = rows as f64;
    let centres: Vec<f64> = (0..rows).map(|i| n - i as f64 - 0.5).collect();
    render(axes.width, height, |root| {
        let (lo, hi) = axes.range;
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(40)
            .x_label_area_size(45)
            .y_label_area_size(LABEL_WIDTH)
            .build_cartesian_2d(lo..hi, 0f64..n)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .x_desc(axes.value)
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(GRID)
            .draw()?;
        let slot = (1.0 - 2.0 * ROW_PAD) / series as f64;
        for (i, g) in groups.iter().enumerate() {
            let top = n - i as f64 - ROW_PAD;
            let label_colour = if g.greyed { GREYED_TEXT } else { BLACK };
            let (px, py) = chart.backend_coord(&(lo, centres[i]));
            root.draw(&Text::new(
                short(&g.label, 48),
                (px - 8, py),
                (FONT, LABEL)
                    .into_font()
                    .color(&label_colour)
                    .pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
            let mut right = lo;
            for (j, bar) in g.bars.iter().enumerate() {
                let Some((e, flag)) = bar else { continue };
                let colour = if g.network {
                    NETWORK
                } else if series == 1 {
                    palette::series(0)
                } else {
                    palette::series(j)
                };
                let y1 = top - j as f64 * slot;
                let y0 = y1 - slot * 0.8;
                let fill = if g.greyed {
                    GREYED.filled()
                } else {
                    colour.filled()
                };
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(lo, y0), (e.value, y1)],
                    fill,
                )))?;
                if g.greyed {
                    chart.draw_series(std::iter::once(Rectangle::new(
                        [(lo, y0), (e.value, y1)],
                        colour.stroke_width(1),
                    )))?;
                }
                let whisker = if g.greyed { GREYED_TEXT } else { BLACK };
                chart.draw_series(std::iter::once(ErrorBar::new_horizontal(
                    (y0 + y1) / 2.0,
                    e.low,
                    e.value,
                    e.high,
                    whisker.stroke_width(1),
                    6,
                )))?;
                right = right.max(e.high);
                let sign = match flag {
                    _ if g.greyed || g.network => None,
                    Comparison::Better => Some("▲"),
                    Comparison::Worse => Some("▼"),
                    Comparison::Indistinguishable => None,
                };
                if let Some(sign) = sign {
                    let (x, y) = chart.backend_coord(&(e.high, (y0 + y1) / 2.0));
                    let c = if *flag == Comparison::Worse {
                        ALERT
                    } else {
                        palette::series(0)
                    };
                    root.draw(&Text::new(
                        sign,
                        (x + 4, y),
                        (FONT, 11)
                            .into_font()
                            .color(&c)
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    ))?;
                }
            }
            if let Some(mark) = &g.mark {
                let (x, y) = chart.backend_coord(&(right, centres[i]));
                root.draw(&Text::new(
                    mark.clone(),
                    (x + 16, y),
                    (FONT, 12)
                        .into_font()
                        .color(&ALERT)
                        .pos(Pos::new(HPos::Left, VPos::Center)),
                ))?;
            }
        }
        if let Some(r) = axes.reference {
            chart.draw_series(std::iter::once(DashedPathElement::new(
                vec![(r, 0.0), (r, n)],
                5,
                4,
                NETWORK.stroke_width(1),
            )))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(v: f64) -> Estimate {
        Estimate {
            n: 40,
            value: v,
            low: v - 5.0,
            high: v + 5.0,
        }
    }

    #[test]
    fn names_are_escaped_in_the_svg() {
        let g = Group {
            label: "<img src=x onerror=alert(1)>".into(),
            greyed: false,
            network: false,
            bars: vec![Some((est(50.0), Comparison::Indistinguishable))],
            mark: Some("<script>x</script>".into()),
        };
        let s = svg(
            &[g],
            1,
            &Axes {
                value: "a&b",
                range: (0.0, 100.0),
                reference: Some(50.0),
                width: crate::charts::WIDTH,
            },
        );
        assert!(!s.contains("<img"), "{s}");
        assert!(!s.contains("<script"), "{s}");
        assert!(s.contains("&lt;img src=x onerror=alert(1)&gt;"), "{s}");
        assert!(s.contains("a&amp;b"));
    }
}
