//! Loading questionnaires: a mistake in a file names the file, the item and the problem.

use branchpulse_core::questionnaire::{self, LoadError};
use branchpulse_core::{Answer, Dimension, ItemKind, Kind, Locale, YesNo};
use serde_json::{json, Value};

/// A small valid kiosk questionnaire in English and Spanish, as JSON, for a
/// test to break in one place.
fn base() -> Value {
    json!({
        "id": "lobby", "version": 3, "kind": "kiosk",
        "title": { "en": "Your visit", "es": "Su visita" },
        "languages": ["en", "es"],
        "sections": [
            { "id": "main", "title": { "en": "Visit", "es": "Visita" }, "items": [
                { "id": "staff", "dimension": "empathy", "type": "rating",
                  "text": { "en": "Staff?", "es": "¿Personal?" }, "required": true },
                { "id": "waited", "dimension": "process_convenience", "type": "yes_no",
                  "text": { "en": "Did you wait?", "es": "¿Esperó?" } },
                { "id": "why", "type": "text",
                  "text": { "en": "Why?", "es": "¿Por qué?" },
                  "show_if": { "item": "waited", "equals": { "type": "yes_no", "value": "yes" } } }
            ] },
            { "id": "end", "title": { "en": "End", "es": "Fin" }, "items": [
                { "id": "recommend", "type": "nps", "text": { "en": "Recommend?", "es": "¿Recomendaría?" } }
            ] }
        ]
    })
}

/// The item at `section`, `index` of `q`, to edit.
fn item_mut(q: &mut Value, section: usize, index: usize) -> &mut serde_json::Map<String, Value> {
    q["sections"][section]["items"][index]
        .as_object_mut()
        .unwrap()
}

fn load_err(file: &str, q: &Value) -> LoadError {
    questionnaire::load(file, &q.to_string()).expect_err("the questionnaire should be refused")
}

/// The error names `file` and `item`, and its problem mentions every one of `words`.
#[track_caller]
fn assert_names(e: &LoadError, file: &str, item: Option<&str>, words: &[&str]) {
    assert_eq!(e.file, file, "{e}");
    assert_eq!(e.item.as_deref(), item, "{e}");
    for w in words {
        assert!(e.problem.contains(w), "problem should mention {w:?}: {e}");
    }
    let shown = e.to_string();
    assert!(shown.starts_with(&format!("{file}: ")), "{shown}");
    if let Some(item) = item {
        assert!(shown.contains(&format!("\"{item}\"")), "{shown}");
    }
}

#[test]
fn the_base_questionnaire_loads() {
    let q = questionnaire::load("lobby.json", &base().to_string()).unwrap();
    assert_eq!(q.id, "lobby");
    assert_eq!(q.version, 3);
    assert_eq!(q.kind, Kind::Kiosk);
    assert_eq!(q.languages, [Locale::En, Locale::Es]);
    assert_eq!(q.items().count(), 4);
    let staff = q.item("staff").unwrap();
    assert_eq!(staff.dimension, Some(Dimension::Empathy));
    assert_eq!(staff.kind, ItemKind::Rating);
    assert_eq!(staff.weight, 1.0, "weight defaults to 1");
    assert!(staff.required);
    assert!(
        !q.item("waited").unwrap().required,
        "required defaults to false"
    );
    assert_eq!(
        q.item("why").unwrap().kind,
        ItemKind::Text { max_len: 2000 }
    );
    assert_eq!(q.item("recommend").unwrap().dimension, None);
    assert_eq!(q.section("end").unwrap().items.len(), 1);
    assert_eq!(staff.text.get(Locale::Es), "¿Personal?");
}

#[test]
fn unknown_dimension() {
    let mut q = base();
    item_mut(&mut q, 0, 1).insert("dimension".into(), json!("speed"));
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("waited"),
        &["dimension", "speed", "empathy"],
    );
}

#[test]
fn duplicate_item_id_across_sections() {
    let mut q = base();
    item_mut(&mut q, 1, 0).insert("id".into(), json!("staff"));
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("staff"), &["used twice", "main"]);
}

#[test]
fn duplicate_item_id_in_one_section() {
    let mut q = base();
    item_mut(&mut q, 0, 1).insert("id".into(), json!("staff"));
    // The `show_if` of "why" still names "waited", but the duplicate comes first.
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("staff"), &["used twice"]);
}

#[test]
fn missing_translation_for_an_offered_language() {
    let mut q = base();
    item_mut(&mut q, 0, 0).insert("text".into(), json!({ "en": "Staff?" }));
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("staff"),
        &["text", "\"es\"", "translation"],
    );
}

#[test]
fn blank_translation() {
    let mut q = base();
    item_mut(&mut q, 1, 0).insert("text".into(), json!({ "en": "Recommend?", "es": "  " }));
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("recommend"), &["blank", "\"es\""]);
}

#[test]
fn missing_translation_of_an_option_label() {
    let mut q = base();
    let options = json!([
        { "id": "a", "label": { "en": "A", "es": "A" }, "score": 100 },
        { "id": "b", "label": { "en": "B" } }
    ]);
    let item = item_mut(&mut q, 1, 0);
    item.insert("type".into(), json!("choice"));
    item.insert("options".into(), options);
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("recommend"),
        &["option \"b\"", "\"es\""],
    );
}

#[test]
fn missing_translation_of_a_section_title() {
    let mut q = base();
    q["sections"][1]["title"] = json!({ "es": "Fin" });
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("end"),
        &["section", "title", "\"en\""],
    );
    let shown = e.to_string();
    assert!(
        shown.starts_with("lobby.json: section \"end\": title"),
        "{shown}"
    );
}

#[test]
fn weight_must_be_positive() {
    for weight in [json!(0), json!(-1.5)] {
        let mut q = base();
        item_mut(&mut q, 0, 1).insert("weight".into(), weight.clone());
        let e = load_err("lobby.json", &q);
        assert_names(
            &e,
            "lobby.json",
            Some("waited"),
            &["weight", "greater than 0"],
        );
    }
    // Not a number at all: a shape error on the same field.
    let mut q = base();
    item_mut(&mut q, 0, 1).insert("weight".into(), json!("heavy"));
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("waited"), &["weight"]);
}

#[test]
fn show_if_pointing_at_an_unknown_item() {
    let mut q = base();
    q["sections"][0]["items"][2]["show_if"]["item"] = json!("waitd");
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("why"),
        &["show_if", "\"waitd\"", "not an item"],
    );
}

#[test]
fn show_if_pointing_forward_or_at_itself() {
    let mut q = base();
    q["sections"][0]["items"][2]["show_if"]["item"] = json!("recommend");
    q["sections"][0]["items"][2]["show_if"]["equals"] = json!({ "type": "nps", "value": 10 });
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("why"),
        &["show_if", "\"recommend\"", "later"],
    );

    let mut q = base();
    q["sections"][0]["items"][2]["show_if"]["item"] = json!("why");
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("why"), &["show_if", "itself"]);
}

#[test]
fn show_if_with_an_answer_the_item_cannot_have() {
    let mut q = base();
    q["sections"][0]["items"][2]["show_if"]["equals"] = json!({ "type": "rating", "value": 5 });
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("why"),
        &["show_if.equals", "\"waited\"", "yes_no"],
    );
}

#[test]
fn malformed_json() {
    let json = base().to_string();
    let cut = &json[..json.len() / 2];
    let e = questionnaire::load("lobby.json", cut).unwrap_err();
    assert_names(&e, "lobby.json", None, &["not valid JSON", "line 1"]);

    let e = questionnaire::load("broken.json", "{ \"id\": \"x\", }").unwrap_err();
    assert_names(&e, "broken.json", None, &["not valid JSON"]);
}

#[test]
fn unknown_field_is_a_misspelling() {
    let mut q = base();
    let item = item_mut(&mut q, 0, 0);
    item.remove("required");
    item.insert("requried".into(), json!(true));
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("staff"),
        &["unknown field", "\"requried\"", "required"],
    );
}

#[test]
fn unknown_field_elsewhere() {
    let mut q = base();
    q.as_object_mut()
        .unwrap()
        .insert("langauges".into(), json!(["en"]));
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", None, &["unknown field", "\"langauges\""]);

    let mut q = base();
    q["sections"][1]
        .as_object_mut()
        .unwrap()
        .insert("titel".into(), json!({}));
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("end"),
        &["unknown field", "\"titel\""],
    );

    let mut q = base();
    q["sections"][0]["items"][2]["show_if"]["equal"] = json!(1);
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("why"),
        &["unknown field", "\"equal\""],
    );

    // A field of another item type: `target` belongs to seconds items.
    let mut q = base();
    item_mut(&mut q, 0, 0).insert("target".into(), json!(60));
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("staff"),
        &["unknown field", "\"target\""],
    );
}

#[test]
fn unknown_item_type_and_missing_field() {
    let mut q = base();
    item_mut(&mut q, 0, 1).insert("type".into(), json!("slider"));
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("waited"), &["slider"]);

    let mut q = base();
    item_mut(&mut q, 1, 0).remove("text");
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("recommend"), &["text"]);
}

#[test]
fn other_rules() {
    // critical only on yes/no items.
    let mut q = base();
    item_mut(&mut q, 0, 0).insert("critical".into(), json!(true));
    assert_names(
        &load_err("q.json", &q),
        "q.json",
        Some("staff"),
        &["critical", "rating"],
    );
    // version starts at 1.
    let mut q = base();
    q["version"] = json!(0);
    assert_names(&load_err("q.json", &q), "q.json", None, &["version"]);
    // ids are safe for field names and URLs.
    let mut q = base();
    item_mut(&mut q, 0, 0).insert("id".into(), json!("staff care"));
    assert_names(
        &load_err("q.json", &q),
        "q.json",
        Some("staff care"),
        &["no spaces"],
    );
    // seconds target within max.
    let mut q = base();
    let item = item_mut(&mut q, 0, 1);
    item.insert("type".into(), json!("seconds"));
    item.insert("target".into(), json!(900));
    item.insert("max".into(), json!(600));
    // "why" depends on a yes_no answer from this item, which it can no longer have;
    // the target comes first.
    assert_names(
        &load_err("q.json", &q),
        "q.json",
        Some("waited"),
        &["target", "max"],
    );
    // a section needs items.
    let mut q = base();
    q["sections"][1]["items"] = json!([]);
    assert_names(
        &load_err("q.json", &q),
        "q.json",
        Some("end"),
        &["section", "no items"],
    );
}

#[test]
fn show_if_answer_is_typed() {
    let q = questionnaire::load("lobby.json", &base().to_string()).unwrap();
    let cond = q.item("why").unwrap().show_if.as_ref().unwrap();
    assert_eq!(cond.item, "waited");
    assert_eq!(cond.equals, Answer::YesNo(YesNo::Yes));
}

#[test]
fn a_follow_up_of_a_hidden_follow_up_is_hidden() {
    let t = json!({ "en": "?" });
    let q = json!({
        "id": "chain", "version": 1, "kind": "mystery_shop", "title": t, "languages": ["en"],
        "sections": [{ "id": "s", "title": t, "items": [
            { "id": "a", "type": "yes_no", "text": t },
            { "id": "b", "type": "yes_no", "text": t,
              "show_if": { "item": "a", "equals": { "type": "yes_no", "value": "no" } } },
            { "id": "c", "type": "rating", "text": t,
              "show_if": { "item": "b", "equals": { "type": "yes_no", "value": "yes" } } }
        ] }]
    });
    let q = questionnaire::load("chain.json", &q.to_string()).unwrap();
    let shown = |answers: &[(&str, YesNo)]| -> Vec<&str> {
        let answers = answers
            .iter()
            .map(|(id, a)| (id.to_string(), Answer::YesNo(*a)))
            .collect();
        q.items()
            .filter(|i| q.visible(i, &answers))
            .map(|i| i.id.as_str())
            .collect()
    };
    assert_eq!(shown(&[]), ["a"]);
    assert_eq!(shown(&[("a", YesNo::No)]), ["a", "b"]);
    assert_eq!(
        shown(&[("a", YesNo::No), ("b", YesNo::Yes)]),
        ["a", "b", "c"]
    );
    assert_eq!(shown(&[("a", YesNo::No), ("b", YesNo::Na)]), ["a", "b"]);
    // b answered "yes" although hidden: c stays hidden, because b is.
    assert_eq!(shown(&[("a", YesNo::Yes), ("b", YesNo::Yes)]), ["a"]);
}

// ---------------------------------------------------------------------------
// The default questionnaires shipped in questionnaires/

#[test]
fn default_kiosk_questionnaire_loads() {
    let q = questionnaire::load(
        "kiosk.json",
        include_str!("../../../../questionnaires/kiosk.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.kind, Kind::Kiosk);
    assert_eq!(
        q.languages.len(),
        3,
        "Simplified Chinese, English and Spanish"
    );
    for l in Locale::ALL {
        assert!(q.languages.contains(&l), "{l:?}");
    }
    // What the dashboard needs from the lobby: a rating for CSAT and an NPS item.
    assert!(q.items().any(|i| i.kind == ItemKind::Rating));
    assert!(q.items().any(|i| i.kind == ItemKind::Nps));
    // Every customer dimension is asked about.
    for d in Dimension::CUSTOMER {
        assert!(
            q.items().any(|i| i.dimension == Some(d)),
            "no item for {d:?}"
        );
    }
}

#[test]
fn default_mystery_shop_questionnaire_loads() {
    let q = questionnaire::load(
        "mystery_shop.json",
        include_str!("../../../../questionnaires/mystery_shop.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.kind, Kind::MysteryShop);
    for l in Locale::ALL {
        assert!(q.languages.contains(&l), "{l:?}");
    }
    assert!(
        q.items().any(|i| i.critical),
        "a mystery shop has critical items"
    );
    assert!(
        q.items().any(|i| matches!(
            i.kind,
            ItemKind::Seconds {
                target: Some(_),
                ..
            }
        )),
        "a waiting time with a target"
    );
    for d in Dimension::CUSTOMER {
        assert!(
            q.items().any(|i| i.dimension == Some(d)),
            "no item for {d:?}"
        );
    }
}

#[test]
fn the_default_mystery_shop_marks_the_published_service_commitments() {
    let q = questionnaire::load(
        "mystery_shop.json",
        include_str!("../../../../questionnaires/mystery_shop.json"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let marked: Vec<(&str, f64)> = q
        .items()
        .filter_map(|i| Some((i.id.as_str(), i.commitment.as_ref()?.target)))
        .collect();
    assert_eq!(
        marked,
        [
            ("greeted_on_arrival", 95.0),
            ("wait_seconds", 90.0),
            ("first_contact_ownership", 90.0),
            ("phone_rings", 90.0),
            ("phone_answered", 95.0),
        ]
    );
    // Version 3: both phone commitments come from the ring counter's taps.
    assert_eq!(q.version, 3);
    let rings = q.item("phone_rings").unwrap();
    assert_eq!(rings.kind, ItemKind::Call { max_rings: 3 });
    assert_eq!(
        rings.commitment.as_ref().unwrap().label.get(Locale::En),
        "Calls answered within three rings"
    );
    let answered = q.item("phone_answered").unwrap();
    assert_eq!(answered.from_call.as_deref(), Some("phone_rings"));
    assert!(q.item("phone_rings_seconds").is_none());
    // The environment stays a dimension of its own.
    assert!(q
        .items()
        .any(|i| i.dimension == Some(Dimension::Environment)));
}

#[test]
fn a_commitment_is_checked_like_the_rest_of_the_item() {
    let commitment = json!({"label": {"en": "Staff", "es": "Personal"}, "target": 90});
    let mut q = base();
    item_mut(&mut q, 0, 0).insert("commitment".into(), commitment.clone());
    let loaded = questionnaire::load("lobby.json", &q.to_string()).unwrap();
    assert_eq!(
        loaded
            .item("staff")
            .unwrap()
            .commitment
            .as_ref()
            .unwrap()
            .target,
        90.0
    );

    // A misspelt field of the commitment: the target is missing, or
    // something else is there beside it.
    let mut q = base();
    item_mut(&mut q, 0, 0).insert(
        "commitment".into(),
        json!({"label": {"en": "Staff", "es": "Personal"}, "targt": 90}),
    );
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("staff"), &["commitment", "target"]);
    let mut q = base();
    item_mut(&mut q, 0, 0).insert(
        "commitment".into(),
        json!({"label": {"en": "Staff", "es": "Personal"}, "target": 90, "rate": 95}),
    );
    let e = load_err("lobby.json", &q);
    assert_names(
        &e,
        "lobby.json",
        Some("staff"),
        &["unknown field", "\"rate\"", "commitment"],
    );
    // An item that cannot meet or miss it.
    let mut q = base();
    item_mut(&mut q, 1, 0).insert("commitment".into(), commitment);
    let e = load_err("lobby.json", &q);
    assert_names(&e, "lobby.json", Some("recommend"), &["commitment", "nps"]);
}

#[test]
fn load_errors_say_whether_the_file_was_unreadable_or_broke_a_rule() {
    use branchpulse_core::ProblemCode;
    let e = questionnaire::load("x.json", "{\"id\": ").unwrap_err();
    assert_eq!(e.code, ProblemCode::QuestionnaireUnreadable, "{e}");
    let mut q: Value =
        serde_json::from_str(include_str!("../../../../questionnaires/kiosk.json")).unwrap();
    q["version"] = serde_json::json!(0);
    assert_eq!(
        load_err("x.json", &q).code,
        ProblemCode::QuestionnaireInvalid
    );
}

/// A small mystery shop with a phone stage: `rings` (call, 3 rings) and
/// `answered` (yes_no filled from it), then `greeting` shown when answered.
fn phone_shop() -> Value {
    json!({
        "id": "visit", "version": 1, "kind": "mystery_shop",
        "title": { "en": "Visit" }, "languages": ["en"],
        "sections": [{ "id": "phone", "title": { "en": "Phone" }, "items": [
            { "id": "rings", "dimension": "process_convenience", "type": "call", "max_rings": 3,
              "text": { "en": "Count the rings" }, "required": true,
              "commitment": { "label": { "en": "Within three rings" }, "target": 90 } },
            { "id": "answered", "dimension": "process_convenience", "type": "yes_no",
              "from_call": "rings", "text": { "en": "Answered?" }, "required": true },
            { "id": "greeting", "type": "yes_no", "text": { "en": "Greeted?" },
              "show_if": { "item": "answered", "equals": { "type": "yes_no", "value": "yes" } } }
        ] }]
    })
}

#[test]
fn a_call_item_loads_with_its_rings_and_a_yes_no_item_may_follow_it() {
    let q = questionnaire::load("visit.json", &phone_shop().to_string()).unwrap();
    let rings = q.item("rings").unwrap();
    assert_eq!(rings.kind, ItemKind::Call { max_rings: 3 });
    assert_eq!(rings.kind.type_name(), "call");
    assert_eq!(rings.commitment.as_ref().unwrap().target, 90.0);
    assert_eq!(
        q.item("answered").unwrap().from_call.as_deref(),
        Some("rings")
    );
    assert_eq!(q.item("greeting").unwrap().from_call, None);
    // Written back as read: the field is kept, and absent where unset.
    let again: Value = serde_json::to_value(&q).unwrap();
    assert_eq!(again["sections"][0]["items"][1]["from_call"], "rings");
    assert_eq!(again["sections"][0]["items"][0]["max_rings"], 3);
    assert!(again["sections"][0]["items"][2].get("from_call").is_none());
}

#[test]
fn a_call_item_needs_one_to_twenty_rings_and_a_mystery_shop() {
    for (max_rings, ok) in [(0, false), (1, true), (20, true), (21, false)] {
        let mut q = phone_shop();
        item_mut(&mut q, 0, 0).insert("max_rings".into(), json!(max_rings));
        match questionnaire::load("visit.json", &q.to_string()) {
            Ok(_) => assert!(ok, "max_rings {max_rings} should be refused"),
            Err(e) => {
                assert!(!ok, "max_rings {max_rings} should load: {e}");
                assert_names(
                    &e,
                    "visit.json",
                    Some("rings"),
                    &[&format!("max_rings is {max_rings}"), "from 1 to 20"],
                );
            }
        }
    }
    // Missing, or not a number.
    let mut q = phone_shop();
    item_mut(&mut q, 0, 0).remove("max_rings");
    let e = load_err("visit.json", &q);
    assert_names(&e, "visit.json", Some("rings"), &["max_rings"]);
    // A field of another type's.
    let mut q = phone_shop();
    item_mut(&mut q, 0, 0).insert("max".into(), json!(60));
    let e = load_err("visit.json", &q);
    assert_names(
        &e,
        "visit.json",
        Some("rings"),
        &["unknown field", "\"max\"", "max_rings"],
    );
    // On a kiosk nobody counts rings.
    let mut q = phone_shop();
    q["kind"] = json!("kiosk");
    let e = load_err("visit.json", &q);
    assert_names(
        &e,
        "visit.json",
        Some("rings"),
        &["call item", "mystery_shop"],
    );
    // Neither critical nor "does not apply".
    let mut q = phone_shop();
    item_mut(&mut q, 0, 0).insert("critical".into(), json!(true));
    let e = load_err("visit.json", &q);
    assert_names(&e, "visit.json", Some("rings"), &["critical", "call item"]);
    // A show_if on the call itself: the yes_no item filled from it says it.
    let mut q = phone_shop();
    item_mut(&mut q, 0, 2).insert(
        "show_if".into(),
        json!({ "item": "rings", "equals": { "type": "call", "value": { "rings": 1, "answered": true, "seconds": 3 } } }),
    );
    let e = load_err("visit.json", &q);
    assert_names(
        &e,
        "visit.json",
        Some("greeting"),
        &["show_if", "call item", "from_call"],
    );
}

#[test]
fn from_call_names_a_call_item_and_sits_on_a_yes_no_item() {
    let refused = |item: usize, from: &str, words: &[&str], place: &str| {
        let mut q = phone_shop();
        item_mut(&mut q, 0, item).insert("from_call".into(), json!(from));
        let e = load_err("visit.json", &q);
        assert_eq!(
            e.code,
            branchpulse_core::ProblemCode::QuestionnaireInvalid,
            "{e}"
        );
        assert_names(&e, "visit.json", Some(place), words);
    };
    refused(
        1,
        "ringz",
        &["from_call", "\"ringz\"", "not an item"],
        "answered",
    );
    refused(
        1,
        "greeting",
        &["from_call", "\"greeting\"", "yes_no item", "call item"],
        "answered",
    );
    refused(0, "rings", &["from_call", "call item; remove"], "rings");
    // Not text: a shape error naming the field.
    let mut q = phone_shop();
    item_mut(&mut q, 0, 1).insert("from_call".into(), json!(3));
    let e = load_err("visit.json", &q);
    assert_names(&e, "visit.json", Some("answered"), &["from_call"]);
}
