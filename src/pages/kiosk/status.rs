//! The kiosk's status report: right after enrolment, after each sync pass
//! and every [`DEFAULT_REPORT_MS`] (or `keys::KIOSK_REPORT_MS`), an
//! enrolled kiosk tells the server what it asks and what waits on it
//! (`access::DeviceReport`), so that an admin sees a kiosk in trouble
//! before the branch does.
//!
//! The answer (`access::DeviceConfig`) is how the kiosk stays current
//! without anyone touching it: the staff PIN an admin set replaces the kept
//! one, and a version of its questionnaire other than its own is fetched,
//! checked as the server checks uploads, and offered to the customer flow,
//! which takes it between customers (`config::take_newer_questionnaire`).
//!
//! Offline nothing changes and nothing is said: the next report tries
//! again. Any other failure is for staff only: their menu shows it, the
//! customer's screens never do.

use super::config::{self, KioskSetup};
use crate::api::{self, ApiError};
use crate::storage::{enrolment, keys, settings};
use crate::sync::{use_sync, SyncHandle};
use branchpulse_core::access::DeviceReport;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

/// Between two reports when nothing else makes one.
pub const DEFAULT_REPORT_MS: u32 = 5 * 60 * 1000;

/// Starts the reports of the kiosk page; [`Reports::now`] asks for one.
#[derive(Clone, Copy)]
pub struct Reports {
    setup: RwSignal<Option<KioskSetup>>,
    sync: SyncHandle,
    /// Why the last report failed, for the staff menu.
    pub problem: RwSignal<Option<String>>,
    running: StoredValue<Rc<Running>, LocalStorage>,
}

#[derive(Default)]
struct Running {
    busy: Cell<bool>,
    /// Asked for while one was running: one more after it.
    again: Cell<bool>,
}

/// Report on `setup` from now on, while the current owner (the kiosk page)
/// lives.
pub fn start(setup: RwSignal<Option<KioskSetup>>) -> Reports {
    let sync = use_sync();
    let reports = Reports {
        setup,
        sync,
        problem: RwSignal::new(None),
        running: StoredValue::new_local(Rc::new(Running::default())),
    };
    let every = settings::ms(keys::KIOSK_REPORT_MS).unwrap_or(DEFAULT_REPORT_MS);
    if let Ok(h) = set_interval_with_handle(
        move || reports.now(),
        Duration::from_millis(u64::from(every)),
    ) {
        on_cleanup(move || h.clear());
    }
    // After each sync pass, when the counts it reports have just changed.
    Effect::new(move |was: Option<bool>| {
        let syncing = sync.state.with(|s| s.syncing);
        if was == Some(true) && !syncing {
            reports.now();
        }
        syncing
    });
    reports
}

impl Reports {
    /// Report now (or right after the report under way).
    pub fn now(self) {
        let Some(running) = self.running.try_get_value() else {
            return;
        };
        if running.busy.replace(true) {
            running.again.set(true);
            return;
        }
        spawn_local(async move {
            loop {
                running.again.set(false);
                self.once().await;
                if !running.again.get() {
                    break;
                }
            }
            running.busy.set(false);
        });
    }

    async fn once(self) {
        if enrolment::token().is_none() {
            return;
        }
        let setup = self.setup.try_get_untracked().flatten();
        let Some(state) = self.sync.state.try_get_untracked() else {
            return;
        };
        let report = DeviceReport {
            questionnaire_id: setup.as_ref().map(|s| s.questionnaire.id.clone()),
            questionnaire_version: setup.as_ref().map(|s| s.questionnaire.version),
            waiting: state.waiting,
            rejected: state.rejected,
            last_sync: state.last_sync.map(iso_time),
        };
        let config = match api::device_status(&report).await {
            Ok(config) => config,
            Err(e) => return self.failed(&e),
        };
        config::keep_staff_pin(config.pin.as_ref());
        let newer = match (config.questionnaire_version, setup) {
            (Some(v), Some(s)) if v != s.questionnaire.version => Some(s.questionnaire.id),
            _ => None,
        };
        let Some(id) = newer.filter(|_| config::newer_offered() != config.questionnaire_version)
        else {
            self.problem.try_set(None);
            return;
        };
        match api::questionnaire_json(&id).await {
            // Checked by the server when it was uploaded, as at setup: the
            // file loader's exact error paths would add ~40 KB to the kiosk.
            Ok(json) => match serde_json::from_str::<branchpulse_core::Questionnaire>(&json) {
                Ok(q) if q.id == id => {
                    config::offer_newer_questionnaire(q, json);
                    self.problem.try_set(None);
                }
                Ok(q) => {
                    self.problem.try_set(Some(format!("{id}: got {}", q.id)));
                }
                Err(e) => {
                    self.problem.try_set(Some(e.to_string()));
                }
            },
            Err(e) => self.failed(&e),
        }
    }

    fn failed(self, e: &ApiError) {
        // Offline or busy: the next report will do; staff need not know.
        let quiet =
            matches!(e, ApiError::Network(_) | ApiError::Timeout { .. }) || e.needs_enrolment();
        if !quiet {
            self.problem.try_set(Some(e.to_string()));
        }
    }
}

/// RFC 3339 (UTC) of `ms` since the epoch.
fn iso_time(ms: f64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
        .to_iso_string()
        .into()
}
