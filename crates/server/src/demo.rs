//! Demo data (`branchpulse-server --demo`): a realistic network, so that a
//! newcomer sees meaningful dashboards at once.
//!
//! Only into an empty database, and only when asked. Every branch of the
//! catalog gets twelve weeks of kiosk responses (a few thousand in all,
//! fewer on small branches — one stays under 30, to show "too few") and
//! 40 mystery-shop visits, enough for each branch's intervals and service
//! commitments to mean something. The branches open on weekdays 9:00–17:00
//! and on Saturday mornings (UTC+8); customers come and shoppers visit in
//! those hours, customers most at lunchtime. Each branch has its own
//! strengths and weaknesses per dimension and its own typical waiting
//! time, and a few stand out, each on one view of the dashboard
//! ([`IMPROVING`], [`DECLINING`], [`SLOW_PHONE`], [`LUNCH_QUEUE`]).
//! About one kiosk customer in ten walks away before the end (a partial
//! response), some fees "do not apply", and a little under half answer the
//! optional questions shown together at the end.
//! The random numbers come from a fixed seed: the same data on every run
//! (dated back from the day it is run). Responses go through the same ingest
//! as a device's, so validation and rollups are exactly as in real use.

use crate::ingest::{self, RawBatch};
use crate::AppState;
use branchpulse_core::aggregate;
use branchpulse_core::programme::{Decision, Review};
use branchpulse_core::questionnaire::{ChoiceOption, Dimension, ItemKind, Kind, Questionnaire};
use branchpulse_core::{Answer, YesNo};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::{Date, Duration, OffsetDateTime, UtcOffset, Weekday};

/// The seed of the demo's random numbers.
const SEED: u64 = 20_260_301;
/// Days of data, ending yesterday: twelve weeks, a quarter.
pub const DAYS: i64 = 84;
/// Mystery-shop visits per branch: over 30, so that a branch's figures are
/// not greyed as too few.
pub const VISITS_PER_BRANCH: usize = 40;

/// The branch (by position in the branch list) whose customers grow more
/// satisfied week by week: its CSAT clearly rises from the first half of
/// the quarter to the second.
pub const IMPROVING: usize = 2;
/// The branch whose customers grow less satisfied.
pub const DECLINING: usize = 9;
/// The branch that answers its phone within three rings only a little over
/// half the time: it clearly misses that commitment.
pub const SLOW_PHONE: usize = 3;
/// The branches where the queue builds up at lunchtime on weekdays
/// (12:00–14:00): waits well over the 10-minute target then.
pub const LUNCH_QUEUE: [usize; 2] = [5, 6];

/// What was seeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeded {
    pub kiosk: usize,
    pub visits: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("demo data: {0}")]
    Ingest(#[from] crate::error::ApiError),
    #[error("demo data: {0}")]
    Store(#[from] crate::store::StoreError),
    #[error("demo data: the catalog has no {0} questionnaire to answer")]
    NoQuestionnaire(&'static str),
    #[error("demo data: a generated response was refused ({0}); this is a bug in the demo")]
    Refused(String),
}

/// Seed the demo network if the database holds no response; `None` when
/// it does (nothing is added then).
pub async fn seed_if_empty(
    state: &AppState,
    now: OffsetDateTime,
) -> Result<Option<Seeded>, DemoError> {
    if state.store.count().await? > 0 {
        return Ok(None);
    }
    let responses = generate(state, now)?;
    let kiosk = responses.iter().filter(|r| r["channel"] == "kiosk").count();
    let visits = responses.len() - kiosk;
    for chunk in responses.chunks(state.config.max_batch.max(1)) {
        let reply = ingest::receive(
            state,
            RawBatch {
                responses: chunk.to_vec(),
            },
            now,
            None,
        )
        .await?;
        if let Some(bad) = reply.results.iter().find(|o| !o.is_stored()) {
            return Err(DemoError::Refused(format!("{bad:?}")));
        }
    }
    // Demo reports are reviewed as real ones are: held when stored, then
    // approved (released and rolled up) through the same decision.
    let approve = Review {
        decision: Decision::Approve,
        note: String::new(),
    };
    for r in responses.iter().filter(|r| r["channel"] == "mystery_shop") {
        let id = r["id"]
            .as_str()
            .and_then(|id| id.parse().ok())
            .ok_or_else(|| DemoError::Refused(format!("a report without an id: {r}")))?;
        crate::review::decide(state, id, &approve, "demo", "system", now).await?;
    }
    Ok(Some(Seeded { kiosk, visits }))
}

/// How one branch behaves.
struct Profile {
    /// Added to the 1–5 rating of each dimension.
    effect: BTreeMap<Dimension, f64>,
    /// Change of every rating per week (improving or declining branches).
    per_week: f64,
    /// Kiosk responses per weekday, on average.
    daily: f64,
    /// Typical waiting time in seconds, outside lunchtime.
    wait: f64,
    /// Whether the queue builds up at lunchtime.
    lunch_queue: bool,
    /// Share of answered calls picked up within three rings.
    within_rings: f64,
}

fn profiles(count: usize, rng: &mut fastrand::Rng) -> Vec<Profile> {
    (0..count)
        .map(|i| {
            let effect = Dimension::ALL
                .iter()
                // The improving branch starts below the others and catches up.
                .map(|d| {
                    (
                        *d,
                        (rng.f64() - 0.5) * 1.2 - if i == IMPROVING { 0.5 } else { 0.0 },
                    )
                })
                .collect();
            let lunch_queue = LUNCH_QUEUE.contains(&i);
            Profile {
                effect,
                per_week: match i {
                    IMPROVING => 0.1,
                    DECLINING => -0.06,
                    _ => 0.0,
                },
                // The last branch is a small one: fewer than 30 responses.
                daily: if i + 1 == count {
                    0.2
                } else {
                    3.0 + rng.f64() * 4.0
                },
                wait: if lunch_queue {
                    180.0 + rng.f64() * 120.0
                } else {
                    90.0 + rng.f64() * 240.0
                },
                lunch_queue,
                within_rings: if i == SLOW_PHONE {
                    0.5
                } else {
                    0.95 + rng.f64() * 0.04
                },
            }
        })
        .collect()
}

/// A roughly normal number with mean 0 and standard deviation about `sd`.
fn noise(rng: &mut fastrand::Rng, sd: f64) -> f64 {
    (rng.f64() + rng.f64() + rng.f64() + rng.f64() - 2.0) * sd * 1.73
}

fn rating(latent: f64) -> u8 {
    latent.round().clamp(1.0, 5.0) as u8
}

/// A Poisson count with mean `mean` (Knuth's method; `mean` is small).
fn poisson(rng: &mut fastrand::Rng, mean: f64) -> usize {
    let limit = (-mean).exp();
    let (mut k, mut p) = (0, rng.f64());
    while p > limit {
        k += 1;
        p *= rng.f64();
    }
    k
}

const LOCALES: [&str; 3] = ["zh-CN", "en", "es"];

fn kiosk_comment(locale: &str, happy: bool, rng: &mut fastrand::Rng) -> &'static str {
    let list: &[&str] = match (locale, happy) {
        ("zh-CN", true) => &[
            "服务很周到，谢谢！",
            "柜员很耐心，解释得很清楚。",
            "办理很快。",
        ],
        ("zh-CN", false) => &[
            "排队时间太长了。",
            "只开了一个窗口。",
            "手续太复杂，跑了两次。",
        ],
        ("es", true) => &["Muy amables, gracias.", "Rápido y claro."],
        ("es", false) => &["Esperé demasiado.", "Nadie me explicó las comisiones."],
        (_, true) => &["Quick and friendly.", "The advisor really listened."],
        (_, false) => &[
            "Waited far too long.",
            "Only one counter open at lunchtime.",
        ],
    };
    list[rng.usize(..list.len())]
}

/// Share of kiosk customers who walk away before the end.
const WALK_AWAY: f64 = 0.1;
/// Share of "does not apply" where an item offers it (fees on a visit
/// that cost none).
const NOT_APPLICABLE: f64 = 0.3;
/// Share of customers who answer an optional section shown together
/// rather than skip it with one tap.
const TOGETHER_ANSWERED: f64 = 0.45;

/// One kiosk customer's answers to `q`, and whether they walked away
/// (partial). Ratings follow the branch's profile per dimension; the
/// overall rating and NPS follow the customer's mood; a scored choice is
/// the option nearest that mood; an optional section shown together is
/// answered whole or skipped; `shift` moves every rating (after a long
/// queue). A customer who walks away keeps the answers given up to some
/// item of the first section.
fn kiosk_answers(
    q: &Questionnaire,
    p: &Profile,
    week: f64,
    shift: f64,
    locale: &str,
    rng: &mut fastrand::Rng,
) -> (serde_json::Map<String, Value>, bool) {
    let mut given: BTreeMap<String, Answer> = BTreeMap::new();
    let mut sum = 0.0;
    let mut count = 0.0;
    for item in q.items() {
        let latent = 3.7 + shift + p.per_week * week + noise(rng, 0.9);
        let (ItemKind::Rating, Some(d)) = (&item.kind, item.dimension) else {
            continue;
        };
        if item.not_applicable && rng.f64() < NOT_APPLICABLE {
            given.insert(item.id.clone(), Answer::NotApplicable);
            continue;
        }
        let x = latent + p.effect[&d];
        sum += x;
        count += 1.0;
        given.insert(item.id.clone(), Answer::Rating(rating(x)));
    }
    let mood = if count > 0.0 { sum / count } else { 3.5 };
    let mood_score = (mood - 1.0) / 4.0 * 100.0;
    for section in &q.sections {
        if section.together && rng.f64() >= TOGETHER_ANSWERED {
            continue;
        }
        for item in &section.items {
            let answer = match (&item.kind, item.dimension) {
                (ItemKind::Rating, None) => Answer::Rating(rating(mood + noise(rng, 0.4))),
                (ItemKind::Nps, _) => Answer::Nps(
                    ((mood - 1.0) * 2.5 + noise(rng, 1.2))
                        .round()
                        .clamp(0.0, 10.0) as u8,
                ),
                (ItemKind::Choice { options }, _) if options.iter().any(|o| o.score.is_some()) => {
                    let target = mood_score + noise(rng, 15.0);
                    let nearest = options.iter().min_by(|a, b| {
                        let off = |o: &&ChoiceOption| (o.score.unwrap_or(f64::NAN) - target).abs();
                        off(a).total_cmp(&off(b))
                    });
                    Answer::Choice(nearest.expect("a choice has options").id.clone())
                }
                (ItemKind::Choice { options }, _) => {
                    Answer::Choice(options[rng.usize(..options.len())].id.clone())
                }
                (ItemKind::YesNo, _) => Answer::YesNo(if rng.f64() < mood / 5.0 {
                    YesNo::Yes
                } else {
                    YesNo::No
                }),
                (ItemKind::Text { .. }, _) if rng.f64() < 0.3 => {
                    Answer::Text(kiosk_comment(locale, mood >= 3.5, rng).to_owned())
                }
                _ => continue,
            };
            given.insert(item.id.clone(), answer);
        }
    }
    let mut partial = rng.f64() < WALK_AWAY;
    if partial {
        // Walked away after the first `kept` items of the first section:
        // at least one, never all of it.
        let first: Vec<&str> = q.sections[0].items.iter().map(|i| i.id.as_str()).collect();
        let kept = 1 + rng.usize(..first.len().saturating_sub(1).max(1));
        let mut left = given.clone();
        left.retain(|id, _| first[..kept].contains(&id.as_str()));
        // A partial response answers something, or it is not sent.
        if left.is_empty() {
            partial = false;
        } else {
            given = left;
        }
    }
    let answers = given.into_iter().map(|(k, v)| (k, json!(v))).collect();
    (answers, partial)
}

/// The active version of the first questionnaire of `kind`: what a device would answer.
fn find(state: &AppState, kind: Kind) -> Option<Arc<Questionnaire>> {
    state
        .catalog
        .summaries()
        .into_iter()
        .find(|s| s.kind == kind)
        .and_then(|s| state.catalog.latest(&s.id))
}

fn generate(state: &AppState, now: OffsetDateTime) -> Result<Vec<Value>, DemoError> {
    let kiosk = find(state, Kind::Kiosk).ok_or(DemoError::NoQuestionnaire("kiosk"))?;
    let shop = find(state, Kind::MysteryShop).ok_or(DemoError::NoQuestionnaire("mystery-shop"))?;
    let all = state.catalog.branches();
    let branches: Vec<&str> = all
        .iter()
        .filter(|b| b.active)
        .map(|b| b.code.as_str())
        .collect();
    Ok(responses(&kiosk, &shop, &branches, now))
}

/// When the branches are open: from the first hour to the closing hour,
/// weekdays 9:00–17:00 and Saturday mornings 9:00–12:00, local time.
fn opening(day: Date) -> Option<(u8, u8)> {
    match day.weekday() {
        Weekday::Sunday => None,
        Weekday::Saturday => Some((9, 12)),
        _ => Some((9, 17)),
    }
}

/// Lunchtime on a weekday, when the queue builds up.
fn lunchtime(day: Date, hour: u8) -> bool {
    (12..14).contains(&hour) && !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// How busy each opening hour from 9:00 is, relative to the day's mean
/// (they sum to 8, the weekday's hours): quiet first thing, busiest at
/// lunchtime.
const TRAFFIC: [f64; 8] = [0.7, 0.9, 1.0, 1.5, 1.4, 0.9, 0.7, 0.9];

/// The demo's responses for the branches `codes` (in list order), dated in
/// the `DAYS` before `now`'s day at UTC+8, the branches' local time.
pub fn responses(
    kiosk: &Questionnaire,
    shop: &Questionnaire,
    codes: &[&str],
    now: OffsetDateTime,
) -> Vec<Value> {
    let mut rng = fastrand::Rng::with_seed(SEED);
    let profiles = profiles(codes.len(), &mut rng);
    let offset = UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    let today = now.to_offset(offset).date();
    let days: Vec<Date> = (1..=DAYS)
        .rev()
        .map(|back| today - Duration::days(back))
        .collect();
    // Every opening hour of the quarter: visits are spread over them.
    let hours: Vec<(Date, u8)> = days
        .iter()
        .filter_map(|d| opening(*d).map(|(open, close)| (open..close).map(move |h| (*d, h))))
        .flatten()
        .collect();
    let mut out = Vec::new();
    let next_id = |rng: &mut fastrand::Rng| {
        uuid::Builder::from_random_bytes(rng.u128(..).to_le_bytes())
            .into_uuid()
            .to_string()
    };

    for (code, p) in codes.iter().zip(&profiles) {
        for (i, day) in days.iter().enumerate() {
            let week = (i / 7) as f64;
            let Some((open, close)) = opening(*day) else {
                continue;
            };
            for hour in open..close {
                let traffic = TRAFFIC[usize::from(hour - open)];
                for _ in 0..poisson(&mut rng, p.daily / 8.0 * traffic) {
                    let started = day
                        .with_hms(hour, rng.u8(..60), rng.u8(..60))
                        .expect("a valid time")
                        .assume_offset(offset);
                    // Customers who queued at lunchtime are a little less pleased.
                    let mood = if p.lunch_queue && lunchtime(*day, hour) {
                        -0.3
                    } else {
                        0.0
                    };
                    let locale = LOCALES[rng.usize(..LOCALES.len())];
                    let (answers, partial) = kiosk_answers(kiosk, p, week, mood, locale, &mut rng);
                    let mut r = response(
                        next_id(&mut rng),
                        kiosk,
                        code,
                        "kiosk",
                        locale,
                        started,
                        started + Duration::seconds(40 + i64::from(rng.u8(..80))),
                        answers,
                        None,
                    );
                    if partial {
                        r["partial"] = json!(true);
                    }
                    out.push(r);
                }
            }
        }

        for _ in 0..VISITS_PER_BRANCH {
            let (day, hour) = busy_hour(&hours, &mut rng);
            let arrived = day
                .with_hms(hour, rng.u8(..50), rng.u8(..60))
                .expect("a valid time")
                .assume_offset(offset);
            let (busy, queue) = match (lunchtime(day, hour), p.lunch_queue) {
                // 10 to 20 minutes more than at other times.
                (true, true) => (1.0, 600.0 + rng.f64() * 600.0),
                (true, false) => (1.3, 0.0),
                (false, _) => (1.0, 0.0),
            };
            let wait =
                (p.wait * busy * noise(&mut rng, 0.45).exp() + queue).clamp(5.0, 7200.0) as u32;
            let answers = visit_answers(shop, p, wait, &mut rng);
            let joined = arrived + Duration::seconds(30 + i64::from(rng.u8(..150)));
            let served = joined + Duration::seconds(i64::from(wait));
            let left = served + Duration::minutes(8 + i64::from(rng.u8(..20)));
            let visit = json!({
                "arrived_at": rfc3339(arrived),
                "queue_joined_at": rfc3339(joined),
                "served_at": rfc3339(served),
                "left_at": rfc3339(left),
            });
            out.push(response(
                next_id(&mut rng),
                shop,
                code,
                "mystery_shop",
                "en",
                arrived,
                left + Duration::minutes(5 + i64::from(rng.u8(..25))),
                answers.into_iter().map(|(k, v)| (k, json!(v))).collect(),
                Some(visit),
            ));
        }
    }
    // Submitted in time order, as devices would.
    out.sort_by(|a, b| a["submitted_at"].as_str().cmp(&b["submitted_at"].as_str()));
    out
}

/// An opening hour, chosen as often as customers come then: shoppers are
/// sent when the branch is busy as well as when it is quiet.
fn busy_hour(hours: &[(Date, u8)], rng: &mut fastrand::Rng) -> (Date, u8) {
    let busiest = TRAFFIC.iter().copied().fold(0.0, f64::max);
    loop {
        let (day, hour) = hours[rng.usize(..hours.len())];
        let (open, _) = opening(day).expect("an opening hour");
        if rng.f64() * busiest < TRAFFIC[usize::from(hour - open)] {
            return (day, hour);
        }
    }
}

/// One shopper's answers to `shop` at a branch like `p`, having waited
/// `wait` seconds. A commitment's item is met a little more often than its
/// target at most branches; the phone is answered within three rings as
/// often as the branch's profile says.
fn visit_answers(
    shop: &Questionnaire,
    p: &Profile,
    wait: u32,
    rng: &mut fastrand::Rng,
) -> BTreeMap<String, Answer> {
    let quality = p.effect.values().sum::<f64>() / p.effect.len() as f64;
    let wait_item = aggregate::wait_item(shop);
    let wait_target = wait_item
        .and_then(|id| shop.item(id))
        .and_then(|i| match i.kind {
            ItemKind::Seconds { target, .. } => target,
            _ => None,
        })
        .unwrap_or(600);
    let mut answers = BTreeMap::new();
    for item in shop.items() {
        if !shop.visible(item, &answers) {
            continue;
        }
        let answer = match &item.kind {
            // Only asked after a long wait.
            ItemKind::YesNo if item.id == "wait_acknowledged" && wait <= wait_target => {
                Answer::YesNo(YesNo::Na)
            }
            ItemKind::YesNo => {
                let yes = match &item.commitment {
                    Some(c) => (c.target / 100.0 + 0.02 + quality * 0.06).clamp(0.5, 0.995),
                    None if item.critical => 0.95 + quality * 0.05,
                    None => 0.8 + quality * 0.2,
                };
                Answer::YesNo(if rng.f64() < yes {
                    YesNo::Yes
                } else {
                    YesNo::No
                })
            }
            ItemKind::Seconds { max, .. } if wait_item == Some(item.id.as_str()) => {
                Answer::Seconds(wait.min(*max))
            }
            // The phone's rings: within the target as often as the profile says.
            ItemKind::Seconds {
                target: Some(t),
                max,
            } => {
                let t = (*t).max(1);
                let s = if rng.f64() < p.within_rings {
                    rng.u32(2.min(t)..=t)
                } else {
                    rng.u32(t + 1..=3 * t)
                };
                Answer::Seconds(s.min(*max))
            }
            ItemKind::Seconds { max, .. } => Answer::Seconds(rng.u32(3..40).min(*max)),
            ItemKind::Choice { options } => {
                let shift = (noise(rng, 0.8) - quality * 1.5).max(0.0);
                let i = (shift.round() as usize).min(options.len() - 1);
                Answer::Choice(options[i].id.clone())
            }
            ItemKind::Text { .. } if rng.f64() < 0.2 => Answer::Text(
                if wait > wait_target {
                    "Waited a long time; nobody explained the delay."
                } else {
                    "Clear advice, no pressure to buy."
                }
                .to_owned(),
            ),
            _ => continue,
        };
        answers.insert(item.id.clone(), answer);
    }
    answers
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .expect("a time formats")
}

#[allow(clippy::too_many_arguments)]
fn response(
    id: String,
    q: &Questionnaire,
    branch: &str,
    channel: &str,
    locale: &str,
    started: OffsetDateTime,
    submitted: OffsetDateTime,
    answers: serde_json::Map<String, Value>,
    visit: Option<Value>,
) -> Value {
    let mut r = json!({
        "id": id,
        "questionnaire_id": q.id,
        "questionnaire_version": q.version,
        "branch": branch,
        "device_id": format!("demo-{channel}-{branch}"),
        "channel": channel,
        "locale": locale,
        "started_at": rfc3339(started),
        "submitted_at": rfc3339(submitted),
        "answers": answers,
    });
    if let Some(visit) = visit {
        r["visit"] = visit;
    }
    r
}

#[cfg(test)]
mod tests {
    //! The generator on its own, measured with core's own figures: what
    //! each view of the dashboard will show once the server stores the sums.

    use super::*;
    use branchpulse_core::aggregate::{aggregate_responses, Aggregates, Filter};
    use branchpulse_core::protocol::Branch;
    use branchpulse_core::scorecard::{Definitions, Standing};
    use branchpulse_core::stats::Movement;
    use branchpulse_core::{questionnaire, Response};
    use std::path::Path;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-03-30 12:00 UTC);

    fn file(name: &str) -> String {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../questionnaires");
        std::fs::read_to_string(dir.join(name)).unwrap()
    }

    struct Demo {
        kiosk: Questionnaire,
        shop: Questionnaire,
        branches: Vec<Branch>,
        responses: Vec<Response>,
    }

    impl Demo {
        fn new(now: OffsetDateTime) -> Demo {
            let kiosk = questionnaire::load("kiosk.json", &file("kiosk.json")).unwrap();
            let shop =
                questionnaire::load("mystery_shop.json", &file("mystery_shop.json")).unwrap();
            let branches: Vec<Branch> = serde_json::from_str(&file("branches.json")).unwrap();
            let codes: Vec<&str> = branches.iter().map(|b| b.code.as_str()).collect();
            let responses = responses(&kiosk, &shop, &codes, now)
                .into_iter()
                .map(|r| serde_json::from_value(r).unwrap())
                .collect();
            Demo {
                kiosk,
                shop,
                branches,
                responses,
            }
        }

        fn figures(&self, query: &str) -> Aggregates {
            let defs = Definitions::of([&self.kiosk, &self.shop]);
            let lookup = |id: &str, version: u32| {
                [&self.kiosk, &self.shop]
                    .into_iter()
                    .find(|q| q.id == id && q.version == version)
            };
            aggregate_responses(
                &Filter::from_query(query).unwrap(),
                &self.branches,
                &defs,
                &self.responses,
                lookup,
            )
        }
    }

    /// The calendar moves the opening hours against the random numbers, so
    /// each day of the week the demo may be run on is tried.
    #[test]
    fn every_new_view_has_something_true_to_show_whatever_the_day() {
        for day in 0..7 {
            shows_each_view(NOW + Duration::days(day));
        }
    }

    fn shows_each_view(now: OffsetDateTime) {
        let demo = Demo::new(now);
        let shop = demo.figures("channel=mystery_shop");
        let mut meet_rings = 0;
        for (i, b) in shop.branches.iter().enumerate() {
            let f = &b.figures;
            assert_eq!(f.n, VISITS_PER_BRANCH as u64, "{now} {}", b.code);
            assert!(!f.too_few, "{now} {}", b.code);
            let rings = f
                .commitments
                .iter()
                .find(|c| c.item == "phone_rings_seconds")
                .unwrap();
            let rate = rings.rate.estimate.unwrap().value;
            if i == SLOW_PHONE {
                assert!(rate < 75.0, "{now} {}: {rate}", b.code);
                assert_eq!(rings.standing, Some(Standing::Missed), "{now} {}", b.code);
            } else {
                meet_rings += usize::from(rate >= 90.0);
                assert_ne!(rings.standing, Some(Standing::Missed), "{now} {}", b.code);
            }
            // Weekday lunchtimes against weekday mornings.
            let mean = |hours: std::ops::Range<u8>| {
                let slots: Vec<_> = f
                    .wait
                    .slots
                    .iter()
                    .filter(|s| s.weekday < 5 && hours.contains(&s.hour))
                    .collect();
                let n: u64 = slots.iter().map(|s| s.n).sum();
                let sum: f64 = slots.iter().map(|s| s.mean * s.n as f64).sum();
                (sum / n as f64, n)
            };
            let (lunch, lunch_n) = mean(12..14);
            let (morning, morning_n) = mean(9..12);
            assert!(
                lunch_n >= 4 && morning_n >= 4,
                "{now} {}: {lunch_n}, {morning_n}",
                b.code
            );
            if LUNCH_QUEUE.contains(&i) {
                assert!(
                    lunch > 900.0 && lunch > 2.5 * morning,
                    "{now} {}: {lunch} vs {morning}",
                    b.code
                );
            } else {
                assert!(lunch < 600.0, "{now} {}: {lunch}", b.code);
            }
        }
        assert!(meet_rings + 2 >= shop.branches.len(), "{now}: {meet_rings}");
        // Every visit began in opening hours, at the branches' local time.
        for r in demo.responses.iter() {
            let began = r
                .visit
                .as_ref()
                .and_then(|v| v.arrived_at)
                .unwrap_or(r.started_at);
            assert_eq!(began.offset(), UtcOffset::from_hms(8, 0, 0).unwrap());
            let (open, close) = opening(began.date()).expect("open that day");
            assert!((open..close).contains(&began.hour()), "{began}");
        }

        // The second half of the quarter against the first: the improving
        // branch's CSAT rises, clearly.
        let to = now.to_offset(UtcOffset::from_hms(8, 0, 0).unwrap()).date() - Duration::days(1);
        let from = to - Duration::days(DAYS / 2 - 1);
        let kiosk = demo.figures(&format!("channel=kiosk&from={from}&to={to}"));
        let change = |i: usize| {
            let c = kiosk.branches[i].figures.change.as_ref().unwrap();
            assert_eq!(c.from, from - Duration::days(DAYS / 2));
            c.csat.movement
        };
        assert_eq!(change(IMPROVING), Some(Movement::Up), "{now}");
        // Most others show no change: a flag only where the interval says so.
        let steady = (0..demo.branches.len())
            .filter(|i| change(*i) == Some(Movement::Steady))
            .count();
        assert!(steady >= demo.branches.len() / 2, "{now}: {steady}");
    }

    #[test]
    fn the_same_responses_on_every_run() {
        let (a, b) = (Demo::new(NOW), Demo::new(NOW));
        assert_eq!(a.responses, b.responses);
    }
}
