//! A radar of a few branches against the network on the four dimensions:
//! one axis per dimension (0 at the centre, 100 at the rim), one closed line
//! per series, each with its own colour, dash and marker.

use super::palette::{self, Marker, NETWORK};
use super::{render, AXIS, FONT, LABEL, WIDTH};
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::f64::consts::{FRAC_PI_2, TAU};

#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub label: String,
    /// One per axis, 0–100; `None` where there is no figure.
    pub values: Vec<Option<f64>>,
    pub network: bool,
}

const HEIGHT: u32 = 440;

/// The point of `value` (0–100) on axis `k` of `axes`.
fn point(k: usize, axes: usize, value: f64) -> (f64, f64) {
    // Clockwise from the top.
    let angle = FRAC_PI_2 - TAU * k as f64 / axes as f64;
    let r = value.clamp(0.0, 100.0) / 100.0;
    (r * angle.cos(), r * angle.sin())
}

/// How series `i` (counting branches only) is drawn: colour, dash, marker.
pub fn style(i: usize, network: bool) -> (RGBColor, u32, Marker) {
    if network {
        (NETWORK, 0, Marker::Square)
    } else {
        (palette::series(i), palette::dash(i + 1), palette::marker(i))
    }
}

pub fn svg(axes: &[String], series: &[Series]) -> String {
    let k = axes.len().max(3);
    render(WIDTH, HEIGHT, |root| {
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .build_cartesian_2d(-1.95f64..1.95f64, -1.3f64..1.3f64)?;
        let grid = RGBColor(0xCC, 0xCC, 0xCC);
        for ring in [25.0, 50.0, 75.0, 100.0] {
            let mut pts: Vec<_> = (0..k).map(|a| point(a, k, ring)).collect();
            pts.push(pts[0]);
            chart.draw_series(std::iter::once(PathElement::new(pts, grid.stroke_width(1))))?;
            if ring >= 100.0 {
                // The rim needs no number: the axis name sits there.
                continue;
            }
            let (x, y) = chart.backend_coord(&point(0, k, ring));
            root.draw(&Text::new(
                format!("{ring:.0}"),
                (x + 4, y),
                (FONT, LABEL - 1)
                    .into_font()
                    .color(&RGBColor(0x55, 0x55, 0x55))
                    .pos(Pos::new(HPos::Left, VPos::Bottom)),
            ))?;
        }
        for (a, name) in axes.iter().enumerate() {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(0.0, 0.0), point(a, k, 100.0)],
                grid.stroke_width(1),
            )))?;
            let (x, y) = point(a, k, 112.0);
            let h = if x > 0.05 {
                HPos::Left
            } else if x < -0.05 {
                HPos::Right
            } else {
                HPos::Center
            };
            let v = if y > 0.05 {
                VPos::Bottom
            } else if y < -0.05 {
                VPos::Top
            } else {
                VPos::Center
            };
            let at = chart.backend_coord(&(x, y));
            root.draw(&Text::new(
                name.clone(),
                at,
                (FONT, AXIS).into_font().color(&BLACK).pos(Pos::new(h, v)),
            ))?;
        }
        let mut branch = 0;
        for s in series {
            let (colour, dash, marker) = style(branch, s.network);
            if !s.network {
                branch += 1;
            }
            let pts: Vec<_> = s
                .values
                .iter()
                .enumerate()
                .filter_map(|(a, v)| v.map(|v| point(a, k, v)))
                .collect();
            if pts.len() == s.values.len() && pts.len() >= 3 {
                let mut ring = pts.clone();
                ring.push(pts[0]);
                let line = colour.stroke_width(2);
                if dash == 0 {
                    chart.draw_series(std::iter::once(PathElement::new(ring, line)))?;
                } else {
                    chart.draw_series(std::iter::once(DashedPathElement::new(
                        ring, dash, 4, line,
                    )))?;
                }
            }
            for p in pts {
                draw_marker(&mut chart, p, marker, colour)?;
            }
        }
        Ok(())
    })
}

/// One marker of `kind` at `p`, in any chart over f64 × f64.
pub fn draw_marker<DB: DrawingBackend, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    p: (X::ValueType, Y::ValueType),
    kind: Marker,
    colour: RGBColor,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>>
where
    X: Ranged,
    Y: Ranged,
    X::ValueType: Clone + 'static,
    Y::ValueType: Clone + 'static,
{
    match kind {
        Marker::Circle => {
            chart.draw_series(std::iter::once(Circle::new(p, 4, colour.filled())))?;
        }
        Marker::Triangle => {
            chart.draw_series(std::iter::once(TriangleMarker::new(p, 5, colour.filled())))?;
        }
        Marker::Cross => {
            chart.draw_series(std::iter::once(Cross::new(p, 4, colour.stroke_width(2))))?;
        }
        Marker::Square => {
            chart.draw_series(std::iter::once(
                EmptyElement::at(p) + Rectangle::new([(-4, -4), (4, 4)], colour.filled()),
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_go_clockwise_from_the_top() {
        let (x, y) = point(0, 4, 100.0);
        assert!(x.abs() < 1e-9 && (y - 1.0).abs() < 1e-9);
        let (x, y) = point(1, 4, 50.0);
        assert!((x - 0.5).abs() < 1e-9 && y.abs() < 1e-9);
    }
}
