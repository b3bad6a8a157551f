//! The mystery-shop programme in the reader's words: a visit's window
//! ("Mon–Fri, 12:00–14:00, 5–30 Jan"), a visit's or a report's status.
//! Shared by the coordinator's, the reviewer's and the shopper's screens.

use crate::i18n::{t, text, Key};
use branchpulse_core::collect;
use branchpulse_core::programme::{ReportStatus, VisitStatus, Window};
use branchpulse_core::Locale;
use leptos::prelude::*;
use time::Date;

const WEEKDAYS: [Key; 7] = [
    Key::Wd1,
    Key::Wd2,
    Key::Wd3,
    Key::Wd4,
    Key::Wd5,
    Key::Wd6,
    Key::Wd7,
];

const MONTHS: [Key; 12] = [
    Key::Mon1,
    Key::Mon2,
    Key::Mon3,
    Key::Mon4,
    Key::Mon5,
    Key::Mon6,
    Key::Mon7,
    Key::Mon8,
    Key::Mon9,
    Key::Mon10,
    Key::Mon11,
    Key::Mon12,
];

/// ISO weekday `n` (1 = Monday) in short, in `l`.
pub fn weekday(n: u8, l: Locale) -> &'static str {
    text(l, WEEKDAYS[usize::from(n.clamp(1, 7) - 1)])
}

/// The window in words: its weekdays (runs of three or more as a range),
/// its hours, its days. The year is said only when it is not
/// `this_year`. Weekdays and hours are left out when any will do.
pub fn describe_window(w: &Window, l: Locale, this_year: i32) -> String {
    let mut parts = Vec::new();
    let days = weekdays(&w.weekdays, l);
    if !days.is_empty() {
        parts.push(days);
    }
    if let Some(h) = w.hours {
        parts.push(format!("{:02}:00–{:02}:00", h.from, h.to));
    }
    parts.push(dates(w.from, w.to, l, this_year));
    parts.join(text(l, Key::WinJoin))
}

fn weekdays(list: &[u8], l: Locale) -> String {
    let mut days: Vec<u8> = list
        .iter()
        .copied()
        .filter(|d| (1..=7).contains(d))
        .collect();
    collect::sort(&mut days);
    days.dedup();
    if days.len() == 7 {
        return String::new();
    }
    let mut runs: Vec<(u8, u8)> = Vec::new();
    for d in days {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == d => *end = d,
            _ => runs.push((d, d)),
        }
    }
    let mut said = Vec::new();
    for (a, b) in runs {
        if b >= a + 2 {
            said.push(
                text(l, Key::WinRange)
                    .replace("{a}", weekday(a, l))
                    .replace("{b}", weekday(b, l)),
            );
        } else {
            said.extend((a..=b).map(|d| weekday(d, l).to_string()));
        }
    }
    said.join(text(l, Key::WinListJoin))
}

fn day(d: Date, l: Locale) -> String {
    text(l, Key::WinDay)
        .replace("{d}", &d.day().to_string())
        .replace("{m}", text(l, MONTHS[usize::from(u8::from(d.month())) - 1]))
}

fn with_year(said: String, year: i32, l: Locale) -> String {
    text(l, Key::WinWithYear)
        .replace("{d}", &said)
        .replace("{y}", &year.to_string())
}

fn dates(from: Date, to: Date, l: Locale, this_year: i32) -> String {
    let same_year = from.year() == to.year();
    let said = if from == to {
        day(from, l)
    } else if same_year && from.month() == to.month() {
        text(l, Key::WinDaysInMonth)
            .replace("{a}", &from.day().to_string())
            .replace("{b}", &to.day().to_string())
            .replace(
                "{m}",
                text(l, MONTHS[usize::from(u8::from(from.month())) - 1]),
            )
    } else if same_year {
        text(l, Key::WinDayRange)
            .replace("{a}", &day(from, l))
            .replace("{b}", &day(to, l))
    } else {
        return text(l, Key::WinDayRange)
            .replace("{a}", &with_year(day(from, l), from.year(), l))
            .replace("{b}", &with_year(day(to, l), to.year(), l));
    };
    if from.year() == this_year {
        said
    } else {
        with_year(said, from.year(), l)
    }
}

/// What a visit's status is called.
pub fn visit_status_key(s: VisitStatus) -> Key {
    match s {
        VisitStatus::Planned => Key::VisPlanned,
        VisitStatus::Assigned => Key::VisAssigned,
        VisitStatus::InProgress => Key::VisInProgress,
        VisitStatus::Submitted => Key::VisSubmitted,
        VisitStatus::Approved => Key::VisApproved,
        VisitStatus::Returned => Key::VisReturned,
        VisitStatus::Rejected => Key::VisRejected,
        VisitStatus::Cancelled => Key::VisCancelled,
    }
}

/// A visit status as written in the API (`in_progress`), for filters and
/// CSS classes.
pub fn visit_status_name(s: VisitStatus) -> &'static str {
    match s {
        VisitStatus::Planned => "planned",
        VisitStatus::Assigned => "assigned",
        VisitStatus::InProgress => "in_progress",
        VisitStatus::Submitted => "submitted",
        VisitStatus::Approved => "approved",
        VisitStatus::Returned => "returned",
        VisitStatus::Rejected => "rejected",
        VisitStatus::Cancelled => "cancelled",
    }
}

/// What a report's status is called.
pub fn report_status_key(s: ReportStatus) -> Key {
    match s {
        ReportStatus::Submitted => Key::RepSubmitted,
        ReportStatus::Approved => Key::RepApproved,
        ReportStatus::Returned => Key::RepReturned,
        ReportStatus::Rejected => Key::RepRejected,
    }
}

/// Today's date (UTC) by the browser's clock: what "overdue" is measured
/// against, as the server does.
pub fn today() -> Option<Date> {
    let iso: String = js_sys::Date::new_0().to_iso_string().into();
    parse_day(iso.get(..10)?)
}

/// `YYYY-MM-DD`, as a date input gives it.
pub fn parse_day(text: &str) -> Option<Date> {
    branchpulse_core::day::parse(text.trim())
}

/// The year of today, for [`describe_window`].
pub fn this_year() -> i32 {
    today().map_or(2026, |d| d.year())
}

/// A visit's status in words (`key`, else the status's own word), and
/// "overdue" beside it: never by colour alone.
#[component]
pub fn StatusBadge(
    status: VisitStatus,
    overdue: bool,
    #[prop(default = None)] key: Option<Key>,
) -> impl IntoView {
    view! {
        <span class=format!(
            "badge st-{}",
            visit_status_name(status),
        )>{t(key.unwrap_or(visit_status_key(status)))}</span>
        {overdue
            .then(|| {
                view! {
                    " "
                    <span class="badge overdue">"⚠ " {t(Key::VisOverdue)}</span>
                }
            })}
    }
}
