//! The scorecard's figures on small hand-worked sets: commitments against
//! their targets, the items behind a score, waits by hour and weekday, and
//! the change since the previous period.
//!
//! Wilson intervals below are worked from the score-interval formula:
//! centre (p + z²/2n)/(1 + z²/n), half-width z·√(p(1−p)/n + z²/4n²)/(1 + z²/n),
//! z = 1.959964.

use branchpulse_core::aggregate::{aggregate_responses, items_of_responses, Filter};
use branchpulse_core::protocol::Branch;
use branchpulse_core::questionnaire;
use branchpulse_core::scorecard::{slot_of, Definitions, Standing};
use branchpulse_core::stats::Movement;
use branchpulse_core::{ProblemCode, Questionnaire, Response};
use serde_json::{json, Value};
use time::macros::{date, datetime};

fn shop_json(commitment: Value) -> Value {
    json!({
        "id": "visit", "version": 1, "kind": "mystery_shop",
        "title": { "en": "Visit" }, "languages": ["en"],
        "sections": [
            { "id": "service", "title": { "en": "Service" }, "items": [
                { "id": "greeted", "type": "yes_no", "dimension": "empathy",
                  "text": { "en": "Greeted within a minute?" }, "commitment": commitment },
                { "id": "clean", "type": "yes_no", "dimension": "environment",
                  "text": { "en": "Clean hall?" } }
            ]},
            { "id": "waiting", "title": { "en": "Waiting" }, "items": [
                { "id": "wait", "type": "seconds", "target": 600, "max": 14400,
                  "dimension": "process_convenience", "text": { "en": "Wait" } }
            ]}
        ]
    })
}

fn shop() -> Questionnaire {
    let commitment = json!({ "label": { "en": "Greeted within a minute" }, "target": 80 });
    questionnaire::load("visit.json", &shop_json(commitment).to_string()).unwrap()
}

fn lobby() -> Questionnaire {
    let q = json!({
        "id": "lobby", "version": 1, "kind": "kiosk",
        "title": { "en": "Lobby" }, "languages": ["en"],
        "sections": [{ "id": "visit", "title": { "en": "Visit" }, "items": [
            { "id": "overall", "type": "rating", "text": { "en": "Overall?" } },
            { "id": "care", "type": "rating", "dimension": "empathy", "text": { "en": "Care?" } }
        ]}]
    });
    questionnaire::load("lobby.json", &q.to_string()).unwrap()
}

fn branches() -> Vec<Branch> {
    ["A", "B", "C", "D"]
        .iter()
        .map(|c| Branch {
            code: (*c).into(),
            name: format!("Branch {c}"),
            region: "North".into(),
            active: true,
            format: None,
        })
        .collect()
}

fn response(n: u128, branch: &str, q: &Questionnaire, at: &str, answers: Value) -> Response {
    let channel = match q.kind {
        branchpulse_core::Kind::Kiosk => "kiosk",
        branchpulse_core::Kind::MysteryShop => "mystery_shop",
    };
    serde_json::from_value(json!({
        "id": uuid::Uuid::from_u128(n),
        "questionnaire_id": q.id, "questionnaire_version": q.version,
        "branch": branch, "device_id": "d", "channel": channel, "locale": "en",
        "started_at": at, "submitted_at": at,
        "answers": answers,
    }))
    .unwrap()
}

fn greeted(yes: bool) -> Value {
    json!({ "greeted": { "type": "yes_no", "value": if yes { "yes" } else { "no" } } })
}

#[track_caller]
fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() < 5e-4,
        "got {actual}, expected {expected}"
    );
}

#[test]
fn a_commitment_is_measured_by_a_yes_no_rating_targeted_seconds_or_call_item() {
    let refused = |item: Value| {
        let mut q = shop_json(json!({ "label": { "en": "x" }, "target": 80 }));
        q["sections"][0]["items"][0] = item;
        questionnaire::load("q.json", &q.to_string()).unwrap_err()
    };
    let commitment = json!({ "label": { "en": "Promise" }, "target": 95 });
    let e = refused(
        json!({ "id": "why", "type": "text", "text": { "en": "Why?" },
        "commitment": commitment }),
    );
    assert_eq!(e.code, ProblemCode::QuestionnaireInvalid, "{e}");
    assert_eq!(e.item.as_deref(), Some("why"));
    assert!(
        e.to_string().contains("yes_no, rating, seconds or call"),
        "{e}"
    );
    let e = refused(
        json!({ "id": "w", "type": "seconds", "text": { "en": "Wait" },
        "commitment": commitment }),
    );
    assert!(e.to_string().contains("needs the item's \"target\""), "{e}");
    let e = refused(json!({ "id": "g", "type": "yes_no", "text": { "en": "G?" },
        "commitment": { "label": { "en": "Promise" }, "target": 120 } }));
    assert!(e.to_string().contains("commitment.target is 120"), "{e}");
    // A label missing a language of the questionnaire is refused like any text.
    let mut q = shop_json(json!({ "label": { "en": "Greeted" }, "target": 80 }));
    q["languages"] = json!(["en", "es"]);
    q["title"]["es"] = json!("Visita");
    for s in q["sections"].as_array_mut().unwrap() {
        s["title"]["es"] = json!("S");
        for i in s["items"].as_array_mut().unwrap() {
            i["text"]["es"] = json!("T");
        }
    }
    let e = questionnaire::load("q.json", &q.to_string()).unwrap_err();
    assert!(e.to_string().contains("commitment.label"), "{e}");
}

#[test]
fn commitments_stand_against_their_target_by_their_interval() {
    let q = shop();
    let mut responses = Vec::new();
    let mut id = 0;
    // (branch, yes, no): A 38/40, B 12/30, C 25/30, D 9/10.
    for (branch, yes, no) in [("A", 38, 2), ("B", 12, 18), ("C", 25, 5), ("D", 9, 1)] {
        for k in 0..yes + no {
            id += 1;
            let at = "2026-03-02T10:00:00+08:00";
            responses.push(response(id, branch, &q, at, greeted(k < yes)));
        }
    }
    let defs = Definitions::of([&q]);
    assert_eq!(defs.commitments.len(), 1);
    assert_eq!(defs.wait_target, Some(600));
    let a = aggregate_responses(
        &Filter::default(),
        &branches(),
        &defs,
        &responses,
        |_, _| Some(&q),
    );
    let by = |code: &str| {
        let b = a.branches.iter().find(|b| b.code == code).unwrap();
        b.figures.commitments[0].clone()
    };
    // A: p = 0.95 → [83.4961, 98.6179]; the whole interval is at or above 80.
    let c = by("A");
    assert_eq!((c.item.as_str(), c.target, c.rate.n), ("greeted", 80.0, 40));
    let e = c.rate.estimate.unwrap();
    close(e.value, 95.0);
    close(e.low, 83.4961);
    close(e.high, 98.6179);
    assert_eq!(c.standing, Some(Standing::Met));
    // B: 12/30 = 40 % → [24.5906, 57.6796], all below 80.
    let e = by("B").rate.estimate.unwrap();
    close(e.low, 24.5906);
    close(e.high, 57.6796);
    assert_eq!(by("B").standing, Some(Standing::Missed));
    // C: 25/30 → [66.4356, 92.6635] spans 80: not known yet.
    assert_eq!(by("C").standing, Some(Standing::Unclear));
    // D: 9 of 10 is too few to say anything.
    assert!(by("D").rate.too_few);
    assert_eq!(by("D").standing, None);
    // The figures carry the words of what they name, for readers who are
    // not given the mystery-shop questionnaire.
    let name = &a.names["visit"]["greeted"];
    assert_eq!(
        name.text.get(branchpulse_core::Locale::En),
        "Greeted within a minute?"
    );
    let label = name.commitment.as_ref().unwrap();
    assert_eq!(
        label.get(branchpulse_core::Locale::En),
        "Greeted within a minute"
    );
    assert!(
        !a.names["visit"].contains_key("clean"),
        "only the items named"
    );
    // The network: 84/110.
    assert_eq!(a.network.commitments[0].rate.n, 110);
    close(
        a.network.commitments[0].rate.estimate.unwrap().value,
        84.0 / 110.0 * 100.0,
    );
}

#[test]
fn waits_by_hour_and_weekday_in_the_branch_time() {
    let q = shop();
    let visit = |n, arrived: &str, seconds: u32| {
        let mut r = response(
            n,
            "A",
            &q,
            "2026-03-03T18:00:00+08:00",
            json!({ "wait": { "type": "seconds", "value": seconds } }),
        );
        r.visit = Some(serde_json::from_value(json!({ "arrived_at": arrived })).unwrap());
        r
    };
    // 2026-03-02 is a Monday.
    let responses = [
        visit(1, "2026-03-02T12:30:00+08:00", 900),
        visit(2, "2026-03-02T12:10:00+08:00", 300),
        visit(3, "2026-03-03T09:05:00+08:00", 100),
    ];
    assert_eq!(slot_of(datetime!(2026-03-02 12:30 +08:00)), 12);
    let defs = Definitions::of([&q]);
    let a = aggregate_responses(
        &Filter::default(),
        &branches(),
        &defs,
        &responses,
        |_, _| Some(&q),
    );
    let w = &a.network.wait;
    assert_eq!(w.target, Some(600));
    // 2 of 3 waited no more than 600 s.
    assert_eq!(w.within_target.n, 3);
    close(w.within_target.estimate.unwrap().value, 200.0 / 3.0);
    assert_eq!(w.slots.len(), 2);
    let monday_noon = w.slots[0];
    assert_eq!((monday_noon.weekday, monday_noon.hour), (0, 12));
    assert_eq!((monday_noon.n, monday_noon.over_target), (2, 1));
    close(monday_noon.mean, 600.0);
    assert_eq!(
        (w.slots[1].weekday, w.slots[1].hour, w.slots[1].n),
        (1, 9, 1)
    );
}

#[test]
fn the_previous_period_has_the_same_length() {
    let f = Filter::from_query("from=2026-03-01&to=2026-03-31&branches=A").unwrap();
    let p = f.previous().unwrap();
    assert_eq!(
        (p.from, p.to),
        (Some(date!(2026 - 01 - 29)), Some(date!(2026 - 02 - 28)))
    );
    assert_eq!(p.branches, ["A"]);
    assert_eq!(
        Filter::from_query("from=2026-03-01").unwrap().previous(),
        None
    );
    // Never before the earliest day a filter accepts.
    assert_eq!(
        Filter::from_query("from=2000-01-01&to=2000-01-10")
            .unwrap()
            .previous(),
        None
    );
}

#[test]
fn headline_figures_change_only_where_the_intervals_say_so() {
    let q = lobby();
    let mut responses = Vec::new();
    let mut id = 0;
    let mut add = |branch: &str, day: &str, rating: u8, count: usize| {
        for _ in 0..count {
            id += 1;
            let at = format!("{day}T10:00:00+08:00");
            let answers = json!({ "overall": { "type": "rating", "value": rating } });
            responses.push(response(id, branch, &q, &at, answers));
        }
    };
    // A: before, 10 fives and 30 twos; now, 30 fives and 10 ones.
    add("A", "2026-02-20", 5, 10);
    add("A", "2026-02-20", 2, 30);
    add("A", "2026-03-05", 5, 30);
    add("A", "2026-03-05", 1, 10);
    // B: 20 fives and 10 ones in both periods.
    for day in ["2026-02-20", "2026-03-05"] {
        add("B", day, 5, 20);
        add("B", day, 1, 10);
    }
    let filter = Filter::from_query("from=2026-03-02&to=2026-03-15").unwrap();
    let defs = Definitions::default();
    let a = aggregate_responses(&filter, &branches(), &defs, &responses, |_, _| Some(&q));
    let fig = |code: &str| &a.branches.iter().find(|b| b.code == code).unwrap().figures;
    let now = fig("A");
    // CSAT 30/40 = 75 % [59.8060, 85.8129]; before 10/40 = 25 % [14.1871, 40.1940].
    let change = now.change.as_ref().unwrap();
    assert_eq!(
        (change.from, change.to),
        (date!(2026 - 02 - 16), date!(2026 - 03 - 01))
    );
    let d = change.csat.difference.unwrap();
    close(d.value, 50.0);
    // 50 − √((75 − 59.8060)² + (40.1940 − 25)²) and 50 + √((85.8129 − 75)² + (25 − 14.1871)²).
    close(d.low, 50.0 - (15.1940f64).hypot(15.1940));
    close(d.high, 50.0 + (10.8129f64).hypot(10.8129));
    assert_eq!(change.csat.movement, Some(Movement::Up));
    close(change.csat.previous.estimate.unwrap().value, 25.0);
    // Satisfaction: now (30·5 + 10·1)/40 = 4.0, s² = (30·1² + 10·3²)/39,
    // half-width t(0.975, 39)·s/√40 = 2.0226909 · 0.2773501 = 0.56097.
    let s = now.satisfaction.estimate.unwrap();
    close(s.value, 4.0);
    close(s.low, 4.0 - 0.56097);
    close(s.high, 4.0 + 0.56097);
    close(change.satisfaction.previous.estimate.unwrap().value, 2.75);
    assert_eq!(change.satisfaction.movement, Some(Movement::Up));
    // B did not move: same answers in both periods.
    let b = fig("B").change.as_ref().unwrap();
    close(b.csat.difference.unwrap().value, 0.0);
    assert_eq!(b.csat.movement, Some(Movement::Steady));
    // C has no answers: no difference, nothing flagged.
    let c = fig("C").change.as_ref().unwrap();
    assert_eq!((c.csat.difference, c.csat.movement), (None, None));
    // Without both dates there is no previous period.
    let all = aggregate_responses(
        &Filter::default(),
        &branches(),
        &defs,
        &responses,
        |_, _| Some(&q),
    );
    assert!(all.network.change.is_none());
    // A branch's own totals change as the branch does.
    let one = Filter::from_query("from=2026-03-02&to=2026-03-15&branches=A").unwrap();
    let a_only = aggregate_responses(&one, &branches(), &defs, &responses, |_, _| Some(&q));
    let moved = a_only.selection.as_ref().unwrap().change.as_ref().unwrap();
    assert_eq!(moved.csat.difference, change.csat.difference);
    assert_eq!(moved.satisfaction.movement, Some(Movement::Up));
}

#[test]
fn items_behind_a_score_in_questionnaire_order() {
    let (q, l) = (shop(), lobby());
    let mut responses = Vec::new();
    for k in 0..40u128 {
        let yes = k < 38;
        let mut answers = greeted(yes);
        answers["clean"] = json!({ "type": "yes_no", "value": if k < 20 { "yes" } else { "no" } });
        responses.push(response(k, "A", &q, "2026-03-02T10:00:00+08:00", answers));
        // The lobby: 30 ratings of 5 and 10 of 1 for care.
        let care = if k < 30 { 5 } else { 1 };
        let answers = json!({ "care": { "type": "rating", "value": care } });
        responses.push(response(
            1000 + k,
            "B",
            &l,
            "2026-03-02T11:00:00+08:00",
            answers,
        ));
    }
    let filter = Filter::from_query("branches=A,B").unwrap();
    let items = items_of_responses(&filter, &branches(), &[&l, &q], &responses, |id, _| {
        Some(if id == "lobby" { &l } else { &q })
    });
    // The network: lobby's care, then the visit's items in their order.
    let names: Vec<_> = items.network.iter().map(|i| i.item.as_str()).collect();
    assert_eq!(names, ["care", "greeted", "clean"]);
    let a = &items.branches[0];
    assert_eq!(a.code, "A");
    let greeted = &a.items[0];
    assert!(greeted.yes_no);
    let e = greeted.figure.estimate.unwrap();
    close(e.value, 95.0);
    close(e.low, 83.4961);
    // Care, a rating: scores 100 (30) and 0 (10), mean 75, s² = 75000/39,
    // half-width 2.0226909 · 6.9337525 = 14.02496.
    let care = &items.branches[1].items[0];
    assert!(!care.yes_no);
    let e = care.figure.estimate.unwrap();
    close(e.value, 75.0);
    close(e.low, 75.0 - 14.02496);
    assert_eq!(care.dimension, Some(branchpulse_core::Dimension::Empathy));
    // Names are a map (looked up, not listed): by questionnaire, then id.
    let named: Vec<_> = items.names.values().flat_map(|m| m.keys()).collect();
    assert_eq!(named, ["care", "clean", "greeted"]);
}

/// A call item is a rate like a yes/no item: the percent of calls answered
/// within its rings, and its commitment counts every call made.
#[test]
fn a_call_item_is_the_rate_answered_within_its_rings() {
    let q = questionnaire::load(
        "phone.json",
        &json!({
            "id": "phone", "version": 1, "kind": "mystery_shop",
            "title": { "en": "Phone" }, "languages": ["en"],
            "sections": [{ "id": "phone", "title": { "en": "Phone" }, "items": [
                { "id": "rings", "type": "call", "max_rings": 3, "dimension": "process_convenience",
                  "text": { "en": "Count the rings" },
                  "commitment": { "label": { "en": "Within three rings" }, "target": 90 } },
                { "id": "answered", "type": "yes_no", "from_call": "rings",
                  "dimension": "process_convenience", "text": { "en": "Answered?" } }
            ]}]
        })
        .to_string(),
    )
    .unwrap();
    // 40 calls: 30 answered at the 2nd ring, 6 at the 5th, 4 not answered.
    let responses: Vec<Response> = (0..40u128)
        .map(|k| {
            let (rings, answered) = match k {
                0..30 => (2, true),
                30..36 => (5, true),
                _ => (9, false),
            };
            let answers = json!({
                "rings": { "type": "call", "value": { "rings": rings, "answered": answered, "seconds": rings * 5 } },
                "answered": { "type": "yes_no", "value": if answered { "yes" } else { "no" } },
            });
            response(k, "A", &q, "2026-03-02T10:00:00+08:00", answers)
        })
        .collect();
    let filter = Filter::from_query("branches=A").unwrap();
    let items = items_of_responses(&filter, &branches(), &[&q], &responses, |_, _| Some(&q));
    let a = &items.branches[0];
    let rings = a.items.iter().find(|i| i.item == "rings").unwrap();
    assert_eq!(rings.max_rings, Some(3));
    assert!(!rings.yes_no);
    // 30 of 40 = 75 [59.8060, 85.8129], Wilson as a rate.
    let e = rings.figure.estimate.unwrap();
    assert_eq!(e.n, 40);
    close(e.value, 75.0);
    close(e.low, 59.8060);
    close(e.high, 85.8129);
    // The call-loss rate from the same taps: 36 of 40 answered = 90 [76.9482, 96.0420].
    let answered = a.items.iter().find(|i| i.item == "answered").unwrap();
    assert!(answered.yes_no && answered.max_rings.is_none());
    let e = answered.figure.estimate.unwrap();
    close(e.value, 90.0);
    close(e.low, 76.9482);
    // The commitment: 30 of 40 within three rings, all of the interval below 90 → missed.
    let defs = Definitions::of([&q]);
    let agg = aggregate_responses(&filter, &branches(), &defs, &responses, |_, _| Some(&q));
    let c = agg.branches[0]
        .figures
        .commitments
        .iter()
        .find(|c| c.item == "rings")
        .unwrap();
    close(c.rate.estimate.unwrap().value, 75.0);
    assert_eq!(c.standing, Some(Standing::Missed));
}

#[test]
fn items_are_compared_with_their_peers_on_request() {
    use branchpulse_core::aggregate::Reference;
    use branchpulse_core::stats::Comparison;
    let q = shop();
    let mut branches = branches();
    for (b, format) in branches
        .iter_mut()
        .zip([Some("x"), Some("x"), Some("y"), None])
    {
        b.format = format.map(str::to_owned);
    }
    // Greeted: A 36 of 40, B 12, C 20, D 20.
    let mut responses = Vec::new();
    for (i, (code, yes)) in [("A", 36), ("B", 12), ("C", 20), ("D", 20)]
        .into_iter()
        .enumerate()
    {
        for k in 0..40u128 {
            let n = i as u128 * 100 + k;
            let at = "2026-03-02T10:00:00+08:00";
            responses.push(response(n, code, &q, at, greeted(k < yes)));
        }
    }
    let items = |query: &str| {
        let filter = Filter::from_query(query).unwrap();
        items_of_responses(&filter, &branches, &[&q], &responses, |_, _| Some(&q))
    };
    let greeted = |items: &branchpulse_core::scorecard::Items| -> Vec<Option<Comparison>> {
        items
            .branches
            .iter()
            .map(|b| b.items[0].figure.comparison)
            .collect()
    };
    // Peers: format x is A and B, 48/80 = 60 %. A (90 %): score test z =
    // 0.3/√(0.24/40) = 3.873, p = 0.000107; B (30 %) the same below. C is
    // format y alone (p = 1), D has no format. Three tests; k = 2: 0.000107
    // ≤ 2 · 0.05/3.
    let p = items("against=peers");
    assert_eq!(p.peers["x"][0].figure.estimate.unwrap().value, 60.0);
    assert_eq!(p.peers["y"][0].figure.estimate.unwrap().value, 50.0);
    assert_eq!(p.peers.len(), 2);
    assert_eq!(
        greeted(&p),
        [
            Some(Comparison::Better),
            Some(Comparison::Worse),
            Some(Comparison::Indistinguishable),
            None
        ]
    );
    assert_eq!(
        (p.flags.compared_with, p.flags.tests, p.flags.flagged),
        (Reference::Peers, 3, 2)
    );
    // The network (88/160 = 55 %): A z = 0.35/√(0.2475/40) = 4.45, B z =
    // −3.18 (p = 0.00147), C and D z = −0.636 (p = 0.52). Four tests; k = 2:
    // 0.00147 ≤ 0.025, k = 3: 0.52 > 0.0375.
    let n = items("");
    assert!(n.peers.is_empty());
    assert_eq!(
        greeted(&n),
        [
            Some(Comparison::Better),
            Some(Comparison::Worse),
            Some(Comparison::Indistinguishable),
            Some(Comparison::Indistinguishable)
        ]
    );
    assert_eq!(
        (n.flags.compared_with, n.flags.tests, n.flags.flagged),
        (Reference::Network, 4, 2)
    );
    // A format chosen: its branches alone, each other's peers.
    let x = items("format=x&against=peers");
    let codes: Vec<&str> = x.branches.iter().map(|b| b.code.as_str()).collect();
    assert_eq!(codes, ["A", "B"]);
    assert_eq!(
        greeted(&x),
        [Some(Comparison::Better), Some(Comparison::Worse)]
    );
}
