//! Browser tests of the request builder (`api::Call`): a request belongs to
//! the reactive owner that started it, and is aborted when that owner is
//! cleaned up (a page left while its data loads). `window.fetch` is replaced for
//! `/api/v1/branches` only, by a server that never answers but honours the
//! abort signal, so that the request is surely pending when the page goes.
#![cfg(target_arch = "wasm32")]

mod common;

use branchpulse::api::{self, ApiError};
use common::{stage, wait_for};
use leptos::prelude::*;
use leptos::task::spawn_local_scoped;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn install_hanging_server() {
    js_sys::eval(
        r#"
        window.__bpHang = { started: 0, aborted: 0 };
        if (!window.__bpRealFetch) window.__bpRealFetch = window.fetch;
        window.fetch = (input, init) => {
            const req = input instanceof Request ? input : new Request(input, init);
            if (!req.url.endsWith('/api/v1/branches')) return window.__bpRealFetch(input, init);
            window.__bpHang.started += 1;
            return new Promise((_, reject) => req.signal.addEventListener('abort', () => {
                window.__bpHang.aborted += 1;
                reject(new DOMException('The operation was aborted.', 'AbortError'));
            }));
        };
        "#,
    )
    .unwrap();
}

fn remove_hanging_server() {
    js_sys::eval("if (window.__bpRealFetch) window.fetch = window.__bpRealFetch;").unwrap();
}

fn hang(what: &str) -> u32 {
    js_sys::eval(&format!("window.__bpHang.{what}"))
        .unwrap()
        .as_f64()
        .unwrap() as u32
}

/// A page that loads the branches, as the admin's and the kiosk's do.
#[component]
fn BranchesPage() -> impl IntoView {
    let list = LocalResource::new(api::admin::branches);
    view! {
        <p>{move || list.get().map(|r| format!("{} branches", r.map(|b| b.len()).unwrap_or(0)))}</p>
    }
}

#[wasm_bindgen_test]
async fn leaving_a_page_aborts_the_request_it_was_waiting_for() {
    install_hanging_server();
    let mounted = leptos::mount::mount_to(stage(), BranchesPage);
    wait_for("the request sent", 5, || hang("started") == 1).await;
    assert_eq!(hang("aborted"), 0, "pending while the page is there");

    drop(mounted);
    wait_for("the request aborted", 5, || hang("aborted") == 1).await;
    remove_hanging_server();
}

type Answer = Rc<RefCell<Option<Result<usize, ApiError>>>>;

/// Start `start`ing a task that loads the branches into `answer`, from a
/// mounted page (which starts Leptos's executor).
fn mount_task_page(
    answer: &Answer,
    start: fn(std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>),
) -> leptos::mount::UnmountHandle<impl Mountable> {
    let answer = answer.clone();
    leptos::mount::mount_to(stage(), move || {
        start(Box::pin(async move {
            let result = api::admin::branches().await.map(|b| b.len());
            *answer.borrow_mut() = Some(result);
        }));
        view! { <p>"loading"</p> }
    })
}

#[wasm_bindgen_test]
async fn a_task_ends_with_an_error_when_its_owner_is_cleaned_up() {
    install_hanging_server();
    let answer = Answer::default();
    let owner = Owner::new();
    let mounted = owner.with(|| mount_task_page(&answer, spawn_local_scoped));
    wait_for("the request sent", 5, || hang("started") == 1).await;
    assert!(
        answer.borrow().is_none(),
        "answered by a server that never answers"
    );

    owner.cleanup();
    wait_for("the task finished", 5, || answer.borrow().is_some()).await;
    // Cut by the owner, not timed out (no timeout was set), and no panic.
    assert!(
        matches!(*answer.borrow(), Some(Err(ApiError::Network(_)))),
        "{:?}",
        answer.borrow()
    );
    assert_eq!(hang("aborted"), 1);
    drop(mounted);
    remove_hanging_server();
}

#[wasm_bindgen_test]
async fn a_plain_task_is_not_cut_when_the_page_that_started_it_goes() {
    install_hanging_server();
    let answer = Answer::default();
    let owner = Owner::new();
    // As the sync client's tasks: not owned by the page.
    let mounted = owner.with(|| mount_task_page(&answer, leptos::task::spawn_local));
    wait_for("the request sent", 5, || hang("started") == 1).await;

    // An owner's cleanup aborts at once, so a cut would show here already.
    owner.cleanup();
    drop(mounted);
    assert_eq!(hang("aborted"), 0);
    assert!(answer.borrow().is_none());
    remove_hanging_server();
}
