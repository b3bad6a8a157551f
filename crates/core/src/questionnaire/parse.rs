//! From JSON text to a [`Questionnaire`], with shape errors placed at the item.
//!
//! serde reports the first mismatch with a line and column but not which item
//! it is in. So when the whole file does not deserialize, the parts are tried
//! one by one (the questionnaire's own fields, each section, each item, each
//! field of the item) to name the item and field the message belongs to.

use super::{
    ChoiceOption, Commitment, Item, ItemKind, LoadError, Questionnaire, Scale, Section, ShowIf,
};
use crate::locale::Text;
use crate::questionnaire::Dimension;
use serde::de::DeserializeOwned;
use serde_json::Value;

pub(super) fn parse(file: &str, json: &str) -> Result<Questionnaire, LoadError> {
    // The typed pass comes first and tracks where it is, so that every
    // message can end with the exact place (`sections[0].items[2].type`),
    // even for a value too deeply nested to be read as JSON at all.
    let (path, e) = match typed(json) {
        Ok(q) => {
            let value: Value = serde_json::from_str(json)
                .map_err(|e| LoadError::unreadable(file, None, not_json(&e, None)))?;
            unknown_fields(file, &value)?;
            return Ok(q);
        }
        Err(failed) => failed,
    };
    let value: Value = match serde_json::from_str(json) {
        Ok(value) => value,
        Err(syntax) => {
            return Err(LoadError::unreadable(
                file,
                None,
                not_json(&syntax, path.as_deref()),
            ))
        }
    };
    let mut error = locate(file, &value, &e);
    if let Some(path) = path {
        error.problem = format!("{} (at `{path}`)", error.problem);
    }
    Err(error)
}

/// The questionnaire, or where reading it stopped (`None`: at the top) and why.
fn typed(json: &str) -> Result<Questionnaire, (Option<String>, serde_json::Error)> {
    let mut de = serde_json::Deserializer::from_str(json);
    let q: Questionnaire = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let mut path = e.path().to_string();
        // A value nested thousands deep has a path as long: its start says where.
        if let Some((cut, _)) = path.char_indices().nth(80) {
            path.truncate(cut);
            path.push('…');
        }
        ((path != ".").then_some(path), e.into_inner())
    })?;
    de.end().map_err(|e| (None, e))?;
    Ok(q)
}

fn not_json(e: &serde_json::Error, path: Option<&str>) -> String {
    match path {
        Some(path) => format!("is not valid JSON at `{path}`: {}", plain(&e.to_string())),
        None => format!("is not valid JSON: {}", plain(&e.to_string())),
    }
}

/// A part of the file that failed on its own: where it is and serde's message.
struct Failure {
    /// The item or section id (or position); `None` for the questionnaire's own fields.
    place: Option<String>,
    /// What inside the place failed: `section` or `field "dimension"`.
    what: Option<String>,
    message: String,
}

fn locate(file: &str, value: &Value, e: &serde_json::Error) -> LoadError {
    let full = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let bare = full.strip_suffix(&position).unwrap_or(&full);
    let failures = failures(value);
    // Prefer the part whose message is the one serde stopped at: then the
    // line and column belong to it too.
    let (failure, message) = match failures.iter().find(|f| f.message == bare) {
        Some(f) => (Some(f), full.clone()),
        None => match failures.first() {
            Some(f) => (Some(f), f.message.clone()),
            None => (None, full.clone()),
        },
    };
    let problem = match failure.and_then(|f| f.what.as_deref()) {
        Some(what) => format!("{what}: {}", plain(&message)),
        None => plain(&message),
    };
    LoadError::unreadable(file, failure.and_then(|f| f.place.as_deref()), problem)
}

fn sections(value: &Value) -> Vec<Value> {
    match value.get("sections") {
        Some(Value::Array(sections)) => sections.clone(),
        _ => Vec::new(),
    }
}

fn section_label(section: &Value, index: usize) -> String {
    match section.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => format!("section #{}", index + 1),
    }
}

fn item_label(item: &Value, index: usize, section: &str) -> String {
    match item.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => format!("#{} in section {section}", index + 1),
    }
}

/// Every part that does not deserialize on its own, in file order.
fn failures(value: &Value) -> Vec<Failure> {
    let mut out = Vec::new();
    // The questionnaire's own fields, with its sections left out.
    let mut top = value.clone();
    if let Some(Value::Array(s)) = top.get_mut("sections") {
        s.clear();
    }
    if let Err(e) = try_as::<Questionnaire>(&top) {
        out.push(Failure {
            place: None,
            what: None,
            message: e,
        });
    }
    for (i, section) in sections(value).iter().enumerate() {
        let label = section_label(section, i);
        let mut own = section.clone();
        if let Some(Value::Array(items)) = own.get_mut("items") {
            items.clear();
        }
        if let Err(e) = try_as::<Section>(&own) {
            out.push(Failure {
                place: Some(label.clone()),
                what: Some("section".into()),
                message: e,
            });
        }
        let Some(Value::Array(items)) = section.get("items") else {
            continue;
        };
        for (j, item) in items.iter().enumerate() {
            if let Err(e) = try_as::<Item>(item) {
                out.push(Failure {
                    place: Some(item_label(item, j, &label)),
                    what: item_field(item, &e).map(|f| format!("field \"{f}\"")),
                    message: e,
                });
            }
        }
    }
    out
}

/// The field of `item` that fails with `message` on its own, if one does.
fn item_field(item: &Value, message: &str) -> Option<&'static str> {
    type Probe = fn(&Value) -> Result<(), String>;
    let probes: [(&'static str, Probe); 13] = [
        ("id", |v| try_as::<String>(v)),
        ("dimension", |v| try_as::<Option<Dimension>>(v)),
        ("options", |v| try_as::<Vec<ChoiceOption>>(v)),
        ("text", |v| try_as::<Text>(v)),
        ("help", |v| try_as::<Option<Text>>(v)),
        ("weight", |v| try_as::<f64>(v)),
        ("required", |v| try_as::<bool>(v)),
        ("critical", |v| try_as::<bool>(v)),
        ("show_if", |v| try_as::<Option<ShowIf>>(v)),
        ("scale", |v| try_as::<Option<Scale>>(v)),
        ("not_applicable", |v| try_as::<bool>(v)),
        ("commitment", |v| try_as::<Option<Commitment>>(v)),
        ("from_call", |v| try_as::<Option<String>>(v)),
    ];
    for (field, probe) in probes {
        if let Some(v) = item.get(field) {
            if probe(v).is_err_and(|e| e == message) {
                return Some(field);
            }
        }
    }
    // The answer type and its settings, on their own.
    let Value::Object(map) = item else {
        return None;
    };
    let kind: serde_json::Map<String, Value> = map
        .iter()
        .filter(|(k, _)| {
            ["type", "target", "max", "options", "max_len", "max_rings"].contains(&k.as_str())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if try_as::<ItemKind>(&Value::Object(kind)).is_err_and(|e| e == message) {
        return Some("type");
    }
    None
}

fn try_as<T: DeserializeOwned>(v: &Value) -> Result<(), String> {
    T::deserialize(v).map(|_| ()).map_err(|e| e.to_string())
}

/// serde's message in a questionnaire author's words.
fn plain(message: &str) -> String {
    message
        .replace("unknown variant", "unknown value")
        .replace("expected u32", "expected a whole number (0 or more)")
        .replace("expected u8", "expected a whole number (0 or more)")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected a list [ … ]")
        .replace("expected a map", "expected an object { … }")
        .replace("invalid type: map", "invalid type: object { … }")
        .replace("invalid type: sequence", "invalid type: list [ … ]")
        .replace("expected struct ", "expected an object: ")
        .replace(
            "expected internally tagged enum ItemKind",
            "expected an item with a \"type\"",
        )
        .replace(
            "missing field `type`",
            "missing field `type` (rating, yes_no, nps, seconds, choice, text or call)",
        )
}

const TOP_FIELDS: &[&str] = &["id", "version", "kind", "title", "languages", "sections"];
const SECTION_FIELDS: &[&str] = &["id", "title", "items", "together"];
const ITEM_FIELDS: &[&str] = &[
    "id",
    "dimension",
    "type",
    "text",
    "help",
    "weight",
    "required",
    "critical",
    "show_if",
    "scale",
    "not_applicable",
    "commitment",
    "from_call",
];
const COMMITMENT_FIELDS: &[&str] = &["label", "target"];
const OPTION_FIELDS: &[&str] = &["id", "label", "score"];
const SHOW_IF_FIELDS: &[&str] = &["item", "equals"];

fn type_fields(kind: &str) -> &'static [&'static str] {
    match kind {
        "seconds" => &["target", "max"],
        "choice" => &["options"],
        "text" => &["max_len"],
        "call" => &["max_rings"],
        _ => &[],
    }
}

/// A misspelt field ("requried") would otherwise be ignored silently.
/// Called after the file deserialized, so its shape is known to be right.
fn unknown_fields(file: &str, value: &Value) -> Result<(), LoadError> {
    let extra = |v: &Value, allowed: &[&str]| -> Option<String> {
        let Value::Object(map) = v else { return None };
        map.keys().find(|k| !allowed.contains(&k.as_str())).cloned()
    };
    let problem = |what: &str, field: &str, allowed: &[&str]| {
        format!(
            "unknown field \"{field}\" {what} (misspelt?); the fields allowed there are: {}",
            allowed.join(", ")
        )
    };
    if let Some(f) = extra(value, TOP_FIELDS) {
        return Err(LoadError::unreadable(
            file,
            None,
            problem("in the questionnaire", &f, TOP_FIELDS),
        ));
    }
    for (i, section) in sections(value).iter().enumerate() {
        let label = section_label(section, i);
        if let Some(f) = extra(section, SECTION_FIELDS) {
            return Err(LoadError::unreadable(
                file,
                Some(&label),
                problem("in the section", &f, SECTION_FIELDS),
            ));
        }
        let Some(Value::Array(items)) = section.get("items") else {
            continue;
        };
        for (j, item) in items.iter().enumerate() {
            let at = |p: String| LoadError::unreadable(file, Some(&item_label(item, j, &label)), p);
            // serde reads a tag given as a number as the variant's index
            // (`"type": 0` would be a rating): a type is only ever its name.
            let Some(kind) = item.get("type").and_then(Value::as_str) else {
                return Err(at(format!(
                    "field \"type\": must be the item type's name as text, e.g. \"rating\" (at `sections[{i}].items[{j}].type`)"
                )));
            };
            let allowed: Vec<&str> = ITEM_FIELDS
                .iter()
                .chain(type_fields(kind))
                .copied()
                .collect();
            if let Some(f) = extra(item, &allowed) {
                return Err(at(problem(&format!("in a {kind} item"), &f, &allowed)));
            }
            if let Some(f) = item.get("show_if").and_then(|s| extra(s, SHOW_IF_FIELDS)) {
                return Err(at(problem("in show_if", &f, SHOW_IF_FIELDS)));
            }
            if let Some(f) = item
                .get("commitment")
                .and_then(|c| extra(c, COMMITMENT_FIELDS))
            {
                return Err(at(problem("in commitment", &f, COMMITMENT_FIELDS)));
            }
            let options = item
                .get("options")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if let Some(f) = options.iter().find_map(|o| extra(o, OPTION_FIELDS)) {
                return Err(at(problem("in an option", &f, OPTION_FIELDS)));
            }
        }
    }
    Ok(())
}
