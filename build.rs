//! Turns the translations (`src/i18n/{zh-CN,en,es}.toml`, one per language)
//! into typed Rust: one associated constant of `i18n::Key` per string, each
//! holding its three texts. A bundle then carries only the strings its code
//! names (the linker drops the rest), where one table per language kept
//! every string of every screen in every bundle.
//!
//! The build fails, naming the file and the key, when a language lacks a
//! key another has, has one the others lack, or when a key's `{placeholders}`
//! differ between languages (a translation that drops `{n}` would show a
//! figure-less sentence; one that adds `{m}` would show the braces).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::Path;

/// In `branchpulse_core::Locale` order: what `i18n::text` indexes by.
const LANGUAGES: [&str; 3] = ["zh-CN", "en", "es"];

fn main() {
    println!("cargo::rerun-if-changed=src/i18n");
    let dir = Path::new("src/i18n");
    let tables: Vec<BTreeMap<String, String>> = LANGUAGES
        .iter()
        .map(|tag| read(&dir.join(format!("{tag}.toml"))))
        .collect();
    let mut problems = Vec::new();
    let all: BTreeSet<&String> = tables.iter().flat_map(|t| t.keys()).collect();
    for (tag, table) in LANGUAGES.iter().zip(&tables) {
        for key in &all {
            if !table.contains_key(*key) {
                problems.push(format!("src/i18n/{tag}.toml: no translation of {key}"));
            }
        }
    }
    for key in &all {
        let sets: Vec<(&str, BTreeSet<&str>)> = LANGUAGES
            .iter()
            .zip(&tables)
            .filter_map(|(tag, t)| Some((*tag, placeholders(t.get(*key)?))))
            .collect();
        if let Some((first, want)) = sets.first() {
            for (tag, got) in &sets[1..] {
                if got != want {
                    problems.push(format!(
                        "{key}: placeholders differ: {first} has {want:?}, {tag} has {got:?}"
                    ));
                }
            }
        }
    }
    if !problems.is_empty() {
        panic!("translations:\n  {}", problems.join("\n  "));
    }
    let mut out = String::from("#[allow(non_upper_case_globals)]\nimpl Key {\n");
    for key in &all {
        let texts: Vec<String> = tables.iter().map(|t| format!("{:?}", t[*key])).collect();
        writeln!(
            out,
            "    pub const {key}: Key = Key(&[{}]);",
            texts.join(", ")
        )
        .unwrap();
    }
    out.push_str("}\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap()).join("keys.rs");
    std::fs::write(target, out).unwrap();
}

fn read(path: &Path) -> BTreeMap<String, String> {
    let source =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let table: toml::Table = source
        .parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    table
        .into_iter()
        .map(|(key, value)| {
            let ok = key.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && key.chars().all(|c| c.is_ascii_alphanumeric());
            match value {
                toml::Value::String(s) if ok => (key, s),
                _ => panic!(
                    "{}: {key}: a key is a CamelCase name and its value a \"string\"",
                    path.display()
                ),
            }
        })
        .collect()
}

/// The `{name}`s of a text.
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}
