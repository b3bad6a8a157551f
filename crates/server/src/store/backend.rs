//! What differs between the two databases below the shared SQL (`sql/`):
//! how a UUID, an instant and a list are bound and read back, and the few
//! fragments and statements only one of them needs. `sqlite.rs` and
//! `postgres.rs` each implement [`Backend`] for their sqlx database, beside
//! what else is theirs alone: connecting, pragmas, migrations, which error
//! codes mean "try again".

use super::StoreError;
use time::OffsetDateTime;
use uuid::Uuid;

pub(super) trait Backend: sqlx::Database {
    /// A UUID as bound and read: hyphenated text in SQLite, `uuid` in
    /// PostgreSQL.
    type Id;
    fn id(id: Uuid) -> Self::Id;
    fn id_of(stored: Self::Id) -> Uuid;

    /// An instant as bound and read: fixed-width UTC text in SQLite (so
    /// that instants compare and sort as text), `timestamptz` in PostgreSQL.
    type Time;
    fn time(t: OffsetDateTime) -> Self::Time;
    fn time_of(stored: Self::Time) -> Result<OffsetDateTime, StoreError>;

    /// A list bound as one parameter, whatever its length: a JSON array in
    /// SQLite, an array in PostgreSQL. [`Backend::one_of`] reads it.
    type List<T>;
    fn list<T: serde::Serialize>(items: Vec<T>) -> Self::List<T>;
    /// SQL: `expr` is one of the list bound as parameter `param` (`$2`).
    fn one_of(expr: &str, param: &str) -> String;

    /// SQL: a response not yet rolled up, spelt as the partial index
    /// `responses_not_rolled_up` spells it, so that the planner uses it.
    const NOT_ROLLED_UP: &'static str;

    /// A statement making account changes that may remove an admin run one
    /// at a time, when the guarded UPDATE's own lock does not.
    const SERIALIZE_ADMIN_CHANGES: Option<&'static str>;

    /// A statement, taking the branch code as `$1`, that keeps the
    /// unhappy-burst judgements of one branch one at a time until the
    /// transaction ends, when the database does not already (see
    /// `sql/alerts.rs`).
    const LOCK_BRANCH_ALERTS: Option<&'static str>;

    /// After rows of `table` (the audit log, review decisions) were copied
    /// in with their ids: a statement making the rows written later
    /// continue after them, if the database does not do so by itself.
    fn after_ids_copied(table: &str) -> Option<String>;
}
