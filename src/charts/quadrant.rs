//! Importance against performance: one point per dimension, with its 95%
//! interval both ways (score across, importance up), two dashed reference
//! lines and the four quadrants named, "important and weak" top left.

use super::palette::{self, ALERT};
use super::{render, AXIS, FONT, GRID, LABEL, WIDTH};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A value with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// One dimension.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub label: String,
    /// The current score, 0–100.
    pub score: Span,
    /// The share of R², 0–100.
    pub importance: Span,
    /// In the "fix first" quadrant: drawn in the alert colour.
    pub alert: bool,
}

/// The axes' and quadrants' words.
pub struct Words<'a> {
    pub x: &'a str,
    pub y: &'a str,
    /// Top left, top right, bottom left, bottom right.
    pub quadrants: [&'a str; 4],
}

const HEIGHT: u32 = 420;

/// The SVG: `split` is where the lines cross (score, importance).
pub fn svg(points: &[Point], split: (f64, f64), words: &Words<'_>) -> String {
    let lows = points.iter().map(|p| p.score.low).chain([split.0]);
    let highs = points.iter().map(|p| p.score.high).chain([split.0]);
    let x0 = (lows.fold(f64::INFINITY, f64::min) - 8.0).clamp(0.0, 90.0);
    let x1 = (highs.fold(f64::NEG_INFINITY, f64::max) + 8.0).clamp(x0 + 10.0, 100.0);
    let y1 = points
        .iter()
        .map(|p| p.importance.high)
        .fold(split.1, f64::max)
        .min(87.0)
        * 1.15;
    render(WIDTH, HEIGHT, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(12)
            .margin_right(20)
            .x_label_area_size(45)
            .y_label_area_size(55)
            .build_cartesian_2d(x0..x1, 0f64..y1)?;
        chart
            .configure_mesh()
            .x_desc(words.x)
            .y_desc(words.y)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(GRID)
            .draw()?;
        let line = palette::NETWORK.mix(0.6).stroke_width(1);
        chart.draw_series([
            DashedPathElement::new([(split.0, 0.0), (split.0, y1)], 6, 4, line),
            DashedPathElement::new([(x0, split.1), (x1, split.1)], 6, 4, line),
        ])?;
        let corner = |h: HPos, v: VPos, alert: bool| {
            (FONT, LABEL)
                .into_font()
                .color(if alert { &ALERT } else { &palette::GREYED_TEXT })
                .pos(Pos::new(h, v))
        };
        let pad_x = (x1 - x0) * 0.01;
        let pad_y = y1 * 0.01;
        chart.draw_series([
            Text::new(
                words.quadrants[0].to_string(),
                (x0 + pad_x, y1 - pad_y),
                corner(HPos::Left, VPos::Top, true),
            ),
            Text::new(
                words.quadrants[1].to_string(),
                (x1 - pad_x, y1 - pad_y),
                corner(HPos::Right, VPos::Top, false),
            ),
            Text::new(
                words.quadrants[2].to_string(),
                (x0 + pad_x, pad_y),
                corner(HPos::Left, VPos::Bottom, false),
            ),
            Text::new(
                words.quadrants[3].to_string(),
                (x1 - pad_x, pad_y),
                corner(HPos::Right, VPos::Bottom, false),
            ),
        ])?;
        for p in points {
            let colour = if p.alert { ALERT } else { palette::series(0) };
            let style = colour.stroke_width(2);
            let (x, y) = (p.score.value, p.importance.value);
            chart.draw_series([ErrorBar::new_vertical(
                x,
                p.importance.low,
                y,
                p.importance.high,
                style,
                8,
            )])?;
            chart.draw_series([ErrorBar::new_horizontal(
                y,
                p.score.low,
                x,
                p.score.high,
                style,
                8,
            )])?;
            // The name sits beside the dot, a few pixels up and right.
            let font = (FONT, LABEL)
                .into_font()
                .color(&colour)
                .pos(Pos::new(HPos::Left, VPos::Bottom));
            chart.draw_series([EmptyElement::at((x, y))
                + Circle::new((0, 0), 5, colour.filled())
                + Text::new(p.label.clone(), (7, -5), font)])?;
        }
        Ok(())
    })
}
