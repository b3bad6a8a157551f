//! A heat map of hour of day × weekday: each cell coloured by its value
//! (mean waiting time) in one of five bands of a sequential scale that
//! colour-blind viewers can read (viridis), its value written in it, and
//! cells resting on few visits drawn pale and struck through.

use super::palette::GREYED_TEXT;
use super::{render, AXIS, FONT, LABEL, WIDE};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One hour of one weekday.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// 0 = Monday.
    pub weekday: u8,
    /// 0–23.
    pub hour: u8,
    /// What colours it (minutes of mean wait).
    pub value: f64,
    /// Too few visits to read much into: drawn pale, struck through.
    pub few: bool,
}

/// The five colours, lightest (shortest waits) first: viridis, reversed.
pub const SCALE: [RGBColor; 5] = [
    RGBColor(0xFD, 0xE7, 0x25),
    RGBColor(0x5E, 0xC9, 0x62),
    RGBColor(0x21, 0x91, 0x8C),
    RGBColor(0x3B, 0x52, 0x8B),
    RGBColor(0x44, 0x01, 0x54),
];

/// The band of `value`: how many of the ascending `bounds` it reaches.
pub fn band(value: f64, bounds: &[f64; 4]) -> usize {
    bounds.iter().filter(|b| value >= **b).count()
}

pub struct Axes<'a> {
    /// Short weekday names, Monday first (7).
    pub days: &'a [String],
    /// The hour axis's description.
    pub x: &'a str,
    /// Band bounds ([`band`]).
    pub bounds: [f64; 4],
}

const ROW_PX: u32 = 34;

/// The weekdays drawn: Monday to Friday, and the weekend days with visits.
pub fn days_shown(cells: &[Cell]) -> u8 {
    cells
        .iter()
        .map(|c| c.weekday + 1)
        .max()
        .unwrap_or(0)
        .clamp(5, 7)
}

/// The hours drawn: from the first to the last with visits (9–17 without).
pub fn hours_shown(cells: &[Cell]) -> (u8, u8) {
    let first = cells.iter().map(|c| c.hour).min();
    let last = cells.iter().map(|c| c.hour).max();
    match (first, last) {
        (Some(f), Some(l)) => (f, l),
        _ => (9, 17),
    }
}

pub fn svg(cells: &[Cell], axes: &Axes<'_>) -> String {
    let days = days_shown(cells);
    let (first, last) = hours_shown(cells);
    let height = 70 + ROW_PX * u32::from(days);
    render(WIDE, height, |root| {
        let rows = f64::from(days);
        let mut chart = ChartBuilder::on(root)
            .margin(10)
            .margin_right(20)
            .x_label_area_size(50)
            .y_label_area_size(60)
            .build_cartesian_2d(f64::from(first)..f64::from(last) + 1.0, 0f64..rows)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_labels(0)
            .y_labels(0)
            .x_desc(axes.x)
            .axis_desc_style((FONT, AXIS))
            .draw()?;
        let top = |d: u8| rows - f64::from(d);
        let label = (FONT, LABEL).into_font().color(&BLACK);
        for d in 0..days {
            let (x, y) = chart.backend_coord(&(f64::from(first), top(d) - 0.5));
            let name = axes.days.get(usize::from(d)).cloned().unwrap_or_default();
            root.draw(&Text::new(
                name,
                (x - 8, y),
                label.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        for h in first..=last {
            let (x, y) = chart.backend_coord(&(f64::from(h) + 0.5, 0.0));
            root.draw(&Text::new(
                format!("{h:02}"),
                (x, y + 6),
                label.clone().pos(Pos::new(HPos::Center, VPos::Top)),
            ))?;
        }
        for c in cells.iter().filter(|c| c.weekday < days) {
            let (x0, x1) = (f64::from(c.hour), f64::from(c.hour) + 1.0);
            let (y0, y1) = (top(c.weekday) - 1.0, top(c.weekday));
            let b = band(c.value, &axes.bounds);
            let colour = SCALE[b];
            let fill = if c.few {
                colour.mix(0.35).filled()
            } else {
                colour.filled()
            };
            let mut r = Rectangle::new([(x0, y0), (x1, y1)], fill);
            r.set_margin(1, 1, 1, 1);
            chart.draw_series(std::iter::once(r))?;
            if c.few {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(x0 + 0.08, y0 + 0.1), (x1 - 0.08, y1 - 0.1)],
                    GREYED_TEXT.stroke_width(1),
                )))?;
            }
            let text = if b >= 2 && !c.few { WHITE } else { BLACK };
            let (x, y) = chart.backend_coord(&((x0 + x1) / 2.0, (y0 + y1) / 2.0));
            root.draw(&Text::new(
                format!("{:.0}", c.value),
                (x, y),
                (FONT, 11)
                    .into_font()
                    .color(&text)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            ))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(weekday: u8, hour: u8, value: f64) -> Cell {
        Cell {
            weekday,
            hour,
            value,
            few: false,
        }
    }

    #[test]
    fn bands_count_the_bounds_reached() {
        let b = [5.0, 10.0, 15.0, 20.0];
        assert_eq!(band(0.0, &b), 0);
        assert_eq!(band(4.9, &b), 0);
        assert_eq!(band(5.0, &b), 1);
        assert_eq!(band(12.0, &b), 2);
        assert_eq!(band(99.0, &b), 4);
    }

    #[test]
    fn the_drawn_days_and_hours_follow_the_visits() {
        assert_eq!(days_shown(&[]), 5);
        assert_eq!(hours_shown(&[]), (9, 17));
        let cells = [cell(0, 12, 3.0), cell(5, 9, 1.0), cell(2, 16, 8.0)];
        assert_eq!(days_shown(&cells), 6);
        assert_eq!(hours_shown(&cells), (9, 16));
        let s = svg(
            &cells,
            &Axes {
                days: &["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"].map(String::from),
                x: "Hour",
                bounds: [2.0, 4.0, 6.0, 8.0],
            },
        );
        // Hours 9 to 16 on the axis, Saturday drawn, Sunday not (plotters
        // writes each text on a line of its own).
        let text = |t: &str| s.contains(&format!(">\n{t}\n</text>"));
        assert!(text("09") && text("16") && !text("17"), "{s}");
        assert!(text("Sa") && !text("Su"));
    }
}
