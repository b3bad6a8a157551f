//! The limits on a questionnaire file: each refused with the limit and the
//! place named, and checking and scoring stay linear in the file's size.

use branchpulse_core::questionnaire::{
    self, LoadError, MAX_ID_CHARS, MAX_ITEMS, MAX_OPTIONS, MAX_SECTIONS, MAX_SHOW_IF_DEPTH,
    MAX_TEXT_CHARS, MAX_WEIGHT,
};
use branchpulse_core::{score, Answer, Questionnaire, YesNo};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn text(s: &str) -> Value {
    json!({ "en": s })
}

fn yes_no(id: &str) -> Value {
    json!({ "id": id, "type": "yes_no", "dimension": "trust", "text": text("Q?") })
}

/// `yes_no(id)` shown when `target` is answered yes.
fn follow_up(id: &str, target: &str) -> Value {
    let mut item = yes_no(id);
    item["show_if"] = json!({ "item": target, "equals": { "type": "yes_no", "value": "yes" } });
    item
}

fn section(id: &str, items: Vec<Value>) -> Value {
    json!({ "id": id, "title": text("Part"), "items": items })
}

fn questionnaire(sections: Vec<Value>) -> Value {
    json!({
        "id": "big", "version": 1, "kind": "kiosk", "title": text("Big"),
        "languages": ["en"], "sections": sections
    })
}

/// Items `q0`, `q1`, … where each after the first follows the one before.
fn chain(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| match i {
            0 => yes_no("q0"),
            _ => follow_up(&format!("q{i}"), &format!("q{}", i - 1)),
        })
        .collect()
}

fn refused(q: &Value) -> LoadError {
    questionnaire::load("upload", &q.to_string()).expect_err("over a limit")
}

#[track_caller]
fn says(e: &LoadError, item: Option<&str>, words: &[&str]) {
    assert_eq!(e.item.as_deref(), item, "{e}");
    for w in words {
        assert!(e.to_string().contains(w), "should mention {w:?}: {e}");
    }
}

#[test]
fn a_questionnaire_at_every_limit_loads() {
    let per_section = MAX_ITEMS / MAX_SECTIONS;
    let mut sections = Vec::new();
    for s in 0..MAX_SECTIONS {
        let mut items: Vec<Value> = (0..per_section)
            .map(|i| {
                // Chains of the longest depth allowed, inside each section.
                let id = format!("s{s}_{i}");
                match i % (MAX_SHOW_IF_DEPTH + 1) {
                    0 => yes_no(&id),
                    _ => follow_up(&id, &format!("s{s}_{}", i - 1)),
                }
            })
            .collect();
        items[0]["text"] = text(&"t".repeat(MAX_TEXT_CHARS));
        items[0]["weight"] = json!(MAX_WEIGHT);
        sections.push(section(&format!("s{s}"), items));
    }
    let options: Vec<Value> = (0..MAX_OPTIONS)
        .map(|o| json!({ "id": format!("o{o}"), "label": text("o") }))
        .collect();
    // The last item of a section starts a chain no item follows.
    sections[0]["items"][per_section - 1] = json!({ "id": "x".repeat(MAX_ID_CHARS), "type": "choice",
        "options": options, "text": text("Pick") });
    let q = questionnaire(sections);
    let loaded = questionnaire::load("upload", &q.to_string()).unwrap();
    assert_eq!(loaded.items().count(), MAX_ITEMS);
}

#[test]
fn too_many_sections_are_refused() {
    let sections = (0..=MAX_SECTIONS)
        .map(|s| section(&format!("s{s}"), vec![yes_no(&format!("q{s}"))]))
        .collect();
    let e = refused(&questionnaire(sections));
    says(&e, None, &["sections", "51 sections", "at most 50"]);
}

#[test]
fn too_many_items_are_refused() {
    let items = (0..=MAX_ITEMS).map(|i| yes_no(&format!("q{i}"))).collect();
    let e = refused(&questionnaire(vec![section("main", items)]));
    says(&e, None, &["501 items", "at most 500"]);
}

#[test]
fn too_many_options_are_refused() {
    let options: Vec<Value> = (0..=MAX_OPTIONS)
        .map(|o| json!({ "id": format!("o{o}"), "label": text("o") }))
        .collect();
    let item = json!({ "id": "pick", "type": "choice", "options": options, "text": text("Pick") });
    let e = refused(&questionnaire(vec![section("main", vec![item])]));
    says(&e, Some("pick"), &["options", "51 options", "at most 50"]);
}

#[test]
fn overlong_texts_are_refused_wherever_they_are() {
    let long = "長".repeat(MAX_TEXT_CHARS + 1);
    let mut q = questionnaire(vec![section("main", vec![yes_no("a")])]);
    q["title"] = text(&long);
    says(
        &refused(&q),
        None,
        &["title", "2001 characters", "at most 2000"],
    );

    let mut q = questionnaire(vec![section("main", vec![yes_no("a")])]);
    q["sections"][0]["items"][0]["help"] = text(&long);
    says(&refused(&q), Some("a"), &["help", "2001 characters"]);

    // A translation in a language the questionnaire does not offer, too.
    let mut q = questionnaire(vec![section("main", vec![yes_no("a")])]);
    q["sections"][0]["title"] = json!({ "en": "Part", "es": long });
    says(
        &refused(&q),
        Some("main"),
        &["title", "\"es\"", "2001 characters"],
    );

    let options =
        json!([{ "id": "o1", "label": text("one") }, { "id": "o2", "label": text(&long) }]);
    let item = json!({ "id": "pick", "type": "choice", "options": options, "text": text("Pick") });
    let e = refused(&questionnaire(vec![section("main", vec![item])]));
    says(
        &e,
        Some("pick"),
        &["option \"o2\" label", "2001 characters"],
    );
}

#[test]
fn control_characters_in_texts_are_refused_naming_the_place() {
    let mut q = questionnaire(vec![section("main", vec![yes_no("a")])]);
    q["sections"][0]["items"][0]["text"] = text("Friendly\u{0}?");
    says(&refused(&q), Some("a"), &["text", "U+0000"]);

    let mut q = questionnaire(vec![section("main", vec![yes_no("a")])]);
    q["title"] = text("Lobby\u{1b}[31m");
    says(&refused(&q), None, &["title", "U+001B"]);

    // Line breaks and tabs are text.
    let mut q = questionnaire(vec![section("main", vec![yes_no("a")])]);
    q["sections"][0]["items"][0]["text"] = text("Line one\r\nline\ttwo");
    questionnaire::load("upload", &q.to_string()).expect("tab and line breaks are allowed");
}

#[test]
fn overlong_ids_are_refused() {
    let long = "x".repeat(MAX_ID_CHARS + 1);
    let e = refused(&questionnaire(vec![section("main", vec![yes_no(&long)])]));
    says(&e, Some(&long), &["item id", "65 characters", "at most 64"]);
    let e = refused(&questionnaire(vec![section(&long, vec![yes_no("a")])]));
    says(&e, Some(&long), &["section", "id is 65 characters"]);
}

#[test]
fn huge_weights_are_refused() {
    let mut q = questionnaire(vec![section("main", vec![yes_no("a")])]);
    q["sections"][0]["items"][0]["weight"] = json!(1e300);
    says(&refused(&q), Some("a"), &["weight", "at most 1000"]);
}

#[test]
fn a_show_if_chain_longer_than_the_limit_is_refused() {
    let fits = questionnaire(vec![section("main", chain(MAX_SHOW_IF_DEPTH + 1))]);
    questionnaire::load("upload", &fits.to_string()).unwrap();
    let too_long = questionnaire(vec![section("main", chain(MAX_SHOW_IF_DEPTH + 2))]);
    let e = refused(&too_long);
    says(&e, Some("q9"), &["show_if", "9 long", "at most 8"]);
}

/// The upload of the issue: 8,900 items in one show_if chain. Refused,
/// and quickly (the check used to be far from linear).
#[test]
fn the_8900_item_chain_is_refused_at_once() {
    let q = questionnaire(vec![section("main", chain(8_900))]).to_string();
    let started = Instant::now();
    let e = questionnaire::load("upload", &q).unwrap_err();
    says(&e, None, &["8900 items", "at most 500"]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

/// A questionnaire built by hand (not through `load`) with the 8,900-item
/// chain: scoring a response that answers everything takes one pass, and
/// items deeper than the limit count as hidden, in `shown` and `visible` alike.
#[test]
fn scoring_stays_linear_on_a_hand_built_long_chain() {
    let q: Questionnaire =
        serde_json::from_value(questionnaire(vec![section("main", chain(8_900))])).unwrap();
    let answers: BTreeMap<String, Answer> = (0..8_900)
        .map(|i| (format!("q{i}"), Answer::YesNo(YesNo::Yes)))
        .collect();
    let started = Instant::now();
    let card = score::score(&q, &answers);
    let shown = q.shown(&answers);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(shown.len(), MAX_SHOW_IF_DEPTH + 1);
    assert_eq!(card.overall, Some(100.0));
    for (i, item) in q.items().enumerate().take(20) {
        assert_eq!(q.visible(item, &answers), i <= MAX_SHOW_IF_DEPTH, "q{i}");
        assert_eq!(
            shown.contains(item.id.as_str()),
            i <= MAX_SHOW_IF_DEPTH,
            "q{i}"
        );
    }
}

/// `shown` is `visible` asked of every item, on loaded questionnaires and
/// every combination of answers to a chain with a branch.
#[test]
fn shown_agrees_with_visible() {
    let mut items = chain(4);
    items.push(follow_up("side", "q1"));
    let q = questionnaire::load(
        "upload",
        &questionnaire(vec![section("main", items)]).to_string(),
    )
    .unwrap();
    let ids: Vec<String> = q.items().map(|i| i.id.clone()).collect();
    for mask in 0..(3u32.pow(ids.len() as u32)) {
        let mut answers = BTreeMap::new();
        let mut m = mask;
        for id in &ids {
            match m % 3 {
                0 => {}
                1 => {
                    answers.insert(id.clone(), Answer::YesNo(YesNo::Yes));
                }
                _ => {
                    answers.insert(id.clone(), Answer::YesNo(YesNo::No));
                }
            }
            m /= 3;
        }
        let shown = q.shown(&answers);
        for item in q.items() {
            assert_eq!(
                shown.contains(item.id.as_str()),
                q.visible(item, &answers),
                "{} with {answers:?}",
                item.id
            );
        }
    }
}

mod filter_dates {
    use branchpulse_core::aggregate::{
        aggregate, week_start, CommentQuery, Filter, FilterError, Part, Rollup, EARLIEST_DAY,
        LATEST_DAY, MAX_TREND_WEEKS,
    };
    use branchpulse_core::protocol::Branch;
    use branchpulse_core::scorecard::Definitions;
    use time::macros::date;
    use time::{Date, Duration, Weekday};

    #[test]
    fn dates_outside_the_range_are_refused_naming_the_parameter() {
        for (query, param) in [
            ("from=9999-12-31", "from"),
            ("to=9999-12-31", "to"),
            ("from=-9999-01-01", "from"),
            ("from=1999-12-31", "from"),
            ("to=2101-01-01", "to"),
            ("from=2026-01-01&to=9999-12-31", "to"),
        ] {
            let e = Filter::from_query(query).unwrap_err();
            assert!(
                matches!(&e, FilterError::OutOfRange { param: p, .. } if *p == param)
                    || matches!(&e, FilterError::BadDate { param: p, .. } if *p == param),
                "{query}: {e:?}"
            );
            assert!(e.to_string().starts_with(&format!("{param}: ")), "{e}");
            let e = CommentQuery::from_query(query).unwrap_err();
            assert!(e.to_string().starts_with(&format!("{param}: ")), "{e}");
        }
        let e = Filter::from_query("from=9999-12-31")
            .unwrap_err()
            .to_string();
        assert!(e.contains("2000-01-01 to 2100-12-31"), "{e}");
        let f = Filter::from_query("from=2000-01-01&to=2100-12-31").unwrap();
        assert_eq!((f.from, f.to), (Some(EARLIEST_DAY), Some(LATEST_DAY)));
        let e = Filter::from_query("from=2026-03-02&to=2026-03-01").unwrap_err();
        assert!(matches!(e, FilterError::EmptyRange { .. }), "{e:?}");
    }

    #[test]
    fn week_start_never_panics() {
        for day in [Date::MIN, Date::MAX, date!(2026 - 03 - 08)] {
            let monday = week_start(day);
            assert!(monday <= day && day - monday < Duration::weeks(1), "{day}");
        }
        assert_eq!(week_start(date!(2026 - 03 - 08)).weekday(), Weekday::Monday);
    }

    fn branches() -> Vec<Branch> {
        vec![Branch {
            code: "N01".into(),
            name: "Harbour".into(),
            region: "North".into(),
            active: true,
            format: None,
        }]
    }

    fn part(week: Date) -> Part {
        Part {
            branch: "N01".into(),
            week,
            rollup: Rollup {
                n: 1,
                ..Rollup::default()
            },
        }
    }

    #[test]
    fn the_widest_range_gives_a_bounded_trend() {
        let f = Filter::from_query("from=2000-01-01&to=2100-12-31").unwrap();
        // No data: the latest weeks of the range, no more than the cap.
        let a = aggregate(&f, &branches(), &Definitions::default(), Vec::new());
        assert_eq!(a.trend.len(), MAX_TREND_WEEKS);
        assert_eq!(a.trend.last().unwrap().start, week_start(LATEST_DAY));
        assert_eq!(a.branches[0].trend.len(), MAX_TREND_WEEKS);
        // With data: narrowed to the weeks with data.
        let weeks = [date!(2026 - 01 - 05), date!(2026 - 03 - 02)];
        let a = aggregate(&f, &branches(), &Definitions::default(), weeks.map(part));
        assert_eq!(a.trend.len(), 9);
        assert_eq!(a.trend[0].start, weeks[0]);
        assert_eq!(a.trend[8].start, weeks[1]);
        assert_eq!(a.network.n, 2);
        // Data further apart than the cap: its latest weeks, all still counted.
        let weeks = [date!(2000 - 01 - 03), date!(2100 - 12 - 27)];
        let a = aggregate(
            &Filter::default(),
            &branches(),
            &Definitions::default(),
            weeks.map(part),
        );
        assert_eq!(a.trend.len(), MAX_TREND_WEEKS);
        assert_eq!(a.trend.last().unwrap().start, weeks[1]);
        assert_eq!(a.network.n, 2);
        // A range that fits keeps its empty weeks.
        let f = Filter::from_query("from=2026-01-05&to=2026-03-29").unwrap();
        assert_eq!(
            aggregate(&f, &branches(), &Definitions::default(), Vec::new())
                .trend
                .len(),
            12
        );
    }
}

#[test]
fn a_shape_error_names_its_exact_place_even_when_too_deep_to_read() {
    let mut q = questionnaire(vec![section("main", vec![yes_no("a"), yes_no("b")])]);
    q["sections"][0]["items"][1]["type"] = json!([]);
    let e = refused(&q).to_string();
    // `type` is the tag of the item's kind, which the path stops before.
    assert!(
        e.contains("field \"type\"") && e.contains("`sections[0].items[1]`"),
        "{e}"
    );

    // A number is not a type, though serde would read it as the first one.
    q["sections"][0]["items"][1]["type"] = json!(0);
    let e = refused(&q).to_string();
    assert!(
        e.contains("field \"type\": must be the item type's name"),
        "{e}"
    );
    q["sections"][0]["items"][1]["type"] = json!([]);

    // Nested past what a JSON reader will follow: still placed.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let text = q
        .to_string()
        .replace("\"type\":[]", &format!("\"type\":{deep}"));
    let e = questionnaire::load("upload", &text).expect_err("too deep");
    let e = e.to_string();
    assert!(
        e.contains("at `sections[0].items[1].type[0]") && e.len() < 300,
        "{e}"
    );
}
