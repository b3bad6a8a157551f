//! The read API and error shapes, over HTTP against a real server.

use crate::common;

use common::TestServer;

#[tokio::test]
async fn health_says_ok_with_the_version() {
    let server = TestServer::start().await;
    let (status, body) = server.get_json("/api/v1/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    server.stop().await;
}

#[tokio::test]
async fn questionnaires_are_listed_and_served_in_full() {
    let server = TestServer::start().await;
    let (status, list) = server.get_json("/api/v1/questionnaires").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["branch_visit", "lobby"]);

    let (status, lobby) = server.get_json("/api/v1/questionnaires/lobby").await;
    assert_eq!(status, 200);
    assert_eq!(lobby["kind"], "kiosk");
    // The served questionnaire is the file's, item for item.
    let file = std::fs::read_to_string(common::questionnaires_dir().join("kiosk.json")).unwrap();
    let from_file = branchpulse_core::questionnaire::load("kiosk.json", &file).unwrap();
    let served: branchpulse_core::Questionnaire = serde_json::from_value(lobby).unwrap();
    assert_eq!(served, from_file);

    let (status, v3) = server
        .get_json("/api/v1/questionnaires/branch_visit/3")
        .await;
    assert_eq!(status, 200);
    assert_eq!(v3["kind"], "mystery_shop");
    server.stop().await;
}

#[tokio::test]
async fn unknown_things_are_404_with_a_json_message() {
    let server = TestServer::start().await;
    for (path, says) in [
        ("/api/v1/questionnaires/nope", "no questionnaire \"nope\""),
        (
            "/api/v1/questionnaires/lobby/9",
            "has no version 9; it has 2",
        ),
        ("/api/v1/questionnaires/lobby/x", "version"),
        (
            "/api/v1/nothing-here",
            "no API endpoint at /api/v1/nothing-here",
        ),
        ("/api/v2/questionnaires", "no API endpoint"),
    ] {
        let (status, body) = server.get_json(path).await;
        assert_eq!(status, 404, "{path}");
        let error = body["error"].as_str().unwrap();
        assert!(error.contains(says), "{path}: {error}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_wrong_method_is_405_with_a_json_message() {
    let server = TestServer::start().await;
    let resp = server
        .client
        .delete(server.at("/api/v1/questionnaires"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("DELETE"));
    server.stop().await;
}

#[tokio::test]
async fn branches_come_from_the_data_file() {
    let server = TestServer::start().await;
    let (status, branches) = server.get_json("/api/v1/branches").await;
    assert_eq!(status, 200);
    let file = std::fs::read_to_string(common::questionnaires_dir().join("branches.json")).unwrap();
    let from_file: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert_eq!(
        branches.as_array().unwrap().len(),
        from_file.as_array().unwrap().len()
    );
    assert_eq!(branches[0]["code"], from_file[0]["code"]);
    server.stop().await;
}

#[tokio::test]
async fn an_invalid_questionnaire_stops_the_server_with_the_loaders_message() {
    let dir = tempfile::tempdir().unwrap();
    let qdir = dir.path().join("q");
    std::fs::create_dir(&qdir).unwrap();
    std::fs::copy(
        common::questionnaires_dir().join("branches.json"),
        qdir.join("branches.json"),
    )
    .unwrap();
    let kiosk = std::fs::read_to_string(common::questionnaires_dir().join("kiosk.json")).unwrap();
    let broken = kiosk.replacen("\"dimension\": \"empathy\"", "\"dimension\": \"speed\"", 1);
    assert_ne!(broken, kiosk, "the kiosk file has an empathy item to break");
    std::fs::write(qdir.join("kiosk.json"), broken).unwrap();

    let mut config = common::config_in(dir.path());
    config.questionnaires = qdir;
    let err = match branchpulse_server::Server::bind(config).await {
        Ok(_) => panic!("a broken questionnaire must stop the server"),
        Err(e) => e.to_string(),
    };
    assert!(err.contains("kiosk.json"), "{err}");
    assert!(err.contains("speed"), "{err}");
    assert!(err.contains("dimension"), "{err}");
}

/// The code and field of an error body, to compare whole.
fn problem(body: &serde_json::Value) -> (&str, Option<&str>) {
    (
        body["code"].as_str().unwrap_or("(no code)"),
        body["field"].as_str(),
    )
}

#[tokio::test]
async fn request_level_refusals_carry_their_code_beside_the_message() {
    let server = TestServer::start().await;
    let (status, body) = server.get_json("/api/v1/nothing-here").await;
    assert_eq!((status, problem(&body)), (404, ("not_found", None)));
    assert!(body["error"].as_str().unwrap().contains("no API endpoint"));
    let resp = server
        .client
        .delete(server.at("/api/v1/questionnaires"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(problem(&body), ("method_not_allowed", None));

    let token = server.token_for(&serde_json::json!({})).await;
    let post = |body: &'static str, content_type: &'static str| {
        let request = server
            .client
            .post(server.at("/api/v1/responses"))
            .header("content-type", content_type)
            .bearer_auth(&token)
            .body(body);
        async move {
            let resp = request.send().await.unwrap();
            let status = resp.status().as_u16();
            (status, resp.json::<serde_json::Value>().await.unwrap())
        }
    };
    let (status, body) = post("{\"responses\": [", "application/json").await;
    assert_eq!((status, problem(&body)), (400, ("malformed_json", None)));
    let (status, body) = post("{\"responses\": []}", "text/plain").await;
    assert_eq!(
        (status, problem(&body)),
        (415, ("unsupported_media_type", None))
    );
    let (status, body) = post("{\"responses\": []}", "application/json").await;
    assert_eq!((status, problem(&body)), (400, ("empty_batch", None)));
    let (status, body) = post("{\"responses\": [{\"id\": 7}]}", "application/json").await;
    assert_eq!(
        (status, problem(&body)),
        (422, ("response_without_id", Some("responses[0].id")))
    );
    // A device token where none is known.
    let resp = server
        .client
        .post(server.at("/api/v1/responses"))
        .bearer_auth("not-a-token")
        .json(&serde_json::json!({"responses": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(problem(&body), ("device_token_refused", None));
    server.stop().await;
}
