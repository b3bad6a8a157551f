//! Colours that colour-blind viewers can tell apart (Okabe & Ito 2008),
//! each paired with a line dash and a marker so no series rests on colour
//! alone.

use plotters::style::RGBColor;

/// Okabe–Ito without its yellow (too pale on white) and black (kept for the
/// network).
pub const SERIES: [RGBColor; 6] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
];

/// The network (all branches together): black, solid, square markers.
pub const NETWORK: RGBColor = RGBColor(0, 0, 0);

/// Figures on too few responses.
pub const GREYED: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);
/// Text of greyed figures: still readable (4.5:1 on white).
pub const GREYED_TEXT: RGBColor = RGBColor(0x6E, 0x6E, 0x6E);

/// Marks "worse than the network" and critical failures.
pub const ALERT: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// The colour of series `i`.
pub fn series(i: usize) -> RGBColor {
    SERIES[i % SERIES.len()]
}

/// `#rrggbb` of a colour, for the HTML legend.
pub fn css(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// The marker of series `i`, drawn by the line charts and named in the legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Circle,
    Triangle,
    Cross,
    Square,
}

pub fn marker(i: usize) -> Marker {
    [Marker::Circle, Marker::Triangle, Marker::Cross][i % 3]
}

/// Dash length of series `i` (0 = solid), in SVG units.
pub fn dash(i: usize) -> u32 {
    [0, 8, 3][(i / 3) % 3]
}
