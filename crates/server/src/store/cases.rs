//! Follow-up cases and the contact details customers left: the rows and
//! the methods; the queries are in `sql/cases.rs`.

use super::{Store, StoreError};
use branchpulse_core::access::Role;
use branchpulse_core::alerts::Alert;
use branchpulse_core::cases::{is_overdue, Case, CaseEvent, CaseFacts, CaseStatus, Contact};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// An alert as a case needs it, with who its rule sends it to.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertRow {
    /// `read` is always false here; `case` names its case, if any.
    pub alert: Alert,
    /// The roles whose inboxes show it (within their scope).
    pub roles: Vec<Role>,
}

/// A case as stored, with its alert and whether a contact is kept for it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseRow {
    pub id: Uuid,
    pub alert: Alert,
    pub owner: Uuid,
    /// Empty when no account has the owner's id.
    pub owner_name: String,
    pub due: Date,
    pub status: CaseStatus,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    pub informed_at: Option<OffsetDateTime>,
    pub has_contact: bool,
}

impl CaseRow {
    /// The case as the API shows it on `today`, without its contact or
    /// history (the caller adds those it may show).
    pub fn to_api(&self, today: Date) -> Case {
        use super::access::rfc3339;
        Case {
            id: self.id,
            branch: self.alert.branch.clone(),
            alert: self.alert.clone(),
            owner: self.owner,
            owner_name: self.owner_name.clone(),
            due: self.due.to_string(),
            status: self.status,
            overdue: is_overdue(self.status, self.due, today),
            created_at: rfc3339(self.created_at),
            resolved_at: self.resolved_at.map(rfc3339),
            informed_at: self.informed_at.map(rfc3339),
            has_contact: self.has_contact,
            contact: None,
            history: Vec::new(),
        }
    }
}

/// A case to make.
#[derive(Debug, Clone)]
pub struct NewCaseRow<'a> {
    pub id: Uuid,
    pub alert: Uuid,
    pub branch: &'a str,
    pub owner: Uuid,
    pub owner_name: &'a str,
    pub due: Date,
    pub note: Option<&'a str>,
    /// Who made it: the user name in its history, the actor in the log.
    pub by: &'a str,
    pub actor: &'a str,
    pub at: OffsetDateTime,
}

/// A change to a case that was in status `from`.
#[derive(Debug, Clone)]
pub struct CaseUpdate<'a> {
    pub id: Uuid,
    pub from: CaseStatus,
    /// The new owner's id and user name.
    pub owner: Option<(Uuid, &'a str)>,
    pub due: Option<Date>,
    pub status: Option<CaseStatus>,
    pub note: Option<&'a str>,
    pub by: &'a str,
    pub actor: &'a str,
    pub at: OffsetDateTime,
}

/// Which cases to list.
#[derive(Debug, Clone, Default)]
pub struct CaseQuery {
    pub status: Option<CaseStatus>,
    pub owner: Option<Uuid>,
    /// Only these branches' (`None`: every branch's).
    pub branches: Option<Vec<String>>,
}

/// A contact that was erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErasedContact {
    pub contact: Uuid,
    pub response: Uuid,
}

impl Store {
    /// Alert `id`, with its case's id and its rule's recipients.
    pub async fn case_alert(&self, id: Uuid) -> Result<Option<AlertRow>, StoreError> {
        dispatch!(self, cases::case_alert(id))
    }

    /// Make a case, with its first history lines and its audit line, in
    /// one transaction; `false` (nothing written) when its alert already
    /// has one, here or on another replica.
    pub async fn add_case(&self, case: &NewCaseRow<'_>) -> Result<bool, StoreError> {
        dispatch!(self, cases::add_case(case))
    }

    pub async fn case(&self, id: Uuid) -> Result<Option<CaseRow>, StoreError> {
        dispatch!(self, cases::case(id))
    }

    /// The cases `query` asks for, soonest due first.
    pub async fn cases(&self, query: &CaseQuery) -> Result<Vec<CaseRow>, StoreError> {
        dispatch!(self, cases::cases(query))
    }

    /// A case's notes and changes, oldest first.
    pub async fn case_history(&self, id: Uuid) -> Result<Vec<CaseEvent>, StoreError> {
        dispatch!(self, cases::history(id))
    }

    /// Change a case that is still in status `update.from`, with its
    /// history lines and audit line, in one transaction; `false` (nothing
    /// written) when another change came first.
    pub async fn change_case(&self, update: &CaseUpdate<'_>) -> Result<bool, StoreError> {
        dispatch!(self, cases::change_case(update))
    }

    /// The contact details left with `response`, if kept.
    pub async fn contact(&self, response: Uuid) -> Result<Option<Contact>, StoreError> {
        dispatch!(self, cases::contact(response))
    }

    /// Every case made in the UTC days `from` to `to` (either open), with
    /// its branch.
    pub async fn case_facts(
        &self,
        from: Option<Date>,
        to: Option<Date>,
    ) -> Result<Vec<(String, CaseFacts)>, StoreError> {
        let start = from.map(|d| d.midnight().assume_utc());
        let end = to
            .and_then(|d| d.next_day())
            .map(|d| d.midnight().assume_utc());
        dispatch!(self, cases::facts(start, end))
    }

    /// Erase the contacts whose cases were all closed (the customer
    /// informed) before `closed_before`, any whose response's texts were
    /// erased, and any no alert refers to (none raised, or deleted with its
    /// rule and its case), each with a `contact.erase` audit line.
    pub async fn erase_contacts(
        &self,
        closed_before: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<Vec<ErasedContact>, StoreError> {
        dispatch!(self, cases::erase_contacts(closed_before, now))
    }

    /// Erase the contact left with `response`, if any, with a
    /// `contact.erase` audit line naming `actor` and `why`.
    pub async fn erase_contact(
        &self,
        response: Uuid,
        actor: &str,
        why: &str,
        now: OffsetDateTime,
    ) -> Result<Option<ErasedContact>, StoreError> {
        dispatch!(self, cases::erase_contact(response, actor, why, now))
    }
}
