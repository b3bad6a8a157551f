//! The sync client: sends the outbox to the server and keeps the status bar
//! informed.
//!
//! The outbox is sent oldest first, [`SyncConfig::batch_size`] responses per
//! request, at start-up, when the browser comes back online, after each
//! response is saved, every [`SyncConfig::interval`] while anything waits
//! (a "tick"), and when asked ("Sync now"). Per response the server answers
//! accepted or duplicate (both: the record leaves the outbox), rejected
//! (the record moves to the rejected list with the server's reason), or
//! deferred: dated ahead of the server's clock, the record stays and is
//! sent again only after the next tick, so a device whose clock runs ahead
//! never resends in a loop; the status bar says why it waits. Nothing
//! leaves the outbox without the server's word, except a response the
//! server fails on alone, again and again (below).
//!
//! After a network error, a timeout or a 5xx the client waits with
//! exponential backoff and full jitter ([`backoff`]) and tries again; a
//! pass in which the server stored something resets it. A 4xx on the whole
//! request is shown as the last error and the records stay; the periodic
//! tick tries again.
//!
//! # One bad response never blocks the others
//!
//! - Once the oldest response waiting has failed [`SyncConfig::split_after`]
//!   (3) sends, what waits goes out in halves, in quarters after three
//!   more, and so on, until the response that makes the server fail goes
//!   alone ([`backoff::split_size`]).
//! - After a batch fails with a 500 (the server tried and failed; not 502,
//!   503 or 504, which mean busy or unreachable, nor a network error or a
//!   timeout), the pass goes on with the responses after it; a second
//!   failure in a row ends it. No batch is sent twice in one pass.
//! - A response sent alone that fails with a 500 while the server
//!   demonstrably works earns a strike, kept in its record (so a reload
//!   does not forget it). At [`SyncConfig::strikes`] (5) strikes it moves to
//!   "needs attention" with the server's status and message. "Demonstrably
//!   works" means both: the server stored a batch from this device after
//!   this response first failed, and `GET /api/v1/health` answered 200 just
//!   after the failure. So an outage never sets anything aside: not the
//!   server down (no answer), not 503 "database busy" everywhere (not a 500,
//!   and health fails), not every write failing (nothing stored since: only
//!   a response that was already failing while others were stored can earn
//!   strikes then). A poison response that is the only one waiting earns no
//!   strike until the next response is stored.
//!
//! With the defaults a poison response is set aside a few minutes after its
//! first failure; the others go through meanwhile.
//!
//! Every batch carries the device's token (`storage::enrolment`). A 401 or
//! 403 on a batch means the device must be enrolled again (its token was
//! revoked, ran out, or it never had one): nothing leaves the outbox, the
//! status bar asks for a new code ([`SyncError::needs_enrolment`]), there
//! is no fast retry, and once a new code is entered the page calls
//! [`SyncHandle::sync_now`].
//!
//! Only one tab syncs at a time ([`lock`]). State is shared through a
//! context, provided once by the app:
//!
//! ```ignore
//! provide_sync();                       // in App
//! let sync = use_sync();                // anywhere below
//! sync.save(&response).await?;          // committed: now say "saved"
//! view! { <p>{move || sync.state.get().waiting}</p> }
//! ```

pub mod backoff;
pub mod contacts;
pub mod lock;
pub mod photos;

use crate::api::{self, ApiError};
use crate::storage::outbox::{Added, Outbox, Pending, Rejected, DB_NAME};
use crate::storage::{self, drafts, keys, settings, StorageUse, StoreError};
use branchpulse_core::protocol::{Outcome, SyncReply};
use branchpulse_core::Response;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

/// How soon a tab that found another one syncing looks again, in ms.
const BUSY_RECHECK_MS: f64 = 3_000.0;

/// Tunables of the sync client; [`Default`] is what the app uses.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncConfig {
    /// IndexedDB database of the outbox.
    pub db_name: String,
    /// Responses per request (the server accepts up to 500).
    pub batch_size: u32,
    /// How often to look for waiting responses.
    pub interval: Duration,
    /// Web Lock that keeps two tabs from syncing at once.
    pub lock_name: String,
    /// Ceiling of the first wait after a failure ([`backoff`]).
    pub retry_base: Duration,
    /// The longest wait after failures in a row.
    pub retry_max: Duration,
    /// Failed sends of its oldest response before a batch goes in halves.
    pub split_after: u32,
    /// Strikes (failures alone while the server works) before a response
    /// moves to the rejected list.
    pub strikes: u32,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            db_name: DB_NAME.into(),
            batch_size: 100,
            interval: Duration::from_secs(30),
            lock_name: "branchpulse-sync".into(),
            retry_base: Duration::from_millis(backoff::BASE_MS as u64),
            retry_max: Duration::from_millis(backoff::MAX_MS as u64),
            split_after: 3,
            // A bank's operations team wants a poison response set aside
            // within minutes, and a server hiccup never to do it.
            strikes: 5,
        }
    }
}

/// Why the last sync did not fully succeed.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncError {
    /// The request failed or the server refused the whole batch.
    Api(ApiError),
    /// The device's storage failed.
    Storage(StoreError),
    /// The server answered, but for none of the responses sent.
    NoOutcome,
    /// This many unreadable records were moved to the rejected list.
    SetAside(usize),
    /// This many responses the server failed on alone, again and again,
    /// were moved to the rejected list.
    GaveUp(usize),
}

impl SyncError {
    /// Whether the server refused the device's token: it must be enrolled again.
    pub fn needs_enrolment(&self) -> bool {
        matches!(self, SyncError::Api(e) if e.needs_enrolment())
    }

    /// Whether to retry with backoff (else: wait for the next tick).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Api(e) => e.is_transient(),
            SyncError::Storage(_) | SyncError::NoOutcome => true,
            SyncError::SetAside(_) | SyncError::GaveUp(_) => false,
        }
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Storage(e)
    }
}

/// What the status bar shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncState {
    /// The browser believes it has a network (`online`/`offline` events).
    pub online: bool,
    /// Responses in the outbox.
    pub waiting: u32,
    /// A sync is running in this tab.
    pub syncing: bool,
    /// Last time the server confirmed a batch, in ms since the epoch.
    pub last_sync: Option<f64>,
    /// Why the last sync failed; `None` after a success.
    pub last_error: Option<SyncError>,
    /// Responses that need attention (the rejected list).
    pub rejected: u32,
    /// Responses the server deferred (dated ahead of its clock), sent
    /// again after the next tick.
    pub deferred: u32,
    /// Set when this site uses more than 80 % of its storage quota.
    pub storage_warning: Option<StorageUse>,
}

/// The sync client, for the status bar and pages: its [`SyncState`] and
/// what can be asked of it. Provided once by [`provide_sync`], read with
/// [`use_sync`].
#[derive(Clone, Copy)]
pub struct SyncHandle {
    /// One signal for the whole state: the status bar reads it all anyway,
    /// and one signal type costs less code than seven.
    pub state: ReadSignal<SyncState>,
    engine: StoredValue<Rc<Engine>, LocalStorage>,
}

/// Start the sync client with the app's settings and provide it as context.
pub fn provide_sync() -> SyncHandle {
    let mut config = SyncConfig::default();
    if let Some(ms) = settings::ms(keys::SYNC_RETRY_MS) {
        // f64, not Duration's u128 arithmetic: 128-bit division weighs.
        let base = f64::from(ms) / 1000.0;
        config.retry_base = Duration::from_secs_f64(base);
        config.retry_max = Duration::from_secs_f64(base * (backoff::MAX_MS / backoff::BASE_MS));
    }
    provide_sync_with(config)
}

/// Start the sync client with `config` and provide it as context. It stops
/// (timers, listeners, database connection) when the current owner is
/// cleaned up.
pub fn provide_sync_with(config: SyncConfig) -> SyncHandle {
    let initial = SyncState {
        online: window().navigator().on_line(),
        ..SyncState::default()
    };
    let (state, publish) = signal(initial.clone());
    let engine = Rc::new(Engine {
        config,
        publish,
        state: RefCell::new(initial),
        outbox: RefCell::new(None),
        sched: RefCell::new(Sched::default()),
        ticks: Cell::new(0),
        held: RefCell::new(Vec::new()),
    });
    engine.start();
    let engine = StoredValue::new_local(engine);
    on_cleanup(move || {
        if let Some(engine) = engine.try_get_value() {
            engine.stop();
        }
    });
    let handle = SyncHandle { state, engine };
    provide_context(handle);
    handle
}

/// The sync client provided by [`provide_sync`].
pub fn use_sync() -> SyncHandle {
    expect_context::<SyncHandle>()
}

fn stopped() -> StoreError {
    StoreError::new("the sync client has stopped")
}

impl SyncHandle {
    fn engine(&self) -> Result<Rc<Engine>, StoreError> {
        self.engine.try_get_value().ok_or_else(stopped)
    }

    /// Put a completed response in the outbox and start sending it.
    /// Resolves once it is committed to the device's storage: only then
    /// may the page say "saved" or "thank you".
    pub async fn save(&self, response: &Response) -> Result<Added, StoreError> {
        self.engine()?.save(response).await
    }

    /// Sync now, even while waiting to retry after a failure.
    pub fn sync_now(&self) {
        if let Ok(engine) = self.engine() {
            spawn_local(engine.run(Trigger::Manual));
        }
    }

    /// Where response `id` is: waiting, rejected, or gone (confirmed by the server).
    pub async fn place_of(&self, id: &str) -> Result<crate::storage::outbox::Place, StoreError> {
        self.engine()?.outbox().await?.place_of(id).await
    }

    /// The responses that need attention.
    pub async fn list_rejected(&self) -> Result<Vec<Rejected>, StoreError> {
        self.engine()?.outbox().await?.list_rejected().await
    }

    /// Delete responses from the rejected list for good.
    pub async fn delete_rejected(&self, ids: &[String]) -> Result<(), StoreError> {
        let engine = self.engine()?;
        engine.outbox().await?.delete_rejected(ids).await?;
        engine.refresh_counts().await;
        Ok(())
    }

    /// Download the rejected list as a JSON file.
    pub async fn export_rejected(&self) -> Result<(), StoreError> {
        self.engine()?.outbox().await?.export_rejected().await
    }
}

/// Why a sync starts: some wait out a backoff, some do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trigger {
    Startup,
    Saved,
    Tick,
    Online,
    Retry,
    Manual,
}

impl Trigger {
    /// Runs even during a backoff, or while the browser says offline.
    fn forced(self) -> bool {
        matches!(self, Trigger::Online | Trigger::Manual)
    }
}

#[derive(Default)]
struct Sched {
    /// A sync runs in this tab.
    running: bool,
    /// Something asked for a sync while one ran.
    again: bool,
    /// Failures in a row (resets on success or when back online).
    failures: u32,
    /// The pending retry after a failure: while set, automatic triggers
    /// wait for it.
    retry: Option<TimeoutHandle>,
    interval: Option<IntervalHandle>,
    listeners: Vec<WindowListenerHandle>,
    stopped: bool,
}

/// What one sync pass did.
#[derive(Debug, Default)]
struct Report {
    /// Responses the server confirmed (accepted or duplicate).
    confirmed: usize,
    /// Unreadable records moved to the rejected list.
    set_aside: usize,
    /// Responses moved to the rejected list at their last strike.
    struck_out: usize,
    /// The failure that ended the pass, or the last one it went past.
    error: Option<SyncError>,
}

struct Engine {
    config: SyncConfig,
    /// The state as last published; changed through [`Engine::update`].
    state: RefCell<SyncState>,
    publish: WriteSignal<SyncState>,
    outbox: RefCell<Option<Rc<Outbox>>>,
    sched: RefCell<Sched>,
    /// Ticks so far: a deferred record waits for the next one.
    ticks: Cell<u32>,
    /// Deferred records: (record id, the tick it was deferred on).
    held: RefCell<Vec<(String, u32)>>,
}

impl Engine {
    fn start(self: &Rc<Self>) {
        let weak = Rc::downgrade(self);
        let on_online = {
            let weak = weak.clone();
            window_event_listener_untyped("online", move |_| {
                if let Some(engine) = weak.upgrade() {
                    engine.back_online();
                }
            })
        };
        let on_offline = {
            let weak = weak.clone();
            window_event_listener_untyped("offline", move |_| {
                if let Some(engine) = weak.upgrade() {
                    engine.update(|s| s.online = false);
                }
            })
        };
        let interval = set_interval_with_handle(
            move || {
                if let Some(engine) = weak.upgrade() {
                    engine.ticks.set(engine.ticks.get().wrapping_add(1));
                    spawn_local(engine.tick());
                }
            },
            self.config.interval,
        )
        .ok();
        {
            let mut sched = self.sched.borrow_mut();
            sched.listeners = vec![on_online, on_offline];
            sched.interval = interval;
        }
        let engine = self.clone();
        crate::loaded::after_load(move || spawn_local(engine.startup()));
    }

    fn stop(&self) {
        let mut sched = self.sched.borrow_mut();
        sched.stopped = true;
        if let Some(interval) = sched.interval.take() {
            interval.clear();
        }
        if let Some(retry) = sched.retry.take() {
            retry.clear();
        }
        for listener in sched.listeners.drain(..) {
            listener.remove();
        }
        drop(sched);
        if let Some(outbox) = self.outbox.borrow_mut().take() {
            outbox.close();
        }
    }

    fn is_stopped(&self) -> bool {
        self.sched.borrow().stopped
    }

    /// Change the state and tell the page.
    fn update(&self, change: impl FnOnce(&mut SyncState)) {
        change(&mut self.state.borrow_mut());
        self.publish.set(self.state.borrow().clone());
    }

    /// The outbox, opened on first use.
    async fn outbox(&self) -> Result<Rc<Outbox>, StoreError> {
        if let Some(outbox) = self.outbox.borrow().as_ref() {
            return Ok(outbox.clone());
        }
        let opened = Rc::new(Outbox::open_named(&self.config.db_name).await?);
        if self.is_stopped() {
            opened.close();
            return Err(stopped());
        }
        let mut slot = self.outbox.borrow_mut();
        // Another caller may have opened it meanwhile: keep one connection.
        if let Some(outbox) = slot.as_ref() {
            opened.close();
            return Ok(outbox.clone());
        }
        *slot = Some(opened.clone());
        Ok(opened)
    }

    async fn startup(self: Rc<Self>) {
        if let Ok(Some(ms)) = drafts::load::<f64>(keys::LAST_SYNC) {
            self.update(|s| s.last_sync = Some(ms));
        }
        self.refresh_counts().await;
        self.clone().run(Trigger::Startup).await;
        // Ask once per start that the browser keep our data under storage
        // pressure; whatever it answers, the outbox works the same.
        storage::request_persistence().await;
        self.check_storage().await;
    }

    async fn save(self: Rc<Self>, response: &Response) -> Result<Added, StoreError> {
        let added = self.outbox().await?.add(response).await?;
        self.refresh_counts().await;
        spawn_local(self.clone().run(Trigger::Saved));
        spawn_local(async move { self.check_storage().await });
        Ok(added)
    }

    async fn check_storage(&self) {
        if let Some(usage) = storage::estimate().await {
            self.update(|s| s.storage_warning = usage.nearly_full().then_some(usage));
        }
    }

    /// Re-read how many responses wait and how many need attention.
    async fn refresh_counts(&self) {
        let counts = async { self.outbox().await?.counts().await };
        match counts.await {
            Ok((waiting, rejected)) => self.update(|s| {
                s.waiting = waiting;
                s.rejected = rejected;
            }),
            Err(e) if !self.is_stopped() => {
                self.update(|s| s.last_error = Some(SyncError::Storage(e)))
            }
            Err(_) => {}
        }
    }

    async fn tick(self: Rc<Self>) {
        {
            let sched = self.sched.borrow();
            if sched.stopped || sched.running || sched.retry.is_some() {
                return;
            }
        }
        // Counts may have changed in another tab.
        self.refresh_counts().await;
        if self.state.borrow().waiting > 0 {
            self.run(Trigger::Tick).await;
        }
    }

    fn back_online(self: &Rc<Self>) {
        self.update(|s| s.online = true);
        {
            let mut sched = self.sched.borrow_mut();
            sched.failures = 0;
            if let Some(retry) = sched.retry.take() {
                retry.clear();
            }
        }
        spawn_local(self.clone().run(Trigger::Online));
    }

    /// Sync until the outbox is empty or a request fails; one run at a time.
    async fn run(self: Rc<Self>, trigger: Trigger) {
        {
            let mut sched = self.sched.borrow_mut();
            if sched.stopped {
                return;
            }
            if sched.running {
                sched.again = true;
                return;
            }
            let offline = !window().navigator().on_line();
            if !trigger.forced() && (sched.retry.is_some() || offline) {
                return;
            }
            if let Some(retry) = sched.retry.take() {
                retry.clear();
            }
            sched.running = true;
            sched.again = false;
        }
        self.update(|s| s.syncing = true);
        // Records may have been added behind this tab's back (another tab,
        // a test): show the true count before sending.
        self.refresh_counts().await;
        loop {
            let engine = self.clone();
            let outcome = lock::run_exclusive(&self.config.lock_name, move || engine.pass()).await;
            self.conclude(outcome);
            let mut sched = self.sched.borrow_mut();
            let again = sched.again && sched.retry.is_none() && !sched.stopped;
            sched.again = false;
            if !again {
                sched.running = false;
                break;
            }
        }
        self.update(|s| s.syncing = false);
        self.refresh_counts().await;
    }

    /// Take in the result of a pass: `None` when another tab was syncing.
    fn conclude(self: &Rc<Self>, outcome: Option<Report>) {
        let Some(report) = outcome else {
            // Another tab is syncing: look again shortly, so that this tab's
            // count follows, and it takes over if the other one closes.
            self.retry_in(BUSY_RECHECK_MS);
            return;
        };
        let retry = report.error.as_ref().is_some_and(SyncError::is_transient);
        if report.confirmed > 0 || report.error.is_none() {
            self.sched.borrow_mut().failures = 0;
        }
        let error = report
            .error
            .or((report.struck_out > 0).then_some(SyncError::GaveUp(report.struck_out)))
            .or((report.set_aside > 0).then_some(SyncError::SetAside(report.set_aside)));
        if !self.is_stopped() {
            let deferred = self.held.borrow().len() as u32;
            self.update(|s| {
                s.last_error = error;
                s.deferred = deferred;
            });
        }
        if retry {
            self.schedule_retry();
        }
    }

    /// Back off after a failure: the next wait of [`backoff`].
    fn schedule_retry(self: &Rc<Self>) {
        let failures = {
            let mut sched = self.sched.borrow_mut();
            sched.failures = sched.failures.saturating_add(1);
            sched.failures
        };
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let ms = backoff::delay_within(
            ms(self.config.retry_base),
            ms(self.config.retry_max),
            failures,
            js_sys::Math::random(),
        );
        self.retry_in(ms);
    }

    /// Run again in `ms`; until then, automatic triggers wait.
    fn retry_in(self: &Rc<Self>, ms: f64) {
        let mut sched = self.sched.borrow_mut();
        if sched.stopped {
            return;
        }
        if let Some(old) = sched.retry.take() {
            old.clear();
        }
        let weak = Rc::downgrade(self);
        sched.retry = set_timeout_with_handle(
            move || {
                if let Some(engine) = weak.upgrade() {
                    engine.sched.borrow_mut().retry = None;
                    spawn_local(engine.run(Trigger::Retry));
                }
            },
            Duration::from_millis(ms as u64),
        )
        .ok();
    }

    /// One pass, holding the lock: send what waits, oldest first, each
    /// record at most once.
    async fn pass(self: Rc<Self>) -> Report {
        let mut report = Report::default();
        if let Err(e) = self.send_all(&mut report).await {
            report.error = Some(e);
        }
        report
    }

    async fn send_all(&self, report: &mut Report) -> Result<(), SyncError> {
        let outbox = self.outbox().await?;
        let tick = self.ticks.get();
        // Not sent (again) in this pass: what it sent already, and what the
        // server deferred since the last tick.
        let mut sent: Vec<String> = self
            .held
            .borrow()
            .iter()
            .filter(|(_, t)| *t == tick)
            .map(|(id, _)| id.clone())
            .collect();
        let mut cap = self.config.batch_size.max(1);
        let mut failed_last = false;
        loop {
            if self.is_stopped() {
                return Ok(());
            }
            let found = outbox
                .pending(cap.saturating_add(sent.len() as u32))
                .await?;
            report.set_aside += found.set_aside.len();
            let mut batch: Vec<Pending> = found
                .ready
                .into_iter()
                .filter(|p| !sent.contains(&p.id))
                .collect();
            let Some(oldest) = batch.first() else {
                if found.set_aside.is_empty() {
                    return Ok(());
                }
                continue;
            };
            let waiting = cap.min(batch.len() as u32);
            let size = backoff::split_size(waiting, oldest.attempts, self.config.split_after);
            batch.truncate(size as usize);
            let responses: Vec<String> = batch.iter().map(|p| p.response.clone()).collect();
            let result = api::send_json_batch(&responses).await;
            if let Err(ApiError::Server { status: 413, .. }) = result {
                if batch.len() > 1 {
                    // Too large for the server: halve the batch and go on.
                    cap = (batch.len() as u32 / 2).max(1);
                    continue;
                }
            }
            sent.extend(batch.iter().map(|p| p.id.clone()));
            match result {
                Ok(reply) => {
                    failed_last = false;
                    self.settle(&outbox, &batch, &reply, tick, report).await?;
                }
                Err(e) => {
                    let ids: Vec<String> = batch.iter().map(|p| p.id.clone()).collect();
                    // Bookkeeping only: the error to report is the request's.
                    let _ = outbox.mark_attempt(&ids).await;
                    self.held.borrow_mut().retain(|(id, _)| !ids.contains(id));
                    let failed_on =
                        matches!(e, ApiError::Server { status, .. } if failed_on(status));
                    let moved =
                        failed_on && batch.len() == 1 && self.judge(&outbox, &batch[0], &e).await?;
                    report.struck_out += usize::from(moved);
                    if !failed_on || failed_last {
                        return Err(SyncError::Api(e));
                    }
                    failed_last = true;
                    // Set aside with the server's words: dealt with.
                    if !moved {
                        report.error = Some(SyncError::Api(e));
                    }
                }
            }
        }
    }

    /// Apply the server's answer to `batch`.
    async fn settle(
        &self,
        outbox: &Outbox,
        batch: &[Pending],
        reply: &SyncReply,
        tick: u32,
        report: &mut Report,
    ) -> Result<(), SyncError> {
        let v = verdicts(batch, reply);
        if v.confirmed.is_empty() && v.refused.is_empty() && v.deferred.is_empty() {
            return Err(SyncError::NoOutcome);
        }
        outbox.settle(&v.confirmed, &v.refused).await?;
        let deferred = {
            let mut held = self.held.borrow_mut();
            held.retain(|(id, _)| !batch.iter().any(|p| &p.id == id));
            held.extend(v.deferred.into_iter().map(|id| (id, tick)));
            held.len() as u32
        };
        if !v.confirmed.is_empty() {
            report.confirmed += v.confirmed.len();
            let now = js_sys::Date::now();
            let _ = drafts::save(keys::LAST_SYNC, &now);
            self.update(|s| s.last_sync = Some(now));
        }
        let (waiting, rejected) = outbox.counts().await?;
        self.update(|s| {
            s.waiting = waiting;
            s.rejected = rejected;
            s.deferred = deferred;
        });
        Ok(())
    }

    /// `pending` failed alone with a 500: a strike if the server
    /// demonstrably works (see the module doc). Returns whether it was the
    /// last strike, which moved the record to the rejected list.
    async fn judge(
        &self,
        outbox: &Outbox,
        pending: &Pending,
        error: &ApiError,
    ) -> Result<bool, SyncError> {
        // Another tab's success counts too: it is the same device.
        let stored = drafts::load::<f64>(keys::LAST_SYNC)
            .ok()
            .flatten()
            .or(self.state.borrow().last_sync);
        let stored_since =
            matches!((pending.failing_since, stored), (Some(since), Some(at)) if at > since);
        if !stored_since || !api::health_ok().await {
            return Ok(false);
        }
        let limit = self.config.strikes;
        Ok(outbox
            .strike(&pending.id, &error.to_string(), limit)
            .await?)
    }
}

/// Whether an error status says the server tried and failed (a strike may
/// follow), rather than that it is busy or unreachable (502, 503, 504).
fn failed_on(status: u16) -> bool {
    (500..600).contains(&status) && !matches!(status, 502..=504)
}

/// The server's outcomes for a batch, sorted.
#[derive(Default)]
struct Verdicts {
    /// Accepted or duplicate: leave the outbox.
    confirmed: Vec<String>,
    /// Move to the rejected list, with the reason.
    refused: Vec<(String, String)>,
    /// Dated ahead of the server's clock: sent again after the next tick.
    deferred: Vec<String>,
}

/// Sort the server's outcomes by record id. A response the answer does not
/// mention stays in the outbox.
fn verdicts(batch: &[Pending], reply: &SyncReply) -> Verdicts {
    let mut v = Verdicts::default();
    for pending in batch {
        // At most 100 each way: a linear search is cheaper than a map's code.
        match reply.results.iter().find(|o| o.id() == pending.response_id) {
            Some(Outcome::Accepted { .. } | Outcome::Duplicate { .. }) => {
                v.confirmed.push(pending.id.clone())
            }
            Some(Outcome::Rejected { reason, .. }) => {
                v.refused.push((pending.id.clone(), reason.clone()))
            }
            Some(Outcome::Deferred { .. }) => v.deferred.push(pending.id.clone()),
            None => {}
        }
    }
    v
}
