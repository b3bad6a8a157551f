//! Devices: lobby tablets and shoppers' phones. Adding one (or asking a new
//! code for one) shows its one-time enrolment code once, as large text and
//! as the server's QR code; revoking stops its token at once.
//!
//! A kiosk's staff PIN is set here, when it is made or later ("Set PIN"),
//! never on the tablet: whoever holds a fresh tablet must not choose it.
//! Each kiosk's last status report is shown with it (questionnaire and
//! version, what waits, what needs attention, its last sync), and a kiosk
//! not heard from for more than a day is flagged in words.

use super::{given, short_time, table, Confirm, Problem};
use crate::api::admin as api;
use crate::api::ApiError;
use crate::i18n::{t, use_locale, Key};
use branchpulse_core::access::{
    check_new_device, check_pin, Device, DeviceKind, DevicePin, DeviceReport, DeviceStatus,
    Enrolment, NewDevice,
};
use leptos::html::Div;
use leptos::prelude::*;
use leptos::task::spawn_local;
use uuid::Uuid;
use wasm_bindgen::JsCast;

const FIELDS: [&str; 5] = ["kind", "label", "branch", "shopper", "pin"];

#[component]
pub fn Devices() -> impl IntoView {
    let list = LocalResource::new(api::devices);
    let locale = use_locale();
    let shown = RwSignal::new(None::<Enrolment>);
    let problem = Problem::new("devices");
    let act = move |id: Uuid, revoke: bool| {
        problem.clear();
        spawn_local(async move {
            let result = if revoke {
                api::revoke(id).await.map(|()| None)
            } else {
                api::new_code(id).await.map(Some)
            };
            match result {
                Ok(enrolment) => {
                    if enrolment.is_some() {
                        shown.set(enrolment);
                    }
                    list.refetch();
                }
                Err(e) => problem.failed(&e, &[], locale.get_untracked()),
            }
        });
    };
    view! {
        <section aria-labelledby="devices-title">
            <h2 id="devices-title">{t(Key::AdmDevices)}</h2>
            {move || {
                shown
                    .get()
                    .map(|e| {
                        view! {
                            <EnrolmentCard
                                enrolment=e
                                on_close=Callback::new(move |()| shown.set(None))
                            />
                        }
                    })
            }}
            <AddDevice shown list />
            {problem.show("")}
            {table(
                list,
                Key::AdmNoDevices,
                "device-list",
                &[
                    Key::AdmLabel,
                    Key::AdmKind,
                    Key::AdmFor,
                    Key::AdmStatus,
                    Key::AdmReport,
                    Key::AdmLastSeen,
                    Key::AdmPinCol,
                    Key::AdmActions,
                ],
                move |d| {
                    let id = d.id;
                    let revoked = d.status == DeviceStatus::Revoked;
                    let kiosk = d.kind == DeviceKind::Kiosk;
                    view! {
                        <tr
                            data-id=d.id.to_string()
                            data-status=format!("{:?}", d.status)
                            data-silent=d.silent.to_string()
                        >
                            <th scope="row" class="device-label">
                                {d.label}
                            </th>
                            <td>{t(kind_key(d.kind))}</td>
                            <td>{d.branch.or(d.shopper).unwrap_or_default()}</td>
                            <td class="status">{t(status_key(d.status))}</td>
                            <td class="report">
                                {kiosk
                                    .then(|| {
                                        view! {
                                            <Report report=d.report reported_at=d.reported_at />
                                        }
                                    })}
                            </td>
                            <td class="last-seen">
                                {d
                                    .last_seen_at
                                    .as_deref()
                                    .map(short_time)
                                    .unwrap_or_else(|| "—".into())}
                                {d
                                    .silent
                                    .then(|| {
                                        view! {
                                            <p class="error device-silent" data-testid="device-silent">
                                                "⚠ "
                                                {t(Key::AdmSilent)}
                                            </p>
                                        }
                                    })}
                            </td>
                            <td class="pin">
                                {kiosk.then(|| view! { <PinCell id pin_set=d.pin_set /> })}
                            </td>
                            <td class="actions">
                                <Confirm
                                    label=Key::AdmNewCode
                                    question=Key::AdmNewCodeAsk
                                    yes=Key::AdmNewCode
                                    on_yes=Callback::new(move |()| act(id, false))
                                />
                                {(!revoked)
                                    .then(|| {
                                        view! {
                                            <Confirm
                                                label=Key::AdmRevoke
                                                question=Key::AdmRevokeAsk
                                                yes=Key::AdmRevokeYes
                                                on_yes=Callback::new(move |()| act(id, true))
                                            />
                                        }
                                    })}
                            </td>
                        </tr>
                    }
                },
            )}
        </section>
    }
}

fn kind_key(kind: DeviceKind) -> Key {
    match kind {
        DeviceKind::Kiosk => Key::AdmKioskDevice,
        DeviceKind::Shopper => Key::AdmShopperDevice,
    }
}

fn status_key(status: DeviceStatus) -> Key {
    match status {
        DeviceStatus::Pending => Key::AdmPending,
        DeviceStatus::Enrolled => Key::AdmEnrolled,
        DeviceStatus::Revoked => Key::AdmRevoked,
        DeviceStatus::Expired => Key::AdmExpired,
    }
}

#[component]
fn AddDevice(
    shown: RwSignal<Option<Enrolment>>,
    list: LocalResource<Result<Vec<Device>, ApiError>>,
) -> impl IntoView {
    let branches = LocalResource::new(api::branches);
    let problem = Problem::new("device");
    let kiosk = RwSignal::new(true);
    let label = RwSignal::new(String::new());
    let branch = RwSignal::new(String::new());
    let shopper = RwSignal::new(String::new());
    let pin = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        let is_kiosk = kiosk.get_untracked();
        let device = NewDevice {
            kind: if is_kiosk {
                DeviceKind::Kiosk
            } else {
                DeviceKind::Shopper
            },
            label: label.get_untracked().trim().to_string(),
            branch: if is_kiosk {
                given(branch.get_untracked())
            } else {
                None
            },
            shopper: if is_kiosk {
                None
            } else {
                Some(shopper.get_untracked().trim().to_string())
            },
            pin: if is_kiosk {
                given(pin.get_untracked())
            } else {
                None
            },
        };
        let known = branches
            .get_untracked()
            .and_then(Result::ok)
            .unwrap_or_default();
        if !problem.check(check_new_device(&device, &known)) {
            return;
        }
        let request = async move { api::add_device(&device).await };
        problem.send(busy, &FIELDS, request, move |enrolment| {
            label.set(String::new());
            pin.set(String::new());
            shown.set(Some(enrolment));
            list.refetch();
        });
    };
    view! {
        <form class="form admin-form" id="add-device" on:submit=submit>
            <h3>{t(Key::AdmAddDevice)}</h3>
            <fieldset class="field">
                <legend>{t(Key::AdmKind)}</legend>
                <label class="check">
                    <input
                        type="radio"
                        name="device-kind"
                        value="kiosk"
                        prop:checked=kiosk
                        on:change=move |_| kiosk.set(true)
                    />
                    {t(Key::AdmKioskDevice)}
                </label>
                <label class="check">
                    <input
                        type="radio"
                        name="device-kind"
                        value="shopper"
                        prop:checked=move || !kiosk.get()
                        on:change=move |_| kiosk.set(false)
                    />
                    {t(Key::AdmShopperDevice)}
                </label>
            </fieldset>
            <div class="field">
                <label for="device-label">{t(Key::AdmLabel)}</label>
                <input
                    id="device-label"
                    prop:value=label
                    aria-invalid=problem.is_at("label")
                    aria-describedby=problem.described("label")
                    on:input=move |e| label.set(event_target_value(&e))
                />
                {problem.show("label")}
            </div>
            {move || {
                if kiosk.get() {
                    view! {
                        <div class="field">
                            <label for="device-branch">{t(Key::Branch)}</label>
                            <select
                                id="device-branch"
                                prop:value=branch
                                aria-invalid=problem.is_at("branch")
                                aria-describedby=problem.described("branch")
                                on:change=move |e| branch.set(event_target_value(&e))
                            >
                                <option value="">{t(Key::AdmChoose)}</option>
                                {move || {
                                    branches
                                        .get()
                                        .and_then(Result::ok)
                                        .unwrap_or_default()
                                        .into_iter()
                                        .filter(|b| b.active)
                                        .map(|b| {
                                            view! {
                                                <option value=b
                                                    .code
                                                    .clone()>{b.code.clone()} " — " {b.name}</option>
                                            }
                                        })
                                        .collect_view()
                                }}
                            </select>
                            {problem.show("branch")}
                        </div>
                        <div class="field">
                            <label for="device-pin">{t(Key::AdmPin)}</label>
                            <input
                                id="device-pin"
                                type="password"
                                inputmode="numeric"
                                autocomplete="new-password"
                                maxlength="8"
                                prop:value=pin
                                aria-invalid=problem.is_at("pin")
                                aria-describedby=format!(
                                    "device-pin-hint {}",
                                    problem.described("pin"),
                                )
                                on:input=move |e| pin.set(event_target_value(&e))
                            />
                            <p class="hint" id="device-pin-hint">
                                {t(Key::AdmPinHint)}
                            </p>
                            {problem.show("pin")}
                        </div>
                    }
                        .into_any()
                } else {
                    view! {
                        <div class="field">
                            <label for="device-shopper">{t(Key::AdmShopper)}</label>
                            <input
                                id="device-shopper"
                                prop:value=shopper
                                aria-invalid=problem.is_at("shopper")
                                aria-describedby=problem.described("shopper")
                                on:input=move |e| shopper.set(event_target_value(&e))
                            />
                            {problem.show("shopper")}
                        </div>
                    }
                        .into_any()
                }
            }}
            {problem.show("kind")}
            {problem.show("")}
            <button type="submit" class="primary" disabled=busy>
                {t(Key::AdmAddDevice)}
            </button>
        </form>
    }
}

/// A kiosk's last status report, each figure with its name.
#[component]
fn Report(report: Option<DeviceReport>, reported_at: Option<String>) -> impl IntoView {
    let Some(r) = report else {
        return view! { <span class="no-report">{t(Key::AdmNoReport)}</span> }.into_any();
    };
    let questionnaire = match (r.questionnaire_id, r.questionnaire_version) {
        (Some(id), Some(v)) => Some((id, v.to_string())),
        (Some(id), None) => Some((id, "—".into())),
        _ => None,
    };
    let attention = r.rejected > 0;
    view! {
        <ul class="device-report">
            {questionnaire
                .map(|(id, v)| {
                    view! {
                        <li data-testid="report-questionnaire" data-version=v.clone()>
                            {t(Key::Questionnaire)}
                            ": "
                            {id}
                            ", "
                            {t(Key::Version)}
                            " "
                            {v.clone()}
                        </li>
                    }
                })} <li data-testid="report-waiting" data-n=r.waiting.to_string()>
                {r.waiting}
                " "
                {t(Key::Waiting)}
            </li>
            <li data-testid="report-rejected" data-n=r.rejected.to_string() class:error=attention>
                {t(Key::NeedsAttention)}
                ": "
                {r.rejected}
            </li>
            <li>
                {t(Key::LastSync)} ": "
                {match r.last_sync.as_deref() {
                    Some(at) => short_time(at).into_any(),
                    None => t(Key::Never).into_any(),
                }}
            </li>
            <li>
                {t(Key::AdmReportedAt)} ": "
                {reported_at.as_deref().map(short_time).unwrap_or_else(|| "—".into())}
            </li>
        </ul>
    }
    .into_any()
}

/// Whether a kiosk has a staff PIN, and "Set PIN" (a new one, or the first).
#[component]
fn PinCell(id: Uuid, pin_set: bool) -> impl IntoView {
    let problem = Problem::new(format!("pin-{id}"));
    let is_set = RwSignal::new(pin_set);
    let setting = RwSignal::new(false);
    let done = RwSignal::new(false);
    let pin = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.clear();
        let p = pin.get_untracked().trim().to_string();
        if !problem.check(check_pin(&p)) {
            return;
        }
        let request = async move { api::set_pin(id, &DevicePin { pin: p }).await };
        problem.send(busy, &["pin"], request, move |()| {
            pin.set(String::new());
            setting.set(false);
            is_set.set(true);
            done.set(true);
        });
    };
    let input_id = problem.id("pin");
    view! {
        <span class="pin-state" data-set=move || is_set.get().to_string()>
            {move || t(if is_set.get() { Key::AdmPinIsSet } else { Key::AdmPinNotSet })()}
        </span>
        " "
        {move || {
            if setting.get() {
                let input_id = input_id.clone();
                view! {
                    <form class="inline-form pin-form" on:submit=submit>
                        <label for=input_id.clone()>{t(Key::AdmNewPin)}</label>
                        <input
                            id=input_id
                            type="password"
                            inputmode="numeric"
                            autocomplete="new-password"
                            maxlength="8"
                            prop:value=pin
                            aria-invalid=problem.is_at("pin")
                            aria-describedby=problem.described("pin")
                            on:input=move |e| pin.set(event_target_value(&e))
                        />
                        <button type="submit" class="primary" disabled=busy>
                            {t(Key::AdmSave)}
                        </button>
                        <button type="button" on:click=move |_| setting.set(false)>
                            {t(Key::Cancel)}
                        </button>
                    </form>
                }
                    .into_any()
            } else {
                view! {
                    <button
                        type="button"
                        class="set-pin"
                        on:click=move |_| {
                            done.set(false);
                            setting.set(true);
                        }
                    >
                        {t(Key::AdmSetPin)}
                    </button>
                }
                    .into_any()
            }
        }}
        {problem.show("pin")}
        {problem.show("")}
        {move || {
            done.get()
                .then(|| {
                    view! {
                        <span class="ok" role="status">
                            {t(Key::AdmPinSaved)}
                        </span>
                    }
                })
        }}
    }
}

/// The one-time code, shown once.
#[component]
fn EnrolmentCard(enrolment: Enrolment, on_close: Callback<()>) -> impl IntoView {
    let holder = NodeRef::<Div>::new();
    let svg = enrolment.qr_svg.clone();
    Effect::new(move |_| {
        if let Some(div) = holder.get() {
            match safe_svg(&svg) {
                Some(node) => {
                    let _ = div.append_child(&node);
                }
                None => div.set_text_content(Some("—")),
            }
        }
    });
    view! {
        <div class="enrolment" id="enrolment" role="region" aria-labelledby="enrolment-title">
            <h3 id="enrolment-title">
                {t(Key::AdmEnrolTitle)} ": " {enrolment.device.label.clone()}
            </h3>
            <p>{t(Key::AdmEnrolHint)}</p>
            <p class="enrol-code" id="enrol-code">
                {enrolment.code.clone()}
            </p>
            <div class="qr" id="enrol-qr" node_ref=holder role="img" aria-label=t(Key::AdmQr)></div>
            <p class="enrol-url">
                <code>{enrolment.url.clone()}</code>
            </p>
            <p>{t(Key::AdmValidUntil)} " " {short_time(&enrolment.expires_at)} " UTC"</p>
            <button type="button" on:click=move |_| on_close.run(())>
                {t(Key::Done)}
            </button>
        </div>
    }
}

/// The server's QR code as an SVG element of this document, only if it is
/// nothing but drawing: parsed as XML (never as HTML), and refused if any
/// element is other than svg/g/rect/path/title/desc or any attribute is an
/// event handler, a link or a style (the page's policy forbids inline style).
fn safe_svg(svg: &str) -> Option<web_sys::Node> {
    const ELEMENTS: [&str; 6] = ["svg", "g", "rect", "path", "title", "desc"];
    let parsed = web_sys::DomParser::new()
        .ok()?
        .parse_from_string(svg, web_sys::SupportedType::ImageSvgXml)
        .ok()?;
    let root = parsed.document_element()?;
    let inner = root.get_elements_by_tag_name("*");
    let mut all = vec![root.clone()];
    all.extend((0..inner.length()).filter_map(|i| inner.item(i)));
    for el in &all {
        if !ELEMENTS.contains(&el.local_name().as_str()) {
            return None;
        }
        for name in el.get_attribute_names().iter() {
            let name = name.as_string()?.to_ascii_lowercase();
            if name.starts_with("on") || name.contains("href") || name == "style" {
                return None;
            }
        }
    }
    let node = document().import_node_with_deep(&root, true).ok()?;
    // Announced by the holder's label instead.
    if let Some(el) = node.dyn_ref::<web_sys::Element>() {
        let _ = el.set_attribute("aria-hidden", "true");
    }
    Some(node)
}
