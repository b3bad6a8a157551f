//! Webhooks: the URL check, the signature against published and
//! independently computed HMAC-SHA256 values, the back-off schedule and
//! the words of an alert's e-mail.

use branchpulse_core::alerts::{Alert, Finding};
use branchpulse_core::webhooks::{
    backoff, check_url, check_webhook, finding_words, hmac_sha256_hex, mail_body, mail_subject,
    secret_hint, sign, signature, verify, Event, NewWebhook, MAX_BACKOFF, MAX_URL_CHARS,
};
use branchpulse_core::ProblemCode;
use std::time::Duration;
use uuid::Uuid;

/// RFC 4231, test cases 1, 2 and 6 (a key longer than SHA-256's block).
#[test]
fn hmac_sha256_matches_rfc_4231() {
    assert_eq!(
        hmac_sha256_hex(&[0x0b; 20], b"Hi There"),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
    assert_eq!(
        hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(
        hmac_sha256_hex(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First"
        ),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

/// The expected value was computed apart, by
/// `printf '%s' '1767225600.{"event":"webhook.test"}' | openssl dgst -sha256 -hmac 'whsec_test-secret'`.
#[test]
fn a_post_is_signed_over_its_time_and_body() {
    let body = br#"{"event":"webhook.test"}"#;
    let expected = "95f5535189345dbe2c29ac7dfb227a6a478cc5dc52191c2ca40240d4045a10f2";
    assert_eq!(sign("whsec_test-secret", 1_767_225_600, body), expected);
    assert_eq!(
        signature("whsec_test-secret", 1_767_225_600, body),
        format!("t=1767225600,v1={expected}")
    );
}

#[test]
fn a_receiver_verifies_the_signature_time_and_body() {
    let body = br#"{"event":"webhook.test"}"#;
    let t = 1_767_225_600;
    let header = signature("whsec_test-secret", t, body);
    assert!(verify("whsec_test-secret", &header, body, t, 300));
    assert!(verify("whsec_test-secret", &header, body, t + 300, 300));
    assert!(verify("whsec_test-secret", &header, body, t - 300, 300));
    // Too old, or from the future: a replay.
    assert!(!verify("whsec_test-secret", &header, body, t + 301, 300));
    assert!(!verify("whsec_test-secret", &header, body, t - 301, 300));
    // Another secret, another body, another time.
    assert!(!verify("whsec_other", &header, body, t, 300));
    assert!(!verify("whsec_test-secret", &header, b"{}", t, 300));
    let moved = header.replace("t=1767225600", "t=1767225601");
    assert!(!verify("whsec_test-secret", &moved, body, t, 300));
    // Malformed headers are refused, not a panic.
    for bad in [
        "",
        "t=,v1=",
        "v1=00",
        "t=1767225600",
        "t=x,v1=zz",
        "t=1767225600,v1=abc",
    ] {
        assert!(!verify("whsec_test-secret", bad, body, t, 300), "{bad}");
    }
    // A second v1 (a receiver during a secret's rotation) is fine.
    let two = format!("{header},v1=00");
    assert!(verify("whsec_test-secret", &two, body, t, 300));
}

#[test]
fn back_off_doubles_from_its_base_up_to_a_day() {
    let base = Duration::from_secs(30);
    let waits: Vec<u64> = (1..=8).map(|a| backoff(a, base).as_secs()).collect();
    assert_eq!(waits, [30, 60, 120, 240, 480, 960, 1920, 3840]);
    assert_eq!(backoff(0, base), base);
    assert_eq!(backoff(1, Duration::from_secs(1)), Duration::from_secs(1));
    assert_eq!(backoff(3, Duration::from_secs(1)), Duration::from_secs(4));
    // 30 s × 2^12 = 122,880 s is more than a day.
    assert_eq!(backoff(13, base), MAX_BACKOFF);
    assert_eq!(backoff(u32::MAX, base), MAX_BACKOFF);
    assert_eq!(backoff(2, Duration::MAX), MAX_BACKOFF);
}

#[test]
fn webhook_urls_are_absolute_http_without_credentials() {
    for good in [
        "https://hooks.bank.example/branchpulse",
        "http://10.0.0.5:8080/alerts?source=branchpulse&x=%20y",
        "HTTPS://Hooks.Bank.Example",
        "https://[2001:db8::1]:8443/hook",
        "https://[::1]/",
        "http://localhost:1",
        "https://hooks.bank.example./x",
    ] {
        assert_eq!(check_url(good), Ok(()), "{good}");
    }
    let long = format!("https://h.example/{}", "a".repeat(MAX_URL_CHARS));
    for bad in [
        "",
        "hooks.bank.example/x",
        "ftp://hooks.bank.example/x",
        "https://",
        "https:///path",
        "https://user:secret@hooks.bank.example/",
        "https://token@hooks.bank.example/",
        "https://hooks.bank.example/x#part",
        "https://hooks bank.example/",
        "https://hooks.bank.example/\n",
        "https://hooks.bank.example/<script>",
        "https://hooks.bank.example/%zz",
        "https://hooks.bank.example/%4",
        "https://hooks.bank.example:0/",
        "https://hooks.bank.example:65536/",
        "https://hooks.bank.example:/",
        "https://hooks.bank.example:80a/",
        "https://hooks..example/",
        "https://[2001:db8::1/",
        "https://[2001:db8::1]x/",
        "https://[]/",
        "https://例子.example/",
        "javascript:alert(1)",
        long.as_str(),
    ] {
        let e = check_url(bad).expect_err(bad);
        assert_eq!(
            (e.field, e.code),
            ("url", ProblemCode::BadWebhookUrl),
            "{bad}"
        );
    }
    // Exactly the limit is fine.
    let head = "https://h.example/";
    let at_limit = format!("{head}{}", "a".repeat(MAX_URL_CHARS - head.len()));
    assert_eq!(check_url(&at_limit), Ok(()));
}

#[test]
fn a_webhook_needs_a_name_and_a_url() {
    let ok = NewWebhook {
        name: "Service desk".into(),
        url: "https://hooks.bank.example/x".into(),
        active: true,
    };
    assert_eq!(check_webhook(&ok), Ok(()));
    let nameless = NewWebhook {
        name: "  ".into(),
        ..ok.clone()
    };
    assert_eq!(check_webhook(&nameless).unwrap_err().field, "name");
    let controlled = NewWebhook {
        name: "Desk\u{7}".into(),
        ..ok.clone()
    };
    assert_eq!(
        check_webhook(&controlled).unwrap_err().code,
        ProblemCode::ControlCharacters
    );
}

#[test]
fn a_secret_is_hinted_by_its_prefix_and_last_four_characters() {
    assert_eq!(
        secret_hint("whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG"),
        "whsec_…DEFG"
    );
    assert_eq!(secret_hint("abc"), "…abc");
}

fn alert(finding: Finding) -> Alert {
    Alert {
        id: Uuid::from_u128(0x1234),
        rule: Uuid::from_u128(0x99),
        rule_name: "Unhappy with a comment".into(),
        branch: "N01".into(),
        raised_at: "2026-03-01T09:30:00Z".into(),
        finding,
        response: None,
        read: false,
        case: None,
    }
}

#[test]
fn an_alert_is_posted_as_alert_raised_with_the_inbox_fields() {
    let event = Event::AlertRaised {
        alert: alert(Finding::LowScoreComment {
            score: 1,
            comment: "Nobody helped".into(),
        }),
    };
    let json: serde_json::Value = serde_json::to_value(&event).unwrap();
    assert_eq!(json["event"], "alert.raised");
    assert_eq!(json["alert"]["id"], "00000000-0000-0000-0000-000000001234");
    assert_eq!(json["alert"]["read"], false);
    assert_eq!(json["alert"]["finding"]["kind"], "low_score_comment");
    assert_eq!(json["alert"]["finding"]["comment"], "Nobody helped");
    let back: Event = serde_json::from_value(json).unwrap();
    assert_eq!(back, event);
}

#[test]
fn an_alerts_mail_says_what_was_found_and_where_to_open_it() {
    let a = alert(Finding::LowScoreComment {
        score: 2,
        comment: "The queue was long".into(),
    });
    assert_eq!(
        mail_subject(&a, "Harbour Square (N01)"),
        "[BranchPulse] Unhappy with a comment at Harbour Square (N01)"
    );
    let body = mail_body(
        &a,
        "Harbour Square (N01)",
        "/dashboard?s=inbox&alert=00000000-0000-0000-0000-000000001234",
    );
    assert!(
        body.contains(
            "A customer rated their satisfaction 2 of 5 and wrote: \"The queue was long\""
        ),
        "{body}"
    );
    assert!(
        body.contains(
            "Open it in BranchPulse: /dashboard?s=inbox&alert=00000000-0000-0000-0000-000000001234"
        ),
        "{body}"
    );
    assert!(body.contains("2026-03-01T09:30:00Z"), "{body}");
    assert_eq!(
        finding_words(&Finding::UnhappyBurst {
            n: 10,
            low: 6,
            window_minutes: 15,
            until: "2026-03-01T09:30:00Z".into()
        }),
        "6 of the 10 satisfaction answers in the 15 minutes up to 2026-03-01T09:30:00Z were unhappy."
    );
    assert_eq!(
        finding_words(&Finding::CriticalFailure {
            items: vec!["greeted".into(), "badge".into()]
        }),
        "An approved mystery-shop visit failed critical items: greeted, badge."
    );
    assert!(finding_words(&Finding::ContactRequest).contains("asked to be contacted"));
}
