//! Follow-up cases: which status may follow which, when a case is overdue,
//! who may own, change and read it, the checks of its fields, the counts
//! per branch, and the customer's contact details.

use branchpulse_core::access::{Role, User};
use branchpulse_core::cases::{
    check_change, check_contact, check_due, check_new_case, check_note, is_overdue, may_change,
    may_move, may_own, may_see_contact, step_refusal, tally, CaseChange, CaseFacts, CaseStatus,
    ContactWay, NewCase, MAX_CASE_NOTE_CHARS, MAX_DUE_DAYS, MAX_EMAIL_CHARS,
};
use branchpulse_core::ProblemCode;
use time::macros::{date, datetime};
use time::Date;
use uuid::Uuid;

use CaseStatus::{CustomerInformed, InProgress, Open, Resolved};

#[test]
fn a_case_moves_forward_may_skip_work_and_reopens_until_the_customer_is_told() {
    // Every pair, written out: (from, to, allowed).
    let table = [
        (Open, Open, false),
        (Open, InProgress, true),
        (Open, Resolved, true),
        (Open, CustomerInformed, false),
        (InProgress, Open, false),
        (InProgress, InProgress, false),
        (InProgress, Resolved, true),
        (InProgress, CustomerInformed, false),
        (Resolved, Open, false),
        (Resolved, InProgress, true),
        (Resolved, Resolved, false),
        (Resolved, CustomerInformed, true),
        (CustomerInformed, Open, false),
        (CustomerInformed, InProgress, false),
        (CustomerInformed, Resolved, false),
        (CustomerInformed, CustomerInformed, false),
    ];
    assert_eq!(table.len(), CaseStatus::ALL.len().pow(2));
    for (from, to, allowed) in table {
        assert_eq!(may_move(from, to), allowed, "{from:?} → {to:?}");
        assert_eq!(
            step_refusal(from, to).is_none(),
            allowed,
            "{from:?} → {to:?}"
        );
    }
}

#[test]
fn a_refused_step_says_where_the_case_may_go() {
    assert_eq!(
        step_refusal(Open, CustomerInformed).unwrap(),
        "status: a case that is open cannot go to customer_informed; it may go to in_progress or resolved"
    );
    assert_eq!(
        step_refusal(Resolved, Resolved).unwrap(),
        "status: the case is already resolved; it may go to in_progress or customer_informed"
    );
    assert_eq!(
        step_refusal(CustomerInformed, InProgress).unwrap(),
        "status: the case is customer_informed, which closes it; it cannot go to in_progress"
    );
}

#[test]
fn statuses_have_their_wire_names() {
    for (status, name) in
        CaseStatus::ALL
            .into_iter()
            .zip(["open", "in_progress", "resolved", "customer_informed"])
    {
        assert_eq!(status.as_str(), name);
        assert_eq!(CaseStatus::parse(name), Some(status));
        assert_eq!(
            serde_json::to_string(&status).unwrap(),
            format!("\"{name}\"")
        );
    }
    assert_eq!(CaseStatus::parse("closed"), None);
}

#[test]
fn only_a_pending_case_past_its_day_is_overdue() {
    let due = date!(2026 - 03 - 10);
    for status in [Open, InProgress] {
        assert!(!is_overdue(status, due, date!(2026 - 03 - 09)));
        // Due today is not late yet.
        assert!(!is_overdue(status, due, due));
        assert!(is_overdue(status, due, date!(2026 - 03 - 11)));
    }
    for status in [Resolved, CustomerInformed] {
        assert!(
            !is_overdue(status, due, date!(2027 - 01 - 01)),
            "{status:?}"
        );
    }
}

/// A user of `role`; each made with its own id.
fn user(role: Role, active: bool) -> User {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    User {
        id: Uuid::from_u128(u128::from(n)),
        username: format!("{role:?}").to_lowercase(),
        role,
        branch: (role == Role::Manager).then(|| "N01".into()),
        region: (role == Role::Regional).then(|| "North".into()),
        active,
        created_at: "2026-01-01T00:00:00Z".into(),
    }
}

#[test]
fn managers_regionals_and_admins_in_scope_own_cases_reviewers_never() {
    for role in [Role::Admin, Role::Regional, Role::Manager] {
        assert!(may_own(&user(role, true), true), "{role:?}");
        assert!(!may_own(&user(role, true), false), "{role:?} out of scope");
        assert!(!may_own(&user(role, false), true), "{role:?} inactive");
    }
    assert!(!may_own(&user(Role::Reviewer, true), true));
}

#[test]
fn the_owner_admins_and_the_branchs_managers_change_a_case() {
    let owner = user(Role::Manager, true);
    // The owner, even after leaving the branch's scope.
    assert!(may_change(&owner, owner.id, true));
    assert!(may_change(&owner, owner.id, false));
    let someone = Uuid::from_u128(99);
    assert!(may_change(&user(Role::Admin, true), someone, false));
    for role in [Role::Manager, Role::Regional] {
        assert!(may_change(&user(role, true), someone, true), "{role:?}");
        assert!(!may_change(&user(role, true), someone, false), "{role:?}");
    }
    assert!(!may_change(&user(Role::Reviewer, true), someone, true));
}

#[test]
fn only_the_owner_and_admins_read_the_contact() {
    let owner = user(Role::Manager, true);
    assert!(may_see_contact(&owner, owner.id));
    assert!(may_see_contact(&user(Role::Admin, true), owner.id));
    for role in [Role::Manager, Role::Regional, Role::Reviewer] {
        assert!(!may_see_contact(&user(role, true), owner.id), "{role:?}");
    }
}

const ALERT_DAY: Date = date!(2026 - 03 - 10);
const TODAY: Date = date!(2026 - 03 - 12);

#[test]
fn a_due_date_is_a_day_from_the_alerts_to_a_year_ahead() {
    assert_eq!(check_due("2026-03-10", ALERT_DAY, TODAY), Ok(ALERT_DAY));
    assert_eq!(
        check_due(" 2026-03-11 ", ALERT_DAY, TODAY),
        Ok(date!(2026 - 03 - 11))
    );
    let last = TODAY + time::Duration::days(MAX_DUE_DAYS);
    assert_eq!(last, date!(2027 - 03 - 13));
    assert_eq!(check_due("2027-03-13", ALERT_DAY, TODAY), Ok(last));
    for (due, code) in [
        ("2026-03-09", ProblemCode::DueOutOfRange),
        ("2027-03-14", ProblemCode::DueOutOfRange),
        ("9999-12-31", ProblemCode::DueOutOfRange),
        ("2026-02-30", ProblemCode::BadDate),
        ("2026-3-11", ProblemCode::BadDate),
        ("11/03/2026", ProblemCode::BadDate),
        ("", ProblemCode::BadDate),
    ] {
        let e = check_due(due, ALERT_DAY, TODAY).unwrap_err();
        assert_eq!((e.field, e.code), ("due", code), "{due}: {e}");
    }
}

#[test]
fn a_note_is_plain_text_up_to_its_length() {
    assert_eq!(
        check_note("  Called back.\r\n "),
        Ok(Some("Called back.".into()))
    );
    assert_eq!(check_note(" \t "), Ok(None));
    let longest = "界".repeat(MAX_CASE_NOTE_CHARS);
    assert_eq!(check_note(&longest), Ok(Some(longest.clone())));
    let e = check_note(&format!("{longest}x")).unwrap_err();
    assert_eq!((e.field, e.code), ("note", ProblemCode::TooLong));
    let e = check_note("call\u{0}back").unwrap_err();
    assert_eq!((e.field, e.code), ("note", ProblemCode::ControlCharacters));
}

#[test]
fn a_new_case_and_a_change_name_the_field_at_fault() {
    let new = NewCase {
        alert: Uuid::from_u128(7),
        owner: Uuid::from_u128(8),
        due: "2026-03-20".into(),
        note: String::new(),
    };
    let checked = check_new_case(&new, ALERT_DAY, TODAY).unwrap();
    assert_eq!((checked.due, checked.note), (date!(2026 - 03 - 20), None));
    let bad = NewCase {
        due: "2026-03-01".into(),
        ..new.clone()
    };
    assert_eq!(
        check_new_case(&bad, ALERT_DAY, TODAY).unwrap_err().field,
        "due"
    );
    let bad = NewCase {
        note: "\u{7}".into(),
        ..new
    };
    assert_eq!(
        check_new_case(&bad, ALERT_DAY, TODAY).unwrap_err().field,
        "note"
    );

    assert!(CaseChange::default().is_empty());
    let change = CaseChange {
        status: Some(Resolved),
        due: Some("2026-04-01".into()),
        note: Some(" Refunded the fee. ".into()),
        ..CaseChange::default()
    };
    assert!(!change.is_empty());
    let checked = check_change(&change, ALERT_DAY, TODAY).unwrap();
    assert_eq!(checked.status, Some(Resolved));
    assert_eq!(checked.due, Some(date!(2026 - 04 - 01)));
    assert_eq!(checked.note.as_deref(), Some("Refunded the fee."));
    // A note sent must say something; a bad due date is named.
    let e = check_change(
        &CaseChange {
            note: Some("  ".into()),
            ..CaseChange::default()
        },
        ALERT_DAY,
        TODAY,
    )
    .unwrap_err();
    assert_eq!((e.field, e.code), ("note", ProblemCode::Empty));
    let e = check_change(
        &CaseChange {
            due: Some("2026-13-01".into()),
            ..CaseChange::default()
        },
        ALERT_DAY,
        TODAY,
    )
    .unwrap_err();
    assert_eq!((e.field, e.code), ("due", ProblemCode::BadDate));
}

#[test]
fn the_case_bodies_refuse_unknown_fields() {
    let e = serde_json::from_str::<CaseChange>(r#"{"status": "resolved", "colour": "red"}"#);
    assert!(e.is_err());
    let change: CaseChange = serde_json::from_str(r#"{"status": "in_progress"}"#).unwrap();
    assert_eq!(change.status, Some(InProgress));
    assert!(serde_json::from_str::<CaseChange>(r#"{"status": "closed"}"#).is_err());
}

#[test]
fn counts_and_the_median_time_to_resolve_are_as_worked_by_hand() {
    let made = datetime!(2026-03-02 09:00 UTC);
    let facts = |status, due, minutes: Option<i64>| CaseFacts {
        status,
        due,
        created_at: made,
        resolved_at: minutes.map(|m| made + time::Duration::minutes(m)),
    };
    let today = date!(2026 - 03 - 10);
    // Minutes to resolve: 120, 300, 90, and a reopened case (resolved once
    // after 30, in progress again) that does not count.
    let cases = [
        facts(Open, date!(2026 - 03 - 09), None),
        facts(Open, date!(2026 - 03 - 10), None),
        facts(InProgress, date!(2026 - 03 - 01), Some(30)),
        facts(Resolved, date!(2026 - 03 - 01), Some(120)),
        facts(CustomerInformed, date!(2026 - 03 - 01), Some(300)),
        facts(CustomerInformed, date!(2026 - 03 - 20), Some(90)),
    ];
    let counts = tally("N01", &cases, today);
    assert_eq!(counts.branch, "N01");
    assert_eq!(
        (
            counts.open,
            counts.in_progress,
            counts.resolved,
            counts.informed
        ),
        (2, 1, 1, 2)
    );
    // Overdue: the open one due on the 9th and the one in progress.
    assert_eq!(counts.overdue, 2);
    // Sorted 1.5, 2, 5 hours: the median is 2.
    assert_eq!(counts.median_hours_to_resolve, Some(2.0));
    // An even number: the mean of the middle two, (1.5 + 2) / 2.
    let counts = tally("N01", &[cases[3], cases[5]], today);
    assert_eq!(counts.median_hours_to_resolve, Some(1.75));
    // None resolved: no median.
    let counts = tally("N02", &cases[..3], today);
    assert_eq!(counts.median_hours_to_resolve, None);
    assert_eq!(
        serde_json::to_value(&counts).unwrap(),
        serde_json::json!({"branch": "N02", "open": 2, "in_progress": 1, "overdue": 2, "resolved": 0, "informed": 0})
    );
}

#[test]
fn phone_numbers_are_digits_with_the_usual_signs() {
    for ok in [
        "+86 138 0013 8000",
        "(555) 010-0199",
        "555.010.0199",
        "123456",
        "+123456789012345",
        "  020-1234-5678  ",
    ] {
        assert_eq!(
            check_contact(ContactWay::Phone, ok),
            Ok(ok.trim().to_owned()),
            "{ok}"
        );
    }
    for (bad, code) in [
        ("12345", ProblemCode::BadPhone),
        ("1234567890123456", ProblemCode::BadPhone),
        ("555-CALL-NOW", ProblemCode::BadPhone),
        ("86+138001380", ProblemCode::BadPhone),
        ("++86138001380", ProblemCode::BadPhone),
        ("555\u{0}0199", ProblemCode::BadPhone),
        ("name@example.com", ProblemCode::BadPhone),
        ("   ", ProblemCode::Empty),
        ("", ProblemCode::Empty),
    ] {
        assert_eq!(check_contact(ContactWay::Phone, bad), Err(code), "{bad:?}");
    }
}

#[test]
fn email_addresses_have_one_at_and_a_dotted_domain() {
    for ok in [
        "ana@example.com",
        "a.b+c@mail.bank.example",
        " 王@例子.中国 ",
    ] {
        assert_eq!(
            check_contact(ContactWay::Email, ok),
            Ok(ok.trim().to_owned()),
            "{ok}"
        );
    }
    let longest = format!("{}@example.com", "a".repeat(MAX_EMAIL_CHARS - 12));
    assert_eq!(longest.chars().count(), MAX_EMAIL_CHARS);
    assert!(check_contact(ContactWay::Email, &longest).is_ok());
    for (bad, code) in [
        (format!("a{longest}"), ProblemCode::TooLong),
        ("ana.example.com".into(), ProblemCode::BadEmail),
        ("@example.com".into(), ProblemCode::BadEmail),
        ("ana@example".into(), ProblemCode::BadEmail),
        ("ana@.example.com".into(), ProblemCode::BadEmail),
        ("ana@example.com.".into(), ProblemCode::BadEmail),
        ("ana@b@example.com".into(), ProblemCode::BadEmail),
        ("ana maria@example.com".into(), ProblemCode::BadEmail),
        ("ana@exa\u{1b}mple.com".into(), ProblemCode::BadEmail),
        ("".into(), ProblemCode::Empty),
    ] {
        assert_eq!(check_contact(ContactWay::Email, &bad), Err(code), "{bad:?}");
    }
}
