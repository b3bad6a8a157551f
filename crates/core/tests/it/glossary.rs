//! The glossary (`src/i18n/glossary.md`) stays true: no text of the app
//! (`src/i18n.rs`, `src/problem.rs`) or of a questionnaire
//! (`questionnaires/*.json`) uses a term its language avoids.

use serde_json::Value;
use std::path::{Path, PathBuf};

const LANGUAGES: [&str; 3] = ["zh-CN", "en", "es"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A row of the glossary's "Terms to avoid" table, one avoided term.
#[derive(Debug)]
struct Avoided {
    language: String,
    term: String,
    /// The terms to use instead; one that contains `term` is not counted.
    uses: Vec<String>,
}

/// The terms in backticks in a cell of the table.
fn terms(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

fn avoided(glossary: &str) -> Vec<Avoided> {
    let table = glossary
        .split("## Terms to avoid")
        .nth(1)
        .expect("the glossary has a \"## Terms to avoid\" section");
    let table = table.split("\n## ").next().unwrap_or(table);
    let mut out = Vec::new();
    // The first two rows of the table are its header and its rule.
    for row in table.lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
        assert!(cells.len() >= 3, "a row of language | avoid | use: {row}");
        assert!(LANGUAGES.contains(&cells[0]), "unknown language in {row}");
        let uses = terms(cells[2]);
        for term in terms(cells[1]) {
            out.push(Avoided {
                language: cells[0].to_string(),
                term,
                uses: uses.clone(),
            });
        }
    }
    out
}

/// A text in one language and where it is.
struct Said {
    place: String,
    language: &'static str,
    text: String,
}

/// The string literals of a Rust file, by the language they are in: the
/// lines of `fn zh`/`fn en`/`fn es` (`src/i18n.rs`), and lines starting
/// with `zh:`, `en:`, `es:` (`src/problem.rs`) or `Locale::… =>`.
fn rust_texts(path: &str, out: &mut Vec<Said>) {
    let source = read(path);
    let mut in_fn = None;
    for (n, line) in source.lines().enumerate() {
        if line.starts_with("fn ") || line.starts_with("pub fn ") || line == "}" {
            in_fn = [("fn zh(", "zh-CN"), ("fn en(", "en"), ("fn es(", "es")]
                .into_iter()
                .find(|(f, _)| line.starts_with(f))
                .map(|(_, l)| l);
        }
        let t = line.trim_start();
        let language = if t.starts_with("zh:") || t.starts_with("Locale::ZhCn =>") {
            Some("zh-CN")
        } else if t.starts_with("en:") || t.starts_with("Locale::En =>") {
            Some("en")
        } else if t.starts_with("es:") || t.starts_with("Locale::Es =>") {
            Some("es")
        } else {
            in_fn
        };
        if let (Some(language), Some(quote)) = (language, line.find('"')) {
            out.push(Said {
                place: format!("{path}:{}", n + 1),
                language,
                text: line[quote..].to_string(),
            });
        }
    }
}

/// The app's strings in `language`: `Key = "text"` lines of its file.
fn toml_texts(language: &'static str, out: &mut Vec<Said>) {
    let path = format!("src/i18n/{language}.toml");
    for (n, line) in read(&path).lines().enumerate() {
        if let Some((_, text)) = line.split_once(" = ").filter(|_| !line.starts_with('#')) {
            out.push(Said {
                place: format!("{path}:{}", n + 1),
                language,
                text: text.to_string(),
            });
        }
    }
}

/// Every translation in a questionnaire file: the values of its `zh-CN`,
/// `en` and `es` keys.
fn json_texts(path: &str, value: &Value, at: String, out: &mut Vec<Said>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (LANGUAGES.iter().find(|l| *l == key), v) {
                    (Some(language), Value::String(text)) => out.push(Said {
                        place: format!("{path} {at}/{key}"),
                        language,
                        text: text.clone(),
                    }),
                    _ => json_texts(path, v, format!("{at}/{key}"), out),
                }
            }
        }
        Value::Array(list) => {
            for (i, v) in list.iter().enumerate() {
                json_texts(path, v, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn all_texts() -> Vec<Said> {
    let mut out = Vec::new();
    for language in LANGUAGES {
        toml_texts(language, &mut out);
    }
    rust_texts("src/problem.rs", &mut out);
    let mut files: Vec<_> = std::fs::read_dir(root().join("questionnaires"))
        .expect("the questionnaires folder")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    for file in files {
        let path = format!(
            "questionnaires/{}",
            file.file_name().unwrap().to_string_lossy()
        );
        let value: Value = serde_json::from_str(&read(&path))
            .unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
        json_texts(&path, &value, String::new(), &mut out);
    }
    out
}

fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{ff00}'..='\u{ffef}')
}

/// A letter or digit of a script that separates words with spaces.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() && !is_cjk(c)
}

/// Whether `text` uses the avoided term: case-insensitively, whole words
/// only at an edge where the term is a word, and not inside a term to use.
fn uses_avoided(text: &str, avoided: &Avoided) -> bool {
    let term = avoided.term.to_lowercase();
    let mut text = text.to_lowercase();
    for to_use in &avoided.uses {
        let to_use = to_use.to_lowercase();
        if to_use.contains(&term) {
            text = text.replace(&to_use, " ");
        }
    }
    let first = term.chars().next().expect("an avoided term is not empty");
    let last = term
        .chars()
        .next_back()
        .expect("an avoided term is not empty");
    text.match_indices(&term).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + term.len()..].chars().next();
        let joined_before = is_word(first) && before.is_some_and(is_word);
        let joined_after = is_word(last) && after.is_some_and(is_word);
        !joined_before && !joined_after
    })
}

#[test]
fn no_text_uses_a_term_the_glossary_avoids() {
    let avoided = avoided(&read("src/i18n/glossary.md"));
    let texts = all_texts();
    for language in LANGUAGES {
        assert!(
            avoided.iter().any(|a| a.language == language),
            "the glossary avoids no {language} term: is its table still readable?"
        );
        assert!(
            texts.iter().filter(|t| t.language == language).count() > 300,
            "too few {language} texts found: did a file's layout change?"
        );
    }
    let mut found = Vec::new();
    for said in &texts {
        for a in avoided.iter().filter(|a| a.language == said.language) {
            if uses_avoided(&said.text, a) {
                found.push(format!(
                    "{} ({}): `{}`, use {:?} (src/i18n/glossary.md)",
                    said.place, said.language, a.term, a.uses
                ));
            }
        }
    }
    assert!(found.is_empty(), "avoided terms:\n{}", found.join("\n"));
}

#[test]
fn the_check_finds_an_avoided_term_and_only_that() {
    let a = |term: &str, uses: &[&str]| Avoided {
        language: "es".into(),
        term: term.into(),
        uses: uses.iter().map(|u| u.to_string()).collect(),
    };
    let cajero = a("cajero", &["cajero automático", "ventanilla"]);
    assert!(uses_avoided("Pase al Cajero.", &cajero));
    assert!(!uses_avoided("Use el cajero automático.", &cajero));
    assert!(uses_avoided("el cajero automático y el cajero", &cajero));
    let formacion = a("formación", &["capacitación"]);
    assert!(uses_avoided("Formación del personal", &formacion));
    assert!(!uses_avoided("la información publicada", &formacion));
    let quote = a("«", &["“"]);
    assert!(uses_avoided("elija «No aplica»", &quote));
    let zh = Avoided {
        language: "zh-CN".into(),
        term: "神秘客".into(),
        uses: vec!["神秘顾客".into()],
    };
    assert!(uses_avoided("各网点神秘客得分", &zh));
    assert!(!uses_avoided("各网点神秘顾客得分", &zh));
}
