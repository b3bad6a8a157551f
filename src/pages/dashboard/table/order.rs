//! The branch table's state and order, apart from the page so it is
//! tested natively: search, sort by an interval bound, paging, selection,
//! and their URL form (`tq`, `tsort`, `tpage`, `sel`).
//!
//! A branch is never ranked by its point estimate alone: "weakest first"
//! orders by the interval's upper bound (a branch comes first only when
//! even the best its data allow is low), "strongest first" by the lower
//! bound. Rows with too few responses (no interval worth ranking) go last
//! in either order; ties keep the branch list's order.

use branchpulse_core::collect;
use std::cmp::Ordering;

/// Rows on one page: 25 rows of 9 figures stay quick to draw on a slow tablet.
pub const PAGE_SIZE: usize = 25;
/// The charts draw at most this many branches when none are selected: the
/// demo network's twelve and a few more, 80 bars on the widest chart.
pub const CHART_DEFAULT: usize = 20;
/// The most branches one may select for the charts.
pub const MAX_SELECTED: usize = 20;

/// A column of the table that can be sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Empathy,
    Process,
    Value,
    Trust,
    Csat,
    Nps,
    Commitments,
    N,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::N,
        Column::Empathy,
        Column::Process,
        Column::Value,
        Column::Trust,
        Column::Csat,
        Column::Nps,
        Column::Commitments,
    ];

    pub fn param(self) -> &'static str {
        match self {
            Column::Empathy => "empathy",
            Column::Process => "process_convenience",
            Column::Value => "value",
            Column::Trust => "trust",
            Column::Csat => "csat",
            Column::Nps => "nps",
            Column::Commitments => "commitments",
            Column::N => "n",
        }
    }

    /// Where the column's interval sits in [`Line::cells`].
    pub fn index(self) -> usize {
        Column::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Lowest upper bound first.
    Weakest,
    /// Highest lower bound first.
    Strongest,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub direction: Direction,
}

impl Sort {
    /// `csat.weakest`, as in the URL.
    pub fn param(self) -> String {
        let d = match self.direction {
            Direction::Weakest => "weakest",
            Direction::Strongest => "strongest",
        };
        format!("{}.{d}", self.column.param())
    }

    pub fn parse(s: &str) -> Option<Sort> {
        let (c, d) = s.split_once('.')?;
        let column = Column::ALL.into_iter().find(|x| x.param() == c)?;
        let direction = match d {
            "weakest" => Direction::Weakest,
            "strongest" => Direction::Strongest,
            _ => return None,
        };
        Some(Sort { column, direction })
    }

    /// What a click on `column`'s header makes of the sort: weakest first,
    /// then strongest first, then back.
    pub fn next(current: Option<Sort>, column: Column) -> Sort {
        let direction = match current {
            Some(s) if s.column == column && s.direction == Direction::Weakest => {
                Direction::Strongest
            }
            _ => Direction::Weakest,
        };
        Sort { column, direction }
    }
}

/// An interval to sort by; `None` where the figure is too few or missing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub low: f64,
    pub high: f64,
}

/// One branch as the table sorts and searches it.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub code: String,
    pub name: String,
    pub region: String,
    /// In [`Column::ALL`] order.
    pub cells: [Option<Bounds>; 8],
}

/// Whether `line` matches the search: every word of `q` is in its code,
/// name or region, case ignored.
pub fn matches(line: &Line, q: &str) -> bool {
    let hay = format!("{} {} {}", line.code, line.name, line.region).to_lowercase();
    q.to_lowercase().split_whitespace().all(|w| hay.contains(w))
}

fn by(sort: Sort) -> impl Fn(&Line, &Line) -> Ordering {
    let i = sort.column.index();
    move |a, b| match (a.cells[i], b.cells[i]) {
        (Some(x), Some(y)) => match sort.direction {
            Direction::Weakest => x.high.total_cmp(&y.high).then(x.low.total_cmp(&y.low)),
            Direction::Strongest => y.low.total_cmp(&x.low).then(y.high.total_cmp(&x.high)),
        },
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The indices of `lines` the table shows, in its order.
pub fn order(lines: &[Line], q: &str, sort: Option<Sort>) -> Vec<usize> {
    let mut out: Vec<usize> = (0..lines.len())
        .filter(|i| matches(&lines[*i], q))
        .collect();
    if let Some(s) = sort {
        let cmp = by(s);
        // Stable: ties keep the branch list's order.
        collect::sort_by(&mut out, |a, b| cmp(&lines[*a], &lines[*b]));
    }
    out
}

/// How many pages `len` rows make (at least one, even empty).
pub fn pages(len: usize) -> usize {
    len.div_ceil(PAGE_SIZE).max(1)
}

/// The rows of page `page` (0-based, clamped to the last page).
pub fn page_range(len: usize, page: usize) -> std::ops::Range<usize> {
    let page = page.min(pages(len) - 1);
    let start = page * PAGE_SIZE;
    start..(start + PAGE_SIZE).min(len)
}

/// The branches the charts draw: those selected (in table order, then any
/// selected branch the search hides), or else the first few of the table.
pub fn charted(lines: &[Line], shown: &[usize], selected: &[String]) -> Vec<String> {
    if selected.is_empty() {
        return shown
            .iter()
            .take(CHART_DEFAULT)
            .map(|i| lines[*i].code.clone())
            .collect();
    }
    let mut out: Vec<String> = shown
        .iter()
        .map(|i| &lines[*i].code)
        .filter(|c| selected.contains(c))
        .cloned()
        .collect();
    for c in selected {
        if !out.contains(c) && lines.iter().any(|l| &l.code == c) {
            out.push(c.clone());
        }
    }
    out
}

/// The table's part of the dashboard's URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableState {
    /// Search over code, name and region.
    pub q: String,
    pub sort: Option<Sort>,
    /// 0-based (the URL's `tpage` counts from 1).
    pub page: usize,
    /// Branch codes whose rows are ticked: the charts draw these.
    pub selected: Vec<String>,
}

impl TableState {
    pub fn from_lookup(p: &impl Fn(&str) -> Option<String>) -> TableState {
        let mut selected: Vec<String> = Vec::new();
        for c in p("sel").unwrap_or_default().split(',').map(str::trim) {
            if !c.is_empty() && !selected.iter().any(|s| s == c) && selected.len() < MAX_SELECTED {
                selected.push(c.to_string());
            }
        }
        TableState {
            q: p("tq").unwrap_or_default(),
            sort: p("tsort").as_deref().and_then(Sort::parse),
            page: p("tpage")
                .and_then(|v| v.parse::<usize>().ok())
                .map_or(0, |n| n.saturating_sub(1)),
            selected,
        }
    }

    /// Its URL parameters, those with a value other than the default.
    pub fn params(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if !self.q.is_empty() {
            out.push(("tq", self.q.clone()));
        }
        if let Some(s) = self.sort {
            out.push(("tsort", s.param()));
        }
        if self.page > 0 {
            out.push(("tpage", (self.page + 1).to_string()));
        }
        if !self.selected.is_empty() {
            out.push(("sel", self.selected.join(",")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(code: &str, name: &str, region: &str, csat: Option<(f64, f64)>) -> Line {
        let mut cells = [None; 8];
        cells[Column::Csat.index()] = csat.map(|(low, high)| Bounds { low, high });
        Line {
            code: code.into(),
            name: name.into(),
            region: region.into(),
            cells,
        }
    }

    fn codes(lines: &[Line], idx: &[usize]) -> Vec<String> {
        idx.iter().map(|i| lines[*i].code.clone()).collect()
    }

    /// A has the lowest point (not stored here) but a wide interval; B a
    /// narrow one: by bounds, B (upper 60) is weaker than A (upper 75), and
    /// A (lower 20) is not stronger than C (lower 55).
    fn network() -> Vec<Line> {
        vec![
            line("A", "Harbour Square", "North", Some((20.0, 75.0))),
            line("B", "Northgate", "North", Some((50.0, 60.0))),
            line("F", "Few Street", "South", None),
            line("C", "Riverside", "South", Some((55.0, 90.0))),
            line("D", "Dockside", "East", Some((50.0, 60.0))),
        ]
    }

    #[test]
    fn weakest_first_is_by_the_upper_bound_and_too_few_go_last() {
        let l = network();
        let weak = Sort {
            column: Column::Csat,
            direction: Direction::Weakest,
        };
        // B and D tie on both bounds: they keep the list's order.
        assert_eq!(
            codes(&l, &order(&l, "", Some(weak))),
            ["B", "D", "A", "C", "F"]
        );
        let strong = Sort {
            column: Column::Csat,
            direction: Direction::Strongest,
        };
        assert_eq!(
            codes(&l, &order(&l, "", Some(strong))),
            ["C", "B", "D", "A", "F"]
        );
        assert_eq!(codes(&l, &order(&l, "", None)), ["A", "B", "F", "C", "D"]);
    }

    #[test]
    fn equal_upper_bounds_go_by_the_lower_bound() {
        let l = vec![
            line("X", "", "", Some((40.0, 70.0))),
            line("Y", "", "", Some((30.0, 70.0))),
        ];
        let weak = Sort {
            column: Column::Csat,
            direction: Direction::Weakest,
        };
        assert_eq!(codes(&l, &order(&l, "", Some(weak))), ["Y", "X"]);
    }

    #[test]
    fn search_reads_code_name_and_region_in_any_case() {
        let l = network();
        assert_eq!(codes(&l, &order(&l, "north", None)), ["A", "B"]);
        assert_eq!(codes(&l, &order(&l, "dock", None)), ["D"]);
        assert_eq!(codes(&l, &order(&l, "d", None)), ["C", "D"]);
        assert_eq!(codes(&l, &order(&l, "SOUTH riv", None)), ["C"]);
        assert_eq!(codes(&l, &order(&l, "  ", None)).len(), 5);
        assert!(order(&l, "zzz", None).is_empty());
    }

    #[test]
    fn pages_hold_25_rows_and_clamp() {
        assert_eq!(pages(0), 1);
        assert_eq!(pages(25), 1);
        assert_eq!(pages(26), 2);
        assert_eq!(pages(500), 20);
        assert_eq!(page_range(60, 0), 0..25);
        assert_eq!(page_range(60, 2), 50..60);
        // A page past the end shows the last one.
        assert_eq!(page_range(60, 9), 50..60);
        assert_eq!(page_range(0, 3), 0..0);
    }

    #[test]
    fn the_charts_draw_the_selection_else_the_first_rows() {
        let l = network();
        let weak = Sort {
            column: Column::Csat,
            direction: Direction::Weakest,
        };
        let shown = order(&l, "", Some(weak));
        assert_eq!(charted(&l, &shown, &[]), ["B", "D", "A", "C", "F"]);
        // Selected rows in table order; one hidden by the search still drawn; unknown codes dropped.
        let shown = order(&l, "north", Some(weak));
        let sel = ["C".to_string(), "A".into(), "Z".into(), "B".into()];
        assert_eq!(charted(&l, &shown, &sel), ["B", "A", "C"]);
    }

    #[test]
    fn the_state_round_trips_through_url_parameters() {
        let s = TableState {
            q: "north gate".into(),
            sort: Some(Sort {
                column: Column::Nps,
                direction: Direction::Strongest,
            }),
            page: 2,
            selected: vec!["N01".into(), "S02".into()],
        };
        let p = s.params();
        assert_eq!(
            p,
            [
                ("tq", "north gate".to_string()),
                ("tsort", "nps.strongest".into()),
                ("tpage", "3".into()),
                ("sel", "N01,S02".into())
            ]
        );
        let back =
            TableState::from_lookup(&|k| p.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()));
        assert_eq!(back, s);
        assert_eq!(TableState::from_lookup(&|_| None), TableState::default());
        assert!(TableState::default().params().is_empty());
        // What cannot be read is the default; a long selection is capped.
        let odd = TableState::from_lookup(&|k| match k {
            "tsort" => Some("csat.best".into()),
            "tpage" => Some("x".into()),
            "sel" => Some(
                (0..30)
                    .map(|i| format!("B{i}"))
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            _ => None,
        });
        assert_eq!(odd.sort, None);
        assert_eq!(odd.page, 0);
        assert_eq!(odd.selected.len(), MAX_SELECTED);
    }

    #[test]
    fn a_header_click_goes_weakest_then_strongest() {
        let w = Sort::next(None, Column::Trust);
        assert_eq!(w.direction, Direction::Weakest);
        let s = Sort::next(Some(w), Column::Trust);
        assert_eq!(s.direction, Direction::Strongest);
        assert_eq!(
            Sort::next(Some(s), Column::Trust).direction,
            Direction::Weakest
        );
        assert_eq!(Sort::next(Some(s), Column::Csat).column, Column::Csat);
        for c in Column::ALL {
            for d in [Direction::Weakest, Direction::Strongest] {
                let s = Sort {
                    column: c,
                    direction: d,
                };
                assert_eq!(Sort::parse(&s.param()), Some(s));
            }
        }
    }
}
