//! Hostile values against the release server binary, the one users run
//! with its real panic setting: proptest makes them for every query
//! parameter, path id and body field of the API. After every request the
//! process must still run and answer its health check; the answer must be
//! a 4xx with a JSON error body, naming the field when the value has the
//! wrong shape (a response in a batch: `rejected`, or `deferred` when it is
//! only dated ahead); and no table may have changed. On SQLite, and on
//! PostgreSQL when `BRANCHPULSE_TEST_POSTGRES` names a server.
//!
//! The binary is `$BRANCHPULSE_RELEASE_SERVER` (`cargo xtask test` builds it
//! once), or else built here by `cargo build --release`: never skipped.
//!
//! The sweep runs once for both tests: one asserts that the process
//! survives every request (no panic may end it, or drop a connection),
//! the other everything else. A request that stops or hangs the server is
//! reported, and the sweep goes on with a new process on the same database.

use crate::common;

use common::{digest, enc, fresh_database, questionnaires_dir, Session, TestServer};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{json, Value};
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, OnceLock};
use std::time::{Duration, Instant};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Random values tried per target (about a hundred targets), after its
/// edge cases.
const CASES: u32 = 32;
/// "Very long" in a body; URLs stay below hyper's own limit (64 KiB).
const LONG_BODY: usize = 100 * 1024;
const LONG_URL: usize = 8 * 1024;
/// Levels of nesting in deep JSON.
const DEEP: usize = 10_000;
/// An answer slower than this is reported: input must not make work unbounded.
const SLOW: Duration = Duration::from_secs(5);
/// No answer after this long: the server hangs.
const HUNG: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------------------
// The release binary, run as a child process.

/// `$BRANCHPULSE_RELEASE_SERVER`, or the binary `cargo build --release` makes.
fn release_binary() -> PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY
        .get_or_init(|| {
            if let Some(path) =
                std::env::var_os("BRANCHPULSE_RELEASE_SERVER").filter(|p| !p.is_empty())
            {
                let path = PathBuf::from(path);
                assert!(
                    path.is_file(),
                    "BRANCHPULSE_RELEASE_SERVER={} is not a file",
                    path.display()
                );
                return path;
            }
            build_release()
        })
        .clone()
}

/// Build it, and take its path from Cargo's own report (wherever the target
/// folder is).
fn build_release() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--release", "-p", "branchpulse-server"])
        .args([
            "--bin",
            "branchpulse-server",
            "--message-format=json-render-diagnostics",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "building the release server failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .filter(|m| m["target"]["name"] == "branchpulse-server")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the binary it built")
}

/// The server process; killed when dropped.
struct Process {
    child: Child,
    url: String,
}

impl Process {
    /// Start the binary on a free port and wait for its "listening" line.
    fn start(dir: &Path, database_url: &str) -> Process {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))
            .unwrap();
        let mut child = Command::new(release_binary())
            .args(["--addr", "127.0.0.1:0", "--database-url", database_url])
            .arg("--dist")
            .arg(dir.join("dist"))
            .arg("--questionnaires")
            .arg(questionnaires_dir())
            .env("BRANCHPULSE_ADMIN_PASSWORD", common::ADMIN_PASSWORD)
            // Request rates off, as in every test server: the sweep makes
            // thousands of requests from one address.
            .env("BRANCHPULSE_RATE_PER_IP", "0")
            .env("BRANCHPULSE_RATE_PER_DEVICE", "0")
            .env("BRANCHPULSE_ENROL_PER_MINUTE", "0")
            .env("BRANCHPULSE_SIGN_IN_PER_MINUTE", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("the release server starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
            for line in lines.by_ref() {
                if let Some(url) = line.strip_prefix("BranchPulse listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                    break;
                }
            }
            // Keep draining, so the server never blocks on a full pipe.
            for _ in lines {}
        });
        match rx.recv_timeout(Duration::from_secs(120)) {
            Ok(url) => Process { child, url },
            Err(_) => {
                let _ = child.kill();
                panic!("the release server did not start:\n{}", log_tail(dir));
            }
        }
    }

    /// `Err` once the process has ended.
    fn alive(&mut self) -> Result<(), String> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(format!("the process ended ({status})")),
            Err(e) => Err(format!("cannot tell whether the process runs: {e}")),
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn log_len(dir: &Path) -> usize {
    std::fs::metadata(dir.join("server.log")).map_or(0, |m| m.len() as usize)
}

/// A panic logged after byte `since` of the server's log, as "; panicked at …".
fn panic_in_log(dir: &Path, since: usize) -> String {
    let log = std::fs::read(dir.join("server.log")).unwrap_or_default();
    let log = String::from_utf8_lossy(log.get(since..).unwrap_or_default());
    let lines: Vec<&str> = log.lines().collect();
    match lines.iter().rposition(|l| l.contains("panicked at")) {
        Some(at) => format!("; {}", lines[at..lines.len().min(at + 2)].join(" ")),
        None => String::new(),
    }
}

/// The last lines of the server's log (a panic's message is there).
fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(6)..].join("\n")
}

// ---------------------------------------------------------------------------
// Hostile values. Query values and path segments come percent-encoded;
// body fields as raw JSON text (so deep nesting and out-of-range numbers
// reach the server as typed); whole bodies as bytes.

/// Values for one input: the edge cases, each tried once, then as many
/// random ones as the config's case count.
struct Values<T> {
    edges: Vec<T>,
    random: BoxedStrategy<T>,
}

impl<T: Clone + std::fmt::Debug + 'static> Values<T> {
    fn new(edges: Vec<T>, random: BoxedStrategy<T>) -> Values<T> {
        Values { edges, random }
    }

    /// Only the edge cases, picked at random too.
    fn edges(edges: Vec<T>) -> Values<T> {
        let random = prop::sample::select(edges.clone()).boxed();
        Values { edges, random }
    }

    fn map<U: Clone + std::fmt::Debug + 'static>(
        self,
        f: impl Fn(T) -> U + Clone + 'static,
    ) -> Values<U> {
        Values {
            edges: self.edges.into_iter().map(f.clone()).collect(),
            random: self.random.prop_map(f).boxed(),
        }
    }

    /// Every part's edges; random values from any part.
    fn any(parts: Vec<Values<T>>) -> Values<T> {
        let mut edges = Vec::new();
        let mut random = Vec::new();
        for part in parts {
            edges.extend(part.edges);
            random.push(part.random);
        }
        Values {
            edges,
            random: proptest::strategy::Union::new(random).boxed(),
        }
    }
}

/// Control characters no stored text may hold. Whitespace ones (tab,
/// newline, CR, …) are left out: a trimmed or multi-line text may hold them.
fn controls() -> Vec<char> {
    (0..0xA0u32)
        .filter_map(char::from_u32)
        .filter(|c| c.is_control() && !c.is_whitespace())
        .collect()
}

/// `valid` with a control character inside it (not at an end, where
/// trimming might hide the question); NUL always.
fn with_control(valid: &'static str) -> Values<String> {
    let n = valid.chars().count().max(2);
    let put = move |c: char, at: usize| {
        let mut s: Vec<char> = valid.chars().collect();
        s.insert(at.min(s.len()), c);
        s.into_iter().collect::<String>()
    };
    Values::new(
        vec![put('\0', n / 2)],
        (prop::sample::select(controls()), 1..n)
            .prop_map(move |(c, at)| put(c, at))
            .boxed(),
    )
}

/// `valid` repeated to about `bytes` bytes, in one of a few alphabets.
fn long(valid: &'static str, bytes: usize) -> Values<String> {
    let make = move |extra: &str| {
        let unit = format!("{valid}{extra}");
        unit.repeat(bytes / unit.len().max(1) + 1)
    };
    Values::new(
        vec![make("")],
        prop::sample::select(vec!["x", "é", "界", "😀"])
            .prop_map(make)
            .boxed(),
    )
}

/// Texts with characters no id, code or user name may hold.
fn garbage() -> Values<String> {
    Values::edges(
        [
            "'; DROP TABLE responses;--",
            "N01' OR '1'='1",
            "<script>alert(1)</script>",
            "💥",
            "../../etc/passwd",
            "a b",
            "\u{FEFF}",
            "\u{FFFF}",
            "%00",
            "\\u0000",
        ]
        .map(str::to_owned)
        .to_vec(),
    )
}

/// `YYYY-MM-DD` texts no filter or due date may take: far outside any sane
/// range, or not a day of the calendar.
fn far_date() -> Values<String> {
    let edges = [
        "9999-12-31",
        "-0001-01-01",
        "0000-00-00",
        "0000-01-01",
        "+275760-09-13",
        "1970-01-01",
        "1900-02-29",
        "2100-02-29",
        "2026-02-29",
        "2026-02-30",
        "2026-04-31",
        "2026-13-01",
        "2026-00-10",
        "2026-12-32",
    ]
    .map(str::to_owned)
    .to_vec();
    let far_year = prop_oneof![-9999i32..=1899, 2201i32..=9999, 10_000i32..=300_000];
    let year = |y: i32| match y {
        y if y < 0 => format!("-{:04}", -y),
        y if y > 9999 => format!("+{y}"),
        y => format!("{y:04}"),
    };
    let random = prop_oneof![
        (far_year, 1u32..=12, 1u32..=28)
            .prop_map(move |(y, m, d)| format!("{}-{m:02}-{d:02}", year(y))),
        (2000i32..=2100, 0u32..=99, 0u32..=99)
            .prop_filter("not a day of any month", |(_, m, d)| {
                *m == 0 || *m > 12 || *d == 0 || *d > 31
            })
            .prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
    ];
    Values::new(edges, random.boxed())
}

/// RFC 3339 times a device may not send: more than a year in the past
/// (a clock reset), years ahead, or not a time at all.
fn far_timestamp() -> Values<String> {
    let edges = [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-23:59",
        "0000-01-01T00:00:00+23:59",
        "0000-01-01T00:00:00Z",
        "-0001-01-01T00:00:00Z",
        "+275760-09-13T00:00:00Z",
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59Z",
        "2024-02-29T12:00:00Z",
        "2026-02-29T12:00:00Z",
        "2026-06-01T24:00:00Z",
        "2026-06-01T12:00:60Z",
        "2026-06-01T12:00:00+24:00",
        "2026-06-01",
        "1733400000",
    ]
    .map(str::to_owned)
    .to_vec();
    let random = (
        prop_oneof![1i32..=2020, 2035i32..=9999],
        1u32..=12,
        1u32..=28,
        0u32..24,
    )
        .prop_map(|(y, m, d, h)| format!("{y:04}-{m:02}-{d:02}T{h:02}:00:00Z"));
    Values::new(edges, random.boxed())
}

/// Whole numbers outside `lo..=hi`, and fractions.
fn numbers_outside(lo: i64, hi: i64) -> Values<String> {
    let mut edges: Vec<String> = [
        "18446744073709551616",
        "-0.5",
        "1.5",
        "1e308",
        "-1e308",
        "1e-300",
        "4294967296",
    ]
    .map(str::to_owned)
    .to_vec();
    edges.extend([i64::MIN, lo - 1, hi.saturating_add(1), i64::MAX].map(|n| n.to_string()));
    let random = prop_oneof![i64::MIN..lo, hi.saturating_add(1)..=i64::MAX];
    Values::new(edges, random.prop_map(|n| n.to_string()).boxed())
}

/// The JSON type a field takes, for values of every other type.
#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Str,
    Num,
    Bool,
}

/// JSON of the wrong type for a field of type `ty` (`null` only where the
/// field is required), deep nesting and numbers JSON cannot hold included.
fn wrong_type(ty: Ty, optional: bool) -> Values<String> {
    let mut values: Vec<String> = vec![
        "[]".into(),
        "[1,\"two\"]".into(),
        "{}".into(),
        "{\"value\":1}".into(),
        "[".repeat(DEEP) + &"]".repeat(DEEP),
        "{\"a\":".repeat(DEEP) + "1" + &"}".repeat(DEEP),
    ];
    if !optional {
        values.push("null".into());
    }
    if ty != Ty::Bool {
        values.extend(["true".into(), "false".into()]);
    }
    if ty != Ty::Num {
        values.extend(["0", "-1", "3.25", "1e999", "18446744073709551616"].map(String::from));
    }
    if ty != Ty::Str {
        values.extend(["\"1\"", "\"true\"", "\"\""].map(String::from));
    }
    Values::edges(values)
}

/// As JSON strings.
fn json_text(values: Values<String>) -> Values<String> {
    values.map(|s| Value::String(s).to_string())
}

/// For an id, code, user name or enum: near-valid texts, long ones,
/// garbage, and other JSON types.
fn ident(valid: &'static str, optional: bool) -> Values<String> {
    Values::any(vec![
        json_text(with_control(valid)),
        json_text(long(valid, LONG_BODY)),
        json_text(garbage()),
        wrong_type(Ty::Str, optional),
    ])
}

/// For free text (labels, scenarios, comments, titles): control
/// characters, length, other JSON types. Any printable text is fine.
fn label(valid: &'static str, optional: bool) -> Values<String> {
    Values::any(vec![
        json_text(with_control(valid)),
        json_text(long(valid, LONG_BODY)),
        wrong_type(Ty::Str, optional),
    ])
}

/// For a date field (`YYYY-MM-DD`).
fn date_field(valid: &'static str) -> Values<String> {
    Values::any(vec![
        json_text(far_date()),
        json_text(with_control(valid)),
        wrong_type(Ty::Str, false),
    ])
}

/// For a device's timestamp.
fn time_field(valid: &'static str, optional: bool) -> Values<String> {
    Values::any(vec![
        json_text(far_timestamp()),
        json_text(with_control(valid)),
        wrong_type(Ty::Str, optional),
    ])
}

/// For a whole number that must be in `lo..=hi`.
fn number_field(lo: i64, hi: i64) -> Values<String> {
    Values::any(vec![numbers_outside(lo, hi), wrong_type(Ty::Num, false)])
}

/// For a password: too short, too long, not a string.
fn password(optional: bool) -> Values<String> {
    Values::any(vec![
        json_text(Values::new(vec![String::new()], "[a-z ]{0,11}".boxed())),
        json_text(long("correct horse", LONG_BODY)),
        wrong_type(Ty::Str, optional),
    ])
}

fn boolean(optional: bool) -> Values<String> {
    wrong_type(Ty::Bool, optional)
}

/// Percent-encoded bytes that are not UTF-8 (or are control characters).
fn bad_bytes() -> Values<String> {
    let edges = ["%FF", "%C0%AF", "%ED%A0%80", "%E2%82", "%", "%zz", "%00"]
        .map(str::to_owned)
        .to_vec();
    let random = prop::collection::vec(prop_oneof![0x80u8..=0xFF, 0u8..=8], 1..16)
        .prop_map(|b| b.iter().map(|b| format!("%{b:02X}")).collect());
    Values::new(edges, random.boxed())
}

fn encoded(values: Values<String>) -> Values<String> {
    values.map(|s| enc(&s))
}

/// A query value or path segment for an id, code or enum.
fn url_ident(valid: &'static str) -> Values<String> {
    Values::any(vec![
        encoded(with_control(valid)),
        encoded(long(valid, LONG_URL)),
        encoded(garbage()),
        encoded(far_date()),
        // Not 1 or 2 (real questionnaire versions).
        numbers_outside(-1, 1_000_000),
        bad_bytes(),
    ])
}

/// A query value for a filter date.
fn url_date(valid: &'static str) -> Values<String> {
    Values::any(vec![
        encoded(far_date()),
        encoded(with_control(valid)),
        encoded(long(valid, LONG_URL)),
        bad_bytes(),
    ])
}

/// A query value for a count that must be in `lo..=hi`.
fn url_number(lo: i64, hi: i64) -> Values<String> {
    Values::any(vec![
        encoded(numbers_outside(lo, hi)),
        encoded(with_control("10")),
        bad_bytes(),
    ])
}

/// Free text for a search: anything may be searched for.
fn url_text(valid: &'static str) -> Values<String> {
    Values::any(vec![
        encoded(with_control(valid)),
        encoded(long(valid, LONG_URL)),
        encoded(garbage()),
        bad_bytes(),
    ])
}

/// A whole body gone wrong: deep, truncated, not UTF-8, not an object,
/// with an unknown or a repeated field.
fn bad_body(base: &Value) -> Values<Vec<u8>> {
    let text = base.to_string();
    let first_key = base
        .as_object()
        .and_then(|o| o.keys().next().cloned())
        .unwrap_or_default();
    let mut unknown = base.clone();
    unknown["unknown_field"] = json!("x");
    let edges: Vec<Vec<u8>> = vec![
        ("[".repeat(DEEP) + &"]".repeat(DEEP)).into_bytes(),
        ("{\"a\":".repeat(DEEP) + "1" + &"}".repeat(DEEP)).into_bytes(),
        unknown.to_string().into_bytes(),
        format!("{{\"{first_key}\":1,{}", &text[1..]).into_bytes(),
        b"".to_vec(),
        b"null".to_vec(),
        b"[]".to_vec(),
        b"\"text\"".to_vec(),
        b"1e999".to_vec(),
        [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        text.as_bytes()[..text.len() / 2].to_vec(),
    ];
    let n = text.len();
    let cut = text.clone();
    let random = prop_oneof![
        (1..n).prop_map(move |at| cut.as_bytes()[..at].to_vec()),
        (1..n, prop::sample::select(vec![0xFFu8, 0xC0, 0x80, 0x00])).prop_map(move |(at, b)| {
            let mut bytes = text.clone().into_bytes();
            bytes.insert(at, b);
            bytes
        }),
    ];
    Values::new(edges, random.boxed())
}

// ---------------------------------------------------------------------------
// The targets.

#[derive(Clone, Copy, Debug)]
enum Who {
    Nobody,
    Admin,
    Kiosk,
    Shopper,
}

/// What a target's answers must be.
#[derive(Clone, Copy, PartialEq)]
enum Expect {
    /// A 4xx with a JSON error body.
    Refused,
    /// The same, or a 2xx (a free-text search may find nothing).
    RefusedOrFound,
    /// `POST /responses`: a 4xx, or 200 with every response `rejected` or
    /// `deferred`.
    NotStored,
}

enum Attack {
    /// `?param=VALUE` (percent-encoded).
    Query(&'static str, Values<String>),
    /// The `{}` in the path (percent-encoded).
    Segment(Values<String>),
    /// The field at a JSON pointer into the body, as JSON text; the name
    /// an error about it must give.
    Field(&'static str, &'static str, Values<String>),
    /// The whole body, as bytes.
    Body(Values<Vec<u8>>),
}

struct Target {
    name: String,
    who: Who,
    method: reqwest::Method,
    path: String,
    body: Option<Value>,
    attack: Attack,
    expect: Expect,
}

/// One request of a sweep.
struct Request {
    who: Who,
    method: reqwest::Method,
    path: String,
    body: Option<Vec<u8>>,
}

/// Ids and bodies the table needs from the set-up.
struct Known {
    user: String,
    device: String,
    response: String,
    /// An alert followed up by `case`.
    alert: String,
    case: String,
    /// An alert rule.
    rule: String,
    kiosk: Value,
    shop: Value,
    upload: Value,
    webhook: String,
    /// A contact request for `response`, stored once.
    contact: Value,
}

fn query(who: Who, path: &str, param: &'static str, values: Values<String>) -> Target {
    Target {
        name: format!("GET {path}?{param}="),
        who,
        method: reqwest::Method::GET,
        path: path.into(),
        body: None,
        attack: Attack::Query(param, values),
        expect: Expect::Refused,
    }
}

fn segment(
    who: Who,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    values: Values<String>,
) -> Target {
    Target {
        name: format!("{method} {path}"),
        who,
        method,
        path: path.into(),
        body,
        attack: Attack::Segment(values),
        expect: Expect::Refused,
    }
}

/// One target per field of `base`, and one for the body as a whole.
fn body(
    who: Who,
    method: reqwest::Method,
    path: &str,
    base: Value,
    fields: Vec<(&'static str, &'static str, Values<String>)>,
) -> Vec<Target> {
    let expect = if path == "/api/v1/responses" {
        Expect::NotStored
    } else {
        Expect::Refused
    };
    let mut targets: Vec<Target> = fields
        .into_iter()
        .map(|(pointer, name, values)| Target {
            name: format!("{method} {path} {pointer}"),
            who,
            method: method.clone(),
            path: path.into(),
            body: Some(base.clone()),
            attack: Attack::Field(pointer, name, values),
            expect,
        })
        .collect();
    targets.push(Target {
        name: format!("{method} {path} (whole body, as {who:?})"),
        who,
        method: method.clone(),
        path: path.into(),
        attack: Attack::Body(bad_body(&base)),
        body: Some(base),
        expect,
    });
    targets
}

fn table(k: &Known) -> Vec<Target> {
    use reqwest::Method as M;
    use Who::*;
    let mut t = Vec::new();
    // Query parameters of the readers' endpoints, as an admin.
    for path in [
        "/api/v1/aggregates",
        "/api/v1/drivers",
        "/api/v1/items",
        "/api/v1/comments",
        "/api/v1/export/responses.csv",
        "/api/v1/export/aggregates.csv",
    ] {
        t.push(query(Admin, path, "from", url_date("2026-03-01")));
        t.push(query(Admin, path, "to", url_date("2026-03-31")));
        t.push(query(Admin, path, "channel", url_ident("kiosk")));
        t.push(query(Admin, path, "questionnaire", url_ident("lobby")));
        t.push(query(Admin, path, "branches", url_ident("N01,N02")));
        t.push(query(Admin, path, "region", url_ident("North")));
        t.push(query(Admin, path, "against", url_ident("peers")));
        t.push(query(Admin, path, "format", url_ident("community")));
    }
    let mut search = query(Admin, "/api/v1/comments", "q", url_text("friendly"));
    search.expect = Expect::RefusedOrFound;
    t.push(search);
    t.push(query(
        Admin,
        "/api/v1/comments",
        "limit",
        url_number(1, 200),
    ));
    t.push(query(Admin, "/api/v1/comments", "by", url_ident("score")));
    t.push(query(Admin, "/api/v1/audit", "limit", url_number(1, 1000)));
    t.push(query(Admin, "/api/v1/visits", "branch", url_ident("N01")));
    t.push(query(
        Admin,
        "/api/v1/visits",
        "status",
        url_ident("planned"),
    ));
    t.push(query(Admin, "/api/v1/visits", "overdue", url_ident("true")));
    t.push(query(
        Admin,
        "/api/v1/reports",
        "status",
        url_ident("submitted"),
    ));
    t.push(query(Admin, "/api/v1/reports", "branch", url_ident("N01")));
    t.push(query(
        Admin,
        "/api/v1/quotas",
        "quarter",
        url_ident("2026-Q1"),
    ));
    let webhook: &'static str = k.webhook.clone().leak();
    t.push(query(
        Admin,
        &format!("/api/v1/webhooks/{webhook}/deliveries"),
        "limit",
        url_number(1, 200),
    ));
    t.push(query(Admin, "/api/v1/cases", "status", url_ident("open")));
    t.push(query(Admin, "/api/v1/cases", "branch", url_ident("N01")));
    t.push(query(Admin, "/api/v1/cases", "owner", url_ident("me")));
    t.push(query(Admin, "/api/v1/cases", "overdue", url_ident("true")));
    for param in ["from", "to"] {
        t.push(query(
            Admin,
            "/api/v1/cases/stats",
            param,
            url_date("2026-03-01"),
        ));
    }
    t.push(query(Admin, "/api/v1/alerts", "branch", url_ident("N01")));
    t.push(query(
        Admin,
        "/api/v1/alerts",
        "kind",
        url_ident("unhappy_burst"),
    ));
    t.push(query(Admin, "/api/v1/alerts", "unread", url_ident("true")));
    t.push(query(
        Admin,
        "/api/v1/alerts",
        "before",
        url_ident("9b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b"),
    ));
    t.push(query(Admin, "/api/v1/alerts", "limit", url_number(1, 200)));

    // Path ids.
    t.push(segment(
        Nobody,
        M::GET,
        "/api/v1/questionnaires/{}",
        None,
        url_ident("lobby"),
    ));
    t.push(segment(
        Nobody,
        M::GET,
        "/api/v1/questionnaires/{}/2",
        None,
        url_ident("lobby"),
    ));
    t.push(segment(
        Nobody,
        M::GET,
        "/api/v1/questionnaires/lobby/{}",
        None,
        url_ident("2"),
    ));
    t.push(segment(
        Admin,
        M::POST,
        "/api/v1/questionnaires/{}/2/activate",
        None,
        url_ident("lobby"),
    ));
    t.push(segment(
        Admin,
        M::POST,
        "/api/v1/questionnaires/lobby/{}/activate",
        None,
        url_ident("2"),
    ));
    let user: &'static str = k.user.clone().leak();
    let device: &'static str = k.device.clone().leak();
    let response: &'static str = k.response.clone().leak();
    let alert_rule: &'static str = k.rule.clone().leak();
    t.push(segment(
        Admin,
        M::PATCH,
        "/api/v1/users/{}",
        Some(json!({"active": true})),
        url_ident(user),
    ));
    t.push(segment(
        Admin,
        M::POST,
        "/api/v1/devices/{}/code",
        None,
        url_ident(device),
    ));
    t.push(segment(
        Admin,
        M::POST,
        "/api/v1/devices/{}/revoke",
        None,
        url_ident(device),
    ));
    t.push(segment(
        Admin,
        M::PUT,
        "/api/v1/devices/{}/pin",
        Some(json!({"pin": "2468"})),
        url_ident(device),
    ));
    t.push(segment(
        Admin,
        M::PUT,
        "/api/v1/formats/{}",
        Some(format_body("community")),
        url_ident("community"),
    ));
    t.push(segment(
        Admin,
        M::DELETE,
        "/api/v1/formats/{}",
        None,
        url_ident("community"),
    ));
    for (method, path, code) in [
        (M::POST, "/api/v1/formats", "hostile_x"),
        (M::PUT, "/api/v1/formats/community", "community"),
    ] {
        t.extend(body(
            Admin,
            method,
            path,
            format_body(code),
            vec![
                ("/code", "code", ident("hostile_x", false)),
                // A name is a map by language: each entry is named by
                // its language, wrong types included.
                ("/name/zh-CN", "name.zh-CN", label("社区网点", false)),
                ("/name/en", "name.en", label("Community", false)),
                ("/name/es", "name.es", label("Comunitaria", false)),
            ],
        ));
    }
    t.push(segment(
        Admin,
        M::PUT,
        "/api/v1/branches/{}",
        Some(json!({"code": "N01", "name": "Harbour Square", "region": "North", "active": true})),
        url_ident("N01"),
    ));
    t.push(segment(
        Admin,
        M::POST,
        "/api/v1/responses/{}/purge-text",
        None,
        url_ident(response),
    ));
    t.push(segment(
        Admin,
        M::PUT,
        "/api/v1/webhooks/{}",
        Some(webhook_body()),
        url_ident(webhook),
    ));
    for (method, path) in [
        (M::DELETE, "/api/v1/webhooks/{}"),
        (M::POST, "/api/v1/webhooks/{}/secret"),
        (M::POST, "/api/v1/webhooks/{}/test"),
        (M::GET, "/api/v1/webhooks/{}/deliveries"),
    ] {
        t.push(segment(Admin, method, path, None, url_ident(webhook)));
    }

    t.push(segment(
        Admin,
        M::PUT,
        "/api/v1/alert-rules/{}",
        Some(rule_body()),
        url_ident(alert_rule),
    ));
    t.push(segment(
        Admin,
        M::DELETE,
        "/api/v1/alert-rules/{}",
        None,
        url_ident(alert_rule),
    ));

    // A visit and a report that do not exist: every id is refused.
    const NO_SUCH: &str = "00000000-0000-4000-8000-000000000999";
    t.push(segment(
        Admin,
        M::PUT,
        "/api/v1/visits/{}",
        Some(visit_body()),
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Admin,
        M::POST,
        "/api/v1/visits/{}/cancel",
        None,
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Shopper,
        M::POST,
        "/api/v1/visits/{}/start",
        None,
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Admin,
        M::GET,
        "/api/v1/reports/{}",
        None,
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Admin,
        M::POST,
        "/api/v1/reports/{}/review",
        Some(json!({"decision": "approve"})),
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Admin,
        M::GET,
        "/api/v1/alerts/{}/deliveries",
        None,
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Admin,
        M::GET,
        "/api/v1/alerts/{}",
        None,
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Admin,
        M::POST,
        "/api/v1/alerts/{}/read",
        None,
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Admin,
        M::GET,
        "/api/v1/cases/{}",
        None,
        url_ident(NO_SUCH),
    ));
    t.push(segment(
        Admin,
        M::PATCH,
        "/api/v1/cases/{}",
        Some(json!({"note": "Called back"})),
        url_ident(NO_SUCH),
    ));

    // Bodies, field by field.
    t.extend(body(
        Nobody,
        M::POST,
        "/api/v1/session",
        json!({"username": "manny", "password": "manny password 2026"}),
        vec![
            ("/username", "username", ident("manny", false)),
            ("/password", "password", password(false)),
        ],
    ));
    t.extend(body(
        Nobody,
        M::POST,
        "/api/v1/devices/enrol",
        json!({"code": "ABCDE-FGHJK"}),
        vec![("/code", "code", ident("ABCDE-FGHJK", false))],
    ));
    t.extend(body(
        Kiosk,
        M::POST,
        "/api/v1/responses",
        json!({"responses": [k.kiosk]}),
        vec![
            (
                "/responses/0/id",
                "id",
                ident("9b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", false),
            ),
            (
                "/responses/0/questionnaire_id",
                "questionnaire_id",
                ident("lobby", false),
            ),
            (
                "/responses/0/questionnaire_version",
                "questionnaire_version",
                number_field(2, 2),
            ),
            ("/responses/0/branch", "branch", ident("N01", false)),
            (
                "/responses/0/device_id",
                "device_id",
                label("tablet-1", false),
            ),
            ("/responses/0/channel", "channel", ident("kiosk", false)),
            ("/responses/0/locale", "locale", ident("en", false)),
            (
                "/responses/0/started_at",
                "started_at",
                time_field("2026-11-01T09:30:00Z", false),
            ),
            (
                "/responses/0/submitted_at",
                "submitted_at",
                time_field("2026-11-01T09:31:00Z", false),
            ),
            (
                "/responses/0/answers/overall/value",
                "overall",
                number_field(1, 5),
            ),
            (
                "/responses/0/answers/recommend/value",
                "recommend",
                number_field(0, 10),
            ),
            (
                "/responses/0/answers/comment/value",
                "comment",
                label("Quick and friendly.", false),
            ),
        ],
    ));
    t.extend(body(
        Shopper,
        M::POST,
        "/api/v1/responses",
        json!({"responses": [k.shop]}),
        vec![
            (
                "/responses/0/visit/arrived_at",
                "arrived_at",
                time_field("2026-11-01T09:30:00Z", true),
            ),
            (
                "/responses/0/visit/queue_joined_at",
                "queue_joined_at",
                time_field("2026-11-01T09:31:00Z", true),
            ),
            (
                "/responses/0/visit/served_at",
                "served_at",
                time_field("2026-11-01T09:40:00Z", true),
            ),
            (
                "/responses/0/visit/left_at",
                "left_at",
                time_field("2026-11-01T09:50:00Z", true),
            ),
            (
                "/responses/0/visit/wait_override_reason",
                "wait_override_reason",
                label("The ticket machine was down", true),
            ),
            (
                "/responses/0/comments/service",
                "service",
                label("Kind and clear.", false),
            ),
            (
                "/responses/0/answers/wait_seconds/value",
                "wait_seconds",
                number_field(0, 86_400),
            ),
            (
                "/responses/0/answers/hours_displayed/value",
                "hours_displayed",
                ident("no", false),
            ),
            (
                "/responses/0/assignment",
                "assignment",
                ident("9b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", true),
            ),
        ],
    ));
    t.extend(body(
        Admin,
        M::POST,
        "/api/v1/visits",
        visit_body(),
        vec![
            ("/branch", "branch", ident("N02", false)),
            (
                "/scenario",
                "scenario",
                label("Open a savings account", false),
            ),
            (
                "/questionnaire_id",
                "questionnaire_id",
                ident("branch_visit", false),
            ),
            ("/window/to", "window.to", date_field(due())),
            ("/shopper", "shopper", label("Ana", true)),
        ],
    ));
    let alert: &'static str = k.alert.clone().leak();
    t.extend(body(
        Admin,
        M::POST,
        "/api/v1/cases",
        case_body(alert, user),
        vec![
            ("/alert", "alert", ident(alert, false)),
            ("/owner", "owner", ident(user, false)),
            ("/due", "due", date_field(due())),
            ("/note", "note", label("Call back", true)),
        ],
    ));
    t.extend(body(
        Admin,
        M::PATCH,
        &format!("/api/v1/cases/{}", k.case),
        case_change(user),
        vec![
            ("/note", "note", label("Called back", true)),
            ("/due", "due", date_field(due())),
            ("/status", "status", ident("in_progress", true)),
            ("/owner", "owner", ident(user, true)),
        ],
    ));
    t.extend(body(
        Admin,
        M::PUT,
        "/api/v1/quotas",
        json!({"quarter": "2026-Q1", "targets": [{"branch": "N01", "target": 3}]}),
        vec![
            ("/quarter", "quarter", date_field("2026-Q1")),
            (
                "/targets/0/branch",
                "targets[0].branch",
                ident("N01", false),
            ),
            (
                "/targets/0/target",
                "targets[0].target",
                number_field(0, 1000),
            ),
        ],
    ));
    t.extend(body(
        Admin,
        M::POST,
        "/api/v1/users",
        user_body("hostile-user"),
        vec![
            ("/username", "username", ident("hostile-user", false)),
            ("/password", "password", password(false)),
            ("/role", "role", ident("manager", false)),
            ("/branch", "branch", ident("N01", true)),
            ("/region", "region", ident("North", true)),
        ],
    ));
    t.extend(body(
        Admin,
        M::PATCH,
        &format!("/api/v1/users/{}", k.user),
        json!({"active": true}),
        vec![
            ("/active", "active", boolean(true)),
            ("/password", "password", password(true)),
        ],
    ));
    t.extend(body(
        Admin,
        M::POST,
        "/api/v1/devices",
        json!({"kind": "kiosk", "label": "Hostile tablet", "branch": "N01"}),
        vec![
            ("/kind", "kind", ident("kiosk", false)),
            ("/label", "label", label("Hostile tablet", false)),
            ("/branch", "branch", ident("N01", true)),
            ("/shopper", "shopper", label("Ana", true)),
        ],
    ));
    t.extend(body(
        Admin,
        M::PUT,
        &format!("/api/v1/devices/{}/pin", k.device),
        json!({"pin": "2468"}),
        vec![("/pin", "pin", label("2468", false))],
    ));
    t.extend(body(
        Kiosk,
        M::POST,
        "/api/v1/device/status",
        json!({"questionnaire_id": "lobby", "questionnaire_version": 2, "waiting": 1, "rejected": 0, "last_sync": "2026-03-01T09:30:00Z"}),
        vec![
            // Any plain id up to 64 characters is a fair report: only
            // what the server refuses is tried.
            ("/questionnaire_id", "questionnaire_id", label("lobby", true)),
            (
                "/questionnaire_version",
                "questionnaire_version",
                Values::any(vec![
                    numbers_outside(0, u32::MAX.into()),
                    wrong_type(Ty::Num, true),
                ]),
            ),
            ("/waiting", "waiting", number_field(0, u32::MAX.into())),
            ("/rejected", "rejected", number_field(0, u32::MAX.into())),
            (
                "/last_sync",
                "last_sync",
                Values::any(vec![
                    json_text(with_control("2026-03-01T09:30:00Z")),
                    wrong_type(Ty::Str, true),
                ]),
            ),
        ],
    ));
    t.extend(body(
        Kiosk,
        M::POST,
        "/api/v1/contacts",
        k.contact.clone(),
        vec![
            (
                "/id",
                "id",
                ident("9b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5c", false),
            ),
            (
                "/response",
                "response",
                ident("9b2f6a0e-1c3d-4e5f-8a9b-0c1d2e3f4a5b", false),
            ),
            ("/way", "way", ident("phone", false)),
            ("/value", "value", label("+44 20 7946 0000", false)),
            ("/locale", "locale", ident("es", false)),
        ],
    ));
    t.extend(body(
        Admin,
        M::POST,
        "/api/v1/branches",
        branch_body("X02"),
        vec![
            ("/code", "code", ident("X02", false)),
            ("/name", "name", label("Hostile Road", false)),
            ("/region", "region", label("North", false)),
            ("/active", "active", boolean(false)),
            ("/format", "format", ident("community", true)),
        ],
    ));
    t.extend(body(
        Admin,
        M::PUT,
        "/api/v1/branches/X01",
        branch_body("X01"),
        vec![
            ("/code", "code", ident("X01", false)),
            ("/name", "name", label("Hostile Road", false)),
            ("/region", "region", label("North", false)),
            ("/active", "active", boolean(false)),
            ("/format", "format", ident("community", true)),
        ],
    ));
    for (method, path) in [
        (M::POST, "/api/v1/webhooks".to_owned()),
        (M::PUT, format!("/api/v1/webhooks/{webhook}")),
    ] {
        t.extend(body(
            Admin,
            method,
            &path,
            webhook_body(),
            vec![
                ("/name", "name", label("Service desk", false)),
                ("/url", "url", ident("http://127.0.0.1:9/hostile", false)),
                ("/active", "active", boolean(true)),
            ],
        ));
    }
    for path in [
        "/api/v1/alert-rules".to_owned(),
        format!("/api/v1/alert-rules/{}", k.rule),
    ] {
        let method = if path.ends_with("rules") {
            M::POST
        } else {
            M::PUT
        };
        t.extend(body(
            Admin,
            method,
            &path,
            rule_body(),
            vec![
                ("/name", "name", label("Hostile burst", false)),
                ("/rule/kind", "rule", ident("unhappy_burst", false)),
                (
                    "/rule/window_minutes",
                    "window_minutes",
                    number_field(5, 1440),
                ),
                ("/rule/min_count", "min_count", number_field(1, 1000)),
                ("/rule/share_percent", "share_percent", number_field(1, 100)),
                ("/rule/low_max", "low_max", number_field(1, 4)),
                ("/scope/kind", "scope", ident("branch", false)),
                ("/scope/value", "scope", ident("N01", false)),
                ("/recipients/roles/0", "roles", ident("manager", false)),
                (
                    "/recipients/emails/0",
                    "emails",
                    label("ops@bank.example", false),
                ),
                ("/active", "active", boolean(true)),
            ],
        ));
    }
    t.extend(body(
        Admin,
        M::POST,
        "/api/v1/questionnaires",
        k.upload.clone(),
        vec![
            ("/id", "id", ident("hostile_q", false)),
            ("/version", "version", number_field(1, u32::MAX.into())),
            ("/kind", "kind", ident("kiosk", false)),
            ("/title/en", "title", label("Your visit today", false)),
            ("/languages/0", "languages", ident("zh-CN", false)),
            ("/sections/0/id", "id", ident("visit", false)),
            ("/sections/0/items/0/id", "id", ident("overall", false)),
            ("/sections/0/items/0/type", "type", ident("rating", false)),
            (
                "/sections/0/items/0/text/en",
                "text",
                label("How was it?", false),
            ),
            ("/sections/0/items/0/required", "required", boolean(true)),
        ],
    ));
    t
}

/// A due date a month from today.
fn due() -> &'static str {
    static DUE: OnceLock<String> = OnceLock::new();
    DUE.get_or_init(|| (OffsetDateTime::now_utc().date() + time::Duration::days(30)).to_string())
}

fn visit_body() -> Value {
    json!({"branch": "N02", "scenario": "Open a savings account", "questionnaire_id": "branch_visit", "window": {"from": due(), "to": due()}, "shopper": "Ana"})
}

fn case_body(alert: &str, owner: &str) -> Value {
    json!({"alert": alert, "owner": owner, "due": due(), "note": "Call back"})
}

fn case_change(owner: &str) -> Value {
    json!({"note": "Called back", "due": due(), "status": "in_progress", "owner": owner})
}

fn user_body(username: &str) -> Value {
    json!({"username": username, "password": "hostile password 2026", "role": "manager", "branch": "N01"})
}

/// A webhook nobody listens at (the discard port on loopback): nothing in
/// the sweep may reach it, and if something did, it would go nowhere.
fn webhook_body() -> Value {
    json!({"name": "Service desk", "url": "http://127.0.0.1:9/hostile", "active": true})
}

fn rule_body() -> Value {
    json!({
        "name": "Hostile burst",
        "rule": {"kind": "unhappy_burst", "window_minutes": 15, "min_count": 5, "share_percent": 50, "low_max": 2},
        "scope": {"kind": "branch", "value": "N01"},
        "recipients": {"roles": ["manager"], "emails": ["ops@bank.example"]},
        "active": true
    })
}

fn format_body(code: &str) -> Value {
    json!({"code": code, "name": {"zh-CN": "社区网点", "en": "Community", "es": "Comunitaria"}})
}

fn branch_body(code: &str) -> Value {
    json!({"code": code, "name": "Hostile Road", "region": "North", "active": true})
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// A valid kiosk response to "lobby" for N01, made an hour ago.
fn kiosk_response(id: &str) -> Value {
    let mut r = common::kiosk_response(id);
    let now = OffsetDateTime::now_utc();
    r["started_at"] = json!(rfc3339(now - time::Duration::minutes(61)));
    r["submitted_at"] = json!(rfc3339(now - time::Duration::minutes(60)));
    r
}

/// A valid mystery-shop report for `assignment` at N02, with visit times
/// and a section comment, made two hours ago.
fn shop_response(id: &str, assignment: &str) -> Value {
    let now = OffsetDateTime::now_utc();
    let at = |minutes: i64| json!(rfc3339(now - time::Duration::minutes(minutes)));
    let mut r = json!({
        "id": id,
        "questionnaire_id": "branch_visit",
        "questionnaire_version": 3,
        "branch": "N02",
        "device_id": "phone-1",
        "channel": "mystery_shop",
        "locale": "en",
        "started_at": at(130),
        "submitted_at": at(60),
        "answers": {},
        "comments": {"service": "Kind and clear."},
        "visit": {
            "arrived_at": at(125),
            "queue_joined_at": at(124),
            "served_at": at(115),
            "left_at": at(100),
            "wait_override_reason": "The ticket machine was down"
        },
        "assignment": assignment,
    });
    let file = std::fs::read_to_string(questionnaires_dir().join("mystery_shop.json")).unwrap();
    let q = branchpulse_core::questionnaire::load("mystery_shop.json", &file).unwrap();
    for item in q.items().filter(|i| i.required && i.show_if.is_none()) {
        r["answers"][&item.id] = match &item.kind {
            // "no" everywhere: the items shown only after a "yes" stay
            // hidden; the call was not answered, so its yes_no says "no" too.
            branchpulse_core::ItemKind::Call { .. } => {
                json!({"type": "call", "value": {"rings": 9, "answered": false, "seconds": 45}})
            }
            branchpulse_core::ItemKind::YesNo => json!({"type": "yes_no", "value": "no"}),
            branchpulse_core::ItemKind::Seconds { .. } => json!({"type": "seconds", "value": 540}),
            branchpulse_core::ItemKind::Choice { options } => {
                json!({"type": "choice", "value": options[0].id})
            }
            other => panic!("unexpected required item {other:?}"),
        };
    }
    r
}

/// `base` with the field at `pointer` set to the JSON text `raw`; every
/// response of a batch gets a new id first, so that no case is answered
/// as a resend of another.
fn with_field(base: &Value, pointer: &str, raw: &str) -> Vec<u8> {
    const HOLE: &str = "\u{1}hostile\u{1}";
    let mut body = base.clone();
    if let Some(responses) = body.get_mut("responses").and_then(Value::as_array_mut) {
        for r in responses {
            r["id"] = json!(uuid::Uuid::new_v4().to_string());
        }
    }
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    match body.pointer_mut(parent) {
        Some(Value::Object(m)) => {
            m.insert(key.to_owned(), json!(HOLE));
        }
        Some(Value::Array(a)) => a[key.parse::<usize>().unwrap()] = json!(HOLE),
        _ => panic!("{pointer}: the base body has no place for it"),
    }
    let hole = Value::String(HOLE.into()).to_string();
    body.to_string().replacen(&hole, raw, 1).into_bytes()
}

// ---------------------------------------------------------------------------
// The sweep.

#[derive(Clone, Copy, PartialEq, Debug)]
enum Kind {
    /// The process ended, dropped the connection or stopped answering.
    Crash,
    /// A wrong answer: 5xx, 2xx, stored, no JSON error, field not named.
    Answer,
    /// A table changed.
    Data,
}

struct Finding {
    kind: Kind,
    target: String,
    value: String,
    problem: String,
}

struct Sweep {
    rt: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    database_url: String,
    process: Process,
    http: reqwest::Client,
    admin: Session,
    kiosk: String,
    shopper: String,
    findings: Vec<Finding>,
}

/// The name an error about a value must give, and for which statuses.
type Name = Option<(&'static str, &'static [u16])>;

/// What came back.
struct Answer {
    status: u16,
    json_type: bool,
    body: String,
    took: Duration,
}

/// Whether `message` names `field` as a word of its own.
fn names(message: &str, field: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    message.match_indices(field).any(|(at, _)| {
        let before = message[..at].chars().next_back();
        let after = message[at + field.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// Shorter, printable form of a value for the report.
fn shown(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let text: String = text.escape_debug().collect();
    if text.chars().count() > 90 {
        let head: String = text.chars().take(60).collect();
        format!("{head}… ({} bytes)", value.len())
    } else {
        text
    }
}

impl Sweep {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.process.url)
    }

    fn send(&self, r: &Request) -> Result<Answer, String> {
        let mut req = self
            .http
            .request(r.method.clone(), self.url(&r.path))
            .timeout(HUNG);
        req = match r.who {
            Who::Nobody => req,
            Who::Admin => self.admin.on(req),
            Who::Kiosk => req.bearer_auth(&self.kiosk),
            Who::Shopper => req.bearer_auth(&self.shopper),
        };
        if let Some(body) = &r.body {
            req = req
                .header("content-type", "application/json")
                .body(body.clone());
        }
        let started = Instant::now();
        self.rt.block_on(async {
            let resp = req.send().await.map_err(|e| format!("no answer: {e}"))?;
            let status = resp.status().as_u16();
            let json_type = resp
                .headers()
                .get("content-type")
                .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
            let body = resp
                .text()
                .await
                .map_err(|e| format!("answer cut off (status {status}): {e}"))?;
            Ok(Answer {
                status,
                json_type,
                body,
                took: started.elapsed(),
            })
        })
    }

    /// `Err` unless the process runs and answers its health check.
    fn healthy(&mut self) -> Result<(), String> {
        self.process.alive()?;
        let health = self
            .http
            .get(self.url("/api/v1/health"))
            .timeout(Duration::from_secs(10));
        let status = self
            .rt
            .block_on(async { health.send().await.map(|r| r.status().as_u16()) });
        match status {
            Ok(200) => Ok(()),
            Ok(s) => Err(format!("the health check answered {s}")),
            Err(e) => Err(format!("the health check got no answer: {e}")),
        }
    }

    fn digest(&self) -> String {
        self.rt.block_on(digest(&self.database_url))
    }

    /// A new process on the same database, after one stopped or hung.
    fn restart(&mut self) {
        self.process = Process::start(self.dir.path(), &self.database_url);
    }

    fn find(&mut self, kind: Kind, target: &Target, value: &[u8], problem: String) {
        self.findings.push(Finding {
            kind,
            target: target.name.clone(),
            value: shown(value),
            problem,
        });
    }

    /// Every case of `target`, then whether the tables changed.
    fn run(&mut self, target: &Target) {
        let before = self.digest();
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            // Fixed per target, so that a run can be repeated; set
            // PROPTEST_RNG_SEED for other values.
            rng_seed: match std::env::var("PROPTEST_RNG_SEED") {
                Ok(seed) => seed.parse().unwrap_or(RngSeed::Random),
                Err(_) => RngSeed::Fixed(
                    target
                        .name
                        .bytes()
                        .fold(15u64, |h, b| h.wrapping_mul(31) ^ u64::from(b)),
                ),
            },
            ..Config::default()
        });
        let edges = match &target.attack {
            Attack::Query(_, v) | Attack::Segment(v) | Attack::Field(_, _, v) => v.edges.len(),
            Attack::Body(v) => v.edges.len(),
        };
        for case in 0..edges + runner.config().cases as usize {
            let (request, value, name) = self.case(target, case, &mut runner);
            self.check(target, &request, &value, name);
        }
        if self.digest() != before {
            self.find(
                Kind::Data,
                target,
                b"",
                "a table changed: some value above was stored".into(),
            );
        }
    }

    /// Case `case` of `target` (its edge cases first, then random values):
    /// the request, the hostile value, and the name an error about it must
    /// give (with the statuses that must give it).
    fn case(
        &self,
        target: &Target,
        case: usize,
        runner: &mut TestRunner,
    ) -> (Request, Vec<u8>, Name) {
        fn pick<T: Clone + std::fmt::Debug>(
            v: &Values<T>,
            case: usize,
            runner: &mut TestRunner,
        ) -> T {
            match v.edges.get(case) {
                Some(edge) => edge.clone(),
                None => v.random.new_tree(runner).expect("a value").current(),
            }
        }
        let mut request = Request {
            who: target.who,
            method: target.method.clone(),
            path: target.path.clone(),
            body: target.body.as_ref().map(|b| b.to_string().into_bytes()),
        };
        let (value, name) = match &target.attack {
            Attack::Query(param, values) => {
                let v = pick(values, case, runner);
                request.path = format!("{}?{param}={v}", target.path);
                (v.into_bytes(), Some((*param, &[400, 422][..])))
            }
            Attack::Segment(values) => {
                let v = pick(values, case, runner);
                request.path = target.path.replacen("{}", &v, 1);
                (v.into_bytes(), None)
            }
            Attack::Field(pointer, name, values) => {
                let v = pick(values, case, runner);
                request.body = Some(with_field(target.body.as_ref().unwrap(), pointer, &v));
                // A syntax error (too deep, a number JSON cannot hold) is a
                // 400 that need not know the field; a wrong shape must.
                (v.into_bytes(), Some((*name, &[422][..])))
            }
            Attack::Body(values) => {
                let v = pick(values, case, runner);
                request.body = Some(v.clone());
                (v, None)
            }
        };
        (request, value, name)
    }

    fn check(&mut self, target: &Target, request: &Request, value: &[u8], name: Name) {
        let since = log_len(self.dir.path());
        match self.send(request) {
            Err(problem) => {
                let panic = panic_in_log(self.dir.path(), since);
                self.find(Kind::Crash, target, value, format!("{problem}{panic}"));
            }
            Ok(answer) => {
                if let Some(problem) = judge(target.expect, &answer, name) {
                    self.find(Kind::Answer, target, value, problem);
                }
            }
        }
        if let Err(problem) = self.healthy() {
            let log = log_tail(self.dir.path());
            self.find(
                Kind::Crash,
                target,
                value,
                format!("{problem}; log:\n{log}"),
            );
            self.restart();
        }
    }
}

/// What is wrong with `answer`, if anything.
fn judge(expect: Expect, answer: &Answer, name: Name) -> Option<String> {
    let status = answer.status;
    let head: String = answer.body.chars().take(300).collect();
    if answer.took > SLOW {
        return Some(format!("{status} after {:.1?}: {head}", answer.took));
    }
    if (200..300).contains(&status) {
        return match expect {
            Expect::RefusedOrFound => None,
            Expect::Refused => Some(format!("accepted ({status}): {head}")),
            Expect::NotStored => outcomes(&answer.body, name.map(|(field, _)| field)),
        };
    }
    if !(400..500).contains(&status) {
        return Some(format!("{status}: {head}"));
    }
    let error = serde_json::from_str::<Value>(&answer.body)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_owned))
        .filter(|e| !e.is_empty());
    let Some(error) = error.filter(|_| answer.json_type) else {
        return Some(format!("{status} without a JSON error body: {head}"));
    };
    // A value of the wrong shape is told which field it is; other
    // refusals (unknown, no access, taken) need not say.
    match name {
        Some((field, statuses)) if statuses.contains(&status) && !names(&error, field) => {
            Some(format!("{status} without naming {field}: {error}"))
        }
        _ => None,
    }
}

/// For a 200 to `POST /responses`: every response refused, naming the field.
fn outcomes(body: &str, field: Option<&str>) -> Option<String> {
    let reply: Value = serde_json::from_str(body).unwrap_or_default();
    let Some(results) = reply["results"].as_array() else {
        return Some(format!("200 without results: {body}"));
    };
    for r in results {
        let status = r["status"].as_str().unwrap_or_default();
        let reason = r["reason"].as_str().unwrap_or_default();
        if status != "rejected" && status != "deferred" {
            return Some(format!("response {status}"));
        }
        if let Some(name) = field.filter(|name| !names(reason, name)) {
            return Some(format!("{status} without naming {name}: {reason}"));
        }
    }
    None
}

/// Set up a server with data to protect, then run every target.
fn sweep() -> Vec<Finding> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    common::write_dist(&dir.path().join("dist"));
    let database_url = rt.block_on(fresh_database(dir.path()));
    let process = Process::start(dir.path(), &database_url);
    let (admin, kiosk, shopper, known) = rt.block_on(set_up(&process.url, &database_url));
    let mut sweep = Sweep {
        rt,
        dir,
        database_url,
        process,
        http: reqwest::Client::new(),
        admin,
        kiosk,
        shopper,
        findings: Vec::new(),
    };
    let started = Instant::now();
    let targets = table(&known);
    for target in &targets {
        sweep.run(target);
    }
    println!(
        "{} targets, {} cases each, in {:.0?}",
        targets.len(),
        CASES,
        started.elapsed()
    );
    sweep.findings
}

/// Accounts, devices and data; and each body's base accepted once (with
/// another name where it must be new), so that a refusal in the sweep is
/// the hostile value's doing.
async fn set_up(url: &str, database_url: &str) -> (Session, String, String, Known) {
    let s = TestServer::attach(url, database_url);
    let admin = s.admin_session().await.clone();
    let manny = s.user("manny", "manager", Some("N01"), None).await;
    let (device, kiosk) = s.enrol("kiosk", "N01").await;
    let (_, shopper) = s.enrol("shopper", "Ana").await;
    let post = |path: &'static str, body: Value| {
        let s = &s;
        async move {
            let (status, reply) = s.admin_json(reqwest::Method::POST, path, &body).await;
            assert!((200..300).contains(&status), "{path}: {status} {reply}");
            reply
        }
    };
    let visit = post("/api/v1/visits", visit_body()).await;
    let assignment = visit["id"].as_str().unwrap().to_owned();
    post("/api/v1/users", user_body("control-user")).await;
    post(
        "/api/v1/devices",
        json!({"kind": "kiosk", "label": "Hostile tablet", "branch": "N01"}),
    )
    .await;
    post("/api/v1/branches", branch_body("X01")).await;
    let webhook = post("/api/v1/webhooks", webhook_body()).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, reply) = s
        .admin_json(
            reqwest::Method::PUT,
            &format!("/api/v1/webhooks/{webhook}"),
            &webhook_body(),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = s
        .admin_json(
            reqwest::Method::PUT,
            "/api/v1/branches/X01",
            &branch_body("X01"),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = s
        .admin_json(
            reqwest::Method::PATCH,
            &format!(
                "/api/v1/users/{}",
                manny.body["user"]["id"].as_str().unwrap()
            ),
            &json!({"active": true}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = s
        .admin_json(
            reqwest::Method::PUT,
            &format!("/api/v1/devices/{device}/pin"),
            &json!({"pin": "2468"}),
        )
        .await;
    assert_eq!(status, 204, "{reply}");
    let resp = s
        .client
        .post(s.at("/api/v1/device/status"))
        .bearer_auth(&kiosk)
        .json(&json!({"questionnaire_id": "lobby", "questionnaire_version": 2, "waiting": 1, "rejected": 0, "last_sync": "2026-03-01T09:30:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let rule = post("/api/v1/alert-rules", rule_body()).await;
    let rule = rule["id"].as_str().unwrap().to_owned();
    let (status, reply) = s
        .admin_json(
            reqwest::Method::PUT,
            &format!("/api/v1/alert-rules/{rule}"),
            &rule_body(),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    let file = std::fs::read_to_string(questionnaires_dir().join("kiosk.json")).unwrap();
    let mut upload: Value = serde_json::from_str(&file).unwrap();
    upload["id"] = json!("control_q");
    post("/api/v1/questionnaires", upload.clone()).await;
    upload["id"] = json!("hostile_q");

    // An alert made a case, and the case changed once, by the bodies the
    // sweep sends.
    let manny_id = manny.body["user"]["id"].as_str().unwrap().to_owned();
    let alert = crate::cases::raise_alert(
        &s,
        crate::cases::CONTACT_RULE,
        &json!({"kind": "contact_request"}),
        "N01",
        None,
        OffsetDateTime::now_utc(),
    )
    .await;
    let case = post("/api/v1/cases", case_body(&alert, &manny_id)).await;
    let case = case["id"].as_str().unwrap().to_owned();
    let (status, reply) = s
        .admin_json(
            reqwest::Method::PATCH,
            &format!("/api/v1/cases/{case}"),
            &case_change(&manny_id),
        )
        .await;
    assert_eq!(status, 200, "{reply}");

    let response = uuid::Uuid::new_v4().to_string();
    let kiosk_base = kiosk_response(&response);
    let shop = shop_response(&uuid::Uuid::new_v4().to_string(), &assignment);
    for (token, r) in [(&kiosk, &kiosk_base), (&shopper, &shop)] {
        let (status, reply) = s.post_batch_as(token, &json!({"responses": [r]})).await;
        assert_eq!(status, 200, "{reply}");
        assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
    }
    // Its contact request, stored: every hostile variant of it is then
    // refused, whatever the field, and stores no second one.
    let contact = json!({"id": uuid::Uuid::new_v4().to_string(), "response": response, "way": "phone", "value": "+44 20 7946 0000", "locale": "es"});
    let (status, reply) = s.post_as("/api/v1/contacts", &kiosk, &contact).await;
    assert_eq!(status, 201, "{reply}");
    let known = Known {
        user: manny_id,
        device,
        response,
        alert,
        case,
        rule,
        kiosk: kiosk_base,
        shop,
        upload,
        webhook,
        contact,
    };
    (admin, kiosk, shopper, known)
}

/// The sweep, once for both tests.
fn report() -> &'static [Finding] {
    static REPORT: OnceLock<Vec<Finding>> = OnceLock::new();
    REPORT.get_or_init(sweep)
}

/// Findings of `kinds`, a line or two per target: how many cases, the first one.
fn summary(kinds: &[Kind]) -> (usize, String) {
    let found: Vec<&Finding> = report()
        .iter()
        .filter(|f| kinds.contains(&f.kind))
        .collect();
    let mut out = String::new();
    let mut targets: Vec<&str> = found.iter().map(|f| f.target.as_str()).collect();
    targets.dedup();
    for target in &targets {
        let of: Vec<&&Finding> = found.iter().filter(|f| f.target == *target).collect();
        // The process ending says most; else the first finding.
        let first = of
            .iter()
            .find(|f| f.problem.starts_with("the process ended"))
            .unwrap_or(&of[0]);
        let changed = if of.iter().any(|f| f.kind == Kind::Data) {
            " (and a table changed)"
        } else {
            ""
        };
        out += &format!(
            "\n{target}: {} findings{changed}; e.g. {:?} ← {}\n    {}",
            of.iter().filter(|f| f.kind != Kind::Data).count(),
            first.kind,
            first.value,
            first.problem.replace('\n', "\n    ")
        );
    }
    (targets.len(), out)
}

#[test]
fn the_release_server_survives_every_hostile_request() {
    let (targets, text) = summary(&[Kind::Crash]);
    assert!(
        targets == 0,
        "{targets} targets stopped, hung or cut off the release server:{text}"
    );
}

#[test]
fn every_hostile_request_is_refused_with_a_json_4xx_and_changes_nothing() {
    let (targets, text) = summary(&[Kind::Answer, Kind::Data]);
    assert!(
        targets == 0,
        "{targets} targets answered wrongly or changed stored data:{text}"
    );
}
