//! The `axum` feature's extractors in a real `axum::Router`, driven request by request with
//! `tower::ServiceExt::oneshot` (no server, no socket): what reaches a handler, and the
//! status and text of every refusal.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::routing::post;
use hmac::{Hmac, KeyInit, Mac};
use http::{HeaderMap, HeaderName, Request, StatusCode};
use sdkgen_runtime::webhooks::axum::{Verified, VerifiedBody, WebhookRejection};
use sdkgen_runtime::webhooks::{
    GitHubVerifier, StripeVerifier, WebhookError, WebhookEvent, parse_json,
};
use tower::ServiceExt as _;

const GITHUB_SECRET: &str = "github webhook secret";
const STRIPE_SECRET: &str = "whsec_axum_receiver";
/// axum's default body limit, which the extractors obey.
const AXUM_DEFAULT_LIMIT: usize = 2 * 1024 * 1024;

/// A typed event as a generated crate defines one: a variant per known event, a fallback.
#[derive(Debug)]
enum GitHubEvent {
    Issues(IssuesEvent),
    Unknown(String),
}

#[derive(Debug, serde::Deserialize)]
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

/// An app's state with a verifier per provider, each reached through `FromRef`.
#[derive(Clone)]
struct AppState {
    github: GitHubVerifier,
    stripe: StripeVerifier,
}

impl FromRef<AppState> for GitHubVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.github.clone()
    }
}

impl FromRef<AppState> for StripeVerifier {
    fn from_ref(state: &AppState) -> Self {
        state.stripe.clone()
    }
}

async fn github(Verified(event): Verified<GitHubEvent>) -> String {
    match event {
        GitHubEvent::Issues(issue) => format!("issue {} {}", issue.number, issue.action),
        GitHubEvent::Unknown(name) => format!("unknown event {name}"),
    }
}

async fn github_reporting(delivery: Result<Verified<GitHubEvent>, WebhookRejection>) -> String {
    match delivery {
        Ok(_) => "accepted".to_owned(),
        Err(WebhookRejection::Verification(WebhookError::SignatureMismatch)) => {
            "signature mismatch".to_owned()
        }
        Err(other) => format!("refused: {other}"),
    }
}

async fn stripe(VerifiedBody(body, _): VerifiedBody<StripeVerifier>) -> String {
    StripeVerifier::event_id(&body).unwrap_or_default()
}

fn app() -> Router {
    Router::new()
        .route("/github", post(github))
        .route(
            "/github/large",
            post(github).layer(DefaultBodyLimit::max(25 * 1024 * 1024)),
        )
        .route(
            "/github/small",
            post(github).layer(DefaultBodyLimit::max(1024)),
        )
        .route("/github/reporting", post(github_reporting))
        .route("/stripe", post(stripe))
        .with_state(AppState {
            github: GitHubVerifier::new(GITHUB_SECRET),
            stripe: StripeVerifier::new(STRIPE_SECRET),
        })
}

async fn send(request: Request<Body>) -> (StatusCode, String) {
    let response = app().oneshot(request).await.expect("a router never fails");
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("an in-memory body");
    (status, String::from_utf8(body.to_vec()).expect("text"))
}

fn hmac_sha256_hex(key: &str, parts: &[&[u8]]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// A GitHub delivery to `path` whose signature covers `signed` and whose body is `sent`.
fn github_delivery(path: &str, event: &str, signed: &[u8], sent: Vec<u8>) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .header("x-github-event", event)
        .header(
            "x-hub-signature-256",
            format!("sha256={}", hmac_sha256_hex(GITHUB_SECRET, &[signed])),
        )
        .body(Body::from(sent))
        .expect("valid request")
}

fn signed_github_delivery(path: &str, event: &str, body: &[u8]) -> Request<Body> {
    github_delivery(path, event, body, body.to_vec())
}

/// An `issues` event padded with a long `body` field to `size` bytes.
fn issue_of_size(size: usize) -> Vec<u8> {
    let head = br#"{"action":"opened","number":7,"body":""#;
    let tail = br#""}"#;
    let mut body = head.to_vec();
    body.resize(size - tail.len(), b'x');
    body.extend_from_slice(tail);
    body
}

const ISSUE: &[u8] = br#"{"action":"opened","number":7,"sender":{"login":"octocat"}}"#;

#[tokio::test]
async fn a_signed_delivery_reaches_the_handler_parsed_into_its_event() {
    assert_eq!(
        send(signed_github_delivery("/github", "issues", ISSUE)).await,
        (StatusCode::OK, "issue 7 opened".to_owned())
    );
    assert_eq!(
        send(signed_github_delivery("/github", "merge_group", b"{}")).await,
        (StatusCode::OK, "unknown event merge_group".to_owned()),
        "an event the crate does not know is its fallback variant"
    );
}

#[tokio::test]
async fn a_tampered_body_is_refused_with_401_and_a_fixed_text() {
    let tampered = ISSUE
        .to_vec()
        .iter()
        .map(|b| if *b == b'7' { b'8' } else { *b })
        .collect();
    let request = github_delivery("/github", "issues", ISSUE, tampered);
    let signature = request.headers()["x-hub-signature-256"]
        .to_str()
        .expect("ASCII")
        .to_owned();
    let (status, text) = send(request).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(text, "webhook signature does not verify");
    assert!(!text.contains(&signature[7..]) && !text.contains(GITHUB_SECRET));
}

#[tokio::test]
async fn a_delivery_without_a_signature_header_is_refused_with_400() {
    let mut request = signed_github_delivery("/github", "issues", ISSUE);
    request.headers_mut().remove("x-hub-signature-256");
    assert_eq!(
        send(request).await,
        (
            StatusCode::BAD_REQUEST,
            "webhook delivery has no readable signature header".to_owned()
        )
    );

    let mut request = signed_github_delivery("/github", "issues", ISSUE);
    request.headers_mut().insert(
        "x-hub-signature-256",
        "sha1=0123".parse().expect("header value"),
    );
    assert_eq!(send(request).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_genuine_delivery_that_does_not_parse_is_refused_with_400() {
    for body in [
        &br#"{"action":"opened","#[..],
        br#"{"action":"opened","number":"7"}"#,
    ] {
        assert_eq!(
            send(signed_github_delivery("/github", "issues", body)).await,
            (
                StatusCode::BAD_REQUEST,
                "webhook delivery does not parse as an event".to_owned()
            ),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let mut nameless = signed_github_delivery("/github", "issues", ISSUE);
    nameless.headers_mut().remove("x-github-event");
    assert_eq!(send(nameless).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_body_over_the_route_limit_is_refused_with_413() {
    let just_over = issue_of_size(AXUM_DEFAULT_LIMIT + 1);
    assert_eq!(
        send(signed_github_delivery("/github", "issues", &just_over))
            .await
            .0,
        StatusCode::PAYLOAD_TOO_LARGE,
        "axum's default limit"
    );
    let at_limit = issue_of_size(AXUM_DEFAULT_LIMIT);
    assert_eq!(
        send(signed_github_delivery("/github", "issues", &at_limit)).await,
        (StatusCode::OK, "issue 7 opened".to_owned())
    );

    let two_kib = issue_of_size(2048);
    assert_eq!(
        send(signed_github_delivery("/github/small", "issues", &two_kib))
            .await
            .0,
        StatusCode::PAYLOAD_TOO_LARGE,
        "a route's own DefaultBodyLimit"
    );
}

#[tokio::test]
async fn a_route_that_raises_the_limit_accepts_a_large_github_delivery() {
    let large = issue_of_size(5 * 1024 * 1024);
    assert_eq!(
        send(signed_github_delivery("/github/large", "issues", &large)).await,
        (StatusCode::OK, "issue 7 opened".to_owned())
    );
}

#[tokio::test]
async fn a_handler_that_takes_the_result_sees_why_a_delivery_was_refused() {
    let forged = github_delivery("/github/reporting", "issues", b"other", ISSUE.to_vec());
    assert_eq!(
        send(forged).await,
        (StatusCode::OK, "signature mismatch".to_owned())
    );
    let genuine = signed_github_delivery("/github/reporting", "issues", ISSUE);
    assert_eq!(send(genuine).await, (StatusCode::OK, "accepted".to_owned()));
}

fn stripe_delivery(signed_at: u64, body: &'static [u8]) -> Request<Body> {
    let t = signed_at.to_string();
    let v1 = hmac_sha256_hex(STRIPE_SECRET, &[t.as_bytes(), b".", body]);
    Request::post("/stripe")
        .header("stripe-signature", format!("t={t},v1={v1}"))
        .body(Body::from(body))
        .expect("valid request")
}

#[tokio::test]
async fn a_stripe_delivery_signed_now_is_accepted_and_a_stale_one_is_refused_with_401() {
    let body: &[u8] = br#"{"id":"evt_axum","object":"event","type":"customer.created"}"#;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    assert_eq!(
        send(stripe_delivery(now, body)).await,
        (StatusCode::OK, "evt_axum".to_owned())
    );

    let ten_minutes_ago = now - Duration::from_secs(600).as_secs();
    assert_eq!(
        send(stripe_delivery(ten_minutes_ago, body)).await,
        (
            StatusCode::UNAUTHORIZED,
            "webhook signature does not verify".to_owned()
        ),
        "outside Stripe's five-minute tolerance"
    );
}

#[test]
fn rejections_carry_the_status_of_their_error() {
    let cases = [
        (
            WebhookRejection::Verification(WebhookError::SignatureMismatch),
            StatusCode::UNAUTHORIZED,
        ),
        (
            WebhookRejection::Verification(WebhookError::TimestampOutsideTolerance {
                timestamp: 0,
                now: 600,
                tolerance: Duration::from_secs(300),
            }),
            StatusCode::UNAUTHORIZED,
        ),
        (
            WebhookRejection::Verification(WebhookError::MissingHeader(HeaderName::from_static(
                "stripe-signature",
            ))),
            StatusCode::BAD_REQUEST,
        ),
        (
            WebhookRejection::Verification(WebhookError::InvalidSecret("not base64")),
            StatusCode::INTERNAL_SERVER_ERROR,
        ),
        (
            WebhookRejection::Payload(WebhookError::InvalidPayload {
                event: "issues".into(),
                reason: "at `number`: invalid type".into(),
            }),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (rejection, status) in cases {
        assert_eq!(rejection.status(), status, "{rejection}");
        assert_eq!(
            axum::response::IntoResponse::into_response(rejection).status(),
            status
        );
    }
}
