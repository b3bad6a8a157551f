//! Work on the stored data outside the path of a response: erasing texts
//! on request and by retention, and moving a bank from SQLite to
//! PostgreSQL.

pub mod migrate;
pub mod purge;
pub mod retention;
