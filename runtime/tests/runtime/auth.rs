use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sdkgen_runtime as rt;
use wiremock::matchers::{bearer_token, body_string_contains, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request as WireRequest, ResponseTemplate};

use crate::common::{builder, config, get, hits, post};

async fn ok(server: &MockServer) {
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .mount(server)
        .await;
}

fn first_header(requests: &[WireRequest], name: &str) -> Option<String> {
    requests[0]
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

#[tokio::test]
async fn a_bearer_token_is_sent() {
    let server = MockServer::start().await;
    Mock::given(bearer_token("sk_test_123"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::bearer("sk_test_123"))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
}

#[tokio::test]
async fn basic_auth_is_sent() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::basic_auth("AC123", "secret"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::basic("AC123", "secret"))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
}

#[tokio::test]
async fn a_static_credential_wins_over_a_header_of_the_same_name() {
    let server = MockServer::start().await;
    Mock::given(header("x-api-key", "k-1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(2)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::api_key_header("x-api-key", "k-1"))
        .build()
        .unwrap();
    c.send(get("/x").header_param("x-api-key", &"from-a-parameter"))
        .await
        .unwrap();
    let options = rt::RequestOptions::new().header("X-Api-Key", "from-options");
    c.send(get("/x").options(options)).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert!(
        requests
            .iter()
            .all(|r| r.headers.get_all("x-api-key").iter().count() == 1)
    );
}

#[tokio::test]
async fn a_credential_that_is_not_a_valid_header_is_an_auth_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    ok(&server).await;
    for auth in [
        rt::Auth::bearer("line\nbreak"),
        rt::Auth::api_key_header("bad name", "k"),
    ] {
        let c = builder(config(), &server).auth(auth).build().unwrap();
        let err = c.send(get("/x")).await.unwrap_err();
        assert!(matches!(err, rt::Error::Auth { .. }), "{err:?}");
        assert!(!err.to_string().contains("line"), "{err}");
    }
    assert_eq!(hits(&server).await, 0);
}

#[tokio::test]
async fn an_api_key_header_is_sent() {
    let server = MockServer::start().await;
    Mock::given(header("x-api-key", "k-1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::api_key_header("x-api-key", "k-1"))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
}

#[tokio::test]
async fn an_api_key_query_parameter_is_appended_to_the_query() {
    let server = MockServer::start().await;
    Mock::given(query_param("api_key", "k 2"))
        .and(query_param("limit", "3"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::api_key_query("api_key", "k 2"))
        .build()
        .unwrap();
    c.send(get("/x").query_form("limit", &3, true))
        .await
        .unwrap();
}

#[tokio::test]
async fn an_api_key_cookie_joins_other_cookies() {
    let server = MockServer::start().await;
    ok(&server).await;
    let c = builder(config(), &server)
        .auth(rt::Auth::api_key_cookie("session", "k3"))
        .build()
        .unwrap();
    c.send(get("/x").cookie_param("theme", &"dark"))
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        first_header(&requests, "cookie").as_deref(),
        Some("theme=dark; session=k3")
    );
}

#[tokio::test]
async fn debug_of_client_does_not_contain_the_token() {
    let server = MockServer::start().await;
    let c = builder(config(), &server)
        .auth(rt::Auth::bearer("sk_live_SECRET"))
        .build()
        .unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains("SECRET"), "{debug}");
    assert!(debug.contains("bearer"));
    let auth = rt::Auth::basic("user", "p4ssw0rd");
    assert!(!format!("{auth:?}").contains("p4ssw0rd"));
    let flow =
        rt::OAuth2ClientCredentials::new("https://auth.example/token", "client", "cs_SECRET");
    assert!(!format!("{flow:?}").contains("SECRET"));
    let refresh = rt::OAuth2RefreshToken::new("https://auth.example/token", "client", "rt_SECRET");
    assert!(!format!("{refresh:?}").contains("SECRET"));
}

#[tokio::test]
async fn an_error_from_a_call_with_a_query_api_key_does_not_contain_the_key() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = rt::Client::builder(config())
        .base_url(format!("http://{addr}"))
        .auth(rt::Auth::api_key_query("key", "QUERYSECRET"))
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    let err = c.send(get("/x")).await.unwrap_err();
    assert!(matches!(err, rt::Error::Transport { .. }));
    let text = format!("{err} {err:?}");
    assert!(!text.contains("QUERYSECRET"), "{text}");
}

fn token_response(token: &str, expires_in: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(serde_json::json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": expires_in,
    }))
}

fn oauth(server: &MockServer) -> rt::Auth {
    rt::Auth::oauth2_client_credentials(
        rt::OAuth2ClientCredentials::new(
            format!("{}/oauth/token", server.uri()),
            "client-id",
            "client-secret",
        )
        .scope("read")
        .scope("write"),
    )
}

#[tokio::test]
async fn client_credentials_are_exchanged_once_and_the_token_is_cached() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/token"))
        .and(wiremock::matchers::basic_auth("client-id", "client-secret"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("scope=read+write"))
        .respond_with(token_response("tok-1", 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(bearer_token("tok-1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(3)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(oauth(&server))
        .build()
        .unwrap();
    for _ in 0..3 {
        c.send(get("/x")).await.unwrap();
    }
}

#[tokio::test]
async fn token_is_refreshed_once_for_fifty_concurrent_callers() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(token_response("tok-1", 3600).set_delay(Duration::from_millis(100)))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(bearer_token("tok-1"))
        .respond_with(ResponseTemplate::new(200))
        .expect(50)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(oauth(&server))
        .build()
        .unwrap();
    let calls = (0..50).map(|_| {
        let c = c.clone();
        async move { c.send(get("/x")).await }
    });
    for r in futures::future::join_all(calls).await {
        r.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn the_token_is_refreshed_a_margin_before_it_expires() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(token_response("tok-1", 3600))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/oauth/token"))
        .respond_with(token_response("tok-2", 3600))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(oauth(&server))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
    // 54 minutes later: still outside the 5-minute margin.
    tokio::time::sleep(Duration::from_secs(54 * 60)).await;
    c.send(get("/x")).await.unwrap();
    // 56 minutes: inside the margin, so a new token is fetched before it expires.
    tokio::time::sleep(Duration::from_secs(2 * 60)).await;
    c.send(get("/x")).await.unwrap();
    let tokens: Vec<_> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == "/x")
        .map(|r| {
            r.headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(tokens, ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]);
}

#[tokio::test]
async fn a_401_triggers_one_refresh_and_one_replay() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(token_response("stale", 3600))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/oauth/token"))
        .respond_with(token_response("fresh", 3600))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(bearer_token("stale"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(bearer_token("fresh"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(oauth(&server))
        .retry(rt::RetryPolicy::disabled())
        .build()
        .unwrap();
    // A POST: a 401 means it was not processed, so the replay is safe.
    c.send(post("/x")).await.unwrap();
}

#[tokio::test]
async fn a_persistent_401_is_returned_after_one_replay_never_looped() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(token_response("t", 3600))
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(401))
        .expect(2)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(oauth(&server))
        .build()
        .unwrap();
    let err = c.send(get("/x")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn a_401_with_a_static_token_is_not_replayed() {
    let server = MockServer::start().await;
    Mock::given(path("/x"))
        .respond_with(ResponseTemplate::new(401))
        .expect(1)
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(rt::Auth::bearer("nope"))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap_err();
}

#[tokio::test]
async fn the_refresh_token_flow_uses_and_rotates_the_refresh_token() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .and(body_string_contains("grant_type=refresh_token"))
        .and(body_string_contains("refresh_token=rt-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_token": "a-1", "expires_in": 3600, "refresh_token": "rt-2"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/oauth/token"))
        .and(body_string_contains("refresh_token=rt-2"))
        .respond_with(token_response("a-2", 3600))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(bearer_token("a-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    Mock::given(path("/x"))
        .and(bearer_token("a-2"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    let flow =
        rt::OAuth2RefreshToken::new(format!("{}/oauth/token", server.uri()), "client-id", "rt-1");
    let c = builder(config(), &server)
        .auth(rt::Auth::oauth2_refresh_token(flow))
        .build()
        .unwrap();
    c.send(get("/x")).await.unwrap();
}

#[tokio::test]
async fn a_failing_token_endpoint_is_an_auth_error_without_the_secret() {
    let server = MockServer::start().await;
    Mock::given(path("/oauth/token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(serde_json::json!({
            "error": "invalid_client", "error_description": "bad client", "echo": "client-secret"
        })))
        .mount(&server)
        .await;
    let c = builder(config(), &server)
        .auth(oauth(&server))
        .build()
        .unwrap();
    let err = c.send(get("/x")).await.unwrap_err();
    assert!(matches!(err, rt::Error::Auth { .. }), "{err:?}");
    let text = format!("{err} {err:?}");
    assert!(text.contains("invalid_client"), "{text}");
    assert!(!text.contains("client-secret"), "{text}");
    assert_eq!(
        hits(&server).await,
        1,
        "the API is not called without a token"
    );
}

/// The approach of `examples/hmac_signing.rs`: a custom provider signs
/// `METHOD\nPATH?QUERY\nTIMESTAMP\nhex(sha256(body))` with HMAC-SHA256.
struct HmacSigner {
    secret: &'static [u8],
    calls: AtomicUsize,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn string_to_sign(method: &str, path_and_query: &str, timestamp: &str, body: &[u8]) -> String {
    use sha2::Digest;
    format!(
        "{method}\n{path_and_query}\n{timestamp}\n{}",
        hex(&sha2::Sha256::digest(body))
    )
}

fn hmac_hex(secret: &[u8], message: &str) -> String {
    use hmac::{KeyInit, Mac};
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(message.as_bytes());
    hex(&mac.finalize().into_bytes())
}

fn path_and_query(url: &url::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
}

impl rt::AuthProvider for HmacSigner {
    fn apply<'a>(
        &'a self,
        request: &'a mut rt::reqwest::Request,
    ) -> futures::future::BoxFuture<'a, Result<(), rt::Error>> {
        Box::pin(async move {
            let attempt = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            let body = request
                .body()
                .and_then(|b| b.as_bytes())
                .unwrap_or_default();
            // A distinct timestamp per attempt shows that every attempt is signed afresh.
            let timestamp = (1_700_000_000 + attempt).to_string();
            let message = string_to_sign(
                request.method().as_str(),
                &path_and_query(request.url()),
                &timestamp,
                body,
            );
            let signature = hmac_hex(self.secret, &message);
            let headers = request.headers_mut();
            headers.insert("x-timestamp", timestamp.parse().unwrap());
            headers.insert("x-signature", signature.parse().unwrap());
            Ok(())
        })
    }
}

/// The server recomputes the signature from what it received.
struct Verifier {
    secret: &'static [u8],
    valid: Arc<std::sync::Mutex<Vec<(String, bool)>>>,
}

impl wiremock::Respond for Verifier {
    fn respond(&self, req: &WireRequest) -> ResponseTemplate {
        let header = |name: &str| {
            req.headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let timestamp = header("x-timestamp");
        let message = string_to_sign(
            req.method.as_str(),
            &path_and_query(&req.url),
            &timestamp,
            &req.body,
        );
        let valid = header("x-signature") == hmac_hex(self.secret, &message);
        let mut seen = self.valid.lock().unwrap();
        seen.push((timestamp, valid));
        match (valid, seen.len()) {
            (false, _) => ResponseTemplate::new(401),
            (true, 1) => ResponseTemplate::new(503),
            (true, _) => ResponseTemplate::new(200),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_custom_provider_signs_each_attempt_with_hmac_and_the_server_verifies_it() {
    let server = MockServer::start().await;
    let valid = Arc::new(std::sync::Mutex::new(Vec::new()));
    Mock::given(path("/things"))
        .respond_with(Verifier {
            secret: b"k3y",
            valid: valid.clone(),
        })
        .mount(&server)
        .await;
    let signer = Arc::new(HmacSigner {
        secret: b"k3y",
        calls: AtomicUsize::new(0),
    });
    let c = builder(config(), &server)
        .auth(rt::Auth::custom(signer.clone()))
        .build()
        .unwrap();
    // A PUT (safe to replay) with a query and a JSON body; the first attempt gets a 503.
    let req = rt::__private::Request::new(
        rt::http::Method::PUT,
        "putThing",
        "/things",
        "/things".into(),
    )
    .query_form("dry_run", &true, true)
    .body_json(&serde_json::json!({"n": 1}));
    c.send(req).await.unwrap();
    assert_eq!(signer.calls.load(Ordering::SeqCst), 2);
    assert_eq!(
        *valid.lock().unwrap(),
        [
            ("1700000001".to_owned(), true),
            ("1700000002".to_owned(), true)
        ]
    );

    // A wrong secret is rejected by the server.
    let wrong = builder(config(), &server)
        .auth(rt::Auth::custom(HmacSigner {
            secret: b"nope",
            calls: AtomicUsize::new(0),
        }))
        .build()
        .unwrap();
    let err = wrong.send(post("/things")).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
}
