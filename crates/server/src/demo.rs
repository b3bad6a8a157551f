//! Demo data (`branchpulse-server --demo`): a realistic network, so that a
//! newcomer sees meaningful dashboards at once.
//!
//! Only into an empty database, and only when asked. Every branch of the
//! catalog gets twelve weeks of kiosk responses (a few thousand in all,
//! fewer on small branches — one stays under 30, to show "too few") and
//! about a hundred mystery-shop visits, with real differences between
//! branches: each has its own strengths and weaknesses per dimension and its
//! own typical waiting time, one improves week by week, one gets worse.
//! About one kiosk customer in ten walks away before the end (a partial
//! response), some fees "do not apply", and a little under half answer the
//! optional questions shown together at the end.
//! The random numbers come from a fixed seed: the same data on every run
//! (dated back from the day it is run). Responses go through the same ingest
//! as a device's, so validation and rollups are exactly as in real use.

use crate::ingest::{self, RawBatch};
use crate::AppState;
use branchpulse_core::aggregate;
use branchpulse_core::questionnaire::{ChoiceOption, Dimension, ItemKind, Kind, Questionnaire};
use branchpulse_core::{Answer, YesNo};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::Arc;
use time::{Duration, OffsetDateTime, UtcOffset};

/// The seed of the demo's random numbers.
const SEED: u64 = 20_260_301;
/// Days of data, ending yesterday.
const DAYS: i64 = 84;
/// Mystery-shop visits per branch.
const VISITS_PER_BRANCH: usize = 8;

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
    Ok(Some(Seeded { kiosk, visits }))
}

/// How one branch behaves.
struct Profile {
    /// Added to the 1–5 rating of each dimension.
    effect: BTreeMap<Dimension, f64>,
    /// Change of every rating per week (improving or declining branches).
    per_week: f64,
    /// Kiosk responses per day, on average.
    daily: f64,
    /// Typical waiting time in seconds.
    wait: f64,
}

fn profiles(count: usize, rng: &mut fastrand::Rng) -> Vec<Profile> {
    (0..count)
        .map(|i| {
            let effect = Dimension::ALL
                .iter()
                .map(|d| (*d, (rng.f64() - 0.5) * 1.2))
                .collect();
            Profile {
                effect,
                per_week: match i {
                    2 => 0.06,
                    9 => -0.06,
                    _ => 0.0,
                },
                // The last branch is a small one: fewer than 30 responses.
                daily: if i + 1 == count {
                    0.15
                } else {
                    2.0 + rng.f64() * 4.0
                },
                wait: 120.0 + rng.f64() * 900.0,
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
/// answered whole or skipped. A customer who walks away keeps the answers
/// given up to some item of the first section.
fn kiosk_answers(
    q: &Questionnaire,
    p: &Profile,
    week: f64,
    locale: &str,
    rng: &mut fastrand::Rng,
) -> (serde_json::Map<String, Value>, bool) {
    let mut given: BTreeMap<String, Answer> = BTreeMap::new();
    let mut sum = 0.0;
    let mut count = 0.0;
    for item in q.items() {
        let latent = 3.7 + p.per_week * week + noise(rng, 0.9);
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
    let (kiosk, shop) = (&*kiosk, &*shop);
    let all = state.catalog.branches();
    let branches: Vec<_> = all.iter().filter(|b| b.active).collect();
    let mut rng = fastrand::Rng::with_seed(SEED);
    let profiles = profiles(branches.len(), &mut rng);
    let offset = UtcOffset::from_hms(8, 0, 0).expect("a valid offset");
    let today = now.to_offset(offset).date();
    let mut out = Vec::new();
    let next_id = |rng: &mut fastrand::Rng| {
        uuid::Builder::from_random_bytes(rng.u128(..).to_le_bytes())
            .into_uuid()
            .to_string()
    };

    for (b, p) in branches.iter().zip(&profiles) {
        for back in (1..=DAYS).rev() {
            let day = today - Duration::days(back);
            let week = ((DAYS - back) / 7) as f64;
            for _ in 0..poisson(&mut rng, p.daily) {
                let at = day
                    .with_hms(9 + rng.u8(..8), rng.u8(..60), rng.u8(..60))
                    .expect("a valid time")
                    .assume_offset(offset);
                let locale = LOCALES[rng.usize(..LOCALES.len())];
                let (answers, partial) = kiosk_answers(kiosk, p, week, locale, &mut rng);
                let mut r = response(
                    next_id(&mut rng),
                    kiosk,
                    &b.code,
                    "kiosk",
                    locale,
                    at - Duration::seconds(40 + i64::from(rng.u8(..80))),
                    at,
                    answers,
                    None,
                );
                if partial {
                    r["partial"] = json!(true);
                }
                out.push(r);
            }
        }

        for _ in 0..VISITS_PER_BRANCH {
            let back = rng.i64(1..=DAYS);
            let day = today - Duration::days(back);
            let arrived = day
                .with_hms(9 + rng.u8(..7), rng.u8(..60), 0)
                .expect("a valid time")
                .assume_offset(offset);
            let wait = (p.wait * noise(&mut rng, 0.5).exp()).clamp(5.0, 7200.0) as u32;
            let quality = p.effect.values().sum::<f64>() / p.effect.len() as f64;
            let wait_item = aggregate::wait_item(shop);
            let mut answers = BTreeMap::new();
            for item in shop.items() {
                if !shop.visible(item, &answers) {
                    continue;
                }
                let answer = match &item.kind {
                    ItemKind::YesNo => {
                        let yes = if item.critical {
                            0.95 + quality * 0.05
                        } else {
                            0.8 + quality * 0.2
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
                    ItemKind::Seconds { max, .. } => Answer::Seconds(rng.u32(3..40).min(*max)),
                    ItemKind::Choice { options } => {
                        let shift = (noise(&mut rng, 0.8) - quality * 1.5).max(0.0);
                        let i = (shift.round() as usize).min(options.len() - 1);
                        Answer::Choice(options[i].id.clone())
                    }
                    ItemKind::Text { .. } if rng.f64() < 0.2 => Answer::Text(
                        if wait > 600 {
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
            let joined = arrived + Duration::minutes(2);
            let served = joined + Duration::seconds(i64::from(wait));
            let left = served + Duration::minutes(15);
            let visit = json!({
                "arrived_at": rfc3339(arrived),
                "queue_joined_at": rfc3339(joined),
                "served_at": rfc3339(served),
                "left_at": rfc3339(left),
            });
            out.push(response(
                next_id(&mut rng),
                shop,
                &b.code,
                "mystery_shop",
                "en",
                arrived,
                left + Duration::minutes(5),
                answers.into_iter().map(|(k, v)| (k, json!(v))).collect(),
                Some(visit),
            ));
        }
    }
    // Submitted in time order, as devices would.
    out.sort_by(|a, b| a["submitted_at"].as_str().cmp(&b["submitted_at"].as_str()));
    Ok(out)
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
