//! The wait-time distribution: a histogram of visits per wait band.

use super::palette::{self, NETWORK};
use super::{render, AXIS, FONT, GRID, LABEL, WIDTH};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One band of the histogram: its label (e.g. "2–5 min") and count.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub label: String,
    pub count: u64,
}

pub struct Axes<'a> {
    pub x: &'a str,
    pub y: &'a str,
}

const HEIGHT: u32 = 320;

pub fn svg(bands: &[Band], axes: &Axes<'_>) -> String {
    let k = bands.len().max(1) as i32;
    let top = bands.iter().map(|b| b.count).max().unwrap_or(0).max(1) as f64 * 1.15;
    render(WIDTH, HEIGHT, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(50)
            .y_label_area_size(55)
            // A segmented 0..k has k + 1 segments: one per band is 0..k − 1.
            .build_cartesian_2d((0..k - 1).into_segmented(), 0f64..top)?;
        let label = |x: &SegmentValue<i32>| match x {
            SegmentValue::CenterOf(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| bands.get(i))
                .map(|b| b.label.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bands.len() + 1)
            .x_label_formatter(&label)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc(axes.x)
            .y_desc(axes.y)
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(GRID)
            .draw()?;
        let fill = palette::series(0).filled();
        chart.draw_series(bands.iter().enumerate().map(|(i, b)| {
            let i = i as i32;
            let mut r = Rectangle::new(
                [
                    (SegmentValue::Exact(i), 0.0),
                    (SegmentValue::Exact(i + 1), b.count as f64),
                ],
                fill,
            );
            r.set_margin(0, 0, 3, 3);
            r
        }))?;
        let style = (FONT, LABEL)
            .into_font()
            .color(&NETWORK)
            .pos(Pos::new(HPos::Center, VPos::Bottom));
        chart.draw_series(bands.iter().enumerate().map(|(i, b)| {
            Text::new(
                b.count.to_string(),
                (SegmentValue::CenterOf(i as i32), b.count as f64),
                style.clone(),
            )
        }))?;
        Ok(())
    })
}
