//! Accounts, devices and the administration API: what the admin screens,
//! the enrolled devices and the server say to each other, and the rules
//! both sides check the same way (who may read which branch, what makes a
//! good user name, password, branch code or enrolment code).
//!
//! The endpoints are listed in docs/access.md.

use crate::problem::ProblemCode;
use crate::protocol::{Branch, Format};
use crate::Locale;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Header that carries the session's CSRF token on every state-changing
/// request made with the session cookie.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Name of the session cookie (HttpOnly, SameSite=Strict).
pub const SESSION_COOKIE: &str = "bp_session";

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted, in characters (argon2 would take more, but
/// a longer one is a mistake or an attack on the hashing time).
pub const MAX_PASSWORD_CHARS: usize = 256;
/// Longest user name, in characters.
pub const MAX_USERNAME_CHARS: usize = 64;
/// Longest free label (device label, branch name, region), in characters.
pub const MAX_LABEL_CHARS: usize = 120;
/// Letters of enrolment codes: no 0/O, 1/I/L, so that a code read aloud
/// or typed from a screen is not mistaken.
pub const CODE_ALPHABET: &str = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// Letters in an enrolment code (about 50 bits).
pub const CODE_LEN: usize = 10;

/// What a user account may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages branches, questionnaires, visits, devices and users; reads everything.
    Admin,
    /// Reads the branches of one region.
    Regional,
    /// Reads one branch.
    Manager,
    /// Runs the mystery-shop programme: plans, edits and cancels visits,
    /// sets quotas, reviews reports; reads every branch.
    Reviewer,
}

/// The branches a user may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Scope {
    /// Every branch (admins).
    All,
    /// The branches of this region (regional managers).
    Region(String),
    /// This one branch, by code (managers).
    Branch(String),
}

impl Scope {
    /// Whether a reader with this scope may see `branch`.
    pub fn allows(&self, branch: &Branch) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(region) => branch.region == *region,
            Scope::Branch(code) => branch.code == *code,
        }
    }
}

/// A user account as the API shows it (never with its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// The account's id.
    pub id: Uuid,
    /// The name the user signs in with.
    pub username: String,
    /// What the user may do.
    pub role: Role,
    /// The branch code of a manager.
    pub branch: Option<String>,
    /// The region of a regional manager.
    pub region: Option<String>,
    /// Whether the account may sign in.
    pub active: bool,
    /// RFC 3339, UTC.
    pub created_at: String,
}

impl User {
    /// The branches this user may read, from the role and its branch or region.
    pub fn scope(&self) -> Scope {
        match (self.role, &self.branch, &self.region) {
            (Role::Manager, Some(code), _) => Scope::Branch(code.clone()),
            (Role::Regional, _, Some(region)) => Scope::Region(region.clone()),
            (Role::Admin | Role::Reviewer, _, _) => Scope::All,
            // A manager without a branch reads nothing: `NewUser::check`
            // never lets one be made, so this is a damaged row.
            _ => Scope::Branch(String::new()),
        }
    }
}

/// Body of `POST /api/v1/users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// The name to sign in with.
    pub username: String,
    /// The first password, in clear (the server keeps only its hash).
    pub password: String,
    /// What the new user may do.
    pub role: Role,
    /// The branch code, for a manager.
    #[serde(default)]
    pub branch: Option<String>,
    /// The region, for a regional manager.
    #[serde(default)]
    pub region: Option<String>,
}

/// Body of `PATCH /api/v1/users/{id}`: what to change; absent fields stay.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UserChange {
    /// `false` deactivates the account, `true` lets it sign in again.
    #[serde(default)]
    pub active: Option<bool>,
    /// A new password, in clear (the server keeps only its hash).
    #[serde(default)]
    pub password: Option<String>,
    /// A new role; the branch or region it needs comes with it.
    #[serde(default)]
    pub role: Option<Role>,
    /// A manager's new branch.
    #[serde(default)]
    pub branch: Option<String>,
    /// A regional manager's new region.
    #[serde(default)]
    pub region: Option<String>,
}

impl UserChange {
    /// The role, branch and region `user` has after this change, if it
    /// changes any: absent fields stay, except that a new role drops the
    /// branch or region of the old one.
    pub fn scope_of(&self, user: &User) -> Option<(Role, Option<String>, Option<String>)> {
        if self.role.is_none() && self.branch.is_none() && self.region.is_none() {
            return None;
        }
        let role = self.role.unwrap_or(user.role);
        let keep = role == user.role;
        let branch = self
            .branch
            .clone()
            .or_else(|| keep.then(|| user.branch.clone()).flatten());
        let region = self
            .region
            .clone()
            .or_else(|| keep.then(|| user.region.clone()).flatten());
        Some((role, branch, region))
    }
}

/// Body of `POST /api/v1/session` (sign in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Login {
    /// The account's name.
    pub username: String,
    /// Its password.
    pub password: String,
}

/// `GET /api/v1/session` and the answer to signing in: who is signed in,
/// and the token to echo in [`CSRF_HEADER`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Session {
    /// The signed-in user.
    pub user: User,
    /// The token to send back in [`CSRF_HEADER`] with every change.
    pub csrf: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
}

/// What an enrolled device may submit for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    /// A lobby tablet: kiosk responses for its branch.
    Kiosk,
    /// A mystery shopper's phone: visit reports, and the visits assigned to its shopper.
    Shopper,
}

/// Where a device is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Its enrolment code has not been used yet.
    Pending,
    /// Its code was used: its token is good.
    Enrolled,
    /// Revoked by an admin: its token is refused.
    Revoked,
    /// Its code or its token has run out.
    Expired,
}

/// Body of `POST /api/v1/devices`: a device to enrol. A kiosk names its
/// branch, a shopper's phone its shopper.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDevice {
    /// A lobby kiosk or a mystery shopper's phone.
    pub kind: DeviceKind,
    /// A name for people, e.g. "Lobby tablet 2".
    pub label: String,
    /// The kiosk's branch code (kiosks only).
    #[serde(default)]
    pub branch: Option<String>,
    /// The shopper whose phone it is (shoppers' phones only).
    #[serde(default)]
    pub shopper: Option<String>,
    /// The kiosk's staff PIN, 4 to 8 digits (kiosks only): set here by the
    /// admin, so whoever holds a fresh tablet cannot choose it.
    #[serde(default)]
    pub pin: Option<String>,
}

/// Body of `PUT /api/v1/devices/{id}/pin`: a kiosk's new staff PIN. The
/// kiosk picks it up with its next status report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DevicePin {
    /// 4 to 8 digits.
    pub pin: String,
}

/// A staff PIN as a kiosk keeps it, to check it offline: hex of 16 random
/// bytes, and hex SHA-256 of `salt ":" pin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PinHash {
    /// Hex of 16 random bytes, new for every PIN.
    pub salt: String,
    /// Hex SHA-256 of `salt ":" pin`.
    pub hash: String,
}

/// Whether `pin` is a staff PIN: 4 to 8 ASCII digits.
pub fn pin_ok(pin: &str) -> bool {
    (4..=8).contains(&pin.len()) && pin.bytes().all(|b| b.is_ascii_digit())
}

/// A staff PIN, or the error naming the field `pin`.
pub fn check_pin(pin: &str) -> Result<(), FieldError> {
    if pin_ok(pin) {
        Ok(())
    } else {
        Err(field(
            "pin",
            ProblemCode::PinInvalid,
            "a staff PIN is 4 to 8 digits",
        ))
    }
}

/// Body of `POST /api/v1/device/status`, sent by a kiosk with its token
/// after each sync and between customers: what an admin needs to see that
/// it is well.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DeviceReport {
    /// The questionnaire it asks, if it is set up.
    #[serde(default)]
    pub questionnaire_id: Option<String>,
    /// The version of it.
    #[serde(default)]
    pub questionnaire_version: Option<u32>,
    /// Responses waiting in its outbox.
    pub waiting: u32,
    /// Responses set aside after the server refused them ("needs attention").
    #[serde(default)]
    pub rejected: u32,
    /// When it last synced with success, RFC 3339, by its own clock.
    #[serde(default)]
    pub last_sync: Option<String>,
}

/// Longest questionnaire id a status report may name (ids are short
/// words such as `lobby`; the report is stored as sent).
pub const MAX_REPORT_ID_CHARS: usize = 64;

/// What is wrong with a status report: a `questionnaire_id` that is empty,
/// longer than [`MAX_REPORT_ID_CHARS`] or holds a control character, or a
/// `last_sync` that is not an RFC 3339 instant.
pub fn check_report(report: &DeviceReport) -> Result<(), FieldError> {
    const ID: &str = "questionnaire_id";
    if let Some(id) = &report.questionnaire_id {
        if id.trim().is_empty() {
            return Err(field(
                ID,
                ProblemCode::Empty,
                "must not be empty; send null when no questionnaire is set up",
            ));
        }
        if id.chars().count() > MAX_REPORT_ID_CHARS {
            return Err(field(
                ID,
                ProblemCode::TooLong,
                format!("must be at most {MAX_REPORT_ID_CHARS} characters"),
            ));
        }
        if id.chars().any(char::is_control) {
            return Err(field(
                ID,
                ProblemCode::ControlCharacters,
                "must not contain control characters",
            ));
        }
    }
    if let Some(at) = &report.last_sync {
        let rfc3339 = time::format_description::well_known::Rfc3339;
        if time::OffsetDateTime::parse(at, &rfc3339).is_err() {
            return Err(field(
                "last_sync",
                ProblemCode::BadDate,
                "must be an RFC 3339 instant, e.g. 2026-03-01T09:30:00+08:00",
            ));
        }
    }
    Ok(())
}

/// The answer to a status report: what the kiosk should take up between
/// customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeviceConfig {
    /// The active version of the questionnaire it reported, when that is
    /// another version than its own (it fetches it with `GET
    /// /api/v1/questionnaires/{id}`); `None` when it is current or reported none.
    pub questionnaire_version: Option<u32>,
    /// The staff PIN an admin set; `None` until one is set.
    pub pin: Option<PinHash>,
}

/// A device as the admin screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Device {
    /// The device's id.
    pub id: Uuid,
    /// A lobby kiosk or a mystery shopper's phone.
    pub kind: DeviceKind,
    /// Its name for people.
    pub label: String,
    /// The kiosk's branch code.
    pub branch: Option<String>,
    /// The shopper of a shopper's phone.
    pub shopper: Option<String>,
    /// Where the device is in its life.
    pub status: DeviceStatus,
    /// RFC 3339, UTC, like every time below.
    pub created_at: String,
    /// When its enrolment code was used.
    pub enrolled_at: Option<String>,
    /// When it last sent a request with its token.
    pub last_seen_at: Option<String>,
    /// Until when the enrolment code (pending) or the token (enrolled) is good.
    pub expires_at: Option<String>,
    /// Whether an admin has set its staff PIN (kiosks).
    #[serde(default)]
    pub pin_set: bool,
    /// Its last status report (kiosks), with when it came.
    #[serde(default)]
    pub report: Option<DeviceReport>,
    /// When the last report came, RFC 3339, by the server's clock.
    #[serde(default)]
    pub reported_at: Option<String>,
    /// An enrolled device not seen for more than a day ([`SILENT_AFTER_HOURS`]).
    #[serde(default)]
    pub silent: bool,
}

/// An enrolled device not heard from for this long is flagged silent.
pub const SILENT_AFTER_HOURS: i64 = 24;

/// The answer to `POST /api/v1/devices` and `POST /api/v1/devices/{id}/code`:
/// the one-time code, shown once, as text and as a QR code of `url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolment {
    /// The device the code enrols.
    pub device: Device,
    /// [`CODE_LEN`] letters of [`CODE_ALPHABET`], grouped for reading: `ABCDE-FGHJK`.
    pub code: String,
    /// RFC 3339, UTC.
    pub expires_at: String,
    /// Path that enrols a device when opened on it: `/kiosk?enrol=ABCDEFGHJK`
    /// or `/shop?enrol=…`.
    pub url: String,
    /// The full URL (this server's origin + `url`) as an SVG QR code: only
    /// `<svg>`, `<rect>`/`<path>` elements, no script or link.
    pub qr_svg: String,
}

/// Body of `POST /api/v1/devices/enrol`, sent by the device itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Enrol {
    /// The one-time code an admin's screen showed.
    pub code: String,
}

/// The answer to enrolling: the device's token (sent as
/// `Authorization: Bearer <token>` with every request of the device), shown
/// only this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolled {
    /// The device's secret, for `Authorization: Bearer`.
    pub token: String,
    /// The device as enrolled.
    pub device: Device,
    /// A kiosk's staff PIN, when its admin set one.
    #[serde(default)]
    pub pin: Option<PinHash>,
}

/// One versions of a questionnaire in `GET /api/v1/questionnaires/all` (admin).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionnaireVersion {
    /// The version's summary (its fields are this object's).
    #[serde(flatten)]
    pub summary: crate::protocol::QuestionnaireSummary,
    /// The version new responses and visits use; one per id.
    pub active: bool,
    /// RFC 3339, UTC; `None` for versions that came from the questionnaires folder.
    pub uploaded_at: Option<String>,
}

/// One line of the audit log (`GET /api/v1/audit`), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// The entry's number in the log.
    pub id: i64,
    /// RFC 3339, UTC.
    pub at: String,
    /// `user:<name>`, `device:<id>` or `system`.
    pub actor: String,
    /// What was done, e.g. `branch.create`, `device.enrol`, `response.purge_text`.
    pub action: String,
    /// What it was done to: a branch code, a user name, a device or response id.
    pub target: String,
    /// Free detail as JSON (never a password, token or code).
    pub detail: serde_json::Value,
}

/// The answer to `POST /api/v1/responses/{id}/purge-text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Purged {
    /// The response whose free text was removed.
    pub id: Uuid,
    /// How many free-text answers and comments were removed.
    pub removed: usize,
}

/// What is wrong with a field, for a 422 that names it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    /// The field at fault, as the request names it.
    pub field: &'static str,
    /// What is wrong, by name: what clients translate and act on.
    pub code: ProblemCode,
    /// What is wrong, in English.
    pub problem: String,
}

fn field(field: &'static str, code: ProblemCode, problem: impl Into<String>) -> FieldError {
    FieldError {
        field,
        code,
        problem: problem.into(),
    }
}

/// A user name: 1–64 characters of letters, digits, `.`, `_`, `-`, `@`.
pub fn check_username(name: &str) -> Result<(), FieldError> {
    let n = name.chars().count();
    if n == 0 || n > MAX_USERNAME_CHARS {
        return Err(field(
            "username",
            ProblemCode::UsernameLength,
            format!("must be 1 to {MAX_USERNAME_CHARS} characters"),
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(field(
            "username",
            ProblemCode::UsernameCharacters,
            "may hold only letters, digits and . _ - @",
        ));
    }
    Ok(())
}

/// A password: 12–256 characters, not the user name.
pub fn check_password(password: &str, username: &str) -> Result<(), FieldError> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_CHARS {
        return Err(field(
            "password",
            ProblemCode::PasswordTooShort,
            format!("must be at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    if n > MAX_PASSWORD_CHARS {
        return Err(field(
            "password",
            ProblemCode::PasswordTooLong,
            format!("must be at most {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(field(
            "password",
            ProblemCode::PasswordIsUsername,
            "must not be the user name",
        ));
    }
    Ok(())
}

/// A free label (device label, shopper, branch name, region): 1–120
/// characters, not only spaces, no control characters.
pub fn check_label(name: &'static str, value: &str) -> Result<(), FieldError> {
    if value.trim().is_empty() {
        return Err(field(name, ProblemCode::Empty, "must not be empty"));
    }
    if value.chars().count() > MAX_LABEL_CHARS {
        return Err(field(
            name,
            ProblemCode::TooLong,
            format!("must be at most {MAX_LABEL_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(field(
            name,
            ProblemCode::ControlCharacters,
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// A branch code: 1–16 of `A`–`Z`, `0`–`9`, `-`, `_` (it goes into URLs,
/// filters and CSV files, so it is kept plain).
pub fn check_branch_code(code: &str) -> Result<(), FieldError> {
    let ok = (1..=16).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(field(
            "code",
            ProblemCode::BranchCodeFormat,
            "must be 1 to 16 of A-Z, 0-9, - and _ (e.g. N01)",
        ))
    }
}

/// A whole branch as an admin sends it.
pub fn check_branch(branch: &Branch) -> Result<(), FieldError> {
    check_branch_code(&branch.code)?;
    check_label("name", &branch.name)?;
    check_label("region", &branch.region)
}

/// A format code: 1–32 of `a`–`z`, `0`–`9` and `_` (e.g. `loan_centre`; it
/// goes into JSON keys and the dashboard's words, so it is kept plain).
pub fn check_format_code(code: &str) -> Result<(), FieldError> {
    let ok = (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(field(
            "code",
            ProblemCode::FormatCodeFormat,
            "must be 1 to 32 of a-z, 0-9 and _ (e.g. loan_centre)",
        ))
    }
}

/// A whole format as an admin sends it: its code, and its name in every
/// language of [`Locale::ALL`] (no other).
pub fn check_format(format: &Format) -> Result<(), FieldError> {
    check_format_code(&format.code)?;
    for locale in Locale::ALL {
        let name = match locale {
            Locale::ZhCn => "name.zh-CN",
            Locale::En => "name.en",
            Locale::Es => "name.es",
        };
        check_label(name, format.name.0.get(&locale).map_or("", String::as_str))?;
    }
    Ok(())
}

/// A branch's format, given the formats that exist: none, or one of them.
pub fn check_branch_format(branch: &Branch, formats: &[Format]) -> Result<(), FieldError> {
    match &branch.format {
        Some(code) if !formats.iter().any(|f| &f.code == code) => Err(field(
            "format",
            ProblemCode::UnknownFormat,
            format!("no format \"{code}\"; choose one of the list (GET /api/v1/formats)"),
        )),
        _ => Ok(()),
    }
}

/// What is wrong with a new account, given the branches that exist.
pub fn check_new_user(user: &NewUser, branches: &[Branch]) -> Result<(), FieldError> {
    check_username(&user.username)?;
    check_password(&user.password, &user.username)?;
    check_scope(
        user.role,
        user.branch.as_deref(),
        user.region.as_deref(),
        branches,
    )
}

/// Whether a role goes with a branch or region, given the branches that
/// exist: an admin has neither, a regional manager a region with a branch
/// in it, a manager a branch that exists.
pub fn check_scope(
    role: Role,
    branch: Option<&str>,
    region: Option<&str>,
    branches: &[Branch],
) -> Result<(), FieldError> {
    match role {
        Role::Admin | Role::Reviewer => {
            if branch.is_some() || region.is_some() {
                return Err(field(
                    "role",
                    ProblemCode::AdminHasNoScope,
                    "an admin or reviewer reads everything: give no branch or region",
                ));
            }
        }
        Role::Regional => {
            if branch.is_some() {
                return Err(field(
                    "branch",
                    ProblemCode::RegionalTakesRegion,
                    "a regional manager has a region, not a branch",
                ));
            }
            let region = region.unwrap_or_default();
            if !branches.iter().any(|b| b.region == region) {
                return Err(field(
                    "region",
                    ProblemCode::UnknownRegion,
                    format!("no branch is in region \"{region}\""),
                ));
            }
        }
        Role::Manager => {
            if region.is_some() {
                return Err(field(
                    "region",
                    ProblemCode::ManagerTakesBranch,
                    "a manager has a branch, not a region",
                ));
            }
            let code = branch.unwrap_or_default();
            if !branches.iter().any(|b| b.code == code) {
                return Err(field(
                    "branch",
                    ProblemCode::UnknownBranch,
                    format!("no branch \"{code}\""),
                ));
            }
        }
    }
    Ok(())
}

/// What is wrong with a device to enrol, given the branches that exist.
pub fn check_new_device(device: &NewDevice, branches: &[Branch]) -> Result<(), FieldError> {
    check_label("label", &device.label)?;
    if let Some(pin) = &device.pin {
        if device.kind != DeviceKind::Kiosk {
            return Err(field(
                "pin",
                ProblemCode::PinOnlyForKiosks,
                "only a kiosk has a staff PIN",
            ));
        }
        check_pin(pin)?;
    }
    match device.kind {
        DeviceKind::Kiosk => {
            if device.shopper.is_some() {
                return Err(field(
                    "shopper",
                    ProblemCode::KioskTakesBranch,
                    "a kiosk has a branch, not a shopper",
                ));
            }
            let code = device.branch.as_deref().unwrap_or_default();
            match branches.iter().find(|b| b.code == code) {
                Some(b) if b.active => Ok(()),
                Some(_) => Err(field(
                    "branch",
                    ProblemCode::BranchClosed,
                    format!("branch \"{code}\" is closed"),
                )),
                None => Err(field(
                    "branch",
                    ProblemCode::UnknownBranch,
                    format!("no branch \"{code}\""),
                )),
            }
        }
        DeviceKind::Shopper => {
            if device.branch.is_some() {
                return Err(field(
                    "branch",
                    ProblemCode::PhoneTakesShopper,
                    "a shopper's phone has a shopper, not a branch",
                ));
            }
            check_label("shopper", device.shopper.as_deref().unwrap_or_default())
        }
    }
}

/// An enrolment code as typed (any case, spaces and dashes allowed),
/// reduced to its [`CODE_LEN`] letters; `None` if it cannot be one.
pub fn normalize_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (code.chars().count() == CODE_LEN && code.chars().all(|c| CODE_ALPHABET.contains(c)))
        .then_some(code)
}

/// A normalized code grouped for reading: `ABCDE-FGHJK`.
pub fn group_code(code: &str) -> String {
    let half = code.len() / 2;
    format!("{}-{}", &code[..half], &code[half..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn branch(code: &str, region: &str, active: bool) -> Branch {
        Branch {
            code: code.into(),
            name: format!("Branch {code}"),
            region: region.into(),
            active,
            format: None,
        }
    }

    #[test]
    fn scopes_allow_only_their_branches() {
        let n01 = branch("N01", "North", true);
        let s01 = branch("S01", "South", true);
        assert!(Scope::All.allows(&n01) && Scope::All.allows(&s01));
        let north = Scope::Region("North".into());
        assert!(north.allows(&n01) && !north.allows(&s01));
        let one = Scope::Branch("S01".into());
        assert!(!one.allows(&n01) && one.allows(&s01));
    }

    #[test]
    fn a_manager_row_without_branch_reads_nothing() {
        let user = User {
            id: Uuid::nil(),
            username: "m".into(),
            role: Role::Manager,
            branch: None,
            region: None,
            active: true,
            created_at: String::new(),
        };
        assert!(!user.scope().allows(&branch("N01", "North", true)));
    }

    #[test]
    fn passwords_need_length_and_differ_from_the_name() {
        assert!(check_password("short", "ana").is_err());
        assert!(check_password("ana.lopez.2026", "ana.lopez.2026").is_err());
        assert!(check_password(&"x".repeat(257), "ana").is_err());
        assert!(check_password("correct horse battery", "ana").is_ok());
        assert_eq!(check_password("短い", "ana").unwrap_err().field, "password");
    }

    #[test]
    fn usernames_are_plain() {
        assert!(check_username("ana.lopez@bank").is_ok());
        assert!(check_username("王芳").is_ok());
        assert!(check_username("").is_err());
        assert!(check_username("a b").is_err());
        assert!(check_username("x'; DROP TABLE users;--").is_err());
        assert!(check_username(&"a".repeat(65)).is_err());
    }

    #[test]
    fn users_get_the_scope_their_role_needs() {
        let branches = [branch("N01", "North", true)];
        let mut user = NewUser {
            username: "ana".into(),
            password: "correct horse battery".into(),
            role: Role::Manager,
            branch: Some("N01".into()),
            region: None,
        };
        assert!(check_new_user(&user, &branches).is_ok());
        user.branch = Some("X99".into());
        assert_eq!(
            check_new_user(&user, &branches).unwrap_err().field,
            "branch"
        );
        user.branch = None;
        user.role = Role::Regional;
        user.region = Some("North".into());
        assert!(check_new_user(&user, &branches).is_ok());
        user.region = Some("West".into());
        assert_eq!(
            check_new_user(&user, &branches).unwrap_err().field,
            "region"
        );
        user.role = Role::Admin;
        assert_eq!(check_new_user(&user, &branches).unwrap_err().field, "role");
        user.region = None;
        assert!(check_new_user(&user, &branches).is_ok());
    }

    #[test]
    fn devices_name_an_open_branch_or_a_shopper() {
        let branches = [branch("N01", "North", true), branch("N02", "North", false)];
        let mut device = NewDevice {
            kind: DeviceKind::Kiosk,
            label: "Lobby tablet 1".into(),
            branch: Some("N01".into()),
            shopper: None,
            pin: None,
        };
        assert!(check_new_device(&device, &branches).is_ok());
        device.branch = Some("N02".into());
        assert_eq!(
            check_new_device(&device, &branches).unwrap_err().field,
            "branch"
        );
        device.kind = DeviceKind::Shopper;
        assert_eq!(
            check_new_device(&device, &branches).unwrap_err().field,
            "branch"
        );
        device.branch = None;
        assert_eq!(
            check_new_device(&device, &branches).unwrap_err().field,
            "shopper"
        );
        device.shopper = Some("Shopper 7".into());
        assert!(check_new_device(&device, &branches).is_ok());
        device.label = " ".into();
        assert_eq!(
            check_new_device(&device, &branches).unwrap_err().field,
            "label"
        );
    }

    #[test]
    fn check_failures_name_their_code_with_their_field() {
        let branches = [branch("N01", "North", false)];
        let code_of = |e: FieldError| (e.field, e.code);
        assert_eq!(
            code_of(check_username("").unwrap_err()),
            ("username", ProblemCode::UsernameLength)
        );
        assert_eq!(
            code_of(check_password("ana", "ana").unwrap_err()),
            ("password", ProblemCode::PasswordTooShort)
        );
        assert_eq!(
            code_of(check_label("label", "a\u{7}b").unwrap_err()),
            ("label", ProblemCode::ControlCharacters)
        );
        assert_eq!(
            code_of(check_scope(Role::Manager, Some("X"), None, &branches).unwrap_err()),
            ("branch", ProblemCode::UnknownBranch)
        );
        let kiosk = NewDevice {
            kind: DeviceKind::Kiosk,
            label: "Lobby".into(),
            branch: Some("N01".into()),
            shopper: None,
            pin: None,
        };
        assert_eq!(
            code_of(check_new_device(&kiosk, &branches).unwrap_err()),
            ("branch", ProblemCode::BranchClosed)
        );
    }

    #[test]
    fn branch_codes_are_plain() {
        assert!(check_branch_code("N01").is_ok());
        assert!(check_branch_code("n01").is_err());
        assert!(check_branch_code("../etc").is_err());
        assert!(check_branch_code("N01' OR '1'='1").is_err());
        assert!(check_branch(&branch("N01", " ", true)).is_err());
    }

    #[test]
    fn codes_are_read_forgivingly_and_grouped() {
        assert_eq!(normalize_code("abcde-fghjk").as_deref(), Some("ABCDEFGHJK"));
        assert_eq!(
            normalize_code(" ABCDE FGHJK ").as_deref(),
            Some("ABCDEFGHJK")
        );
        // O and 0 are not in the alphabet, so a mistyped code is caught here.
        assert_eq!(normalize_code("ABCDE-FGHJ0"), None);
        assert_eq!(normalize_code("ABCD"), None);
        assert_eq!(group_code("ABCDEFGHJK"), "ABCDE-FGHJK");
    }

    #[test]
    fn status_reports_are_bounded_plain_text_and_instants() {
        let ok = DeviceReport {
            questionnaire_id: Some("lobby".into()),
            questionnaire_version: Some(2),
            waiting: 3,
            rejected: 0,
            last_sync: Some("2026-03-01T09:30:00+08:00".into()),
        };
        assert!(check_report(&ok).is_ok());
        assert!(check_report(&DeviceReport::default()).is_ok());
        let with_id = |id: &str| DeviceReport {
            questionnaire_id: Some(id.into()),
            ..ok.clone()
        };
        assert!(check_report(&with_id(&"q".repeat(MAX_REPORT_ID_CHARS))).is_ok());
        let refused = |r: &DeviceReport| {
            let e = check_report(r).unwrap_err();
            (e.field, e.code)
        };
        assert_eq!(
            refused(&with_id(&"q".repeat(MAX_REPORT_ID_CHARS + 1))),
            ("questionnaire_id", ProblemCode::TooLong)
        );
        assert_eq!(
            refused(&with_id(" ")),
            ("questionnaire_id", ProblemCode::Empty)
        );
        assert_eq!(
            refused(&with_id("lob\u{1b}by")),
            ("questionnaire_id", ProblemCode::ControlCharacters)
        );
        for bad in ["yesterday", "2026-03-01", "2026-03-01T09:30:00"] {
            let r = DeviceReport {
                last_sync: Some(bad.into()),
                ..ok.clone()
            };
            assert_eq!(refused(&r), ("last_sync", ProblemCode::BadDate), "{bad}");
        }
    }
}
