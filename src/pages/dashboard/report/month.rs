//! The report's month and place, as written in its address
//! (`month=2026-11`, `branch=N01` or `region=North`), and the filters they
//! make: the month's first to last day, and the calendar month before it
//! (not the 30 days before, which would cut months unevenly).

use branchpulse_core::aggregate::{Filter, FilterError};
use time::{Date, Month as M};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: M,
}

impl Month {
    /// `2026-11` (four-digit year, two-digit month), as `<input type=month>` writes it.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes()).all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        let month = M::try_from(m.parse::<u8>().ok()?).ok()?;
        Some(Month {
            year: y.parse().ok()?,
            month,
        })
    }

    /// The month `day` is in.
    pub fn of(day: Date) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    pub fn first(self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1).expect("a four-digit year's first day")
    }

    pub fn last(self) -> Date {
        let days = self.month.length(self.year);
        Date::from_calendar_date(self.year, self.month, days).expect("a month's last day")
    }

    pub fn previous(self) -> Month {
        Month::of(
            self.first()
                .previous_day()
                .expect("a four-digit year has a day before"),
        )
    }

    /// The month before the one `today` is in: the last whole month.
    pub fn last_whole(today: Date) -> Month {
        Month::of(today).previous()
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, u8::from(self.month))
    }
}

/// What the report is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Branch(String),
    Region(String),
    /// A format (peer group), by its code.
    Format(String),
}

impl Place {
    /// From the address's `branch`, `region` and `format` (in that order
    /// of precedence).
    pub fn from_params(
        branch: Option<&str>,
        region: Option<&str>,
        format: Option<&str>,
    ) -> Option<Place> {
        let given = |s: Option<&str>| s.map(str::trim).filter(|s| !s.is_empty()).map(String::from);
        given(branch)
            .map(Place::Branch)
            .or_else(|| given(region).map(Place::Region))
            .or_else(|| given(format).map(Place::Format))
    }

    /// `branch=N01` or `region=North`, encoded.
    pub fn param(&self) -> String {
        let (k, v) = match self {
            Place::Branch(c) => ("branch", c),
            Place::Region(r) => ("region", r),
            Place::Format(f) => ("format", f),
        };
        serde_urlencoded::to_string([(k, v)]).expect("text parameters always encode")
    }
}

/// The dashboard filter of `place` over `month`, checked as the server
/// checks it (dates in range, codes well formed).
pub fn filter(month: Month, place: &Place) -> Result<Filter, FilterError> {
    let mut q = vec![
        ("from", month.first().to_string()),
        ("to", month.last().to_string()),
    ];
    match place {
        Place::Branch(c) => q.push(("branches", c.clone())),
        Place::Region(r) => q.push(("region", r.clone())),
        Place::Format(f) => q.push(("format", f.clone())),
    }
    Filter::from_query(&serde_urlencoded::to_string(q).expect("text parameters always encode"))
}

/// The report's address.
pub fn href(month: Month, place: &Place) -> String {
    format!("/report?{}&month={month}", place.param())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_month_is_its_first_to_last_day() {
        let m = Month::parse("2026-11").unwrap();
        assert_eq!(
            (m.first(), m.last()),
            (date!(2026 - 11 - 01), date!(2026 - 11 - 30))
        );
        assert_eq!(m.to_string(), "2026-11");
        // February in a leap year and not; December's 31 days.
        assert_eq!(
            Month::parse("2024-02").unwrap().last(),
            date!(2024 - 02 - 29)
        );
        assert_eq!(
            Month::parse("2025-02").unwrap().last(),
            date!(2025 - 02 - 28)
        );
        assert_eq!(
            Month::parse("2025-12").unwrap().last(),
            date!(2025 - 12 - 31)
        );
    }

    #[test]
    fn the_previous_month_is_the_calendar_month_before() {
        let p = |s: &str| Month::parse(s).unwrap().previous().to_string();
        assert_eq!(p("2026-11"), "2026-10");
        assert_eq!(p("2026-01"), "2025-12");
        assert_eq!(p("2024-03"), "2024-02");
        assert_eq!(
            Month::last_whole(date!(2026 - 12 - 06)).to_string(),
            "2026-11"
        );
        assert_eq!(
            Month::last_whole(date!(2027 - 01 - 01)).to_string(),
            "2026-12"
        );
    }

    #[test]
    fn only_a_year_and_a_month_are_a_month() {
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-00",
            "2026-1",
            "26-11",
            "2026-11-01",
            "２０２６-11",
            "+026-11",
        ] {
            assert_eq!(Month::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_place_makes_the_filter_and_the_address() {
        let m = Month::parse("2026-11").unwrap();
        let branch = Place::from_params(Some("N01"), Some("North"), None).unwrap();
        assert_eq!(branch, Place::Branch("N01".into()));
        let f = filter(m, &branch).unwrap();
        assert_eq!(f.to_query(), "from=2026-11-01&to=2026-11-30&branches=N01");
        let region = Place::from_params(Some(" "), Some("South East"), Some("community")).unwrap();
        assert_eq!(
            filter(m, &region).unwrap().to_query(),
            "from=2026-11-01&to=2026-11-30&region=South+East"
        );
        assert_eq!(href(m, &region), "/report?region=South+East&month=2026-11");
        assert_eq!(Place::from_params(None, Some(""), None), None);
        let format = Place::from_params(None, None, Some("community")).unwrap();
        assert_eq!(format, Place::Format("community".into()));
        assert_eq!(
            filter(m, &format).unwrap().to_query(),
            "from=2026-11-01&to=2026-11-30&format=community"
        );
        assert_eq!(href(m, &format), "/report?format=community&month=2026-11");
        // A month the server would refuse is refused here too.
        assert!(filter(Month::parse("1999-01").unwrap(), &branch).is_err());
    }
}
