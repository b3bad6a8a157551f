//! Moving a bank from the embedded SQLite database to PostgreSQL.
//!
//! Rows are copied in id order, a thousand per transaction, through the
//! same `save` as live ingest, so a second run skips what is already there
//! and a row that differs from its copy is reported, not overwritten. Then
//! both sides are compared: row counts and a SHA-256 over every
//! `id:payload_hash`, per table. The catalog (branches and questionnaire
//! versions, as admins left them) is copied over whatever the target holds
//! for the same keys, and compared row by row. Accounts are inserted unless
//! one with the same key exists; a user whose name is taken by another
//! account in PostgreSQL (for example the `admin` a first start there made)
//! is skipped and named, never merged.
//!
//! The mystery-shop programme follows the responses, in the order its rows
//! refer to each other: a report released from review in SQLite since an
//! earlier run is released in PostgreSQL (the start-up backfill then rolls
//! it up); visits, reports and quotas, which change over their life, are
//! written as SQLite holds them; review decisions, append-only, are
//! inserted by id; photos are written with their bytes (and, for one still
//! arriving, the chunks received, so the phone resumes where it was; one
//! the phone has finished sending to PostgreSQL meanwhile is kept).
//! Each is then compared whole with its copy.
//!
//! Alerts, their deliveries, follow-up cases and contact details come
//! last, table by table in the order their rows refer to each other
//! (`store::copy::FOLLOW_UP`): rows that change over their life (rules,
//! webhooks, deliveries, cases) are written as SQLite holds them, the
//! others added when new; each table is then checked row by row. A contact
//! erased in SQLite since an earlier run (its response is there, it is
//! not) is erased in PostgreSQL too.
//!
//! One overwrite is allowed: a response whose texts were erased in SQLite
//! after an earlier run copied it is erased in PostgreSQL too, once its
//! copy there is shown to be the same response (erased the same way, it
//! hashes to the source's hash), so a re-run never leaves the text behind.

use super::purge::{same_as_stored, Erase};
use crate::store::copy::{AccountsCopied, Cell, FOLLOW_UP};
use crate::store::{sha256_hex, Record, Saved, Store, StoreError};
use branchpulse_core::programme::VisitStatus;
use branchpulse_core::Response;
use std::collections::HashMap;
use std::fmt;
use std::hash::Hash;

const CHUNK: u32 = 1000;

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("--from must be a sqlite:// URL and --to a postgres:// URL")]
    WrongKinds,
    #[error(
        "response {0} is already in PostgreSQL with different content; nothing was overwritten"
    )]
    Conflict(String),
    #[error("after copying, the databases differ: {0}")]
    Mismatch(String),
}

/// What was copied and what was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub copied: u64,
    pub already_there: u64,
    /// Copied earlier, then erased in SQLite: erased in PostgreSQL now.
    pub erased: u64,
    pub rows: u64,
    pub checksum: String,
    /// Visit assignments copied now, and held by both databases.
    pub visits_copied: u64,
    pub visits: u64,
    /// Formats (peer groups) copied (and found equal).
    pub formats: u64,
    /// Questionnaire versions and branches copied (and found equal).
    pub questionnaires: u64,
    pub branches: u64,
    /// Users, devices and the audit log (sessions are not copied: people
    /// sign in again on the new server).
    pub accounts: AccountsCopied,
    pub programme: ProgrammeCopied,
    /// Per table of alerts, deliveries, cases and contacts: (table, rows
    /// added or changed, rows SQLite holds).
    pub follow_up: Vec<(&'static str, u64, u64)>,
    /// Contacts erased in SQLite since an earlier run, erased here too.
    pub contacts_erased: u64,
}

/// What the mystery-shop programme's copy wrote: `*_copied` rows new to
/// PostgreSQL, `*_updated` rows that changed in SQLite since an earlier
/// run; the plain counts are what both databases hold afterwards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgrammeCopied {
    pub visits_updated: u64,
    pub released: u64,
    pub held: u64,
    pub reports_copied: u64,
    pub reports_updated: u64,
    pub reports: u64,
    pub reviews_copied: u64,
    pub reviews: u64,
    pub quotas_copied: u64,
    pub quotas_updated: u64,
    pub quotas: u64,
    pub photos_copied: u64,
    pub photos_updated: u64,
    pub photos: u64,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "responses: {} copied, {} already there, {} erased as in SQLite; both databases hold {} rows, checksum {}; \
             visit assignments: {} copied, both databases hold {}; \
             catalog: {} questionnaire versions, {} branches and {} formats copied",
            self.copied,
            self.already_there,
            self.erased,
            self.rows,
            self.checksum,
            self.visits_copied,
            self.visits,
            self.questionnaires,
            self.branches,
            self.formats
        )?;
        let p = &self.programme;
        write!(
            f,
            "; visits updated: {}; reports awaiting or in review: {} held, {} released as in SQLite; \
             reports: {} copied, {} updated, both databases hold {}; review decisions: {} copied, \
             both hold {}; quotas: {} copied, {} updated, both hold {}; photos: {} copied, \
             {} updated, both hold {}",
            p.visits_updated,
            p.held,
            p.released,
            p.reports_copied,
            p.reports_updated,
            p.reports,
            p.reviews_copied,
            p.reviews,
            p.quotas_copied,
            p.quotas_updated,
            p.quotas,
            p.photos_copied,
            p.photos_updated,
            p.photos
        )?;
        for (table, written, rows) in &self.follow_up {
            write!(
                f,
                "; {table}: {written} copied or updated, {rows} in SQLite"
            )?;
        }
        write!(
            f,
            "; contacts erased as in SQLite: {}",
            self.contacts_erased
        )?;
        let a = &self.accounts;
        write!(
            f,
            "; accounts: {} copied; devices: {} copied; audit log lines: {} copied",
            a.users_copied, a.devices_copied, a.audit_copied
        )?;
        if !a.users_skipped.is_empty() {
            write!(
                f,
                "; not copied, the name is taken in PostgreSQL: {}",
                a.users_skipped.join(", ")
            )?;
        }
        Ok(())
    }
}

pub async fn sqlite_to_postgres(from: &str, to: &str) -> Result<Report, MigrateError> {
    let (source, target) = (Store::connect(from).await?, Store::connect(to).await?);
    if !source.is_sqlite() || target.is_sqlite() {
        return Err(MigrateError::WrongKinds);
    }
    let (mut copied, mut already_there, mut erased) = (0, 0, 0);
    let mut after = None;
    loop {
        let chunk = source.records_after(after, CHUNK).await?;
        let Some(last) = chunk.last() else { break };
        after = Some(last.id);
        for (record, saved) in chunk.iter().zip(target.save(&chunk).await?) {
            match saved {
                Saved::Inserted => copied += 1,
                Saved::AlreadyStored => already_there += 1,
                Saved::Conflict if erase_copy(&target, record).await? => erased += 1,
                Saved::Conflict | Saved::Refused(_) => {
                    return Err(MigrateError::Conflict(record.id.to_string()))
                }
            }
        }
    }
    let (visits_copied, visits, programme) = copy_programme(&source, &target).await?;
    // The catalog as admins left it, and which responses had texts purged.
    let catalog = source.catalog().await?;
    target.import_catalog(&catalog).await?;
    let copied_catalog = target.catalog().await?;
    let missing_version = catalog
        .questionnaires
        .iter()
        .find(|q| !copied_catalog.questionnaires.contains(q));
    let missing_branch = catalog
        .branches
        .iter()
        .find(|b| !copied_catalog.branches.contains(b));
    if let Some(q) = missing_version {
        return Err(MigrateError::Mismatch(format!(
            "questionnaire \"{}\" version {} differs in PostgreSQL",
            q.id, q.version
        )));
    }
    if let Some(f) = catalog
        .formats
        .iter()
        .find(|f| !copied_catalog.formats.contains(f))
    {
        return Err(MigrateError::Mismatch(format!(
            "format \"{}\" differs in PostgreSQL",
            f.code
        )));
    }
    if let Some(b) = missing_branch {
        return Err(MigrateError::Mismatch(format!(
            "branch \"{}\" differs in PostgreSQL",
            b.code
        )));
    }
    for (id, at) in source.purged().await? {
        target.set_purged(id, at).await?;
    }
    // Users, devices (with the hashes of their tokens and pending codes, so
    // enrolled tablets keep working) and the audit log.
    let accounts = target.add_accounts(&source.accounts().await?).await?;
    let (from_ids, to_ids) = (source.id_hashes().await?, target.id_hashes().await?);
    let (follow_up, contacts_erased) = copy_follow_up(&source, &target, &from_ids).await?;
    let (from_sum, to_sum) = (checksum(&from_ids), checksum(&to_ids));
    if from_ids.len() != to_ids.len() || from_sum != to_sum {
        return Err(MigrateError::Mismatch(format!(
            "SQLite {} rows (checksum {from_sum}), PostgreSQL {} rows (checksum {to_sum})",
            from_ids.len(),
            to_ids.len()
        )));
    }
    source.close().await;
    target.close().await;
    Ok(Report {
        copied,
        already_there,
        erased,
        rows: from_ids.len() as u64,
        checksum: from_sum,
        visits_copied,
        visits,
        questionnaires: catalog.questionnaires.len() as u64,
        branches: catalog.branches.len() as u64,
        formats: catalog.formats.len() as u64,
        accounts,
        programme,
        follow_up,
        contacts_erased,
    })
}

/// Alerts, deliveries, cases and contacts, table by table; `responses` are
/// the source's (id, payload hash). Per table (name, rows written, rows
/// in the source), and how many contacts were erased as in the source.
async fn copy_follow_up(
    source: &Store,
    target: &Store,
    responses: &[(String, String)],
) -> Result<(Vec<(&'static str, u64, u64)>, u64), MigrateError> {
    let mut done = Vec::new();
    let mut erased = 0;
    for table in FOLLOW_UP {
        let rows = source.table_rows(table).await?;
        let there = target.table_rows(table).await?;
        let (new, changed) = differing(&rows, &there, |r| table.key_of(r));
        let mut to_write = new;
        if table.changes {
            to_write.extend(changed);
        } else if let Some(row) = changed.first() {
            return Err(MigrateError::Mismatch(format!(
                "{} row {:?} differs in PostgreSQL",
                table.name,
                table.key_of(row)
            )));
        }
        let written = target.put_rows(table, &to_write).await?;
        if table.name == "contacts" {
            erased = erase_contacts(target, &rows, &there, responses).await?;
        }
        let now_there: HashMap<Vec<Cell>, Vec<Cell>> = target
            .table_rows(table)
            .await?
            .into_iter()
            .map(|r| (table.key_of(&r), r))
            .collect();
        if let Some(row) = rows
            .iter()
            .find(|r| now_there.get(&table.key_of(r)) != Some(*r))
        {
            return Err(MigrateError::Mismatch(format!(
                "{} row {:?} differs in PostgreSQL after copying",
                table.name,
                table.key_of(row)
            )));
        }
        done.push((table.name, written, rows.len() as u64));
    }
    Ok((done, erased))
}

/// Erase in the target the contacts erased in the source since an earlier
/// copy: of a response the source holds, gone from the source. (A contact
/// of a response the source lacks came to PostgreSQL after the move.)
async fn erase_contacts(
    target: &Store,
    rows: &[Vec<Cell>],
    there: &[Vec<Cell>],
    responses: &[(String, String)],
) -> Result<u64, StoreError> {
    let id_and_response = |row: &Vec<Cell>| match (&row[0], &row[1]) {
        (Cell::Id(Some(id)), Cell::Id(Some(response))) => Some((*id, response.to_string())),
        _ => None,
    };
    let kept: std::collections::HashSet<uuid::Uuid> = rows
        .iter()
        .filter_map(id_and_response)
        .map(|(id, _)| id)
        .collect();
    let held: std::collections::HashSet<&str> =
        responses.iter().map(|(id, _)| id.as_str()).collect();
    let gone: Vec<uuid::Uuid> = there
        .iter()
        .filter_map(id_and_response)
        .filter(|(id, response)| !kept.contains(id) && held.contains(response.as_str()))
        .map(|(id, _)| id)
        .collect();
    target.delete_contacts(&gone).await
}

/// Visits, review state, quotas and photos, after the responses they
/// refer to; (visits copied, visits held by both, the rest).
async fn copy_programme(
    source: &Store,
    target: &Store,
) -> Result<(u64, u64, ProgrammeCopied), MigrateError> {
    let mut p = ProgrammeCopied::default();
    // Approved in SQLite since an earlier run copied them held.
    let held = source.held_ids().await?;
    let to_release: Vec<_> = target
        .held_ids()
        .await?
        .into_iter()
        .filter(|id| held.binary_search(id).is_err())
        .collect();
    p.released = target.release_copied(&to_release).await?;
    let held_there = target.held_ids().await?;
    if held_there != held {
        return Err(MigrateError::Mismatch(format!(
            "SQLite holds {} reports for review, PostgreSQL {} (a report counted in PostgreSQL \
             is held in SQLite)",
            held.len(),
            held_there.len()
        )));
    }
    p.held = held.len() as u64;

    // Visits: few, compared field by field.
    let visits = source.visits(None).await?;
    let (new, changed) = differing(&visits, &target.visits(None).await?, |v| v.id);
    for visit in &new {
        target.copy_visit(visit).await?;
    }
    for visit in &changed {
        target.update_visit(visit, &VisitStatus::ALL).await?;
    }
    let (visits_copied, visits_updated) = (new.len() as u64, changed.len() as u64);
    p.visits_updated = visits_updated;
    same("visits", &visits, &target.visits(None).await?)?;

    let reports = source.report_rows().await?;
    let (new, changed) = differing(&reports, &target.report_rows().await?, |r| r.response_id);
    target
        .put_reports(&[new.as_slice(), changed.as_slice()].concat())
        .await?;
    (p.reports_copied, p.reports_updated) = (new.len() as u64, changed.len() as u64);
    p.reports = reports.len() as u64;
    same("reports", &reports, &target.report_rows().await?)?;

    let reviews = source.review_rows().await?;
    p.reviews_copied = target.add_reviews(&reviews).await?;
    p.reviews = reviews.len() as u64;
    same("review decisions", &reviews, &target.review_rows().await?)?;

    let quotas = source.quota_rows().await?;
    let (new, changed) = differing(&quotas, &target.quota_rows().await?, |q| {
        (q.branch.clone(), q.quarter.clone())
    });
    target
        .put_quotas(&[new.as_slice(), changed.as_slice()].concat())
        .await?;
    (p.quotas_copied, p.quotas_updated) = (new.len() as u64, changed.len() as u64);
    p.quotas = quotas.len() as u64;
    same("quotas", &quotas, &target.quota_rows().await?)?;

    // Photos one at a time, bytes and all: they are the heavy rows.
    let photos = source.evidence_rows().await?;
    let there: HashMap<_, _> = target
        .evidence_rows()
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    for photo in &photos {
        let Some(from) = source.evidence_copy(photo.id).await? else {
            continue;
        };
        let mut to = match there.get(&photo.id) {
            Some(_) => target.evidence_copy(photo.id).await?,
            None => None,
        };
        // One the phone finished sending to PostgreSQL is kept.
        let finished_there = to
            .as_ref()
            .is_some_and(|t| t.record.complete && !from.record.complete);
        if finished_there {
            continue;
        }
        if to.as_ref() != Some(&from) {
            target.put_evidence(&from).await?;
            if to.is_some() {
                p.photos_updated += 1;
            } else {
                p.photos_copied += 1;
            }
            to = target.evidence_copy(photo.id).await?;
        }
        if to.as_ref() != Some(&from) {
            return Err(MigrateError::Mismatch(format!(
                "photo {} differs in PostgreSQL",
                photo.id
            )));
        }
    }
    p.photos = photos.len() as u64;
    Ok((visits_copied, visits.len() as u64, p))
}

/// The rows of `source` that `target` lacks, and those it holds otherwise.
fn differing<T: Clone + PartialEq, K: Hash + Eq>(
    source: &[T],
    target: &[T],
    key: impl Fn(&T) -> K,
) -> (Vec<T>, Vec<T>) {
    let there: HashMap<K, &T> = target.iter().map(|t| (key(t), t)).collect();
    let (mut new, mut changed) = (Vec::new(), Vec::new());
    for row in source {
        match there.get(&key(row)) {
            None => new.push(row.clone()),
            Some(t) if *t != row => changed.push(row.clone()),
            Some(_) => {}
        }
    }
    (new, changed)
}

/// `Mismatch` unless PostgreSQL now holds exactly what SQLite does.
fn same<T: PartialEq>(what: &str, source: &[T], target: &[T]) -> Result<(), MigrateError> {
    if source == target {
        return Ok(());
    }
    Err(MigrateError::Mismatch(format!(
        "SQLite has {} {what}, PostgreSQL {} that differ",
        source.len(),
        target.len()
    )))
}

/// Erase PostgreSQL's copy of `record` as it was erased in SQLite, if the
/// copy is the same response; whether it was.
async fn erase_copy(target: &Store, record: &Record) -> Result<bool, StoreError> {
    let Some(how) = Erase::of_hash(&record.payload_hash) else {
        return Ok(false);
    };
    let Some((payload, _)) = target.payload_and_hash(record.id).await? else {
        return Ok(false);
    };
    let same = serde_json::from_str::<Response>(&payload)
        .is_ok_and(|copy| same_as_stored(&record.payload_hash, &copy));
    if !same {
        return Ok(false);
    }
    // `purged_at` follows with the other purged responses.
    target
        .erase(
            record.id,
            &record.payload,
            &record.payload_hash,
            None,
            how.comment_items(),
            how == Erase::Text,
        )
        .await
}

fn checksum(rows: &[(String, String)]) -> String {
    let mut all = String::with_capacity(rows.len() * 102);
    for (id, hash) in rows {
        all.push_str(id);
        all.push(':');
        all.push_str(hash);
        all.push('\n');
    }
    sha256_hex(&all)
}
