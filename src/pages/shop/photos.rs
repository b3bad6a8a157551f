//! "Add photo" on a stage or an item: the phone's camera or a file, shrunk
//! on the device to at most [`LONGEST_SIDE`] pixels and re-encoded as JPEG
//! through a canvas — which keeps only the pixels, so the Exif and XMP of
//! the original (location, camera, time) never leave the phone — and kept
//! in IndexedDB with the draft until the server has it (`sync::photos`).

use super::visit::Ctx;
use crate::i18n::{t, text, use_locale, Key};
use crate::storage::photos::{Photo, PhotoStore};
use js_sys::{Promise, Uint8Array};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Longest side of a kept photo, in pixels: a receipt stays readable.
pub const LONGEST_SIDE: f64 = 1600.0;
/// JPEG quality of a kept photo.
const QUALITY: f64 = 0.8;
/// Most photos of one report (the server's limit too).
pub const MAX_PER_REPORT: usize = 10;

/// The item or stage a photo shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Item(String),
    Stage(String),
}

fn js_error(e: JsValue) -> String {
    e.as_string()
        .or_else(|| {
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{e:?}"))
}

/// `file` decoded, scaled down and encoded as JPEG: the new bytes as a
/// Blob, their size and SHA-256.
async fn shrink(file: web_sys::File) -> Result<(web_sys::Blob, u64, String), String> {
    let window = window();
    let bitmap: web_sys::ImageBitmap = JsFuture::from(
        window
            .create_image_bitmap_with_blob(&file)
            .map_err(js_error)?,
    )
    .await
    .map_err(js_error)?
    .unchecked_into();
    let (w, h) = (f64::from(bitmap.width()), f64::from(bitmap.height()));
    let scale = (LONGEST_SIDE / w.max(h)).min(1.0);
    let (tw, th) = ((w * scale).round().max(1.0), (h * scale).round().max(1.0));
    let canvas: web_sys::HtmlCanvasElement = document()
        .create_element("canvas")
        .map_err(js_error)?
        .unchecked_into();
    canvas.set_width(tw as u32);
    canvas.set_height(th as u32);
    let ctx: web_sys::CanvasRenderingContext2d = canvas
        .get_context("2d")
        .map_err(js_error)?
        .ok_or("no 2d canvas")?
        .unchecked_into();
    ctx.draw_image_with_image_bitmap_and_dw_and_dh(&bitmap, 0.0, 0.0, tw, th)
        .map_err(js_error)?;
    bitmap.close();
    let encoded = Promise::new(&mut |resolve, _| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        let _ = canvas.to_blob_with_type_and_encoder_options(
            done.unchecked_ref(),
            "image/jpeg",
            &JsValue::from_f64(QUALITY),
        );
    });
    let blob: web_sys::Blob = JsFuture::from(encoded)
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "the canvas made no JPEG".to_string())?;
    let bytes = JsFuture::from(blob.array_buffer())
        .await
        .map_err(js_error)?;
    let sha = sha256_hex(bytes.unchecked_ref()).await?;
    Ok((blob.clone(), blob.size() as u64, sha))
}

/// The SHA-256 of `data` in lowercase hex, by the browser
/// (`crypto.subtle`, there in the secure context the shop runs in, as
/// its service worker and the camera need one too): the shop bundle
/// carries no hash code of its own, and the photo is never copied into
/// the app's memory.
async fn sha256_hex(data: &js_sys::Object) -> Result<String, String> {
    let subtle = window().crypto().map_err(js_error)?.subtle();
    let digest = JsFuture::from(
        subtle
            .digest_with_str_and_buffer_source("SHA-256", data)
            .map_err(js_error)?,
    )
    .await
    .map_err(js_error)?;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    Ok(Uint8Array::new(&digest)
        .to_vec()
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .map(char::from)
        .collect())
}

/// A photo on screen: its id and an object URL of its blob.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    id: String,
    url: String,
}

fn shown(photo: &Photo) -> Option<Shown> {
    let url = web_sys::Url::create_object_url_with_blob(&photo.blob).ok()?;
    Some(Shown {
        id: photo.id.clone(),
        url,
    })
}

/// How many photos the draft has, all places together.
async fn count_of(draft: &str) -> usize {
    match PhotoStore::open().await {
        Ok(store) => {
            let n = store.of_draft(draft).await.map(|p| p.len()).unwrap_or(0);
            store.close();
            n
        }
        Err(_) => 0,
    }
}

#[component]
pub fn Photos(ctx: Ctx, place: Place) -> impl IntoView {
    let locale = use_locale();
    let draft = ctx.draft.with_untracked(|d| d.id.to_string());
    let photos = RwSignal::new(Vec::<Shown>::new());
    let problem = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let here = {
        let place = place.clone();
        move |p: &Photo| match &place {
            Place::Item(id) => p.item.as_deref() == Some(id.as_str()),
            Place::Stage(id) => p.stage.as_deref() == Some(id.as_str()),
        }
    };
    let load = {
        let (draft, here) = (draft.clone(), here.clone());
        move || {
            let (draft, here) = (draft.clone(), here.clone());
            spawn_local(async move {
                let Ok(store) = PhotoStore::open().await else {
                    return;
                };
                let found = store.of_draft(&draft).await.unwrap_or_default();
                store.close();
                let fresh: Vec<Shown> =
                    found.iter().filter(|p| here(p)).filter_map(shown).collect();
                photos.update(|old| {
                    for s in old.iter() {
                        let _ = web_sys::Url::revoke_object_url(&s.url);
                    }
                    *old = fresh;
                });
            });
        }
    };
    load();
    on_cleanup(move || {
        photos.with_untracked(|all| {
            for s in all {
                let _ = web_sys::Url::revoke_object_url(&s.url);
            }
        })
    });
    let input_id = match &place {
        Place::Item(id) => format!("photo-item-{id}"),
        Place::Stage(id) => format!("photo-stage-{id}"),
    };
    let add = {
        let (draft, load) = (draft.clone(), load.clone());
        move |ev: leptos::ev::Event| {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else {
                return;
            };
            input.set_value("");
            let (draft, place, load) = (draft.clone(), place.clone(), load.clone());
            busy.set(true);
            problem.set(None);
            spawn_local(async move {
                let result = async {
                    if count_of(&draft).await >= MAX_PER_REPORT {
                        return Err(text(locale.get_untracked(), Key::ShopPhotoLimit).to_owned());
                    }
                    let (blob, size, sha256) = shrink(file).await?;
                    let (item, stage) = match place {
                        Place::Item(id) => (Some(id), None),
                        Place::Stage(id) => (None, Some(id)),
                    };
                    let photo = Photo {
                        id: crate::pages::kiosk::config::new_uuid().to_string(),
                        draft: draft.clone(),
                        item,
                        stage,
                        blob,
                        size,
                        sha256,
                        queued: false,
                        received: 0,
                    };
                    let store = PhotoStore::open().await.map_err(|e| e.to_string())?;
                    let kept = store.put(&photo).await.map_err(|e| e.to_string());
                    store.close();
                    kept
                }
                .await;
                if let Err(why) = result {
                    problem.set(Some(format!(
                        "{}: {why}",
                        text(locale.get_untracked(), Key::ShopPhotoFailed)
                    )));
                }
                busy.set(false);
                load();
            });
        }
    };
    let remove = move |id: String| {
        let load = load.clone();
        spawn_local(async move {
            if let Ok(store) = PhotoStore::open().await {
                let _ = store.remove(&id).await;
                store.close();
            }
            load();
        });
    };
    view! {
        <div class="shop-photos">
            <ul class="shop-photo-list">
                {move || {
                    photos
                        .get()
                        .into_iter()
                        .map(|s| {
                            let remove = remove.clone();
                            let id = s.id.clone();
                            view! {
                                <li class="shop-photo" data-photo=s.id>
                                    <img src=s.url alt=t(Key::ShopPhoto) />
                                    <button
                                        type="button"
                                        class="shop-photo-remove"
                                        hidden=move || ctx.locked()
                                        on:click=move |_| remove(id.clone())
                                    >
                                        {t(Key::ShopPhotoRemove)}
                                    </button>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <label class="shop-photo-add button" for=input_id.clone() hidden=move || ctx.locked()>
                {move || {
                    if busy.get() { t(Key::ShopPhotoShrinking)() } else { t(Key::ShopAddPhoto)() }
                }}
            </label>
            <input
                id=input_id
                class="shop-photo-input"
                type="file"
                accept="image/*"
                capture="environment"
                disabled=move || ctx.locked() || busy.get()
                on:change=add
            />
            <p class="shop-photo-problem" role="alert" hidden=move || problem.with(Option::is_none)>
                {move || problem.get().unwrap_or_default()}
            </p>
        </div>
    }
}

/// "2 of 3 photos sent", while photos of submitted reports wait or were
/// sent since the page opened.
#[component]
pub fn PhotoProgress() -> impl IntoView {
    let state = crate::sync::photos::use_photo_sync().state;
    let locale = use_locale();
    move || {
        let s = state.get();
        let total = s.sent + s.waiting;
        (total > 0).then(|| {
            let line = text(locale.get(), Key::ShopPhotosSent)
                .replace("{sent}", &s.sent.to_string())
                .replace("{total}", &total.to_string());
            view! {
                <p class="shop-photo-progress" role="status" data-waiting=s.waiting>
                    {line}
                </p>
            }
        })
    }
}
