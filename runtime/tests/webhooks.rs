//! Webhook verification through the public API: for each provider, deliveries signed the
//! way the provider documents (computed here, and the provider's own published example
//! where there is one), then every way a delivery can be wrong.

use std::time::{Duration, SystemTime};

use base64::Engine as _;
use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, HeaderName, HeaderValue};
use p256::ecdsa::SigningKey;
use p256::ecdsa::signature::Signer;
use sdkgen_runtime::webhooks::{
    Dedup, GitHubVerifier, HmacAlgorithm, HmacVerifier, InMemoryDedup, SendGridVerifier,
    SignatureEncoding, SlackVerifier, StandardWebhooks, StripeVerifier, TwilioVerifier, Verify,
    WebhookError, WebhookEvent, construct_event_from_request, parse_json,
};
use sha2::Digest as _;

const T: i64 = 1_700_000_000;

fn at(seconds: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(seconds).expect("after 1970"))
}

fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

fn hmac_sha1(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(key).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).expect("test header name"),
            HeaderValue::from_str(value).expect("test header value"),
        );
    }
    map
}

fn missing(name: &'static str) -> WebhookError {
    WebhookError::MissingHeader(HeaderName::from_static(name))
}

fn is_malformed(result: Result<(), WebhookError>, header: &str) -> bool {
    matches!(result, Err(WebhookError::MalformedHeader { name, .. }) if name == header)
}

fn is_outside_tolerance(result: Result<(), WebhookError>) -> bool {
    matches!(result, Err(WebhookError::TimestampOutsideTolerance { .. }))
}

// ---------------------------------------------------------------------------------------
// Stripe
// ---------------------------------------------------------------------------------------

const STRIPE_SECRET: &str = "whsec_stripe_current";
const STRIPE_OLD_SECRET: &str = "whsec_stripe_previous";
const STRIPE_BODY: &[u8] =
    br#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"customer.created"}"#;

fn stripe_v1(secret: &str, t: i64, body: &[u8]) -> String {
    hex(&hmac_sha256(
        secret.as_bytes(),
        &[t.to_string().as_bytes(), b".", body],
    ))
}

fn stripe_headers(header: &str) -> HeaderMap {
    headers(&[("Stripe-Signature", header)])
}

#[test]
fn stripe_signature_over_timestamp_and_body_is_accepted() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let header = format!("t={T},v1={}", stripe_v1(STRIPE_SECRET, T, STRIPE_BODY));
    assert_eq!(
        verifier.verify(&stripe_headers(&header), STRIPE_BODY, at(T + 5)),
        Ok(())
    );
    assert_eq!(verifier.verify_parts(&header, STRIPE_BODY, at(T)), Ok(()));
}

#[test]
fn stripe_tampered_body_is_a_mismatch() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let header = format!("t={T},v1={}", stripe_v1(STRIPE_SECRET, T, STRIPE_BODY));
    let tampered =
        br#"{"id":"evt_1NG8Du2eZvKYlo2CUI79vXWy","object":"event","type":"customer.deleted"}"#;
    assert_eq!(
        verifier.verify_parts(&header, tampered, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn stripe_signature_with_another_timestamp_is_a_mismatch() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let header = format!(
        "t={},v1={}",
        T + 1,
        stripe_v1(STRIPE_SECRET, T, STRIPE_BODY)
    );
    assert_eq!(
        verifier.verify_parts(&header, STRIPE_BODY, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn stripe_wrong_secret_is_a_mismatch() {
    let verifier = StripeVerifier::new("whsec_someone_else");
    let header = format!("t={T},v1={}", stripe_v1(STRIPE_SECRET, T, STRIPE_BODY));
    assert_eq!(
        verifier.verify_parts(&header, STRIPE_BODY, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn stripe_timestamp_older_than_the_tolerance_is_rejected_and_the_edge_is_accepted() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let header = format!("t={T},v1={}", stripe_v1(STRIPE_SECRET, T, STRIPE_BODY));
    assert_eq!(
        verifier.verify_parts(&header, STRIPE_BODY, at(T + 300)),
        Ok(())
    );
    assert_eq!(
        verifier.verify_parts(&header, STRIPE_BODY, at(T + 301)),
        Err(WebhookError::TimestampOutsideTolerance {
            timestamp: T,
            now: T + 301,
            tolerance: Duration::from_secs(300),
        })
    );
    let patient = verifier.tolerance(Duration::from_secs(3600));
    assert_eq!(
        patient.verify_parts(&header, STRIPE_BODY, at(T + 3600)),
        Ok(())
    );
}

#[test]
fn stripe_timestamp_in_the_future_beyond_the_tolerance_is_rejected() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let header = format!("t={T},v1={}", stripe_v1(STRIPE_SECRET, T, STRIPE_BODY));
    assert_eq!(
        verifier.verify_parts(&header, STRIPE_BODY, at(T - 300)),
        Ok(())
    );
    assert!(is_outside_tolerance(verifier.verify_parts(
        &header,
        STRIPE_BODY,
        at(T - 301)
    )));
}

#[test]
fn stripe_rotated_secret_and_any_of_several_v1_signatures_are_accepted() {
    let verifier = StripeVerifier::new(STRIPE_SECRET).add_secret(STRIPE_OLD_SECRET);
    // During a roll Stripe signs with both secrets; either alone must do.
    let old_only = format!("t={T},v1={}", stripe_v1(STRIPE_OLD_SECRET, T, STRIPE_BODY));
    assert_eq!(verifier.verify_parts(&old_only, STRIPE_BODY, at(T)), Ok(()));
    let both = format!(
        "t={T},v1={},v1={},v0=6ffbb59b2300aae63f272406069a9788598b792a944a07aba816edb039989a39",
        stripe_v1("whsec_unknown", T, STRIPE_BODY),
        stripe_v1(STRIPE_SECRET, T, STRIPE_BODY),
    );
    assert_eq!(verifier.verify_parts(&both, STRIPE_BODY, at(T)), Ok(()));
    // Without the old secret configured, its signature alone does not verify.
    assert_eq!(
        StripeVerifier::new(STRIPE_SECRET).verify_parts(&old_only, STRIPE_BODY, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn stripe_v1_that_is_not_hex_does_not_hide_a_valid_one() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let header = format!(
        "t={T},v1=not-hex,v1={}",
        stripe_v1(STRIPE_SECRET, T, STRIPE_BODY)
    );
    assert_eq!(verifier.verify_parts(&header, STRIPE_BODY, at(T)), Ok(()));
    assert_eq!(
        verifier.verify_parts(&format!("t={T},v1=zz"), STRIPE_BODY, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn stripe_short_signature_is_a_mismatch_not_an_error_of_its_own() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let full = stripe_v1(STRIPE_SECRET, T, STRIPE_BODY);
    for cut in [0, 2, 32, 62] {
        let header = format!("t={T},v1={}", &full[..cut]);
        assert_eq!(
            verifier.verify_parts(&header, STRIPE_BODY, at(T)),
            Err(WebhookError::SignatureMismatch),
            "{cut} hex digits"
        );
    }
}

#[test]
fn stripe_malformed_or_missing_header_is_reported_as_such() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let v1 = stripe_v1(STRIPE_SECRET, T, STRIPE_BODY);
    for header in [
        String::new(),
        "garbage".to_owned(),
        format!("v1={v1}"),
        format!("t={T}"),
        format!("t=yesterday,v1={v1}"),
        format!("t={T},v0={v1}"),
    ] {
        assert!(
            is_malformed(
                verifier.verify_parts(&header, STRIPE_BODY, at(T)),
                "stripe-signature"
            ),
            "{header:?}"
        );
    }
    assert_eq!(
        verifier.verify(&HeaderMap::new(), STRIPE_BODY, at(T)),
        Err(missing("stripe-signature"))
    );
    let mut not_ascii = HeaderMap::new();
    not_ascii.insert(
        "stripe-signature",
        HeaderValue::from_bytes(b"t=1,v1=\xff").expect("obs-text is a valid header value"),
    );
    assert!(is_malformed(
        verifier.verify(&not_ascii, STRIPE_BODY, at(T)),
        "stripe-signature"
    ));
}

#[test]
fn stripe_redelivered_event_is_seen_by_its_body_id() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let dedup = InMemoryDedup::new(100, Duration::from_secs(3 * 24 * 3600));
    // A retry is signed afresh, with a new timestamp, but carries the same event.
    for (attempt, t) in [T, T + 3600].into_iter().enumerate() {
        let header = format!("t={t},v1={}", stripe_v1(STRIPE_SECRET, t, STRIPE_BODY));
        assert_eq!(verifier.verify_parts(&header, STRIPE_BODY, at(t)), Ok(()));
        let id = StripeVerifier::event_id(STRIPE_BODY).expect("the body has an id");
        assert_eq!(id, "evt_1NG8Du2eZvKYlo2CUI79vXWy");
        assert_eq!(dedup.seen(&id, at(t)), attempt > 0);
    }
    assert_eq!(StripeVerifier::event_id(b"[1,2]"), None);
    assert_eq!(StripeVerifier::event_id(br#"{"id":7}"#), None);
}

// ---------------------------------------------------------------------------------------
// GitHub
// ---------------------------------------------------------------------------------------

const GITHUB_SECRET: &str = "It's a Secret to Everybody";
const GITHUB_DOC_SIGNATURE: &str =
    "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

#[test]
fn github_documented_test_values_verify() {
    // From GitHub's "Validating webhook deliveries" page.
    let verifier = GitHubVerifier::new(GITHUB_SECRET);
    let map = headers(&[("X-Hub-Signature-256", GITHUB_DOC_SIGNATURE)]);
    assert_eq!(verifier.verify(&map, b"Hello, World!"), Ok(()));
    assert_eq!(
        verifier.verify_parts(GITHUB_DOC_SIGNATURE, b"Hello, World!"),
        Ok(())
    );
    let upper = format!("sha256={}", GITHUB_DOC_SIGNATURE[7..].to_uppercase());
    assert_eq!(verifier.verify_parts(&upper, b"Hello, World!"), Ok(()));
}

#[test]
fn github_computed_signature_verifies_and_tampering_is_a_mismatch() {
    let body = br#"{"action":"opened","number":1}"#;
    let signature = format!("sha256={}", hex(&hmac_sha256(b"s3cret", &[body])));
    let verifier = GitHubVerifier::new("s3cret");
    assert_eq!(verifier.verify_parts(&signature, body), Ok(()));
    assert_eq!(
        verifier.verify_parts(&signature, br#"{"action":"closed","number":1}"#),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        GitHubVerifier::new("not-s3cret").verify_parts(&signature, body),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verifier.verify_parts("sha256=757107", body),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn github_rotated_secret_is_accepted() {
    let verifier = GitHubVerifier::new("new secret").add_secret(GITHUB_SECRET);
    assert_eq!(
        verifier.verify_parts(GITHUB_DOC_SIGNATURE, b"Hello, World!"),
        Ok(())
    );
}

#[test]
fn a_secret_added_to_a_clone_is_not_accepted_by_the_original() {
    let original = GitHubVerifier::new("new secret");
    let rotated = original.clone().add_secret(GITHUB_SECRET);
    assert_eq!(
        rotated.verify_parts(GITHUB_DOC_SIGNATURE, b"Hello, World!"),
        Ok(())
    );
    assert_eq!(
        original.verify_parts(GITHUB_DOC_SIGNATURE, b"Hello, World!"),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn github_malformed_or_missing_signature_is_reported_as_such() {
    let verifier = GitHubVerifier::new(GITHUB_SECRET);
    for signature in [
        "",
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha1=757107ea",
        "sha256=not hex",
        "sha256=abc",
    ] {
        assert!(
            is_malformed(
                verifier.verify_parts(signature, b"Hello, World!"),
                "x-hub-signature-256"
            ),
            "{signature:?}"
        );
    }
    // The legacy SHA-1 header alone is not enough.
    let legacy = headers(&[("X-Hub-Signature", "sha1=0123")]);
    assert_eq!(
        verifier.verify(&legacy, b"Hello, World!"),
        Err(missing("x-hub-signature-256"))
    );
}

#[test]
fn github_redelivery_is_seen_by_its_delivery_header() {
    let verifier = GitHubVerifier::new(GITHUB_SECRET);
    let dedup = InMemoryDedup::new(100, Duration::from_secs(3600));
    let map = headers(&[
        ("X-Hub-Signature-256", GITHUB_DOC_SIGNATURE),
        ("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
    ]);
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        assert_eq!(verifier.verify(&map, b"Hello, World!"), Ok(()));
        let id = GitHubVerifier::delivery_id(&map).expect("the delivery header");
        outcomes.push(dedup.seen(id, at(T)));
    }
    assert_eq!(outcomes, [false, true]);
    assert_eq!(GitHubVerifier::delivery_id(&HeaderMap::new()), None);
}

// ---------------------------------------------------------------------------------------
// Standard Webhooks
// ---------------------------------------------------------------------------------------

const SW_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SW_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const SW_TIMESTAMP: i64 = 1_614_265_330;
const SW_BODY: &[u8] = br#"{"test": 2432232314}"#;
const SW_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

fn sw_sign(secret_b64: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let key = base64::engine::general_purpose::STANDARD
        .decode(secret_b64)
        .expect("test secret is base64");
    let mac = hmac_sha256(
        &key,
        &[
            id.as_bytes(),
            b".",
            timestamp.to_string().as_bytes(),
            b".",
            body,
        ],
    );
    format!("v1,{}", b64(&mac))
}

fn sw_headers(id: &str, timestamp: i64, signature: &str) -> HeaderMap {
    headers(&[
        ("webhook-id", id),
        ("webhook-timestamp", &timestamp.to_string()),
        ("webhook-signature", signature),
    ])
}

#[test]
fn standard_webhooks_reference_vector_verifies() {
    let verifier = StandardWebhooks::new(SW_SECRET).expect("valid secret");
    let map = sw_headers(SW_ID, SW_TIMESTAMP, SW_SIGNATURE);
    assert_eq!(verifier.verify(&map, SW_BODY, at(SW_TIMESTAMP)), Ok(()));
    // Our signer agrees with the reference.
    assert_eq!(
        sw_sign(
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            SW_ID,
            SW_TIMESTAMP,
            SW_BODY
        ),
        SW_SIGNATURE
    );
    // The `whsec_` prefix is optional, as in the reference library.
    let bare = StandardWebhooks::new("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").expect("valid secret");
    assert_eq!(bare.verify(&map, SW_BODY, at(SW_TIMESTAMP)), Ok(()));
}

#[test]
fn standard_webhooks_tampered_body_id_or_wrong_secret_is_a_mismatch() {
    let verifier = StandardWebhooks::new(SW_SECRET).expect("valid secret");
    let now = at(SW_TIMESTAMP);
    assert_eq!(
        verifier.verify_parts(
            SW_ID,
            "1614265330",
            SW_SIGNATURE,
            br#"{"test": 2432232315}"#,
            now
        ),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verifier.verify_parts("msg_other", "1614265330", SW_SIGNATURE, SW_BODY, now),
        Err(WebhookError::SignatureMismatch)
    );
    let other = StandardWebhooks::new("whsec_c2VjcmV0LW9mLWFub3RoZXItZW5kcG9pbnQ=").expect("valid");
    assert_eq!(
        other.verify_parts(SW_ID, "1614265330", SW_SIGNATURE, SW_BODY, now),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn standard_webhooks_timestamp_outside_the_tolerance_is_rejected_either_way() {
    let verifier = StandardWebhooks::new(SW_SECRET).expect("valid secret");
    let map = sw_headers(SW_ID, SW_TIMESTAMP, SW_SIGNATURE);
    assert_eq!(
        verifier.verify(&map, SW_BODY, at(SW_TIMESTAMP + 300)),
        Ok(())
    );
    assert_eq!(
        verifier.verify(&map, SW_BODY, at(SW_TIMESTAMP - 300)),
        Ok(())
    );
    assert!(is_outside_tolerance(verifier.verify(
        &map,
        SW_BODY,
        at(SW_TIMESTAMP + 301)
    )));
    assert!(is_outside_tolerance(verifier.verify(
        &map,
        SW_BODY,
        at(SW_TIMESTAMP - 301)
    )));
    let strict = verifier.tolerance(Duration::from_secs(10));
    assert!(is_outside_tolerance(strict.verify(
        &map,
        SW_BODY,
        at(SW_TIMESTAMP + 11)
    )));
}

#[test]
fn standard_webhooks_rotated_secret_and_signature_lists_are_accepted() {
    let new_secret = "c2VjcmV0LW9mLXRoZS1uZXctZW5kcG9pbnQ=";
    let verifier = StandardWebhooks::new(format!("whsec_{new_secret}"))
        .and_then(|v| v.add_secret(SW_SECRET))
        .expect("valid secrets");
    let now = at(SW_TIMESTAMP);
    assert_eq!(
        verifier.verify_parts(SW_ID, "1614265330", SW_SIGNATURE, SW_BODY, now),
        Ok(())
    );
    // Several signatures, space-separated, with versions this verifier does not know and
    // an entry that is not base64: any matching v1 entry is enough.
    let list = format!(
        "v1a,AAAA v1,!!!notbase64 {} v2,abc",
        sw_sign(new_secret, SW_ID, SW_TIMESTAMP, SW_BODY)
    );
    assert_eq!(
        verifier.verify_parts(SW_ID, "1614265330", &list, SW_BODY, now),
        Ok(())
    );
}

#[test]
fn standard_webhooks_malformed_headers_and_secrets_are_reported_as_such() {
    let verifier = StandardWebhooks::new(SW_SECRET).expect("valid secret");
    let now = at(SW_TIMESTAMP);
    assert!(is_malformed(
        verifier.verify_parts(SW_ID, "soon", SW_SIGNATURE, SW_BODY, now),
        "webhook-timestamp"
    ));
    for signatures in [
        "",
        "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        "v1a,abc v2,abc",
    ] {
        assert!(
            is_malformed(
                verifier.verify_parts(SW_ID, "1614265330", signatures, SW_BODY, now),
                "webhook-signature"
            ),
            "{signatures:?}"
        );
    }
    let no_id = headers(&[
        ("webhook-timestamp", "1614265330"),
        ("webhook-signature", SW_SIGNATURE),
    ]);
    assert_eq!(
        verifier.verify(&no_id, SW_BODY, now),
        Err(missing("webhook-id"))
    );

    for secret in ["whsec_not base64!", "whsec_", ""] {
        assert!(
            matches!(
                StandardWebhooks::new(secret),
                Err(WebhookError::InvalidSecret(_))
            ),
            "{secret:?}"
        );
    }
    assert!(matches!(
        verifier.add_secret("whsec_%%%"),
        Err(WebhookError::InvalidSecret(_))
    ));
}

#[test]
fn standard_webhooks_redelivery_is_seen_by_its_message_id() {
    let verifier = StandardWebhooks::new(SW_SECRET).expect("valid secret");
    let dedup = InMemoryDedup::new(10, Duration::from_secs(600));
    let key = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let mut outcomes = Vec::new();
    for t in [T, T + 60] {
        let map = sw_headers(SW_ID, t, &sw_sign(key, SW_ID, t, SW_BODY));
        assert_eq!(verifier.verify(&map, SW_BODY, at(t)), Ok(()));
        let id = StandardWebhooks::message_id(&map).expect("webhook-id");
        outcomes.push(dedup.seen(id, at(t)));
    }
    assert_eq!(outcomes, [false, true]);
}

// ---------------------------------------------------------------------------------------
// Twilio
// ---------------------------------------------------------------------------------------

const TWILIO_TOKEN: &str = "12345";
const TWILIO_URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
const TWILIO_PARAMS: [(&str, &str); 5] = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+14158675309"),
    ("Digits", "1234"),
    ("From", "+14158675309"),
    ("To", "+18005551212"),
];
const TWILIO_DOC_SIGNATURE: &str = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";

fn twilio_form(params: &[(&str, &str)]) -> Vec<u8> {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish()
        .into_bytes()
}

fn twilio_sign(token: &str, url: &str, params: &[(&str, &str)]) -> String {
    let mut sorted = params.to_vec();
    sorted.sort();
    let mut data = url.to_owned();
    for (name, value) in sorted {
        data.push_str(name);
        data.push_str(value);
    }
    b64(&hmac_sha1(token.as_bytes(), &[data.as_bytes()]))
}

#[test]
fn twilio_documented_example_verifies_from_params_and_from_the_form_body() {
    let verifier = TwilioVerifier::new(TWILIO_TOKEN);
    assert_eq!(
        twilio_sign(TWILIO_TOKEN, TWILIO_URL, &TWILIO_PARAMS),
        TWILIO_DOC_SIGNATURE
    );
    assert_eq!(
        verifier.verify_params(TWILIO_DOC_SIGNATURE, TWILIO_URL, TWILIO_PARAMS),
        Ok(())
    );
    // The order parameters arrive in does not matter.
    let mut reversed = TWILIO_PARAMS;
    reversed.reverse();
    let map = headers(&[("X-Twilio-Signature", TWILIO_DOC_SIGNATURE)]);
    assert_eq!(
        verifier.verify(&map, TWILIO_URL, &twilio_form(&reversed)),
        Ok(())
    );
}

#[test]
fn twilio_tampered_param_url_or_wrong_token_is_a_mismatch() {
    let verifier = TwilioVerifier::new(TWILIO_TOKEN);
    let mut tampered = TWILIO_PARAMS;
    tampered[2] = ("Digits", "9999");
    assert_eq!(
        verifier.verify_params(TWILIO_DOC_SIGNATURE, TWILIO_URL, tampered),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verifier.verify_params(
            TWILIO_DOC_SIGNATURE,
            "https://mycompany.com/myapp.php?foo=1&bar=3",
            TWILIO_PARAMS
        ),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        TwilioVerifier::new("54321").verify_params(TWILIO_DOC_SIGNATURE, TWILIO_URL, TWILIO_PARAMS),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn twilio_secondary_auth_token_is_accepted() {
    let verifier = TwilioVerifier::new("primary-token").add_secret(TWILIO_TOKEN);
    assert_eq!(
        verifier.verify_params(TWILIO_DOC_SIGNATURE, TWILIO_URL, TWILIO_PARAMS),
        Ok(())
    );
}

#[test]
fn twilio_url_is_tried_with_and_without_the_default_port() {
    let verifier = TwilioVerifier::new(TWILIO_TOKEN);
    // Signed without the port, received with it, and the other way round.
    assert_eq!(
        verifier.verify_params(
            TWILIO_DOC_SIGNATURE,
            "https://mycompany.com:443/myapp.php?foo=1&bar=2",
            TWILIO_PARAMS
        ),
        Ok(())
    );
    let with_port = "https://mycompany.com:443/myapp.php?foo=1&bar=2";
    let signature = twilio_sign(TWILIO_TOKEN, with_port, &TWILIO_PARAMS);
    assert_eq!(
        verifier.verify_params(&signature, TWILIO_URL, TWILIO_PARAMS),
        Ok(())
    );
}

#[test]
fn twilio_repeated_parameters_are_signed_in_value_order() {
    let params = [
        ("MediaUrl", "https://b"),
        ("To", "+1"),
        ("MediaUrl", "https://a"),
    ];
    let signature = twilio_sign(TWILIO_TOKEN, TWILIO_URL, &params);
    let verifier = TwilioVerifier::new(TWILIO_TOKEN);
    assert_eq!(
        verifier.verify_params(&signature, TWILIO_URL, params),
        Ok(())
    );
    let map = headers(&[("X-Twilio-Signature", &signature)]);
    assert_eq!(
        verifier.verify(&map, TWILIO_URL, &twilio_form(&params)),
        Ok(())
    );
}

#[test]
fn twilio_json_body_is_checked_against_body_sha256() {
    let body = br#"{"CallSid":"CA1234567890ABCDE","Status":"completed"}"#;
    let url = format!(
        "https://mycompany.com/status?bodySHA256={}",
        hex(&sha2::Sha256::digest(body))
    );
    let signature = twilio_sign(TWILIO_TOKEN, &url, &[]);
    let verifier = TwilioVerifier::new(TWILIO_TOKEN);
    let map = headers(&[("X-Twilio-Signature", &signature)]);
    assert_eq!(verifier.verify(&map, &url, body), Ok(()));
    assert_eq!(verifier.verify_body(&signature, &url, body), Ok(()));
    assert_eq!(
        verifier.verify(
            &map,
            &url,
            br#"{"CallSid":"CA1234567890ABCDE","Status":"failed"}"#
        ),
        Err(WebhookError::SignatureMismatch)
    );
    // A URL without bodySHA256 leaves the body unauthenticated.
    let bare = "https://mycompany.com/status";
    assert_eq!(
        verifier.verify_body(&twilio_sign(TWILIO_TOKEN, bare, &[]), bare, body),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn twilio_malformed_or_missing_signature_is_reported_as_such() {
    let verifier = TwilioVerifier::new(TWILIO_TOKEN);
    assert!(is_malformed(
        verifier.verify_params("not base64!", TWILIO_URL, TWILIO_PARAMS),
        "x-twilio-signature"
    ));
    assert_eq!(
        verifier.verify(&HeaderMap::new(), TWILIO_URL, b""),
        Err(missing("x-twilio-signature"))
    );
    assert_eq!(
        verifier.verify_params("AAAA", TWILIO_URL, TWILIO_PARAMS),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn twilio_retry_is_seen_by_its_idempotency_token() {
    let verifier = TwilioVerifier::new(TWILIO_TOKEN);
    let dedup = InMemoryDedup::new(10, Duration::from_secs(600));
    let map = headers(&[
        ("X-Twilio-Signature", TWILIO_DOC_SIGNATURE),
        (
            "I-Twilio-Idempotency-Token",
            "7cbd8d8a-5dc3-4e88-9f49-3e8a6ae9c5b1",
        ),
    ]);
    let body = twilio_form(&TWILIO_PARAMS);
    let mut outcomes = Vec::new();
    for _ in 0..2 {
        assert_eq!(verifier.verify(&map, TWILIO_URL, &body), Ok(()));
        let token = TwilioVerifier::idempotency_token(&map).expect("the token header");
        outcomes.push(dedup.seen(token, at(T)));
    }
    assert_eq!(outcomes, [false, true]);
}

// ---------------------------------------------------------------------------------------
// SendGrid
// ---------------------------------------------------------------------------------------

const SENDGRID_DOC_KEY: &str = "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==";
const SENDGRID_DOC_SIGNATURE: &str = "MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=";
const SENDGRID_DOC_TIMESTAMP: i64 = 1_588_788_367;
const SENDGRID_DOC_BODY: &[u8] =
    br#"{"category":"example_payload","event":"test_event","message_id":"message_id"}"#;

/// A P-256 key made from fixed bytes, and its public key as SendGrid shows one: base64
/// of a DER SubjectPublicKeyInfo (a fixed prefix naming P-256, then the SEC1 point).
fn sendgrid_key(seed: u8) -> (SigningKey, String) {
    let key = SigningKey::from_slice(&[seed; 32]).expect("a valid scalar");
    let point = key.verifying_key().to_sec1_point(false);
    let mut spki = vec![
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ];
    spki.extend_from_slice(point.as_bytes());
    (key, b64(&spki))
}

fn sendgrid_sign(key: &SigningKey, timestamp: i64, body: &[u8]) -> String {
    let mut message = timestamp.to_string().into_bytes();
    message.extend_from_slice(body);
    let signature: p256::ecdsa::Signature = key.sign(&message);
    b64(signature.to_der().as_bytes())
}

fn sendgrid_headers(timestamp: i64, signature: &str) -> HeaderMap {
    headers(&[
        (
            "X-Twilio-Email-Event-Webhook-Timestamp",
            &timestamp.to_string(),
        ),
        ("X-Twilio-Email-Event-Webhook-Signature", signature),
    ])
}

const SENDGRID_BODY: &[u8] =
    br#"[{"email":"a@example.com","event":"delivered","sg_event_id":"sg_1","timestamp":1700000000}]"#;

#[test]
fn sendgrid_published_test_vector_verifies() {
    let verifier = SendGridVerifier::new(SENDGRID_DOC_KEY).expect("valid key");
    let map = sendgrid_headers(SENDGRID_DOC_TIMESTAMP, SENDGRID_DOC_SIGNATURE);
    assert_eq!(
        verifier.verify(&map, SENDGRID_DOC_BODY, at(SENDGRID_DOC_TIMESTAMP)),
        Ok(())
    );
    // SendGrid's own suite: the same signature over another timestamp fails.
    assert_eq!(
        verifier.verify_parts(
            "1388788367",
            SENDGRID_DOC_SIGNATURE,
            SENDGRID_DOC_BODY,
            at(1_388_788_367)
        ),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn sendgrid_computed_signature_verifies_and_tampering_is_a_mismatch() {
    let (key, public) = sendgrid_key(0x11);
    let verifier = SendGridVerifier::new(&public).expect("valid key");
    let signature = sendgrid_sign(&key, T, SENDGRID_BODY);
    assert_eq!(
        verifier.verify(&sendgrid_headers(T, &signature), SENDGRID_BODY, at(T)),
        Ok(())
    );
    let tampered = SENDGRID_BODY
        .to_vec()
        .into_iter()
        .rev()
        .collect::<Vec<u8>>();
    assert_eq!(
        verifier.verify_parts(&T.to_string(), &signature, &tampered, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
    let (_, other_public) = sendgrid_key(0x22);
    assert_eq!(
        SendGridVerifier::new(&other_public)
            .expect("valid key")
            .verify_parts(&T.to_string(), &signature, SENDGRID_BODY, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn sendgrid_timestamp_outside_the_tolerance_is_rejected_either_way() {
    let (key, public) = sendgrid_key(0x11);
    let verifier = SendGridVerifier::new(&public).expect("valid key");
    let map = sendgrid_headers(T, &sendgrid_sign(&key, T, SENDGRID_BODY));
    assert!(is_outside_tolerance(verifier.verify(
        &map,
        SENDGRID_BODY,
        at(T + 301)
    )));
    assert!(is_outside_tolerance(verifier.verify(
        &map,
        SENDGRID_BODY,
        at(T - 301)
    )));
    let patient = verifier.tolerance(Duration::from_secs(3600));
    assert_eq!(patient.verify(&map, SENDGRID_BODY, at(T + 3600)), Ok(()));
}

#[test]
fn sendgrid_regenerated_key_is_accepted_alongside_the_old_one() {
    let (old_key, old_public) = sendgrid_key(0x11);
    let (new_key, new_public) = sendgrid_key(0x22);
    let verifier = SendGridVerifier::new(&new_public)
        .and_then(|v| v.add_public_key(&old_public))
        .expect("valid keys");
    for key in [&old_key, &new_key] {
        let map = sendgrid_headers(T, &sendgrid_sign(key, T, SENDGRID_BODY));
        assert_eq!(verifier.verify(&map, SENDGRID_BODY, at(T)), Ok(()));
    }
}

#[test]
fn sendgrid_malformed_signatures_and_keys_are_reported_as_such() {
    let verifier = SendGridVerifier::new(SENDGRID_DOC_KEY).expect("valid key");
    let now = at(SENDGRID_DOC_TIMESTAMP);
    for signature in ["not base64!", "AAAA", ""] {
        assert!(
            is_malformed(
                verifier.verify_parts("1588788367", signature, SENDGRID_DOC_BODY, now),
                "x-twilio-email-event-webhook-signature"
            ),
            "{signature:?}"
        );
    }
    assert!(is_malformed(
        verifier.verify_parts("later", SENDGRID_DOC_SIGNATURE, SENDGRID_DOC_BODY, now),
        "x-twilio-email-event-webhook-timestamp"
    ));
    let only_signature = headers(&[(
        "X-Twilio-Email-Event-Webhook-Signature",
        SENDGRID_DOC_SIGNATURE,
    )]);
    assert_eq!(
        verifier.verify(&only_signature, SENDGRID_DOC_BODY, now),
        Err(missing("x-twilio-email-event-webhook-timestamp"))
    );
    for key in ["not base64!", "AAAA", &SENDGRID_DOC_KEY[..40]] {
        assert!(
            matches!(
                SendGridVerifier::new(key),
                Err(WebhookError::InvalidSecret(_))
            ),
            "{key:?}"
        );
    }
}

#[test]
fn sendgrid_redelivered_events_are_seen_by_each_sg_event_id() {
    let (key, public) = sendgrid_key(0x11);
    let verifier = SendGridVerifier::new(&public).expect("valid key");
    let dedup = InMemoryDedup::new(100, Duration::from_secs(24 * 3600));
    // SendGrid batches events; a retried batch may carry events already processed.
    let first =
        br#"[{"event":"delivered","sg_event_id":"e1"},{"event":"open","sg_event_id":"e2"}]"#;
    let retry = br#"[{"event":"open","sg_event_id":"e2"},{"event":"click","sg_event_id":"e3"}]"#;
    let mut fresh = Vec::new();
    for (t, body) in [(T, &first[..]), (T + 600, &retry[..])] {
        let map = sendgrid_headers(t, &sendgrid_sign(&key, t, body));
        assert_eq!(verifier.verify(&map, body, at(t)), Ok(()));
        let events: Vec<serde_json::Value> = serde_json::from_slice(body).expect("a JSON array");
        for event in events {
            let id = event["sg_event_id"].as_str().expect("every event has one");
            if !dedup.seen(id, at(t)) {
                fresh.push(id.to_owned());
            }
        }
    }
    assert_eq!(fresh, ["e1", "e2", "e3"]);
}

// ---------------------------------------------------------------------------------------
// Slack
// ---------------------------------------------------------------------------------------

const SLACK_DOC_SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const SLACK_DOC_TIMESTAMP: i64 = 1_531_420_618;
const SLACK_DOC_BODY: &[u8] = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SLACK_DOC_SIGNATURE: &str =
    "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

fn slack_sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mac = hmac_sha256(
        secret.as_bytes(),
        &[b"v0:", timestamp.to_string().as_bytes(), b":", body],
    );
    format!("v0={}", hex(&mac))
}

#[test]
fn slack_documented_example_verifies() {
    let verifier = SlackVerifier::new(SLACK_DOC_SECRET);
    assert_eq!(
        slack_sign(SLACK_DOC_SECRET, SLACK_DOC_TIMESTAMP, SLACK_DOC_BODY),
        SLACK_DOC_SIGNATURE
    );
    let map = headers(&[
        ("X-Slack-Request-Timestamp", "1531420618"),
        ("X-Slack-Signature", SLACK_DOC_SIGNATURE),
    ]);
    assert_eq!(
        verifier.verify(&map, SLACK_DOC_BODY, at(SLACK_DOC_TIMESTAMP + 60)),
        Ok(())
    );
}

#[test]
fn slack_tampered_body_or_wrong_secret_is_a_mismatch() {
    let now = at(SLACK_DOC_TIMESTAMP);
    let mut tampered = SLACK_DOC_BODY.to_vec();
    tampered.extend_from_slice(b"&text=rm");
    assert_eq!(
        SlackVerifier::new(SLACK_DOC_SECRET).verify_parts(
            "1531420618",
            SLACK_DOC_SIGNATURE,
            &tampered,
            now
        ),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        SlackVerifier::new("bogus").verify_parts(
            "1531420618",
            SLACK_DOC_SIGNATURE,
            SLACK_DOC_BODY,
            now
        ),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn slack_request_older_or_newer_than_five_minutes_is_rejected() {
    let verifier = SlackVerifier::new(SLACK_DOC_SECRET);
    let check = |now: i64| {
        verifier.verify_parts("1531420618", SLACK_DOC_SIGNATURE, SLACK_DOC_BODY, at(now))
    };
    assert_eq!(check(SLACK_DOC_TIMESTAMP + 300), Ok(()));
    assert!(is_outside_tolerance(check(SLACK_DOC_TIMESTAMP + 301)));
    assert!(is_outside_tolerance(check(SLACK_DOC_TIMESTAMP - 301)));
}

#[test]
fn slack_regenerated_signing_secret_is_accepted() {
    let verifier = SlackVerifier::new("the-new-secret").add_secret(SLACK_DOC_SECRET);
    let fresh = slack_sign("the-new-secret", T, b"payload=%7B%7D");
    let now = at(T);
    assert_eq!(
        verifier.verify_parts(&T.to_string(), &fresh, b"payload=%7B%7D", now),
        Ok(())
    );
    assert_eq!(
        verifier.verify_parts(
            "1531420618",
            SLACK_DOC_SIGNATURE,
            SLACK_DOC_BODY,
            at(SLACK_DOC_TIMESTAMP)
        ),
        Ok(())
    );
}

#[test]
fn slack_malformed_or_missing_headers_are_reported_as_such() {
    let verifier = SlackVerifier::new(SLACK_DOC_SECRET);
    let now = at(SLACK_DOC_TIMESTAMP);
    for signature in ["", "a2114d57", "v1=a2114d57", "v0=xyz"] {
        assert!(
            is_malformed(
                verifier.verify_parts("1531420618", signature, SLACK_DOC_BODY, now),
                "x-slack-signature"
            ),
            "{signature:?}"
        );
    }
    assert!(is_malformed(
        verifier.verify_parts("", SLACK_DOC_SIGNATURE, SLACK_DOC_BODY, now),
        "x-slack-request-timestamp"
    ));
    let no_timestamp = headers(&[("X-Slack-Signature", SLACK_DOC_SIGNATURE)]);
    assert_eq!(
        verifier.verify(&no_timestamp, SLACK_DOC_BODY, now),
        Err(missing("x-slack-request-timestamp"))
    );
}

#[test]
fn slack_event_retry_is_seen_by_its_event_id() {
    let verifier = SlackVerifier::new(SLACK_DOC_SECRET);
    let dedup = InMemoryDedup::new(10, Duration::from_secs(3600));
    let body =
        br#"{"type":"event_callback","event_id":"Ev0PV52K21","event":{"type":"app_mention"}}"#;
    let mut outcomes = Vec::new();
    // Slack retries after 0 s, 1 min and 5 min, each signed afresh.
    for t in [T, T + 60, T + 300] {
        let signature = slack_sign(SLACK_DOC_SECRET, t, body);
        assert_eq!(
            verifier.verify_parts(&t.to_string(), &signature, body, at(t)),
            Ok(())
        );
        let id = SlackVerifier::event_id(body).expect("an Events API body");
        outcomes.push(dedup.seen(&id, at(t)));
    }
    assert_eq!(outcomes, [false, true, true]);
}

// ---------------------------------------------------------------------------------------
// Generic HMAC
// ---------------------------------------------------------------------------------------

#[test]
fn generic_default_is_hex_hmac_sha256_of_the_body() {
    let body = br#"{"event":"ping"}"#;
    let verifier = HmacVerifier::new("k", HeaderName::from_static("x-signature"));
    let signature = hex(&hmac_sha256(b"k", &[body]));
    let map = headers(&[("X-Signature", &signature)]);
    assert_eq!(verifier.verify(&map, body, at(T)), Ok(()));
    assert_eq!(
        verifier.verify(&map, br#"{"event":"pong"}"#, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        HmacVerifier::new("other", HeaderName::from_static("x-signature")).verify(
            &map,
            body,
            at(T)
        ),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verifier.verify(&HeaderMap::new(), body, at(T)),
        Err(missing("x-signature"))
    );
}

#[test]
fn generic_sha1_and_sha512_with_base64_and_a_prefix_verify() {
    let body = b"a=1&b=2";
    let sha1 = HmacVerifier::new("k", HeaderName::from_static("x-sig"))
        .algorithm(HmacAlgorithm::Sha1)
        .encoding(SignatureEncoding::Base64)
        .prefix("sha1=");
    let signature = format!("sha1={}", b64(&hmac_sha1(b"k", &[body])));
    assert_eq!(sha1.verify_parts(&signature, None, body, at(T)), Ok(()));

    let mut mac = Hmac::<sha2::Sha512>::new_from_slice(b"k").expect("any key length");
    mac.update(body);
    let sha512 = HmacVerifier::new("k", HeaderName::from_static("x-sig"))
        .algorithm(HmacAlgorithm::Sha512)
        .prefix("sha512=");
    let signature = format!("sha512={}", hex(&mac.finalize().into_bytes()));
    assert_eq!(sha512.verify_parts(&signature, None, body, at(T)), Ok(()));
    // The same bytes under the wrong algorithm are a mismatch (a length mismatch, too).
    let as_sha256 = HmacVerifier::new("k", HeaderName::from_static("x-sig")).prefix("sha512=");
    assert_eq!(
        as_sha256.verify_parts(&signature, None, body, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
}

#[test]
fn generic_timestamp_template_is_signed_and_its_tolerance_enforced() {
    let body = br#"{"id":"wh_1"}"#;
    let verifier = HmacVerifier::new("k", HeaderName::from_static("x-sig"))
        .timestamp(HeaderName::from_static("x-ts"), "{timestamp}.{body}")
        .tolerance(Duration::from_secs(60));
    let sign = |t: i64| hex(&hmac_sha256(b"k", &[t.to_string().as_bytes(), b".", body]));
    let map = headers(&[("X-Sig", &sign(T)), ("X-Ts", &T.to_string())]);
    assert_eq!(verifier.verify(&map, body, at(T + 60)), Ok(()));
    assert!(is_outside_tolerance(verifier.verify(
        &map,
        body,
        at(T + 61)
    )));
    assert!(is_outside_tolerance(verifier.verify(
        &map,
        body,
        at(T - 61)
    )));
    // A signature of the body alone is not one of the template.
    let body_only = hex(&hmac_sha256(b"k", &[body]));
    assert_eq!(
        verifier.verify_parts(&body_only, Some(&T.to_string()), body, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        verifier.verify(&headers(&[("X-Sig", &sign(T))]), body, at(T)),
        Err(missing("x-ts"))
    );
    assert!(is_malformed(
        verifier.verify_parts(&sign(T), Some("noon"), body, at(T)),
        "x-ts"
    ));
    // Options may come in any order.
    let tolerance_first = HmacVerifier::new("k", HeaderName::from_static("x-sig"))
        .tolerance(Duration::from_secs(60))
        .timestamp(HeaderName::from_static("x-ts"), "{timestamp}.{body}");
    assert!(is_outside_tolerance(tolerance_first.verify(
        &map,
        body,
        at(T + 61)
    )));
}

#[test]
fn generic_rotated_secret_is_accepted_and_malformed_signatures_are_reported() {
    let body = b"{}";
    let verifier = HmacVerifier::new("new", HeaderName::from_static("x-sig"))
        .add_secret("old")
        .prefix("v1=");
    let old = format!("v1={}", hex(&hmac_sha256(b"old", &[body])));
    assert_eq!(verifier.verify_parts(&old, None, body, at(T)), Ok(()));
    for signature in ["", "abcd", "v1=xyz", "v2=abcd"] {
        assert!(
            is_malformed(verifier.verify_parts(signature, None, body, at(T)), "x-sig"),
            "{signature:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Whole requests and typed events
// ---------------------------------------------------------------------------------------

/// A typed event as a generated crate defines one: a variant per known event, a fallback.
#[derive(Debug, PartialEq)]
enum GitHubEvent {
    Issues(IssuesEvent),
    Unknown(String),
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct IssuesEvent {
    action: String,
    number: u64,
}

impl WebhookEvent for GitHubEvent {
    type Verifier = GitHubVerifier;

    fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Self, WebhookError> {
        let name = HeaderName::from_static("x-github-event");
        let event = headers
            .get(&name)
            .and_then(|value| value.to_str().ok())
            .ok_or(WebhookError::MissingHeader(name))?;
        match event {
            "issues" => parse_json(event, body).map(GitHubEvent::Issues),
            other => Ok(GitHubEvent::Unknown(other.to_owned())),
        }
    }
}

fn github_request<B: AsRef<[u8]>>(event: Option<&str>, signed: &[u8], body: B) -> http::Request<B> {
    let signature = format!("sha256={}", hex(&hmac_sha256(b"s3cret", &[signed])));
    let mut request = http::Request::post("/webhooks/github")
        .header("x-hub-signature-256", signature)
        .body(body)
        .expect("valid request");
    if let Some(event) = event {
        request.headers_mut().insert(
            "x-github-event",
            HeaderValue::from_str(event).expect("test header value"),
        );
    }
    request
}

#[test]
fn verify_request_reads_the_headers_and_body_of_any_byte_body() {
    let verifier = StripeVerifier::new(STRIPE_SECRET);
    let header = format!("t={T},v1={}", stripe_v1(STRIPE_SECRET, T, STRIPE_BODY));
    let request = http::Request::post("/webhooks/stripe")
        .header("stripe-signature", header)
        .body(bytes::Bytes::from_static(STRIPE_BODY))
        .expect("valid request");
    assert_eq!(verifier.verify_request(&request, at(T)), Ok(()));

    let as_vec = request.map(|body| body.to_vec());
    assert_eq!(verifier.verify_request(&as_vec, at(T)), Ok(()));
    let as_string = as_vec.map(|body| String::from_utf8(body).expect("JSON is UTF-8"));
    assert_eq!(verifier.verify_request(&as_string, at(T)), Ok(()));
    assert!(is_outside_tolerance(
        verifier.verify_request(&as_string, at(T + 301))
    ));

    let tampered = as_string.map(|body| body.replace("customer.created", "customer.deleted"));
    assert_eq!(
        verifier.verify_request(&tampered, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
    let unsigned = http::Request::new(STRIPE_BODY);
    assert_eq!(
        verifier.verify_request(&unsigned, at(T)),
        Err(missing("stripe-signature"))
    );
}

#[test]
fn verifiers_still_work_as_trait_objects() {
    let body = br#"{"action":"opened","number":1}"#;
    let verifiers: [Box<dyn Verify>; 2] = [
        Box::new(GitHubVerifier::new("s3cret")),
        Box::new(GitHubVerifier::new("other")),
    ];
    let request = github_request(None, body, body);
    let outcomes: Vec<_> = verifiers
        .iter()
        .map(|verifier| verifier.verify_delivery(request.headers(), *request.body(), at(T)))
        .collect();
    assert_eq!(outcomes, [Ok(()), Err(WebhookError::SignatureMismatch)]);
}

#[test]
fn construct_event_from_request_parses_a_genuine_delivery_into_its_variant() {
    let verifier = GitHubVerifier::new("s3cret");
    let body = br#"{"action":"opened","number":7,"sender":{"login":"octocat"}}"#;
    let request = github_request(Some("issues"), body, body.to_vec());
    assert_eq!(
        construct_event_from_request::<GitHubEvent, _>(&verifier, &request, at(T)),
        Ok(GitHubEvent::Issues(IssuesEvent {
            action: "opened".into(),
            number: 7,
        }))
    );

    let request = github_request(Some("merge_group"), body, &body[..]);
    assert_eq!(
        construct_event_from_request::<GitHubEvent, _>(&verifier, &request, at(T)),
        Ok(GitHubEvent::Unknown("merge_group".into())),
        "an event the crate does not know is its fallback variant, not an error"
    );
}

#[test]
fn construct_event_from_request_verifies_before_it_parses() {
    let verifier = GitHubVerifier::new("s3cret");
    let forged = github_request(Some("issues"), b"something else", "not JSON at all");
    assert_eq!(
        construct_event_from_request::<GitHubEvent, _>(&verifier, &forged, at(T)),
        Err(WebhookError::SignatureMismatch),
        "a forged body never reaches the parser"
    );

    let genuine = github_request(Some("issues"), b"not JSON at all", "not JSON at all");
    assert!(matches!(
        construct_event_from_request::<GitHubEvent, _>(&verifier, &genuine, at(T)),
        Err(WebhookError::InvalidPayload { event, .. }) if event == "issues"
    ));
    let wrong_type = br#"{"action":"opened","number":"seven"}"#;
    let genuine = github_request(Some("issues"), wrong_type, wrong_type);
    assert!(matches!(
        construct_event_from_request::<GitHubEvent, _>(&verifier, &genuine, at(T)),
        Err(WebhookError::InvalidPayload { reason, .. }) if reason.contains("number")
    ));

    let nameless = github_request(None, b"{}", b"{}");
    assert_eq!(
        construct_event_from_request::<GitHubEvent, _>(&verifier, &nameless, at(T)),
        Err(missing("x-github-event"))
    );
}

#[test]
fn each_error_answers_with_the_documented_status() {
    use http::StatusCode;
    let cases = [
        (WebhookError::SignatureMismatch, StatusCode::UNAUTHORIZED),
        (
            WebhookError::TimestampOutsideTolerance {
                timestamp: T,
                now: T + 600,
                tolerance: Duration::from_secs(300),
            },
            StatusCode::UNAUTHORIZED,
        ),
        (missing("stripe-signature"), StatusCode::BAD_REQUEST),
        (
            WebhookError::MalformedHeader {
                name: HeaderName::from_static("x-hub-signature-256"),
                reason: "the signature is not hex",
            },
            StatusCode::BAD_REQUEST,
        ),
        (
            WebhookError::InvalidPayload {
                event: "issues".into(),
                reason: "at `number`: invalid type".into(),
            },
            StatusCode::BAD_REQUEST,
        ),
        (
            WebhookError::InvalidSecret("the secret is empty"),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
    ];
    for (error, status) in cases {
        assert_eq!(error.status(), status, "{error}");
    }
}

// ---------------------------------------------------------------------------------------
// Dedup
// ---------------------------------------------------------------------------------------

#[test]
fn dedup_remembers_ids_for_their_ttl_only() {
    let dedup = InMemoryDedup::new(10, Duration::from_secs(60));
    assert!(!dedup.seen("a", at(T)));
    assert!(dedup.seen("a", at(T + 59)));
    assert!(!dedup.seen("a", at(T + 60)), "expired, so processed again");
    assert!(dedup.seen("a", at(T + 61)), "and remembered from then on");
}

#[test]
fn dedup_holds_at_most_its_capacity_and_drops_the_oldest() {
    let dedup = InMemoryDedup::new(3, Duration::from_secs(3600));
    for (i, id) in ["a", "b", "c", "d"].into_iter().enumerate() {
        assert!(!dedup.seen(id, at(T + i64::try_from(i).expect("small"))));
    }
    assert_eq!(dedup.len(), 3);
    assert!(dedup.seen("d", at(T + 10)));
    assert!(dedup.seen("c", at(T + 10)));
    assert!(!dedup.seen("a", at(T + 10)), "the oldest was dropped");
    for i in 0..10_000 {
        dedup.seen(&format!("flood-{i}"), at(T + 20));
    }
    assert_eq!(dedup.len(), 3);
}

#[test]
fn dedup_forgets_an_event_whose_processing_failed() {
    let dedup = InMemoryDedup::new(10, Duration::from_secs(3600));
    assert!(!dedup.seen("evt", at(T)));
    dedup.forget("evt");
    assert!(!dedup.seen("evt", at(T + 1)), "the retry is processed");
    assert!(dedup.seen("evt", at(T + 2)));
}

#[test]
fn dedup_with_zero_capacity_remembers_nothing_and_works_as_a_trait_object() {
    let stores: [Box<dyn Dedup>; 2] = [
        Box::new(InMemoryDedup::new(0, Duration::from_secs(60))),
        Box::new(InMemoryDedup::new(1, Duration::from_secs(60))),
    ];
    let outcomes: Vec<bool> = stores
        .iter()
        .map(|store| {
            store.seen("x", at(T));
            store.seen("x", at(T))
        })
        .collect();
    assert_eq!(outcomes, [false, true]);
}

#[test]
fn empty_secret_verifies_nothing_even_a_signature_made_with_an_empty_key() {
    let body = b"{}";
    let empty_key = hex(&hmac_sha256(b"", &[body]));
    assert_eq!(
        GitHubVerifier::new("").verify_parts(&format!("sha256={empty_key}"), body),
        Err(WebhookError::SignatureMismatch)
    );
    assert_eq!(
        HmacVerifier::new("", HeaderName::from_static("x-sig")).verify_parts(
            &empty_key,
            None,
            body,
            at(T)
        ),
        Err(WebhookError::SignatureMismatch)
    );
    let stripe = format!("t={T},v1={}", stripe_v1("", T, body));
    assert_eq!(
        StripeVerifier::new("").verify_parts(&stripe, body, at(T)),
        Err(WebhookError::SignatureMismatch)
    );
    // A real secret beside an empty one still works.
    let rotated = StripeVerifier::new("").add_secret(STRIPE_SECRET);
    let valid = format!("t={T},v1={}", stripe_v1(STRIPE_SECRET, T, body));
    assert_eq!(rotated.verify_parts(&valid, body, at(T)), Ok(()));
}

// ---------------------------------------------------------------------------------------
// Secrets stay secret
// ---------------------------------------------------------------------------------------

#[test]
fn secrets_never_appear_in_debug_output_or_errors() {
    let secret = "whsec_c3VwZXItc2VjcmV0LXZhbHVl";
    let debug = [
        format!("{:?}", StripeVerifier::new(secret).add_secret(secret)),
        format!("{:?}", GitHubVerifier::new(secret)),
        format!("{:?}", StandardWebhooks::new(secret).expect("valid secret")),
        format!("{:?}", TwilioVerifier::new(secret)),
        format!("{:?}", SlackVerifier::new(secret)),
        format!(
            "{:?}",
            HmacVerifier::new(secret, HeaderName::from_static("x-sig"))
        ),
    ];
    for text in &debug {
        assert!(!text.contains("c3VwZXIt"), "{text}");
        assert!(!text.contains("super-secret"), "{text}");
        assert!(text.contains("REDACTED"), "{text}");
    }
    let error = StandardWebhooks::new("whsec_c3VwZXIt!!!").expect_err("not base64");
    assert!(!format!("{error} {error:?}").contains("c3VwZXIt"));
}

// ---------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------

/// A small deterministic generator (xorshift64*), so failures reproduce without a seed
/// being printed and without a property-testing framework.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).expect("small")).expect("small")
    }

    /// Text built from pieces that look like parts of real headers, plus arbitrary bytes.
    fn text(&mut self) -> Vec<u8> {
        const PIECES: &[&str] = &[
            "t=",
            "v1=",
            "v0=",
            "v1,",
            "sha256=",
            "sha1=",
            ",",
            " ",
            "=",
            ".",
            ":",
            "1700000000",
            "-9223372036854775808",
            "99999999999999999999",
            "abcdef",
            "ABCDEF0123",
            "g0hM9SsE+",
            "==",
            "/",
            "?",
            "#",
            "bodySHA256=",
            "https://",
            "[::1]",
            "@",
            "%",
            "\t",
            "é",
            "😀",
        ];
        let mut out = Vec::new();
        for _ in 0..self.below(12) {
            if self.below(4) == 0 {
                out.extend((0..self.below(8)).map(|_| (self.next() & 0xff) as u8));
            } else {
                out.extend_from_slice(PIECES[self.below(PIECES.len())].as_bytes());
            }
        }
        out
    }
}

#[test]
fn verify_never_panics_on_arbitrary_headers_bodies_and_times() {
    let (_, sendgrid_public) = sendgrid_key(0x11);
    let stripe = StripeVerifier::new(STRIPE_SECRET).add_secret(STRIPE_OLD_SECRET);
    let github = GitHubVerifier::new(GITHUB_SECRET);
    let standard = StandardWebhooks::new(SW_SECRET).expect("valid secret");
    let twilio = TwilioVerifier::new(TWILIO_TOKEN);
    let sendgrid = SendGridVerifier::new(&sendgrid_public).expect("valid key");
    let slack = SlackVerifier::new(SLACK_DOC_SECRET);
    let generic = HmacVerifier::new("k", HeaderName::from_static("x-sig"))
        .encoding(SignatureEncoding::Base64)
        .timestamp(
            HeaderName::from_static("x-ts"),
            "{timestamp}{body}{timestamp}",
        );
    let names = [
        "stripe-signature",
        "x-hub-signature-256",
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
        "x-twilio-signature",
        "x-twilio-email-event-webhook-signature",
        "x-twilio-email-event-webhook-timestamp",
        "x-slack-signature",
        "x-slack-request-timestamp",
        "x-sig",
        "x-ts",
    ];
    let times = [
        SystemTime::UNIX_EPOCH,
        SystemTime::UNIX_EPOCH - Duration::from_secs(1 << 40),
        SystemTime::UNIX_EPOCH + Duration::from_secs(1 << 40),
        at(T),
    ];

    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut accepted = 0;
    for _ in 0..3_000 {
        let mut map = HeaderMap::new();
        for name in names {
            if rng.below(5) > 0 {
                if let Ok(value) = HeaderValue::from_bytes(&rng.text()) {
                    map.append(HeaderName::from_static(name), value);
                }
            }
        }
        let body = rng.text();
        let now = times[rng.below(times.len())];
        let url = String::from_utf8_lossy(&rng.text()).into_owned();
        let text = String::from_utf8_lossy(&rng.text()).into_owned();
        let other = String::from_utf8_lossy(&rng.text()).into_owned();

        let results = [
            stripe.verify(&map, &body, now),
            stripe.verify_parts(&text, &body, now),
            github.verify(&map, &body),
            github.verify_parts(&text, &body),
            standard.verify(&map, &body, now),
            standard.verify_parts(&other, &text, &other, &body, now),
            twilio.verify(&map, &url, &body),
            twilio.verify_params(&text, &url, [(other.as_str(), text.as_str())]),
            twilio.verify_body(&text, &url, &body),
            sendgrid.verify(&map, &body, now),
            sendgrid.verify_parts(&other, &text, &body, now),
            slack.verify(&map, &body, now),
            slack.verify_parts(&other, &text, &body, now),
            generic.verify(&map, &body, now),
            generic.verify_parts(&text, Some(&other), &body, now),
        ];
        accepted += results.iter().filter(|r| r.is_ok()).count();
        let _ = StripeVerifier::event_id(&body);
        let _ = SlackVerifier::event_id(&body);
        let _ = StandardWebhooks::new(text.as_str());
        let _ = SendGridVerifier::new(&text);
    }
    assert_eq!(accepted, 0, "random input never verifies");
}
