//! HMAC request signing with a custom [`AuthProvider`].
//!
//! Many APIs (exchanges, payment gateways, webhook relays) authenticate a request by a
//! signature over its content instead of a bearer token. The runtime calls
//! [`AuthProvider::apply`] with the final request of *every attempt*, after the URL,
//! headers and body are settled, so the signature covers exactly what is sent and a retry
//! is signed afresh with a new timestamp.
//!
//! The scheme here is a common one: the string to sign is
//!
//! ```text
//! METHOD \n PATH?QUERY \n TIMESTAMP \n hex(sha256(body))
//! ```
//!
//! and the request carries `x-api-key`, `x-timestamp` and
//! `x-signature: hex(hmac_sha256(secret, string_to_sign))`.
//!
//! Run it with `cargo run -p sdkgen-runtime --example hmac_signing`: it starts a local
//! server that recomputes the signature and answers 401 when it does not match.

use std::time::Duration;

use futures::future::BoxFuture;
use hmac::{KeyInit, Mac};
use sdkgen_runtime::secrecy::{ExposeSecret, SecretString};
use sdkgen_runtime::{self as rt, AuthProvider};
use sha2::{Digest, Sha256};

/// Signs every attempt with HMAC-SHA256. The secret lives in a `SecretString`, so it
/// never shows up in `Debug` output.
struct HmacSigner {
    key_id: String,
    secret: SecretString,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The string to sign: method, path with query, timestamp and the body's SHA-256.
fn string_to_sign(method: &str, path_and_query: &str, timestamp: &str, body: &[u8]) -> String {
    format!(
        "{method}\n{path_and_query}\n{timestamp}\n{}",
        hex(&Sha256::digest(body))
    )
}

fn hmac_hex(secret: &[u8], message: &str) -> String {
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key size");
    mac.update(message.as_bytes());
    hex(&mac.finalize().into_bytes())
}

impl AuthProvider for HmacSigner {
    fn apply<'a>(
        &'a self,
        request: &'a mut rt::reqwest::Request,
    ) -> BoxFuture<'a, Result<(), rt::Error>> {
        Box::pin(async move {
            // A streaming body cannot be hashed without consuming it.
            let body = match request.body() {
                None => &[][..],
                Some(body) => body.as_bytes().ok_or_else(|| rt::Error::Auth {
                    message: "a streaming body cannot be signed".to_owned(),
                })?,
            };
            let url = request.url();
            let path_and_query = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            };
            let timestamp = rt::chrono::Utc::now().timestamp().to_string();
            let message =
                string_to_sign(request.method().as_str(), &path_and_query, &timestamp, body);
            let signature = hmac_hex(self.secret.expose_secret().as_bytes(), &message);
            let header = |value: &str| {
                rt::http::HeaderValue::from_str(value).map_err(|_| rt::Error::Auth {
                    message: "the signature is not a valid header value".to_owned(),
                })
            };
            let headers = request.headers_mut();
            headers.insert("x-api-key", header(&self.key_id)?);
            headers.insert("x-timestamp", header(&timestamp)?);
            let mut signature = header(&signature)?;
            signature.set_sensitive(true);
            headers.insert("x-signature", signature);
            Ok(())
        })
    }
}

/// The server side: recompute the signature from what arrived and compare.
struct Verifier {
    secret: &'static str,
}

impl wiremock::Respond for Verifier {
    fn respond(&self, req: &wiremock::Request) -> wiremock::ResponseTemplate {
        let header = |name: &str| {
            req.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let path_and_query = match req.url.query() {
            Some(query) => format!("{}?{query}", req.url.path()),
            None => req.url.path().to_owned(),
        };
        let message = string_to_sign(
            req.method.as_str(),
            &path_and_query,
            &header("x-timestamp"),
            &req.body,
        );
        if header("x-signature") == hmac_hex(self.secret.as_bytes(), &message) {
            wiremock::ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": "ord_1", "status": "accepted"}))
        } else {
            wiremock::ResponseTemplate::new(401)
                .set_body_json(serde_json::json!({"message": "bad signature"}))
        }
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), rt::Error> {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(Verifier { secret: "s3cr3t" })
        .mount(&server)
        .await;

    let client = rt::Client::builder(rt::ProviderConfig::new("exchange"))
        .base_url(server.uri())
        .timeout(Duration::from_secs(10))
        .auth(rt::Auth::custom(HmacSigner {
            key_id: "key_live_1".to_owned(),
            secret: SecretString::from("s3cr3t"),
        }))
        .build()?;
    // Generated crates build requests like this; `__private` is their interface.
    let request = rt::__private::Request::new(
        rt::http::Method::POST,
        "createOrder",
        "/v1/orders",
        "/v1/orders".to_owned(),
    )
    .query_form("dry_run", &true, true)
    .body_json(&serde_json::json!({"symbol": "BTC-USD", "qty": 1}));
    let raw = client.send(request).await?;
    let order: serde_json::Value = rt::__private::decode_json(&raw)?;
    println!("signed request accepted: {order}");

    let wrong = rt::Client::builder(rt::ProviderConfig::new("exchange"))
        .base_url(server.uri())
        .auth(rt::Auth::custom(HmacSigner {
            key_id: "key_live_1".to_owned(),
            secret: SecretString::from("wrong"),
        }))
        .build()?;
    let err = wrong
        .send(rt::__private::Request::new(
            rt::http::Method::GET,
            "listOrders",
            "/v1/orders",
            "/v1/orders".to_owned(),
        ))
        .await
        .expect_err("a wrong secret is rejected");
    println!("wrong secret rejected: {err}");
    Ok(())
}
