//! What happens to a batch of responses: each is checked on its own, the
//! good ones are stored together in one transaction, and every response gets
//! its own outcome (accepted, duplicate, rejected with a reason, or deferred
//! when dated ahead of the server's clock).
//!
//! The batch is read as a list of JSON values rather than of responses, so
//! that one response of the wrong shape is rejected alone instead of
//! failing — and, resent forever, blocking — the whole batch.
//!
//! The ids of the batch are looked up first: a response already stored is
//! answered `duplicate` (or, with other content, rejected as a conflict)
//! before any check that depends on what may have changed since it was
//! stored — its branch closed, its questionnaire version retired, the
//! device re-enrolled elsewhere. A device whose first reply was lost must
//! not be told its stored response failed.

use crate::catalog::{BranchStatus, Snapshot};
use crate::error::ApiError;
use crate::store::access::DeviceRow;
use crate::store::{Facts, Record, ReportFacts, Saved, VisitRecord};
use crate::AppState;
use branchpulse_core::access::DeviceKind;
use branchpulse_core::alerts::Observed;
use branchpulse_core::programme::{next, Event, ReportStatus, VisitStatus};
use branchpulse_core::protocol::{Outcome, SyncReply};
use branchpulse_core::validate::{check_strings, only_in_the_future, validate, Problem, Rules};
use branchpulse_core::Channel;
use branchpulse_core::ProblemCode;
use branchpulse_core::Response;
use serde::Deserialize;
use std::collections::HashMap;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// The body of `POST /api/v1/responses` before each response is read.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBatch {
    pub responses: Vec<serde_json::Value>,
}

/// Check and store `batch`; `now` is the server's clock. `device` is the
/// enrolled device that sent it: each response must be one it may submit
/// (see [`may_submit`]). `None` is the server itself (demo data).
///
/// The whole request is refused (and nothing stored) only when it cannot be
/// answered per response: an empty or oversize batch, or an entry without a
/// readable `id` to answer for.
pub async fn receive(
    state: &AppState,
    batch: RawBatch,
    now: OffsetDateTime,
    device: Option<&DeviceRow>,
) -> Result<SyncReply, ApiError> {
    let max = state.config.max_batch;
    let n = batch.responses.len();
    if n == 0 {
        return Err(
            ApiError::BadRequest(format!("the batch is empty: send 1 to {max} responses"))
                .coded(ProblemCode::EmptyBatch),
        );
    }
    if n > max {
        return Err(ApiError::TooLarge(format!(
            "the batch has {n} responses, more than the {max} accepted per request: send smaller batches"
        )));
    }
    let rules = Rules {
        now,
        max_clock_skew: Duration::seconds(i64::from(state.config.max_clock_skew_secs)),
        max_age: Duration::days(i64::from(state.config.max_response_age_days)),
    };

    let mut ids = Vec::with_capacity(n);
    for (i, value) in batch.responses.iter().enumerate() {
        ids.push(id_of(value).ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "responses[{i}] has no valid \"id\" (a UUID made on the device); nothing was stored"
            ))
            .coded(ProblemCode::ResponseWithoutId)
            .at(format!("responses[{i}].id"))
        })?);
    }
    let stored = state.store.stored_hashes(&ids).await?;

    // A rejection is final for the device, so a questionnaire version or
    // branch this server has not seen yet (an admin just added or reopened
    // it on another replica) is looked up again before answering.
    let snapshot = state.catalog.snapshot();
    let unknown = ids
        .iter()
        .zip(&batch.responses)
        .any(|(id, value)| !stored.contains_key(id) && unknown_here(&snapshot, value));
    if unknown {
        if let Err(e) = state.catalog.refresh(&state.store).await {
            tracing::warn!(error = %e, "cannot check the catalog for changes");
        }
    }

    let mut results: Vec<Option<Outcome>> = vec![None; n];
    let mut records: Vec<Record> = Vec::new();
    let mut slots: Vec<usize> = Vec::new();
    // A second copy of an id within the batch is answered from the first.
    let mut first_of: HashMap<Uuid, usize> = HashMap::new();
    let mut repeats: Vec<Repeat> = Vec::new();
    let mut visits: HashMap<Uuid, Option<VisitRecord>> = HashMap::new();

    for (i, (id, value)) in ids.into_iter().zip(batch.responses).enumerate() {
        let response = match decode(value) {
            Ok(response) => response,
            Err(reason) => {
                results[i] = Some(Outcome::Rejected { id, reason });
                continue;
            }
        };
        if let Some(hash) = stored.get(&id) {
            // After its texts were erased the stored hash is of the erased
            // response: the resend is erased the same way (see maintenance/purge.rs).
            let same = crate::maintenance::purge::same_as_stored(hash, &response);
            results[i] = Some(if same {
                Outcome::Duplicate { id }
            } else {
                conflict(id)
            });
            continue;
        }
        let checked = match check(state, response, &rules) {
            Ok((response, verdict)) => match device {
                Some(d) => may_submit(state, d, &response, &mut visits)
                    .await?
                    .map(|()| (response, verdict)),
                None => Ok((response, verdict)),
            },
            Err(reason) => Err(reason),
        };
        // A report is checked against its visit's life only once it is
        // otherwise right (a deferred one is checked when it comes again).
        let checked = match checked {
            Ok((response, Verdict::Store(facts))) if response.channel == Channel::MysteryShop => {
                let shopper = device.and_then(|d| d.shopper.clone());
                report_of(state, &response, shopper, &mut visits)
                    .await?
                    .map(|report| (response, Verdict::Store(facts), Some(report)))
            }
            Ok((response, verdict)) => Ok((response, verdict, None)),
            Err(reason) => Err(reason),
        };
        match checked {
            Ok((_, Verdict::Later(reason), _)) => {
                results[i] = Some(Outcome::Deferred { id, reason })
            }
            Ok((response, Verdict::Store(judged), report)) => {
                let (facts, observed) = *judged;
                let mut record = Record::new(&response, now)
                    .with_facts(facts)
                    .observing(observed);
                if let Some(d) = device {
                    record = record.from_device(d.id);
                }
                if let Some(report) = report {
                    record = record.as_report(report);
                }
                if let Some(&first) = first_of.get(&id) {
                    repeats.push(Repeat {
                        slot: i,
                        first,
                        hash: record.payload_hash,
                    });
                    continue;
                }
                first_of.insert(id, records.len());
                slots.push(i);
                records.push(record);
            }
            Err(reason) => results[i] = Some(Outcome::Rejected { id, reason }),
        }
    }

    // Stored in id order (see `Store::save`); answered in the batch's.
    let saved = crate::telemetry::timed("save_batch", state.store.save(&records)).await?;
    for ((slot, record), saved) in slots.iter().zip(&records).zip(saved) {
        results[*slot] = Some(match saved {
            Saved::Inserted => Outcome::Accepted { id: record.id },
            Saved::AlreadyStored => Outcome::Duplicate { id: record.id },
            Saved::Conflict => conflict(record.id),
            Saved::Refused(reason) => Outcome::Rejected {
                id: record.id,
                reason,
            },
        });
    }
    for repeat in repeats {
        let first = &records[repeat.first];
        let first_stored = results[slots[repeat.first]]
            .as_ref()
            .is_some_and(Outcome::is_stored);
        results[repeat.slot] = Some(if first.payload_hash == repeat.hash && first_stored {
            Outcome::Duplicate { id: first.id }
        } else {
            conflict(first.id)
        });
    }
    Ok(SyncReply {
        results: results
            .into_iter()
            .map(|r| r.expect("every response has an outcome"))
            .collect(),
    })
}

/// What becomes of a response that passed the checks.
enum Verdict {
    /// Stored now, adding these facts to the dashboard and showing the
    /// alert rules what they judge (boxed: a rollup with its items is
    /// large beside a reason).
    Store(Box<(Facts, Observed)>),
    /// Dated ahead of the server's clock, and otherwise right: the device
    /// sends it again later (`Outcome::Deferred`), with this reason.
    Later(String),
}

/// A second copy of an id within one batch: answered like the first copy
/// when identical, as a conflict when not.
struct Repeat {
    slot: usize,
    /// Index in `records` of the first copy.
    first: usize,
    hash: String,
}

/// Whether `value` names a questionnaire version or an open branch that
/// `catalog` lacks (read leniently: the full check comes later).
fn unknown_here(catalog: &Snapshot, value: &serde_json::Value) -> bool {
    let id = value.get("questionnaire_id").and_then(|v| v.as_str());
    let version = value
        .get("questionnaire_version")
        .and_then(|v| v.as_u64())
        .and_then(|v| u32::try_from(v).ok());
    let branch = value.get("branch").and_then(|v| v.as_str());
    let version_known =
        matches!((id, version), (Some(id), Some(v)) if catalog.questionnaire(id, v).is_some());
    let branch_open = branch.is_some_and(|b| matches!(catalog.branch(b), BranchStatus::Active(_)));
    !(version_known && branch_open)
}

fn id_of(value: &serde_json::Value) -> Option<Uuid> {
    value.get("id")?.as_str()?.parse().ok()
}

fn conflict(id: Uuid) -> Outcome {
    Outcome::Rejected {
        id,
        reason: "id: a different response with this id is already stored; the stored one was kept"
            .into(),
    }
}

/// Whether `device` may submit `response`: a kiosk only kiosk responses
/// for its own branch, a shopper's phone only visit reports, and a report
/// naming an assignment only for a real visit of that branch assigned to
/// its shopper or to no one. The error (outer) is the database's; the inner
/// one the reason the response is rejected. The response's own `device_id`
/// is not compared: outboxes made before enrolment keep their old ids.
async fn may_submit(
    state: &AppState,
    device: &DeviceRow,
    response: &Response,
    visits: &mut HashMap<Uuid, Option<VisitRecord>>,
) -> Result<Result<(), String>, ApiError> {
    match device.kind {
        DeviceKind::Kiosk => {
            if response.channel != Channel::Kiosk {
                return Ok(Err(
                    "channel: this device is a kiosk and submits only kiosk responses".into(),
                ));
            }
            if device.branch.as_deref() != Some(response.branch.as_str()) {
                return Ok(Err(format!(
                    "branch: this kiosk is enrolled for branch \"{}\", not \"{}\"",
                    device.branch.as_deref().unwrap_or_default(),
                    response.branch
                )));
            }
        }
        DeviceKind::Shopper => {
            if response.channel != Channel::MysteryShop {
                return Ok(Err(
                    "channel: this device is a shopper's phone and submits only visit reports"
                        .into(),
                ));
            }
        }
    }
    let Some(id) = response.assignment else {
        return Ok(Ok(()));
    };
    let visit = match visits.get(&id) {
        Some(v) => v.clone(),
        None => {
            let v = state.store.visit(id).await?;
            visits.insert(id, v.clone());
            v
        }
    };
    Ok(match visit {
        None => Err(format!("assignment: no visit {id}")),
        Some(v) if v.branch != response.branch => Err(format!(
            "assignment: visit {id} is for branch \"{}\", not \"{}\"",
            v.branch, response.branch
        )),
        Some(v) if v.shopper.is_some() && v.shopper != device.shopper => Err(format!(
            "assignment: visit {id} is assigned to another shopper"
        )),
        Some(_) => Ok(()),
    })
}

/// What a mystery-shop report adds beside its response, or why it is
/// refused: its visit must be waiting for a report (`programme::next`),
/// and a correction must name a returned report of the same shopper and
/// visit that nothing corrected yet. The save repeats these checks as
/// guarded writes, for reports arriving at once.
async fn report_of(
    state: &AppState,
    response: &Response,
    shopper: Option<String>,
    visits: &mut HashMap<Uuid, Option<VisitRecord>>,
) -> Result<Result<ReportFacts, String>, ApiError> {
    if let Some(id) = response.assignment {
        let visit = match visits.get(&id) {
            Some(v) => v.clone(),
            None => {
                let v = state.store.visit(id).await?;
                visits.insert(id, v.clone());
                v
            }
        };
        let Some(visit) = visit else {
            return Ok(Err(format!("assignment: no visit {id}")));
        };
        if let Err(e) = next(visit.status, Event::Submit) {
            let why = match e.from {
                VisitStatus::Submitted => "its report awaits review",
                VisitStatus::Approved => "its report was approved",
                VisitStatus::Rejected => "its report was rejected",
                _ => "it was cancelled",
            };
            return Ok(Err(format!(
                "assignment: visit {id} takes no more reports: {why}"
            )));
        }
        match (visit.status, response.revises) {
            (VisitStatus::Returned, None) => {
                return Ok(Err(format!(
                    "revises: visit {id}'s report was returned; send the corrected report \
                     naming the returned one in \"revises\""
                )))
            }
            (s, Some(_)) if s != VisitStatus::Returned => {
                return Ok(Err(format!(
                    "revises: visit {id} has no returned report to correct"
                )))
            }
            _ => {}
        }
    }
    if let Some(revises) = response.revises {
        let Some(old) = state.store.report(revises).await? else {
            return Ok(Err(format!("revises: no report {revises}")));
        };
        let refused = if old.status != ReportStatus::Returned {
            Some("it was not returned for correction")
        } else if old.revised_by.is_some() {
            Some("it was corrected already")
        } else if old.shopper != shopper {
            Some("another shopper made it")
        } else if old.visit != response.assignment {
            Some("it reports another visit")
        } else {
            None
        };
        if let Some(why) = refused {
            return Ok(Err(format!(
                "revises: report {revises} cannot be corrected by this one: {why}"
            )));
        }
    }
    Ok(Ok(ReportFacts {
        visit: response.assignment,
        shopper,
        revises: response.revises,
    }))
}

/// Read one response; the error, naming the field, is the reason it is
/// rejected, e.g. "answers.q1.value: invalid value: integer `300`, expected u8".
fn decode(value: serde_json::Value) -> Result<Response, String> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        if path == "." {
            format!("not a valid response: {}", e.inner())
        } else {
            format!("{path}: {}", e.inner())
        }
    })
}

/// Check one response, and score it with the questionnaire version it
/// answered; the error is the reason it is rejected.
fn check(
    state: &AppState,
    response: Response,
    rules: &Rules,
) -> Result<(Response, Verdict), String> {
    // Before anything is looked up by these strings, so that no reason
    // repeats a control character.
    check_strings(&response).map_err(|problems| reason(&problems))?;
    let catalog = state.catalog.snapshot();
    let q = match catalog.questionnaire(&response.questionnaire_id, response.questionnaire_version)
    {
        Some(q) => q,
        None if catalog.latest(&response.questionnaire_id).is_some() => {
            return Err(format!(
                "questionnaire_version: questionnaire \"{}\" has no version {}",
                response.questionnaire_id, response.questionnaire_version
            ))
        }
        None => {
            return Err(format!(
                "questionnaire_id: unknown questionnaire \"{}\"",
                response.questionnaire_id
            ))
        }
    };
    match catalog.branch(&response.branch) {
        BranchStatus::Active(_) => {}
        BranchStatus::Inactive(_) => {
            return Err(format!(
                "branch: branch \"{}\" is inactive and takes no responses",
                response.branch
            ))
        }
        BranchStatus::Unknown => {
            return Err(format!(
                "branch: unknown branch code \"{}\"",
                response.branch
            ))
        }
    }
    match validate(q, &response, rules) {
        Ok(()) => {
            let judged = (Facts::of(q, &response), Observed::of(q, &response));
            Ok((response, Verdict::Store(Box::new(judged))))
        }
        Err(problems) if only_in_the_future(&problems) => {
            Ok((response, Verdict::Later(reason(&problems))))
        }
        Err(problems) => Err(reason(&problems)),
    }
}

fn reason(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}
