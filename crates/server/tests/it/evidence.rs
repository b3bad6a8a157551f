//! Photos of a report over HTTP (`/api/v1/evidence`): announced by the
//! shopper's phone once its report is stored, sent in chunks that resume
//! where the server says, checked and cleaned of metadata on the last
//! chunk, read by those allowed, erased with the report's texts. On SQLite
//! and on PostgreSQL.

use crate::common;

use common::TestServer;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

fn report_id(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

pub(crate) fn photo_id(n: u32) -> String {
    format!("00000000-0000-4000-9000-{n:012}")
}

/// A mystery-shop report with every required item answered.
fn report(n: u32, branch: &str) -> Value {
    let (id, version, answers) = common::shop_answers("na");
    json!({
        "id": report_id(n),
        "questionnaire_id": id,
        "questionnaire_version": version,
        "branch": branch,
        "device_id": "phone-1",
        "channel": "mystery_shop",
        "locale": "en",
        "started_at": "2026-03-01T09:30:00Z",
        "submitted_at": "2026-03-01T10:31:00Z",
        "answers": answers,
        "comments": {"waiting": "The queue ticket said 41"},
    })
}

/// An Exif block (little-endian TIFF) naming the camera and holding a
/// GPS position: IFD0 with Make and a pointer to the GPS IFD, which holds
/// GPSLatitudeRef "N" and GPSLatitude 40/1 25/1 0/1.
fn exif_with_gps() -> Vec<u8> {
    let mut t: Vec<u8> = b"II*\0".to_vec();
    t.extend(8u32.to_le_bytes()); // IFD0 at 8
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        let mut e = tag.to_le_bytes().to_vec();
        e.extend(kind.to_le_bytes());
        e.extend(count.to_le_bytes());
        e.extend(value.to_le_bytes());
        e
    };
    // IFD0: 2 entries (2 + 2×12 + 4 = 30 bytes, 8..38); "PhoneCam\0" at 38..47;
    // the GPS IFD at 48 (2 + 2×12 + 4 = 30 bytes, 48..78); rationals at 78.
    t.extend(2u16.to_le_bytes());
    t.extend(entry(0x010F, 2, 9, 38)); // Make, ASCII
    t.extend(entry(0x8825, 4, 1, 48)); // GPSInfo IFD pointer
    t.extend(0u32.to_le_bytes());
    t.extend(b"PhoneCam\0");
    t.push(0); // pad to 48
    assert_eq!(t.len(), 48);
    t.extend(2u16.to_le_bytes());
    t.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0"))); // GPSLatitudeRef
    t.extend(entry(0x0002, 5, 3, 78)); // GPSLatitude, 3 rationals
    t.extend(0u32.to_le_bytes());
    assert_eq!(t.len(), 78);
    for (num, den) in [(40u32, 1u32), (25, 1), (0, 1)] {
        t.extend(num.to_le_bytes());
        t.extend(den.to_le_bytes());
    }
    t
}

const XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta><exif:GPSLatitude>40,25N</exif:GPSLatitude></x:xmpmeta>";

/// A real 64×48 JPEG (a gradient); with `metadata`, as a phone's camera
/// would write it: Exif with GPS and the camera's make, XMP with GPS.
pub(crate) fn jpeg(metadata: bool, progressive: bool) -> Vec<u8> {
    let (w, h) = (64u16, 48u16);
    let mut pixels = Vec::new();
    for y in 0..h {
        for x in 0..w {
            pixels.extend([(x * 4) as u8, (y * 5) as u8, 128]);
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
    encoder.set_progressive(progressive);
    if metadata {
        encoder.add_exif_metadata(&exif_with_gps()).unwrap();
        encoder.add_app_segment(1, XMP.to_vec()).unwrap();
        encoder
            .add_app_segment(13, b"Photoshop 3.0\0IPTC city Madrid".to_vec())
            .unwrap();
    }
    encoder
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

pub(crate) fn sha(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// The announcement of `bytes` as photo `n` of report `report`'s item.
pub(crate) fn announcement(n: u32, report: &str, bytes: &[u8]) -> Value {
    json!({
        "id": photo_id(n),
        "report": report,
        "item": "waiting",
        "content_type": "image/jpeg",
        "size": bytes.len(),
        "sha256": sha(bytes),
    })
}

/// Announce photo `n` of report 1.
async fn announce(s: &TestServer, token: &str, n: u32, bytes: &[u8]) -> (u16, Value) {
    s.post_as(
        "/api/v1/evidence",
        token,
        &announcement(n, &report_id(1), bytes),
    )
    .await
}

pub(crate) async fn put_chunk(
    s: &TestServer,
    token: &str,
    id: &str,
    offset: usize,
    bytes: &[u8],
) -> (u16, Value) {
    let resp = s
        .client
        .put(s.at(&format!("/api/v1/evidence/{id}/content?offset={offset}")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A server with Ana's phone, which has sent report 1 of branch N01.
async fn with_report() -> (TestServer, String) {
    let s = TestServer::start().await;
    let (_, ana) = s.enrol("shopper", "Ana").await;
    let (status, reply) = s
        .post_batch_as(&ana, &json!({"responses": [report(1, "N01")]}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
    (s, ana)
}

/// Send `bytes` whole, in chunks of `chunk` bytes.
pub(crate) async fn upload(
    s: &TestServer,
    token: &str,
    id: &str,
    bytes: &[u8],
    chunk: usize,
) -> (u16, Value) {
    let mut last = (0, Value::Null);
    for (i, part) in bytes.chunks(chunk).enumerate() {
        last = put_chunk(s, token, id, i * chunk, part).await;
        if last.0 != 200 {
            return last;
        }
    }
    last
}

pub(crate) async fn content(s: &TestServer, id: &str) -> (u16, Vec<u8>, String) {
    let resp = s
        .get(&format!("/api/v1/evidence/{id}/content"))
        .await
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let kind = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, resp.bytes().await.unwrap().to_vec(), kind)
}

#[tokio::test]
async fn a_photo_sent_in_chunks_is_stored_without_its_metadata() {
    let (s, ana) = with_report().await;
    let photo = jpeg(true, false);
    // The test's photo carries what must not be stored.
    for marker in [
        &b"Exif"[..],
        b"PhoneCam",
        b"GPSLatitude",
        b"Photoshop",
        b"ns.adobe.com",
    ] {
        assert!(
            contains(&photo, marker),
            "{}",
            String::from_utf8_lossy(marker)
        );
    }
    let id = photo_id(1);
    let (status, body) = announce(&s, &ana, 1, &photo).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["received"], 0);
    assert_eq!(body["complete"], false);

    let chunk = photo.len() / 3 + 1;
    let (status, body) = put_chunk(&s, &ana, &id, 0, &photo[..chunk]).await;
    assert_eq!((status, &body["received"]), (200, &json!(chunk)), "{body}");
    assert_eq!(body["complete"], false);
    let (status, body) = s
        .get_as_device(&ana, &format!("/api/v1/evidence/{id}"))
        .await;
    assert_eq!((status, &body["received"]), (200, &json!(chunk)), "{body}");
    let (status, body) = put_chunk(&s, &ana, &id, chunk, &photo[chunk..2 * chunk]).await;
    assert_eq!(
        (status, &body["received"]),
        (200, &json!(2 * chunk)),
        "{body}"
    );
    let (status, body) = put_chunk(&s, &ana, &id, 2 * chunk, &photo[2 * chunk..]).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["received"], photo.len());
    assert_eq!(body["complete"], true);

    let (status, stored, kind) = content(&s, &id).await;
    assert_eq!(status, 200);
    assert_eq!(kind, "image/jpeg");
    for marker in [
        &b"Exif"[..],
        b"PhoneCam",
        b"GPS",
        b"Photoshop",
        b"ns.adobe.com",
        b"Madrid",
    ] {
        assert!(
            !contains(&stored, marker),
            "{} stored",
            String::from_utf8_lossy(marker)
        );
    }
    // Still the same picture: it decodes to the same size and pixels.
    let decode = |bytes: &[u8]| {
        let mut d = jpeg_decoder::Decoder::new(bytes);
        let pixels = d.decode().unwrap();
        let info = d.info().unwrap();
        (info.width, info.height, pixels)
    };
    assert_eq!(decode(&stored), decode(&photo));
    assert!(stored.len() < photo.len());
    // The reviewer's queue counts the report's photos.
    let (status, queue) = s.get_json("/api/v1/reports?status=submitted").await;
    assert_eq!(status, 200, "{queue}");
    assert_eq!(queue[0]["evidence"], 1, "{queue}");
    s.stop().await;
}

#[tokio::test]
async fn a_gap_or_a_repeat_is_answered_with_where_to_resume() {
    let (s, ana) = with_report().await;
    let photo = jpeg(false, false);
    let id = photo_id(2);
    let (status, _) = announce(&s, &ana, 2, &photo).await;
    assert_eq!(status, 201);
    let (status, _) = put_chunk(&s, &ana, &id, 0, &photo[..200]).await;
    assert_eq!(status, 200);
    // The connection dropped after the server took the next chunk; the
    // phone, not knowing, sends it again: refused with where to go on.
    let (status, _) = put_chunk(&s, &ana, &id, 200, &photo[200..400]).await;
    assert_eq!(status, 200);
    let (status, body) = put_chunk(&s, &ana, &id, 200, &photo[200..400]).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["received"], 400);
    assert!(
        body["error"].as_str().unwrap().contains("send from 400"),
        "{body}"
    );
    // A chunk past the end of what was received is refused the same way.
    let (status, body) = put_chunk(&s, &ana, &id, 600, &photo[600..]).await;
    assert_eq!((status, &body["received"]), (409, &json!(400)), "{body}");
    // The announcement again (after a reload) says the same.
    let (status, body) = announce(&s, &ana, 2, &photo).await;
    assert_eq!((status, &body["received"]), (200, &json!(400)), "{body}");
    let (status, body) = upload(&s, &ana, &id, &photo[400..], photo.len()).await;
    assert_eq!(status, 409, "offset 0 of the rest is not 400: {body}");
    let (status, body) = put_chunk(&s, &ana, &id, 400, &photo[400..]).await;
    assert_eq!((status, &body["complete"]), (200, &json!(true)), "{body}");
    let (status, stored, _) = content(&s, &id).await;
    assert_eq!(status, 200);
    assert_eq!(stored, photo, "a photo without metadata is kept as sent");
    // Once complete, a late repeat changes nothing.
    let (status, body) = put_chunk(&s, &ana, &id, 0, &photo[..200]).await;
    assert_eq!((status, &body["complete"]), (200, &json!(true)), "{body}");
    assert_eq!(content(&s, &id).await.1, photo);
    s.stop().await;
}

#[tokio::test]
async fn wrong_bytes_are_dropped_and_sent_again_from_zero() {
    let (s, ana) = with_report().await;
    let photo = jpeg(false, true);
    let id = photo_id(3);
    let (status, _) = announce(&s, &ana, 3, &photo).await;
    assert_eq!(status, 201);
    let mut wrong = photo.clone();
    wrong[photo.len() / 2] ^= 0x55;
    let (status, body) = upload(&s, &ana, &id, &wrong, 1024).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("sha256"), "{body}");
    let (_, body) = s
        .get_as_device(&ana, &format!("/api/v1/evidence/{id}"))
        .await;
    assert_eq!(
        (&body["received"], &body["complete"]),
        (&json!(0), &json!(false))
    );
    assert_eq!(content(&s, &id).await.0, 404);
    // A progressive JPEG (several scans) goes through whole.
    let (status, body) = upload(&s, &ana, &id, &photo, 1024).await;
    assert_eq!((status, &body["complete"]), (200, &json!(true)), "{body}");
    assert_eq!(content(&s, &id).await.1, photo);

    // Bytes that match their hash but are no JPEG are refused too.
    let text = b"not a picture at all".to_vec();
    let (status, _) = announce(&s, &ana, 4, &text).await;
    assert_eq!(status, 201);
    let (status, body) = put_chunk(&s, &ana, &photo_id(4), 0, &text).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("not a JPEG"),
        "{body}"
    );
    s.stop().await;
}

#[tokio::test]
async fn announcements_are_checked_field_by_field() {
    let (s, ana) = with_report().await;
    let photo = jpeg(false, false);
    let good = announcement(5, &report_id(1), &photo);
    let with = |key: &str, value: Value| {
        let mut a = good.clone();
        a[key] = value;
        a
    };
    for (body, status, field) in [
        (with("size", json!(3 * 1024 * 1024)), 413, "size"),
        (
            with("content_type", json!("image/png")),
            415,
            "content_type",
        ),
        (with("sha256", json!("ABC")), 422, "sha256"),
        (with("stage", json!("arrival")), 422, "item"),
        (with("report", json!(report_id(99))), 404, "report"),
    ] {
        let (got, reply) = s.post_as("/api/v1/evidence", &ana, &body).await;
        assert_eq!(got, status, "{body}: {reply}");
        assert_eq!(reply["field"], field, "{reply}");
    }
    assert!(s
        .post_as(
            "/api/v1/evidence",
            &ana,
            &with("report", json!(report_id(99)))
        )
        .await
        .1["error"]
        .as_str()
        .unwrap()
        .contains("retry after the report syncs"));
    // Same id, other details: a conflict; the first stays.
    assert_eq!(s.post_as("/api/v1/evidence", &ana, &good).await.0, 201);
    let (status, _) = s
        .post_as(
            "/api/v1/evidence",
            &ana,
            &with("size", json!(photo.len() + 1)),
        )
        .await;
    assert_eq!(status, 409);
    // A chunk over the size announced, or over 256 KiB, is refused.
    let (status, _) = put_chunk(&s, &ana, &photo_id(5), 0, &vec![0; photo.len() + 1]).await;
    assert_eq!(status, 413);
    let (status, _) = put_chunk(&s, &ana, &photo_id(5), 0, &vec![0; 256 * 1024 + 1]).await;
    assert_eq!(status, 413);
    // Ten photos at most per report.
    for n in 6..15 {
        let (status, body) = announce(&s, &ana, n, &photo).await;
        assert_eq!(status, 201, "{n}: {body}");
    }
    let (status, body) = announce(&s, &ana, 15, &photo).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("at most 10"),
        "{body}"
    );
    let (_, list) = s
        .get_as_device(&ana, &format!("/api/v1/evidence?report={}", report_id(1)))
        .await;
    assert_eq!(list.as_array().unwrap().len(), 10);
    s.stop().await;
}

#[tokio::test]
async fn only_the_reports_shopper_sends_and_only_readers_allowed_read() {
    let (s, ana) = with_report().await;
    let photo = jpeg(false, false);
    let (_, bo) = s.enrol("shopper", "Bo").await;
    let (_, kiosk) = s.enrol("kiosk", "N01").await;
    // Ana's second phone may go on where the first one stopped.
    let (_, ana2) = s.enrol("shopper", "Ana").await;
    let a = announcement(1, &report_id(1), &photo);
    assert_eq!(s.post_as("/api/v1/evidence", &bo, &a).await.0, 403);
    assert_eq!(s.post_as("/api/v1/evidence", &kiosk, &a).await.0, 403);
    assert_eq!(s.post_as("/api/v1/evidence", &ana, &a).await.0, 201);
    let id = photo_id(1);
    assert_eq!(put_chunk(&s, &bo, &id, 0, &photo).await.0, 404);
    assert_eq!(
        s.get_as_device(&bo, &format!("/api/v1/evidence/{id}"))
            .await
            .0,
        404
    );
    assert_eq!(put_chunk(&s, &ana2, &id, 0, &photo).await.0, 200);

    // The admin lists and reads it; a phone reads no photo's bytes.
    let (status, list) = s
        .get_json(&format!("/api/v1/evidence?report={}", report_id(1)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        list,
        json!([{"id": id, "report": report_id(1), "item": "waiting", "size": photo.len(), "complete": true}])
    );
    let resp = s
        .get(&format!("/api/v1/evidence/{id}/content"))
        .await
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["cache-control"], "private");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), photo);
    let resp = s
        .client
        .get(s.at(&format!("/api/v1/evidence/{id}/content")))
        .bearer_auth(&ana)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(
        s.client
            .get(s.at(&format!("/api/v1/evidence/{id}/content")))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    s.stop().await;
}

#[tokio::test]
async fn purging_a_reports_texts_erases_its_photos() {
    let (s, ana) = with_report().await;
    let photo = jpeg(false, false);
    assert_eq!(announce(&s, &ana, 1, &photo).await.0, 201);
    assert_eq!(upload(&s, &ana, &photo_id(1), &photo, 4096).await.0, 200);
    // A second photo half sent: its chunks go too.
    assert_eq!(announce(&s, &ana, 2, &photo).await.0, 201);
    assert_eq!(
        put_chunk(&s, &ana, &photo_id(2), 0, &photo[..100]).await.0,
        200
    );
    let count = |table: &str| format!("SELECT CAST(COUNT(*) AS TEXT) FROM {table}");
    let rows = |sql: String| {
        let url = s.database_url.clone();
        async move { common::scalar(&url, &sql).await.unwrap() }
    };
    assert_eq!(rows(count("evidence")).await, "2");
    assert_eq!(rows(count("evidence_chunks")).await, "1");

    let (status, body) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/responses/{}/purge-text", report_id(1)),
            &json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(rows(count("evidence")).await, "0");
    assert_eq!(rows(count("evidence_chunks")).await, "0");
    assert_eq!(content(&s, &photo_id(1)).await.0, 404);
    // The phone, resending, learns the photo is gone for good.
    let (status, body) = announce(&s, &ana, 1, &photo).await;
    assert_eq!(status, 410, "{body}");
    s.stop().await;
}

#[tokio::test]
async fn retention_of_free_texts_erases_photos_too() {
    let (s, ana) = with_report().await;
    let photo = jpeg(false, false);
    assert_eq!(announce(&s, &ana, 1, &photo).await.0, 201);
    assert_eq!(upload(&s, &ana, &photo_id(1), &photo, 4096).await.0, 200);
    let url = s.database_url.clone();
    s.stop().await;
    // The server again, now keeping free texts 30 days: the report (of
    // March 2026) is older, so its texts and its photo go at start-up.
    let s = TestServer::start_with(|c| {
        c.database_url = url.clone();
        c.retain_free_text_days = Some(30);
    })
    .await;
    let n = common::scalar(&url, "SELECT CAST(COUNT(*) AS TEXT) FROM evidence")
        .await
        .unwrap();
    assert_eq!(n, "0");
    s.stop().await;
}

#[tokio::test]
async fn managers_see_photos_only_once_the_report_is_approved() {
    let (s, ana) = with_report().await;
    let photo = jpeg(false, false);
    let id = photo_id(1);
    assert_eq!(announce(&s, &ana, 1, &photo).await.0, 201);
    assert_eq!(upload(&s, &ana, &id, &photo, 4096).await.0, 200);
    let rita = s.user("rita", "reviewer", None, None).await;
    let mona = s.user("mona", "manager", Some("N01"), None).await;
    let olga = s.user("olga", "manager", Some("S02"), None).await;
    let list = format!("/api/v1/evidence?report={}", report_id(1));
    let content = format!("/api/v1/evidence/{id}/content");
    let status = format!("/api/v1/evidence/{id}");
    let read = |who: &common::Session, path: &str| {
        let request = who.on(s.client.get(s.at(path)));
        async move {
            let resp = request.send().await.unwrap();
            (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
        }
    };
    // Under review: the reviewer sees it; to managers it does not exist.
    assert_eq!(read(&rita, &list).await.0, 200);
    assert_eq!(read(&rita, &content).await, (200, photo.clone()));
    for path in [&list, &content, &status] {
        assert_eq!(read(&mona, path).await.0, 404, "{path}");
    }
    let (code, body) = s
        .admin_json(
            Method::POST,
            &format!("/api/v1/reports/{}/review", report_id(1)),
            &json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(code, 200, "{body}");
    // Approved: the branch's manager sees it, another branch's does not.
    assert_eq!(read(&mona, &content).await, (200, photo.clone()));
    let (code, listed) = read(&mona, &list).await;
    assert_eq!(code, 200);
    let listed: Value = serde_json::from_slice(&listed).unwrap();
    assert_eq!(listed[0]["id"], id.as_str());
    assert_eq!(read(&mona, &status).await.0, 200);
    for path in [&list, &content, &status] {
        assert_eq!(read(&olga, path).await.0, 404, "{path}");
    }
    s.stop().await;
}

#[tokio::test]
async fn a_corrected_report_shows_the_photos_of_the_versions_it_corrects() {
    let (s, ana) = with_report().await;
    let first = jpeg(false, false);
    let second = jpeg(true, false);
    assert_eq!(announce(&s, &ana, 1, &first).await.0, 201);
    assert_eq!(upload(&s, &ana, &photo_id(1), &first, 4096).await.0, 200);
    let rita = s.user("rita", "reviewer", None, None).await;
    let review = |id: String, body: Value| {
        let request = rita
            .on(s.client.post(s.at(&format!("/api/v1/reports/{id}/review"))))
            .json(&body);
        async move {
            let resp = request.send().await.unwrap();
            (resp.status().as_u16(), resp.text().await.unwrap())
        }
    };
    let (code, body) = review(
        report_id(1),
        json!({"decision": "return", "note": "Add the queue ticket"}),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    // The correction (report 2) revises report 1 and brings a photo of its own.
    let mut corrected = report(2, "N01");
    corrected["revises"] = json!(report_id(1));
    let (status, reply) = s
        .post_batch_as(&ana, &json!({"responses": [corrected]}))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["results"][0]["status"], "accepted", "{reply}");
    assert_eq!(
        s.post_as(
            "/api/v1/evidence",
            &ana,
            &announcement(2, &report_id(2), &second)
        )
        .await
        .0,
        201
    );
    assert_eq!(upload(&s, &ana, &photo_id(2), &second, 4096).await.0, 200);

    let read = |who: &common::Session, path: String| {
        let request = who.on(s.client.get(s.at(&path)));
        async move {
            let resp = request.send().await.unwrap();
            (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
        }
    };
    let list = |n: u32| format!("/api/v1/evidence?report={}", report_id(n));
    let content = |n: u32| format!("/api/v1/evidence/{}/content", photo_id(n));
    let entry = |n: u32, report: u32, bytes: &[u8]| json!({"id": photo_id(n), "report": report_id(report), "item": "waiting", "size": bytes.len(), "complete": true});
    let both = json!([entry(1, 1, &first), entry(2, 2, &second)]);
    // The reviewer of the correction sees both photos, each with its report;
    // the returned version still lists only its own.
    let (code, body) = read(&rita, list(2)).await;
    assert_eq!(code, 200);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), both);
    let (code, body) = read(&rita, list(1)).await;
    assert_eq!(code, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap(),
        json!([entry(1, 1, &first)])
    );
    assert_eq!(read(&rita, content(1)).await, (200, first.clone()));
    // The shopper's phone lists both too.
    let (code, body) = s.get_as_device(&ana, &list(2)).await;
    assert_eq!((code, &body), (200, &both));

    // Managers: nothing while the correction is held; once it is approved,
    // the branch's manager sees both photos, another branch's none.
    let mona = s.user("mona", "manager", Some("N01"), None).await;
    let olga = s.user("olga", "manager", Some("S02"), None).await;
    for path in [list(2), list(1), content(1), content(2)] {
        assert_eq!(read(&mona, path.clone()).await.0, 404, "{path}");
    }
    let (code, body) = review(report_id(2), json!({"decision": "approve"})).await;
    assert_eq!(code, 200, "{body}");
    let (code, body) = read(&mona, list(2)).await;
    assert_eq!(code, 200);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), both);
    assert_eq!(read(&mona, content(1)).await, (200, first.clone()));
    // The photo of report 2 is stored without the camera's metadata.
    let (code, stored) = read(&mona, content(2)).await;
    assert_eq!(code, 200);
    assert!(!contains(&stored, b"Exif"));
    // The superseded version itself stays unknown to managers.
    assert_eq!(read(&mona, list(1)).await.0, 404);
    for path in [list(2), content(1), content(2)] {
        assert_eq!(read(&olga, path.clone()).await.0, 404, "{path}");
    }
    s.stop().await;
}
