//! Formats (peer groups) as admins manage them, and the aggregates that
//! compare each branch with its peers (issue 19).

use crate::common::{self, TestServer};
use reqwest::Method;
use serde_json::{json, Value};

fn format(code: &str, en: &str) -> Value {
    json!({"code": code, "name": {"zh-CN": "得来速网点", "en": en, "es": "Autobanco"}})
}

fn refusal(reply: &Value) -> (&str, &str) {
    (
        reply["code"].as_str().unwrap_or_default(),
        reply["field"].as_str().unwrap_or_default(),
    )
}

#[tokio::test]
async fn admins_keep_the_list_of_formats_and_give_branches_one() {
    let s = TestServer::start().await;
    let (status, seeded) = s.get_json("/api/v1/formats").await;
    assert_eq!(status, 200);
    let codes: Vec<&str> = seeded
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        ["community", "business_district", "loan_centre", "flagship"]
    );
    assert_eq!(
        seeded[2]["name"],
        json!({"zh-CN": "贷款中心", "en": "Loan centre", "es": "Centro de crédito"})
    );
    // The branches file gives every branch a format.
    let (_, branches) = s.get_json("/api/v1/branches").await;
    assert_eq!(branches[0]["format"], "flagship");
    assert_eq!(branches[2]["format"], "community");

    let drive = format("drive_through", "Drive-through");
    let (status, reply) = s.admin_json(Method::POST, "/api/v1/formats", &drive).await;
    assert_eq!((status, &reply), (201, &drive));
    let (status, reply) = s.admin_json(Method::POST, "/api/v1/formats", &drive).await;
    assert_eq!((status, refusal(&reply)), (409, ("format_exists", "code")));
    for (body, code, field) in [
        (format("Drive Through", "x"), "format_code_format", "code"),
        (
            json!({"code": "kiosk_only", "name": {"zh-CN": "自助", "en": "Self-service"}}),
            "empty",
            "name.es",
        ),
        (
            json!({"code": "kiosk_only", "name": {"zh-CN": "自助", "en": "  ", "es": "Autoservicio"}}),
            "empty",
            "name.en",
        ),
    ] {
        let (status, reply) = s.admin_json(Method::POST, "/api/v1/formats", &body).await;
        assert_eq!((status, refusal(&reply)), (422, (code, field)), "{body}");
    }
    // Renamed; the code stays.
    let renamed = format("drive_through", "Drive-in");
    let (status, reply) = s
        .admin_json(Method::PUT, "/api/v1/formats/drive_through", &renamed)
        .await;
    assert_eq!((status, &reply), (200, &renamed));
    let (status, _) = s
        .admin_json(
            Method::PUT,
            "/api/v1/formats/nowhere",
            &format("nowhere", "x"),
        )
        .await;
    assert_eq!(status, 404);
    let (status, reply) = s
        .admin_json(Method::PUT, "/api/v1/formats/community", &renamed)
        .await;
    assert_eq!((status, refusal(&reply).1), (422, "code"));
    // Nobody else changes them.
    let anonymous = s
        .client
        .post(s.at("/api/v1/formats"))
        .json(&format("anyone", "Anyone"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);

    // A branch takes a format that exists, or none.
    let mut n01 = branches[0].clone();
    n01["format"] = json!("nowhere");
    let (status, reply) = s
        .admin_json(Method::PUT, "/api/v1/branches/N01", &n01)
        .await;
    assert_eq!(
        (status, refusal(&reply)),
        (422, ("unknown_format", "format"))
    );
    let (_, unchanged) = s.get_json("/api/v1/branches").await;
    assert_eq!(
        unchanged, branches,
        "a refused change leaves the branches alone"
    );
    n01["format"] = json!("drive_through");
    let (status, reply) = s
        .admin_json(Method::PUT, "/api/v1/branches/N01", &n01)
        .await;
    assert_eq!((status, &reply), (200, &n01));
    let new = json!({"code": "X01", "name": "Airport", "region": "South", "format": "nowhere"});
    let (status, reply) = s.admin_json(Method::POST, "/api/v1/branches", &new).await;
    assert_eq!(
        (status, refusal(&reply)),
        (422, ("unknown_format", "format"))
    );
    let new = json!({"code": "X01", "name": "Airport", "region": "South", "active": true});
    let (status, reply) = s.admin_json(Method::POST, "/api/v1/branches", &new).await;
    assert_eq!((status, &reply), (201, &new), "no format is fine");

    // A format in use stays until no branch has it.
    let (status, reply) = s
        .admin_json(
            Method::DELETE,
            "/api/v1/formats/drive_through",
            &json!(null),
        )
        .await;
    assert_eq!((status, refusal(&reply)), (409, ("format_in_use", "code")));
    n01["format"] = json!(null);
    let (status, _) = s
        .admin_json(Method::PUT, "/api/v1/branches/N01", &n01)
        .await;
    assert_eq!(status, 200);
    let (status, _) = s
        .admin_json(
            Method::DELETE,
            "/api/v1/formats/drive_through",
            &json!(null),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = s
        .admin_json(
            Method::DELETE,
            "/api/v1/formats/drive_through",
            &json!(null),
        )
        .await;
    assert_eq!(status, 404);
    let (_, formats) = s.get_json("/api/v1/formats").await;
    assert_eq!(formats, seeded);
    let (_, branches) = s.get_json("/api/v1/branches").await;
    assert!(branches[0].get("format").is_none(), "{}", branches[0]);
    // Each change is in the audit log.
    let (_, log) = s.get_json("/api/v1/audit?limit=100").await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .filter(|a| a.starts_with("format."))
        .collect();
    assert_eq!(actions.len(), 3, "{actions:?}");
    s.stop().await;
}

/// A kiosk response to lobby v2: overall satisfaction `overall` (1–5, the
/// CSAT item), every dimension item 4, NPS 9.
fn kiosk(n: u32, branch: &str, overall: u8) -> Value {
    let mut r = common::kiosk_response(&format!("00000000-0000-4000-8000-{n:012}"));
    r["branch"] = json!(branch);
    r["answers"]["overall"] = json!({"type": "rating", "value": overall});
    for item in ["staff_care", "ease", "fees_worth", "confidence"] {
        r["answers"][item] = json!({"type": "rating", "value": 4});
    }
    r
}

fn branch<'a>(a: &'a Value, code: &str) -> &'a Value {
    a["branches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["code"] == code)
        .unwrap()
}

#[tokio::test]
async fn branches_are_compared_with_their_peers_on_request() {
    let s = TestServer::start().await;
    // Thirty responses each. Community: N03 all satisfied (5), N05 none (3).
    // Business district: N02 and N04 all satisfied.
    let mut batch = Vec::new();
    for i in 0..30 {
        batch.push(kiosk(100 + i, "N03", 5));
        batch.push(kiosk(200 + i, "N05", 3));
        batch.push(kiosk(300 + i, "N02", 5));
        batch.push(kiosk(400 + i, "N04", 5));
    }
    let (status, reply) = s.post_batch(&json!({ "responses": batch })).await;
    assert_eq!(status, 200, "{reply}");

    let csat = |a: &Value, code: &str| branch(a, code)["figures"]["csat"]["comparison"].clone();
    // Against the network (CSAT 90/120 = 75 %): N02 at 100 % is better
    // (z = 0.25/√(0.75·0.25/30) = 3.162, p = 0.00157), as are N03 and N04,
    // N05 (0 %) worse. Satisfaction (1–5) has no spread in any branch and
    // differs from the network's 4.5, p = 0. Four branches × nine figures
    // tested (overall, completion, four dimensions, CSAT, satisfaction,
    // NPS): 36; the eight CSAT and satisfaction p-values are below
    // 8 · 0.05/36 = 0.011, the NPS ones (all promoters against 100:
    // adjusted-Wald z = −1.459, p = 0.1445) are not, the rest are 1.
    let (_, a) = s.get_json("/api/v1/aggregates").await;
    assert_eq!(a["network"]["csat"]["estimate"]["value"], 75.0);
    assert_eq!(
        a["flags"],
        json!({"compared_with": "network", "q": 0.05, "tests": 36, "flagged": 8})
    );
    assert!(a.get("peers").is_none());
    for (code, expected) in [
        ("N02", "better"),
        ("N03", "better"),
        ("N04", "better"),
        ("N05", "worse"),
    ] {
        assert_eq!(csat(&a, code), expected, "{code}");
        let sat = &branch(&a, code)["figures"]["satisfaction"]["comparison"];
        assert_eq!(sat, expected, "{code}");
        let nps = &branch(&a, code)["figures"]["nps"]["comparison"];
        assert_eq!(nps, "indistinguishable", "{code}");
    }
    assert!(branch(&a, "N01")["figures"]["csat"]
        .get("comparison")
        .is_none());

    // Against peers: community 30/60 = 50 %, business district 100 %.
    let (status, p) = s.get_json("/api/v1/aggregates?against=peers").await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["filter"], json!({"against": "peers"}));
    let peers = p["peers"].as_object().unwrap();
    let mut formats: Vec<&String> = peers.keys().collect();
    formats.sort();
    assert_eq!(
        formats,
        ["business_district", "community", "flagship", "loan_centre"]
    );
    assert_eq!(peers["community"]["csat"]["n"], 60);
    assert_eq!(peers["community"]["csat"]["estimate"]["value"], 50.0);
    assert_eq!(
        peers["business_district"]["csat"]["estimate"]["value"],
        100.0
    );
    assert_eq!(peers["business_district"]["n"], 60);
    assert_eq!(peers["flagship"]["n"], 0);
    assert_eq!(branch(&p, "N03")["format"], "community");
    // N03 against 50 %: z = 0.5/√(0.25/30) = 5.477, p = 4·10⁻⁸; N05 the
    // same below; satisfaction 5 and 3 against 4, p = 0. N02 and N04 equal
    // their peers (p = 1 for CSAT and satisfaction): 4 flags of 36.
    assert_eq!(
        p["flags"],
        json!({"compared_with": "peers", "q": 0.05, "tests": 36, "flagged": 4})
    );
    assert_eq!(csat(&p, "N03"), "better");
    assert_eq!(csat(&p, "N05"), "worse");
    assert_eq!(csat(&p, "N02"), "indistinguishable");
    assert_eq!(csat(&p, "N04"), "indistinguishable");

    // The selection makes the peers: N03 alone is its own peer group.
    let (_, one) = s
        .get_json("/api/v1/aggregates?against=peers&branches=N03")
        .await;
    assert_eq!(
        one["peers"]["community"]["csat"]["estimate"]["value"],
        100.0
    );
    assert_eq!(csat(&one, "N03"), "indistinguishable");

    let (status, bad) = s.get_json("/api/v1/aggregates?against=region").await;
    assert_eq!((status, refusal(&bad)), (400, ("bad_against", "against")));
    s.stop().await;
}

fn codes(list: &Value) -> Vec<&str> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_format_is_a_selection_wherever_the_filter_applies() {
    let s = TestServer::start().await;
    // The branches file: community N03, N05, S02, S04, S06; business
    // district N02, N04, S03. Thirty responses each at N02–N05, as above.
    let mut batch = Vec::new();
    for i in 0..30 {
        batch.push(kiosk(100 + i, "N03", 5));
        batch.push(kiosk(200 + i, "N05", 3));
        batch.push(kiosk(300 + i, "N02", 5));
        batch.push(kiosk(400 + i, "N04", 5));
    }
    let (status, reply) = s.post_batch(&json!({ "responses": batch })).await;
    assert_eq!(status, 200, "{reply}");

    // Aggregates: the community branches listed, the network still every
    // branch; the selection is the format's own totals (CSAT 30/60).
    let (status, a) = s.get_json("/api/v1/aggregates?format=community").await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(a["filter"], json!({"format": "community"}));
    assert_eq!(codes(&a["branches"]), ["N03", "N05", "S02", "S04", "S06"]);
    assert_eq!(a["network"]["n"], 120);
    assert_eq!(a["selection"]["n"], 60);
    assert_eq!(a["selection"]["csat"]["estimate"]["value"], 50.0);
    // Each channel apart, as the dashboard shows them; the shop has none.
    let channels = a["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 2);
    assert_eq!(channels[0]["filter"]["channel"], "kiosk");
    assert_eq!(channels[1]["filter"]["channel"], "mystery_shop");
    assert_eq!(channels[0]["selection"]["n"], 60);
    assert_eq!(channels[1]["network"]["n"], 0);
    // With region and branches too, all must hold.
    let (_, a) = s
        .get_json("/api/v1/aggregates?format=community&region=South&branches=S02,S03,N03")
        .await;
    assert_eq!(codes(&a["branches"]), ["S02"]);

    // Against peers within the format: N03 (100 %) and N05 (0 %) against
    // their 50 %, as in the whole network's peer comparison.
    let (_, p) = s
        .get_json("/api/v1/aggregates?format=community&against=peers&channel=kiosk")
        .await;
    assert_eq!(p["peers"]["community"]["csat"]["n"], 60);
    assert_eq!(branch(&p, "N03")["figures"]["csat"]["comparison"], "better");
    assert_eq!(branch(&p, "N05")["figures"]["csat"]["comparison"], "worse");
    assert!(p.get("channels").is_none(), "one channel, one answer");

    // The items behind the scores, compared with peers too.
    let (status, items) = s
        .get_json("/api/v1/items?format=community&against=peers")
        .await;
    assert_eq!(status, 200, "{items}");
    assert_eq!(
        codes(&items["branches"]),
        ["N03", "N05", "S02", "S04", "S06"]
    );
    assert_eq!(items["flags"]["compared_with"], "peers");
    let overall = |code: &str| {
        items["branches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["code"] == code)
            .unwrap()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["item"] == "overall")
            .cloned()
    };
    // The overall rating scores 100 (5) at N03 and 50 (3) at N05, against
    // the peers' 75 with no spread in either branch.
    let community = items["peers"]["community"].as_array().unwrap();
    let peer_overall = community.iter().find(|i| i["item"] == "overall").unwrap();
    assert_eq!(peer_overall["figure"]["estimate"]["value"], 75.0);
    assert!(overall("N03").is_some() && overall("N05").is_some());
    assert!(overall("S02").is_none(), "S02 has no answers");
    let (_, network_items) = s.get_json("/api/v1/items?format=community").await;
    assert_eq!(network_items["flags"]["compared_with"], "network");
    assert!(network_items.get("peers").is_none());

    // Comments: only those of the format's branches.
    let (status, comments) = s
        .get_json("/api/v1/comments?format=community&limit=200")
        .await;
    assert_eq!(status, 200, "{comments}");
    let mut from: Vec<&str> = comments
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["branch"].as_str().unwrap())
        .collect();
    from.sort();
    from.dedup();
    assert_eq!(from, ["N03", "N05"]);
    assert_eq!(comments.as_array().unwrap().len(), 60);

    // The key drivers of the peer group: its 60 responses.
    let (status, d) = s.get_json("/api/v1/drivers?format=business_district").await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["filter"]["format"], "business_district");
    assert_eq!(d["read"], 60);

    // The responses export: only the format's rows.
    let csv = s
        .get("/api/v1/export/responses.csv?format=business_district")
        .await
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 60);
    assert!(
        rows.iter()
            .all(|r| r.contains(",N02,") || r.contains(",N04,")),
        "{csv}"
    );

    // An unknown format is refused, naming it, on every endpoint.
    for path in [
        "/api/v1/aggregates",
        "/api/v1/items",
        "/api/v1/comments",
        "/api/v1/drivers",
        "/api/v1/export/aggregates.csv",
        "/api/v1/export/responses.csv",
    ] {
        let (status, bad) = s.get_json(&format!("{path}?format=drive_through")).await;
        assert_eq!(
            (status, refusal(&bad)),
            (400, ("unknown_format", "format")),
            "{path}"
        );
    }
    s.stop().await;
}
