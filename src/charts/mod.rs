//! The dashboard's charts: SVG drawn by plotters' SVG backend, one module per
//! chart type, with the palette and the figure frame shared.
//!
//! Each chart function takes plain, already translated data and returns an
//! SVG string. Every text in it (branch names included) goes through
//! plotters' SVG backend, which escapes `<`, `>`, `&` and quotes, so the
//! string is safe to insert as markup; [`figure::ChartFigure`] puts it in a
//! `role="img"` element with a text description, an HTML legend and a "show
//! data" table, all of which Leptos escapes as text.

pub mod bars;
pub mod dots;
pub mod figure;
pub mod heatmap;
pub mod palette;
pub mod quadrant;
pub mod radar;
pub mod trend;
pub mod waits;

use plotters::coord::Shift;
use plotters::prelude::*;

pub use figure::{Chart, ChartFigure, LegendEntry, Table};

/// Chart width in SVG units for a chart in one column of the grid; the SVG
/// scales to its box through its viewBox, so this sets the text's size.
pub const WIDTH: u32 = 620;
/// The width of a chart spanning the whole grid.
pub const WIDE: u32 = 980;

/// Text sizes: tick labels and branch names, axis descriptions.
pub const LABEL: u32 = 13;
pub const AXIS: u32 = 14;

/// The light grid lines.
pub const GRID: plotters::style::RGBColor = plotters::style::RGBColor(0xEE, 0xEE, 0xEE);

/// The font every chart text uses (the browser measures it).
pub const FONT: &str = "sans-serif";

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type DrawResult = Result<(), Box<dyn std::error::Error>>;

/// Draw on a `width × height` SVG and return its markup. A drawing error
/// (none is expected from the string backend) leaves what was drawn so far
/// and is logged.
pub fn render(width: u32, height: u32, draw: impl FnOnce(&Area<'_>) -> DrawResult) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        let result = root
            .fill(&WHITE)
            .map_err(Into::into)
            .and_then(|()| draw(&root))
            .and_then(|()| root.present().map_err(Into::into));
        if let Err(e) = result {
            leptos::logging::warn!("chart not fully drawn: {e}");
        }
    }
    out
}

/// A branch label for an axis: long names are cut (whole name in the table).
pub fn short(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// A figure as shown: whole numbers, or one decimal below 10.
pub fn fmt_value(v: f64) -> String {
    if v.abs() < 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_cuts_long_labels_only() {
        assert_eq!(short("N01", 5), "N01");
        assert_eq!(short("abcdefgh", 5), "abcd…");
    }
}
