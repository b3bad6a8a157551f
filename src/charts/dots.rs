//! Small multiples of dots with 95% whiskers: one panel per figure (CSAT,
//! NPS, …) or per commitment, each on its own scale, with the same rows
//! (the network, then branches) in every panel. A panel may carry a dashed
//! line: a commitment's target, or the network's figure. Row labels sit
//! left of each row of panels; greyed rows are drawn grey.

use super::palette::{self, ALERT, GREYED, GREYED_TEXT, NETWORK};
use super::{render, short, FONT, GRID, LABEL};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One row of every panel: the network or a branch.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Shown on the left; cut when long.
    pub label: String,
    /// Too few responses: label drawn grey.
    pub greyed: bool,
}

/// How a dot is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    /// The network: black.
    Network,
    /// A branch's figure.
    Plain,
    /// Better than the network, or a target met.
    Good,
    /// Worse than the network, or a target missed.
    Bad,
    /// Too few answers.
    Greyed,
}

/// A figure in a panel: a dot at `value`, a whisker from `low` to `high`
/// (equal for figures without an interval), and a short mark after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Dot {
    pub value: f64,
    pub low: f64,
    pub high: f64,
    pub tone: Tone,
    /// Drawn right of the whisker (▲, ▼, ✓, ✕), in the tone's colour.
    pub mark: Option<&'static str>,
}

/// One panel: a figure (or commitment) for every row.
#[derive(Debug, Clone, PartialEq)]
pub struct Panel {
    pub title: String,
    pub range: (f64, f64),
    /// A dashed vertical line across the rows (target or network figure).
    pub line: Option<f64>,
    /// One per row; `None` where there is no figure.
    pub dots: Vec<Option<Dot>>,
}

const LABEL_WIDTH: u32 = 200;
const ROW_PX: u32 = 20;
const TITLE_PX: u32 = 26;
const AXIS_PX: u32 = 30;

/// The colour of a tone.
pub fn colour(tone: Tone) -> RGBColor {
    match tone {
        Tone::Network => NETWORK,
        Tone::Plain => palette::series(0),
        Tone::Good => palette::series(2),
        Tone::Bad => ALERT,
        Tone::Greyed => GREYED,
    }
}

/// The SVG of `panels` over `rows`, `columns` panels side by side.
pub fn svg(rows: &[Row], panels: &[Panel], columns: usize, width: u32) -> String {
    let columns = columns.clamp(1, panels.len().max(1));
    let bands = panels.len().div_ceil(columns).max(1);
    let n = rows.len().max(1);
    let band_px = TITLE_PX + AXIS_PX + ROW_PX * n as u32 + 8;
    render(width, band_px * bands as u32, |root| {
        let n = n as f64;
        for (b, band_panels) in panels.chunks(columns).enumerate() {
            let top = (b as u32 * band_px) as i32;
            let band = root.clone().shrink((0, top), (width, band_px));
            let (_, right) = band.split_horizontally(LABEL_WIDTH);
            let areas = right.split_evenly((1, columns));
            for (k, (panel, area)) in band_panels.iter().zip(&areas).enumerate() {
                let (lo, hi) = panel.range;
                // The title drawn as plain anchored text: a plotters caption
                // is measured in a styled <span>, which the page's
                // Content-Security-Policy refuses.
                let (w, _) = area.dim_in_pixel();
                area.draw(&Text::new(
                    short(&panel.title, 60),
                    (w as i32 / 2, 6),
                    (FONT, LABEL)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Top)),
                ))?;
                let mut chart = ChartBuilder::on(area)
                    .margin(4)
                    .margin_top(TITLE_PX)
                    .margin_right(28)
                    .x_label_area_size(AXIS_PX - 6)
                    .build_cartesian_2d(lo..hi, 0f64..n)?;
                let span = hi - lo;
                chart
                    .configure_mesh()
                    .disable_y_mesh()
                    .y_labels(0)
                    .x_labels(5)
                    .x_label_formatter(&|x| {
                        if span <= 10.0 {
                            format!("{x:.1}")
                        } else {
                            format!("{x:.0}")
                        }
                    })
                    .label_style((FONT, LABEL - 2))
                    .light_line_style(GRID)
                    .draw()?;
                let centre = |i: usize| n - i as f64 - 0.5;
                if k == 0 {
                    for (i, row) in rows.iter().enumerate() {
                        let (px, py) = chart.backend_coord(&(lo, centre(i)));
                        let c = if row.greyed { GREYED_TEXT } else { BLACK };
                        root.draw(&Text::new(
                            short(&row.label, 30),
                            (px - 10, py),
                            (FONT, LABEL)
                                .into_font()
                                .color(&c)
                                .pos(Pos::new(HPos::Right, VPos::Center)),
                        ))?;
                    }
                }
                if let Some(l) = panel.line {
                    chart.draw_series(std::iter::once(DashedPathElement::new(
                        vec![(l, 0.0), (l, n)],
                        5,
                        4,
                        NETWORK.stroke_width(1),
                    )))?;
                }
                for (i, dot) in panel.dots.iter().enumerate() {
                    let Some(d) = dot else { continue };
                    let y = centre(i);
                    let c = colour(d.tone);
                    let whisker = if d.tone == Tone::Greyed {
                        GREYED_TEXT
                    } else {
                        BLACK
                    };
                    let clamp = |v: f64| v.max(lo).min(hi);
                    if d.high > d.low {
                        chart.draw_series(std::iter::once(ErrorBar::new_horizontal(
                            y,
                            clamp(d.low),
                            clamp(d.value),
                            clamp(d.high),
                            whisker.stroke_width(1),
                            6,
                        )))?;
                    }
                    chart.draw_series(std::iter::once(Circle::new(
                        (clamp(d.value), y),
                        4,
                        c.filled(),
                    )))?;
                    if let Some(mark) = d.mark {
                        let (x, py) = chart.backend_coord(&(clamp(d.high), y));
                        root.draw(&Text::new(
                            mark,
                            (x + 5, py),
                            (FONT, 11)
                                .into_font()
                                .color(&c)
                                .pos(Pos::new(HPos::Left, VPos::Center)),
                        ))?;
                    }
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_and_title_is_drawn_and_escaped() {
        let rows = vec![
            Row {
                label: "Network".into(),
                greyed: false,
            },
            Row {
                label: "<b>X01</b>".into(),
                greyed: true,
            },
        ];
        let dot = |v: f64, tone| {
            Some(Dot {
                value: v,
                low: v - 5.0,
                high: v + 5.0,
                tone,
                mark: None,
            })
        };
        let panels = vec![
            Panel {
                title: "Answered & kept".into(),
                range: (0.0, 100.0),
                line: Some(80.0),
                dots: vec![dot(70.0, Tone::Network), dot(40.0, Tone::Greyed)],
            },
            Panel {
                title: "NPS".into(),
                range: (-100.0, 100.0),
                line: None,
                dots: vec![dot(-20.0, Tone::Network), None],
            },
        ];
        let s = svg(&rows, &panels, 2, crate::charts::WIDE);
        assert!(s.contains("Answered &amp; kept"), "{s}");
        assert!(s.contains("&lt;b&gt;X01&lt;/b&gt;"));
        assert!(!s.contains("<b>"));
        // The Content-Security-Policy refuses inline styles.
        assert!(!s.contains("style="), "{s}");
        // Row labels once per band of panels, not once per panel.
        assert_eq!(s.matches(">\nNetwork\n</text>").count(), 1, "{s}");
    }
}
