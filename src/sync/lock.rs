//! Only one tab syncs at a time: the Web Locks API
//! (`navigator.locks.request(name, {ifAvailable: true}, callback)`).
//!
//! web-sys has `LockManager` only behind `--cfg=web_sys_unstable_apis`, so
//! the one method needed is bound here instead of enabling unstable APIs
//! for the whole build. Where `navigator.locks` is missing (old browsers,
//! insecure origins) the work runs without the lock; the server's
//! idempotent ingest (same id → `duplicate`) keeps that safe.

use js_sys::{Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks`.
    type LockManager;

    #[wasm_bindgen(method, catch, js_name = request)]
    fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &Object,
        callback: &Function,
    ) -> Result<Promise, JsValue>;
}

fn lock_manager() -> Option<LockManager> {
    let navigator = web_sys::window()?.navigator();
    let locks = Reflect::get(&navigator, &JsValue::from_str("locks")).ok()?;
    (!locks.is_undefined() && !locks.is_null()).then(|| locks.unchecked_into())
}

/// Run `work` while holding the lock `name`, across every tab of this
/// origin. `None` when another tab holds it (the work did not run);
/// `Some(result)` otherwise, also where Web Locks are unavailable.
pub async fn run_exclusive<T, F, Fut>(name: &str, work: F) -> Option<T>
where
    T: 'static,
    F: FnOnce() -> Fut + 'static,
    Fut: Future<Output = T> + 'static,
{
    let Some(locks) = lock_manager() else {
        return Some(work().await);
    };
    let work = Rc::new(RefCell::new(Some(work)));
    let output: Rc<RefCell<Option<T>>> = Rc::new(RefCell::new(None));
    let callback = {
        let (work, output) = (work.clone(), output.clone());
        Closure::<dyn FnMut(JsValue) -> Promise>::once_into_js(move |lock: JsValue| {
            let job = work.borrow_mut().take();
            match job {
                // `lock` is null when another holder has it.
                Some(job) if !lock.is_null() => future_to_promise(async move {
                    let value = job().await;
                    *output.borrow_mut() = Some(value);
                    Ok(JsValue::TRUE)
                }),
                _ => Promise::resolve(&JsValue::FALSE),
            }
        })
    };
    let options = Object::new();
    let _ = Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE);
    if let Ok(promise) = locks.request_with_options(name, &options, callback.unchecked_ref()) {
        // Settles when the work is done (or at once, when not granted).
        let _ = JsFuture::from(promise).await;
    }
    // The request threw or failed before calling back (a sandboxed or
    // opaque origin): run without the lock rather than never.
    let unrun = work.borrow_mut().take();
    if let Some(job) = unrun {
        return Some(job().await);
    }
    let result = output.borrow_mut().take();
    result
}
