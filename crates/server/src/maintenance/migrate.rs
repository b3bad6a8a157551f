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
//! One overwrite is allowed: a response whose texts were erased in SQLite
//! after an earlier run copied it is erased in PostgreSQL too, once its
//! copy there is shown to be the same response (erased the same way, it
//! hashes to the source's hash), so a re-run never leaves the text behind.

use super::purge::{same_as_stored, Erase};
use crate::store::copy::AccountsCopied;
use crate::store::{sha256_hex, Record, Saved, Store, StoreError};
use branchpulse_core::Response;
use std::fmt;

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
    /// Questionnaire versions and branches copied (and found equal).
    pub questionnaires: u64,
    pub branches: u64,
    /// Users, devices and the audit log (sessions are not copied: people
    /// sign in again on the new server).
    pub accounts: AccountsCopied,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "responses: {} copied, {} already there, {} erased as in SQLite; both databases hold {} rows, checksum {}; \
             visit assignments: {} copied, both databases hold {}; \
             catalog: {} questionnaire versions and {} branches copied",
            self.copied,
            self.already_there,
            self.erased,
            self.rows,
            self.checksum,
            self.visits_copied,
            self.visits,
            self.questionnaires,
            self.branches
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
    // Visit assignments: few, copied whole, compared field by field.
    let mut visits_copied = 0;
    let visits = source.visits(None).await?;
    for visit in &visits {
        visits_copied += u64::from(target.copy_visit(visit).await?);
    }
    let in_target = target.visits(None).await?;
    if in_target != visits {
        return Err(MigrateError::Mismatch(format!(
            "SQLite has {} visit assignments, PostgreSQL {} that differ",
            visits.len(),
            in_target.len()
        )));
    }
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
        visits: visits.len() as u64,
        questionnaires: catalog.questionnaires.len() as u64,
        branches: catalog.branches.len() as u64,
        accounts,
    })
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
