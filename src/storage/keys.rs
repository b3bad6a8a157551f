//! Every name the app keeps data under on the device, in one list.
//!
//! The strings are a contract with devices in the field: a kiosk updated
//! overnight must find its setup, drafts and outbox where the previous
//! version left them. Never rename one; add a new key and migrate instead.
//!
//! Each entry says what it holds, who writes it and when it is erased.
//! "Never erased" means the app leaves it until the browser's site data is
//! cleared.

// localStorage: settings.

/// The language chosen with the language switch (a tag such as `"es"`).
/// Written by `i18n` on each switch; never erased.
pub const LOCALE: &str = "branchpulse.locale";

/// `"1"` while this browser has a signed-in session: not a secret, only
/// whether asking the server who is signed in is worth a request.
/// Written by `session` on sign-in; erased on sign-out and when the server
/// says the session ended.
pub const SIGNED_IN: &str = "branchpulse.signed_in";

/// An operator's (or a test's) own sync timeout in ms, as a plain number.
/// Written by hand (`localStorage.setItem`); never written or erased by the app.
pub const SYNC_TIMEOUT_MS: &str = "branchpulse.sync.timeout_ms";

/// An operator's (or a test's) own first backoff wait in ms; the sync
/// client's whole schedule scales with it. Written by hand; never erased.
pub const SYNC_RETRY_MS: &str = "branchpulse.sync.retry_ms";

/// An operator's (or a test's) own interval between looks at the photos
/// waiting to be sent, in ms. Written by hand; never written or erased by
/// the app.
pub const PHOTOS_INTERVAL_MS: &str = "branchpulse.photos.interval_ms";

/// When a sync last succeeded (ms since the epoch), so a reload still shows
/// it and another tab's success counts. Written by `sync` after each
/// confirmed batch; never erased.
pub const LAST_SYNC: &str = "branchpulse.sync.last_success";

// localStorage: the device itself.

/// The enrolment: the device's token and what it is (kind, branch or
/// shopper, label). Written by the enrolment form; replaced by the next
/// enrolment; never erased.
pub const ENROLMENT: &str = "branchpulse.device.enrolment";

/// The device id that responses carry, a UUID made once. Written at the
/// kiosk's first setup or when the first response is built; never erased.
pub const DEVICE_ID: &str = "branchpulse.device_id";

/// The kiosk's setup (branch, questionnaire, languages…). Kept without the
/// staff PIN since the admin sets it ([`KIOSK_PIN`]); an older value's PIN
/// fields are ignored.
/// Written by the kiosk's setup screen; replaced by the next setup; never
/// erased.
pub const KIOSK_SETUP: &str = "branchpulse.kiosk.setup";

/// A copy of the kiosk's blank first question for `kiosk-shell.js` to show
/// before the app starts (`pages::kiosk::shell`): taken whenever a new
/// customer's first question is drawn, removed by any other start screen.
/// The script reads the name as written here.
pub const KIOSK_SHELL: &str = "branchpulse.kiosk.shell";

/// The kiosk's staff PIN as an admin set it (`access::PinHash`: salt and
/// SHA-256, never the PIN), so the PIN prompt works offline. Written at
/// enrolment and from every status report's answer, replaced (or erased,
/// when the server has none) by each; never erased otherwise.
pub const KIOSK_PIN: &str = "branchpulse.kiosk.pin";

/// Wrong PINs in a row at the kiosk's prompt and until when it waits (ms
/// since the epoch), so that a reload does not reset the wait. Written on
/// each wrong PIN; erased by a right one.
pub const KIOSK_PIN_LOCKOUT: &str = "branchpulse.kiosk.pin_lockout";

/// An operator's (or a test's) own interval between a kiosk's status
/// reports, in ms. Written by hand; never written or erased by the app.
pub const KIOSK_REPORT_MS: &str = "branchpulse.kiosk.report_ms";

// sessionStorage: the kiosk's tab.

/// Why a response could not be saved on the kiosk (the outbox and the
/// draft's localStorage refused it), for the staff menu, which is another
/// page than the customer's. Written by the customer's page; lives as long
/// as the tab, as the note did when both were one page.
pub const KIOSK_STAFF_WARNING: &str = "branchpulse.kiosk.staff_warning";

// localStorage: drafts.

/// Prefix of every draft, followed by the draft's id (see the functions
/// below). [`crate::storage::drafts::draft_ids`] lists the ids under it.
pub const DRAFT_PREFIX: &str = "branchpulse.draft.";

/// The draft id of the kiosk customer's answers in progress. Written by the
/// kiosk on every answer; erased once the response (whole, or partial at
/// the idle timeout or the next load after a reload) is in the outbox, when
/// it has no answer, and by a new setup.
pub const KIOSK_DRAFT_ID: &str = "kiosk";

/// Draft ids of the shopper's visit reports start with this, followed by
/// the report's id. Written by the shop form on every change; erased when
/// the shopper deletes the report (a submitted one stays, read-only).
pub const SHOP_DRAFT_ID_PREFIX: &str = "shop.";

/// The key of draft `id`.
pub fn draft(id: &str) -> String {
    format!("{DRAFT_PREFIX}{id}")
}

/// A kiosk response that the outbox refused to store (IndexedDB failed),
/// kept so that it is not lost. Written by the kiosk then; never erased by
/// the app (staff recover it).
pub fn kiosk_unsaved(response_id: &str) -> String {
    draft(&format!("{KIOSK_DRAFT_ID}.unsaved.{response_id}"))
}

/// Suffix of a value that could not be read, moved aside from its key by
/// [`crate::storage::drafts::load`]; never erased by the app.
pub const CORRUPT_SUFFIX: &str = ".corrupt";

/// Where an unreadable value of `key` is moved.
pub fn corrupt(key: &str) -> String {
    format!("{key}{CORRUPT_SUFFIX}")
}

// localStorage: copies of the server's answers, for offline use.

/// Questionnaire `id` version `version` as a shopper's visit answers it, so
/// a visit started online can be finished offline. Written by the shop
/// page when a visit starts; never erased.
pub fn shop_questionnaire(id: &str, version: u32) -> String {
    format!("branchpulse.shop.q.{id}.{version}")
}

/// Prefix of the device's copies of read-only answers (questionnaires,
/// branches, visits, returned reports, the dashboard's figures), followed by the request's
/// path and query. Written by [`crate::storage::kept`] on each good
/// answer; the visits and reports are erased on enrolment, the figures (aggregates
/// and items) on sign-out and beyond
/// [`crate::storage::kept::KEPT_AGGREGATES`] filters each.
pub const DEVICE_COPY_PREFIX: &str = "branchpulse.api:";

/// The key of the device's copy of the answer to `url`.
pub fn device_copy(url: &str) -> String {
    format!("{DEVICE_COPY_PREFIX}{url}")
}

/// When the shopper's visits were last read from the server (RFC 3339),
/// to say "as of" beside the kept copy offline. Written by
/// [`crate::storage::kept::visits`]; erased with the visits on enrolment.
pub const SHOP_VISITS_AT: &str = "branchpulse.shop.visits_at";

/// Visits the shopper started on this phone whose start the server has not
/// yet heard of (a JSON list of ids). Written by the shop list when a
/// visit starts; an id leaves once the server answered for it
/// ([`crate::storage::starts`]).
pub const SHOP_STARTS: &str = "branchpulse.shop.starts";

/// The paths whose figures are kept, oldest first (a JSON list). Written by
/// [`crate::storage::kept`] with the figures; never erased.
pub const RECENT_AGGREGATES: &str = "branchpulse.api.aggregates.recent";

/// The same for the item figures of the dashboard's drill-down.
pub const RECENT_ITEMS: &str = "branchpulse.api.items.recent";

// IndexedDB.

/// The outbox's database: completed responses until the server
/// acknowledges them, and the ones it refused. Written by `sync` (through
/// [`crate::storage::outbox`]); a record leaves only when the server
/// accepted it, or when staff delete a refused one.
pub const OUTBOX_DB: &str = "branchpulse";

/// The shopper's photos (evidence): each kept with its draft from the
/// moment it is taken, queued when the report is submitted, sent after
/// the report in chunks. Written by the shop's photo control and by
/// `sync::photos` (through [`crate::storage::photos`]); a photo leaves
/// when the shopper removes it from a draft, when its draft is deleted,
/// or when the server says it has it whole.
pub const PHOTOS_DB: &str = "branchpulse-photos";

/// The kiosk customers' requests to be contacted (`cases::ContactRequest`:
/// the response, phone or e-mail, the number or address, the language),
/// apart from the outbox and its responses. Written by the kiosk's last
/// screen when a customer sends one (through
/// [`crate::storage::contacts`]); a request leaves when the server says it
/// has it (`sync::contacts`), or when the server refuses it for good.
pub const CONTACTS_DB: &str = "branchpulse-contacts";
