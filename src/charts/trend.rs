//! Weekly trend lines: one line per series (branches and the network), a gap
//! where a week has no figure, each series with its colour, dash and marker.

use super::radar::{draw_marker, style};
use super::{render, AXIS, FONT, GRID, LABEL, WIDTH};
use plotters::prelude::*;

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    /// One per week; `None` where that week has no figure.
    pub points: Vec<Option<f64>>,
    pub network: bool,
}

pub struct Axes<'a> {
    /// The x tick labels, one per week.
    pub weeks: &'a [String],
    pub x: &'a str,
    pub y: &'a str,
    pub range: (f64, f64),
}

const HEIGHT: u32 = 360;

pub fn svg(series: &[Series], axes: &Axes<'_>) -> String {
    let weeks = axes.weeks.len().max(1) as i32;
    render(WIDTH, HEIGHT, |root| {
        // One spare week on each side keeps the end markers off the axes.
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(50)
            .y_label_area_size(55)
            .build_cartesian_2d(-1i32..weeks, axes.range.0..axes.range.1)?;
        let label = |i: &i32| {
            usize::try_from(*i)
                .ok()
                .and_then(|i| axes.weeks.get(i))
                .cloned()
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(8)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_label_formatter(&label)
            .x_desc(axes.x)
            .y_desc(axes.y)
            .label_style((FONT, LABEL))
            .axis_desc_style((FONT, AXIS))
            .light_line_style(GRID)
            .draw()?;
        let mut branch = 0;
        for s in series {
            let (colour, dash, marker) = style(branch, s.network);
            if !s.network {
                branch += 1;
            }
            let line = colour.stroke_width(2);
            for run in runs(&s.points) {
                if run.len() > 1 {
                    if dash == 0 {
                        chart.draw_series(LineSeries::new(run.clone(), line))?;
                    } else {
                        chart.draw_series(DashedLineSeries::new(run.clone(), dash, 4, line))?;
                    }
                }
                for p in run {
                    draw_marker(&mut chart, p, marker, colour)?;
                }
            }
        }
        Ok(())
    })
}

/// The stretches of consecutive weeks that have a figure.
fn runs(points: &[Option<f64>]) -> Vec<Vec<(i32, f64)>> {
    let mut out: Vec<Vec<(i32, f64)>> = Vec::new();
    let mut current = Vec::new();
    for (i, p) in points.iter().enumerate() {
        match p {
            Some(v) => current.push((i as i32, *v)),
            None if !current.is_empty() => out.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_split_the_line() {
        let r = runs(&[Some(1.0), Some(2.0), None, Some(3.0), None]);
        assert_eq!(r, vec![vec![(0, 1.0), (1, 2.0)], vec![(3, 3.0)]]);
    }
}
