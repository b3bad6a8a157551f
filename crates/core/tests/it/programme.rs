//! The mystery-shop programme's rules, worked by hand: which step may
//! follow which status, what a window accepts, quarters and overdue visits.

use branchpulse_core::programme::{
    next, Decision, Event, Hours, Quarter, VisitStatus, Window, MAX_WINDOW_DAYS,
};
use time::macros::{date, datetime};

use VisitStatus as S;

/// Every status against every event; `None`: not allowed.
#[test]
fn every_step_from_every_status_is_as_the_table_says() {
    let events = [
        Event::Assign(true),
        Event::Assign(false),
        Event::Start,
        Event::Submit,
        Event::Approve,
        Event::Return,
        Event::Reject,
        Event::Cancel,
    ];
    let n = None;
    #[rustfmt::skip]
    let table: [(S, [Option<S>; 8]); 8] = [
        //                assign         unassign       start               submit             approve            return             reject             cancel
        (S::Planned,    [Some(S::Assigned), Some(S::Planned), Some(S::InProgress), Some(S::Submitted), n, n, n, Some(S::Cancelled)]),
        (S::Assigned,   [Some(S::Assigned), Some(S::Planned), Some(S::InProgress), Some(S::Submitted), n, n, n, Some(S::Cancelled)]),
        (S::InProgress, [n, n, Some(S::InProgress), Some(S::Submitted), n, n, n, Some(S::Cancelled)]),
        (S::Submitted,  [n, n, n, n, Some(S::Approved), Some(S::Returned), Some(S::Rejected), n]),
        (S::Approved,   [n, n, n, n, n, n, n, n]),
        (S::Returned,   [n, n, n, Some(S::Submitted), n, n, n, Some(S::Cancelled)]),
        (S::Rejected,   [n, n, n, n, n, n, n, n]),
        (S::Cancelled,  [n, n, n, n, n, n, n, n]),
    ];
    assert_eq!(table.len(), S::ALL.len());
    for (from, row) in table {
        for (event, expected) in events.iter().zip(row) {
            let got = next(from, *event);
            assert_eq!(got.ok(), expected, "{from:?} + {event:?}");
            if let Err(e) = got {
                assert_eq!((e.from, e.event), (from, *event));
            }
        }
    }
}

#[test]
fn ended_statuses_are_final_and_only_waiting_ones_can_be_overdue() {
    let final_ones: Vec<S> = S::ALL.into_iter().filter(|s| s.is_final()).collect();
    assert_eq!(final_ones, [S::Approved, S::Rejected, S::Cancelled]);
    let waiting: Vec<S> = S::ALL.into_iter().filter(|s| s.awaits_shopper()).collect();
    assert_eq!(
        waiting,
        [S::Planned, S::Assigned, S::InProgress, S::Returned]
    );
}

#[test]
fn decisions_lead_to_their_report_status_and_step() {
    use branchpulse_core::programme::ReportStatus as R;
    assert_eq!(
        (
            Decision::Approve.status(),
            Decision::Approve.event(),
            Decision::Approve.needs_note()
        ),
        (R::Approved, Event::Approve, false)
    );
    assert_eq!(
        (
            Decision::Return.status(),
            Decision::Return.event(),
            Decision::Return.needs_note()
        ),
        (R::Returned, Event::Return, true)
    );
    assert_eq!(
        (
            Decision::Reject.status(),
            Decision::Reject.event(),
            Decision::Reject.needs_note()
        ),
        (R::Rejected, Event::Reject, true)
    );
}

/// 2026-03-02 is a Monday (2026-03-01 a Sunday: January has 31 days and
/// February 28 after a Thursday 1 January).
fn lunchtime_weekdays() -> Window {
    Window {
        from: date!(2026 - 03 - 02),
        to: date!(2026 - 03 - 13),
        weekdays: vec![1, 2, 3, 4, 5],
        hours: Some(Hours { from: 12, to: 14 }),
    }
}

#[test]
fn a_window_is_checked_field_by_field() {
    assert_eq!(lunchtime_weekdays().check(), Ok(()));
    let field = |w: Window| w.check().unwrap_err().field;
    let reason = |w: Window| w.check().unwrap_err().reason;

    // One day is a window; the day before the first is not.
    assert_eq!(
        Window::days(date!(2026 - 03 - 02), date!(2026 - 03 - 02)).check(),
        Ok(())
    );
    let backwards = Window::days(date!(2026 - 03 - 02), date!(2026 - 03 - 01));
    assert_eq!(field(backwards.clone()), "window.to");
    assert_eq!(
        reason(backwards),
        "2026-03-01 is before the first day 2026-03-02"
    );

    // 1 January to 10 April 2026: 31 + 28 + 31 + 10 = 100 days, the most.
    assert_eq!(MAX_WINDOW_DAYS, 100);
    assert_eq!(
        Window::days(date!(2026 - 01 - 01), date!(2026 - 04 - 10)).check(),
        Ok(())
    );
    let long = Window::days(date!(2026 - 01 - 01), date!(2026 - 04 - 11));
    assert_eq!(
        (field(long.clone()), reason(long)),
        (
            "window.to",
            "the window is 101 days long; the longest is 100".to_owned()
        )
    );

    let with_days = |weekdays: Vec<u8>| Window {
        weekdays,
        ..lunchtime_weekdays()
    };
    assert_eq!(field(with_days(vec![0])), "window.weekdays");
    assert_eq!(field(with_days(vec![8])), "window.weekdays");
    assert_eq!(reason(with_days(vec![2, 2])), "2 is listed twice");
    assert_eq!(
        with_days(vec![7]).check(),
        Ok(()),
        "Sunday 8 March is in it"
    );
    // Saturday 7 and Sunday 8 March, weekdays only: no day fits.
    let weekend = Window {
        from: date!(2026 - 03 - 07),
        to: date!(2026 - 03 - 08),
        weekdays: vec![1, 2, 3, 4, 5],
        hours: None,
    };
    assert_eq!(
        reason(weekend),
        "none of the window's days falls on those weekdays"
    );

    let with_hours = |from, to| Window {
        hours: Some(Hours { from, to }),
        ..lunchtime_weekdays()
    };
    assert_eq!(with_hours(0, 24).check(), Ok(()));
    assert_eq!(with_hours(23, 24).check(), Ok(()));
    for (from, to) in [(14, 12), (12, 12), (24, 25), (9, 25)] {
        assert_eq!(field(with_hours(from, to)), "window.hours", "{from}–{to}");
    }
}

#[test]
fn a_window_contains_the_hours_and_days_it_says_and_no_other() {
    let w = lunchtime_weekdays();
    // The first hour's first minute, the last minute before the end hour.
    assert!(w.contains(datetime!(2026-03-02 12:00)));
    assert!(w.contains(datetime!(2026-03-02 13:59:59)));
    assert!(!w.contains(datetime!(2026-03-02 11:59:59)));
    assert!(!w.contains(datetime!(2026-03-02 14:00)));
    // The last day, Friday 13 March, at lunchtime; the weekend before not.
    assert!(w.contains(datetime!(2026-03-13 12:30)));
    assert!(!w.contains(datetime!(2026-03-07 12:30)), "a Saturday");
    assert!(!w.contains(datetime!(2026-03-08 12:30)), "a Sunday");
    // The days either side of the window.
    assert!(!w.contains(datetime!(2026-03-01 12:30)));
    assert!(!w.contains(datetime!(2026-03-16 12:30)));

    let any = Window::days(date!(2026 - 03 - 02), date!(2026 - 03 - 13));
    assert!(any.contains(datetime!(2026-03-02 00:00)));
    assert!(any.contains(datetime!(2026-03-13 23:59:59)));
    assert!(!any.contains(datetime!(2026-03-14 00:00)));
    assert!(!any.contains(datetime!(2026-03-01 23:59:59)));
    assert!(
        any.contains(datetime!(2026-03-07 03:00)),
        "any day, any hour"
    );
}

#[test]
fn a_visit_is_overdue_after_its_last_day_while_the_shopper_has_it_to_do() {
    let w = Window::days(date!(2026 - 03 - 02), date!(2026 - 03 - 13));
    assert!(
        !w.is_overdue(S::Assigned, date!(2026 - 03 - 13)),
        "due today"
    );
    for s in S::ALL {
        let expected = matches!(s, S::Planned | S::Assigned | S::InProgress | S::Returned);
        assert_eq!(w.is_overdue(s, date!(2026 - 03 - 14)), expected, "{s:?}");
    }
}

#[test]
fn quarters_are_read_written_and_span_their_months() {
    assert_eq!(Quarter::of(date!(2026 - 01 - 01)).to_string(), "2026-Q1");
    assert_eq!(Quarter::of(date!(2026 - 03 - 31)).to_string(), "2026-Q1");
    assert_eq!(Quarter::of(date!(2026 - 04 - 01)).to_string(), "2026-Q2");
    assert_eq!(Quarter::of(date!(2026 - 12 - 31)).to_string(), "2026-Q4");

    let q = Quarter::parse(" 2026-Q4 ").unwrap();
    assert_eq!((q.year, q.number), (2026, 4));
    assert_eq!(q.days(), (date!(2026 - 10 - 01), date!(2026 - 12 - 31)));
    assert_eq!(
        Quarter::parse("2024-Q1").unwrap().days(),
        (date!(2024 - 01 - 01), date!(2024 - 03 - 31))
    );
    assert_eq!(
        Quarter::parse("2026-Q2").unwrap().days(),
        (date!(2026 - 04 - 01), date!(2026 - 06 - 30))
    );
    for bad in [
        "2026-Q0", "2026-Q5", "2026Q1", "Q1-2026", "1999-Q1", "2101-Q1", "2026-q1", "",
    ] {
        assert_eq!(Quarter::parse(bad), None, "{bad:?}");
    }
    assert!(Quarter::parse("2025-Q4").unwrap() < Quarter::parse("2026-Q1").unwrap());
}
