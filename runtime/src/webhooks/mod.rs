//! Verifying webhook deliveries: is this request really from the provider, unchanged and
//! recent?
//!
//! Each provider signs its deliveries its own way, so each has a verifier named after it,
//! built the way the provider's own SDK is (`new(secret)` and options such as
//! `tolerance` and `add_secret`) and checked with `verify`:
//!
//! | Provider | Verifier | What is signed |
//! | --- | --- | --- |
//! | Stripe | [`StripeVerifier`] | HMAC-SHA256 of `"{t}.{body}"`, `Stripe-Signature: t=…,v1=…` |
//! | GitHub | [`GitHubVerifier`] | HMAC-SHA256 of the body, `X-Hub-Signature-256: sha256=…` |
//! | Standard Webhooks (OpenAI, Svix) | [`StandardWebhooks`] | HMAC-SHA256 of `"{id}.{timestamp}.{body}"` |
//! | Twilio | [`TwilioVerifier`] | HMAC-SHA1 of the URL and the sorted POST parameters |
//! | SendGrid event webhook | [`SendGridVerifier`] | ECDSA P-256 over `timestamp + body` |
//! | Slack | [`SlackVerifier`] | HMAC-SHA256 of `"v0:{ts}:{body}"`, `X-Slack-Signature: v0=…` |
//! | anyone else | [`HmacVerifier`] | configurable header, prefix, hash, encoding and timestamp |
//!
//! Every verifier reads the raw body bytes, exactly as they arrived: a body that was parsed
//! and serialized again no longer matches its signature. `verify` takes an
//! [`http::HeaderMap`], and `verify_parts` takes the header values as strings, so any
//! framework can call it (Twilio's are [`TwilioVerifier::verify_params`] for a form it has
//! already parsed and [`TwilioVerifier::verify_body`] for a JSON body, as in Twilio's own
//! libraries).
//!
//! # Rules every verifier follows
//!
//! - **Time is a parameter.** Schemes with a timestamp take `now`, so a test can pass a
//!   fixed instant and a server passes [`SystemTime::now`](std::time::SystemTime::now).
//!   A timestamp further than the tolerance from `now`, in the past *or* in the future,
//!   is rejected, because a signed delivery replayed later is still perfectly signed.
//! - **The signature is checked before the timestamp.** An unauthenticated sender then
//!   only ever learns [`WebhookError::SignatureMismatch`], not which of its guesses came
//!   close.
//! - **Comparison is constant time**, and a signature of the wrong length is simply a
//!   mismatch.
//! - **Secrets rotate.** Every scheme with a shared secret accepts several (`add_secret`),
//!   and a delivery signed with any of them is accepted, so a new secret can be deployed
//!   before the provider switches to it. Where the provider sends several signatures
//!   (Stripe, Standard Webhooks), any of them may match.
//! - **An empty secret verifies nothing**, so an unset environment variable fails closed
//!   instead of accepting deliveries anyone could sign with an empty key.
//! - **Secrets never leak.** They are held in [`secrecy`] types, the verifiers' `Debug`
//!   shows only how many there are, and no [`WebhookError`] contains one.
//!
//! # Receiving deliveries in a server
//!
//! Verification needs the body exactly as it arrived, so it runs before anything parses
//! the body:
//!
//! - **Any framework** that hands out an [`http::Request`]: read the body into memory
//!   with the framework's size limit, then call [`Verify::verify_request`] or, for a
//!   generated crate's typed events, [`construct_event_from_request`]. Answer a refusal
//!   with [`WebhookError::status`] (`401` for a signature or timestamp that does not
//!   verify, `400` for a missing or malformed header or payload).
//! - **axum**, with this crate's `axum` feature: the extractors `webhooks::axum::Verified<E>`
//!   (a typed event) and `webhooks::axum::VerifiedBody<V>` (the raw bytes) read the body
//!   within axum's `DefaultBodyLimit` (2 MB unless raised; GitHub's payloads reach 25 MB),
//!   verify it at `SystemTime::now()` with the verifier from the router's state, parse it,
//!   and answer a refusal themselves, before the handler runs.
//!
//! # Processing a delivery once
//!
//! Providers deliver *at least* once: a delivery that timed out is sent again, with the
//! same signature or a fresh one. The [`Dedup`] trait, and its bounded in-memory default
//! [`InMemoryDedup`], remembers event ids so that a re-delivery can be acknowledged
//! (answered `2xx`) without being processed twice. Where the id lives depends on the
//! provider:
//!
//! | Provider | Event id | How to read it |
//! | --- | --- | --- |
//! | Stripe | `id` in the JSON body | [`StripeVerifier::event_id`] |
//! | GitHub | `X-GitHub-Delivery` header | [`GitHubVerifier::delivery_id`] |
//! | Standard Webhooks | `webhook-id` header | [`StandardWebhooks::message_id`] |
//! | Twilio | `I-Twilio-Idempotency-Token` header | [`TwilioVerifier::idempotency_token`] |
//! | Slack Events API | `event_id` in the JSON body | [`SlackVerifier::event_id`] |
//! | SendGrid | `sg_event_id` of each event in the JSON array | read it per event while processing |
//!
//! Only ask the store after the delivery verified; otherwise anyone could fill it with ids.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use sdkgen_runtime::webhooks::{Dedup, GitHubVerifier, InMemoryDedup};
//!
//! let dedup = InMemoryDedup::new(10_000, Duration::from_secs(24 * 60 * 60));
//! let mut headers = http::HeaderMap::new();
//! headers.insert("x-github-delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958".parse()?);
//!
//! let now = SystemTime::now();
//! let id = GitHubVerifier::delivery_id(&headers).unwrap_or_default();
//! assert!(!dedup.seen(id, now), "first delivery: process it");
//! assert!(dedup.seen(id, now), "re-delivery: acknowledge it and do nothing");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(feature = "axum")]
pub mod axum;
mod common;
mod dedup;
mod event;
mod generic;
mod github;
mod sendgrid;
mod slack;
mod standard;
mod stripe;
mod twilio;

pub use dedup::{Dedup, InMemoryDedup};
pub use event::{
    Verify, WebhookEvent, construct_event, construct_event_from_request, from_value,
    from_value_boxed, parse_json,
};
pub use generic::{HmacAlgorithm, HmacVerifier, SignatureEncoding};
pub use github::GitHubVerifier;
pub use sendgrid::SendGridVerifier;
pub use slack::SlackVerifier;
pub use standard::StandardWebhooks;
pub use stripe::StripeVerifier;
pub use twilio::TwilioVerifier;

use std::time::Duration;

use http::HeaderName;

/// Why a webhook delivery was rejected.
///
/// Each variant is a different thing to fix, so a server can log it and answer the
/// provider (usually `400` or `401`) without guessing. No variant carries a secret, and
/// none carries the signature that was received.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A header the scheme needs is absent. Often the request did not come from the
    /// provider at all, or a proxy dropped the header.
    #[error("webhook header `{0}` is missing")]
    MissingHeader(HeaderName),
    /// A header is present but cannot be read: not ASCII, no timestamp, no signature of the
    /// version this verifier knows, a wrong prefix or an undecodable signature.
    #[error("webhook header `{name}` is malformed: {reason}")]
    MalformedHeader {
        /// The header that could not be read.
        name: HeaderName,
        /// What was wrong with it.
        reason: &'static str,
    },
    /// The signature is valid but its timestamp is further from `now` than the tolerance
    /// allows, in the past (a replay, or a queue that held it too long) or in the future
    /// (a clock that is wrong).
    #[error(
        "webhook timestamp {timestamp} is outside the tolerance of {} s around {now}",
        tolerance.as_secs()
    )]
    TimestampOutsideTolerance {
        /// The signed timestamp, in Unix seconds.
        timestamp: i64,
        /// The `now` that was passed to `verify`, in Unix seconds.
        now: i64,
        /// The tolerance that was configured.
        tolerance: Duration,
    },
    /// No configured secret produces any signature the delivery carries: the body or a
    /// signed header was changed, the secret is wrong, or the request is forged.
    #[error("webhook signature does not match")]
    SignatureMismatch,
    /// A configured secret or public key is not in the format the provider issues (for
    /// example a Standard Webhooks secret that is not base64 after `whsec_`).
    #[error("webhook secret is malformed: {0}")]
    InvalidSecret(&'static str),
    /// The delivery verified, but its body is not what the event's schema describes:
    /// not JSON, or a field of the wrong type. Raised only by typed events, after
    /// verification, so it always concerns a genuine delivery.
    #[error("webhook payload of event `{event}` does not parse: {reason}")]
    InvalidPayload {
        /// The event type the delivery named, such as `issues.opened`.
        event: String,
        /// Where the body did not fit and why.
        reason: String,
    },
}

impl WebhookError {
    /// The status to answer the sender with, for servers that answer a rejected delivery
    /// themselves (the `axum` feature's extractors answer with it).
    ///
    /// | Error | Status | Why |
    /// | --- | --- | --- |
    /// | [`SignatureMismatch`](Self::SignatureMismatch), [`TimestampOutsideTolerance`](Self::TimestampOutsideTolerance) | `401 Unauthorized` | the delivery is not, or no longer, authentic (a changed body, a wrong secret, a forgery or a replay); GitHub's documentation answers a signature that does not match with `401` |
    /// | [`MissingHeader`](Self::MissingHeader), [`MalformedHeader`](Self::MalformedHeader) | `400 Bad Request` | a header the scheme (or the event's name) needs is absent or unreadable: the request is not shaped like a delivery; Stripe's samples answer every verification failure with `400` |
    /// | [`InvalidPayload`](Self::InvalidPayload) | `400 Bad Request` | a genuine delivery whose body is not the event it names |
    /// | [`InvalidSecret`](Self::InvalidSecret) | `500 Internal Server Error` | the receiver's configuration is wrong, not the delivery |
    ///
    /// Providers treat every status outside `2xx` as a failed delivery (Stripe retries it
    /// for up to three days; GitHub shows it in the webhook's recent deliveries), so the
    /// choice between `400` and `401` is for the people reading logs and dashboards.
    #[must_use]
    pub fn status(&self) -> http::StatusCode {
        match self {
            Self::SignatureMismatch | Self::TimestampOutsideTolerance { .. } => {
                http::StatusCode::UNAUTHORIZED
            }
            Self::InvalidSecret(_) => http::StatusCode::INTERNAL_SERVER_ERROR,
            Self::MissingHeader(_) | Self::MalformedHeader { .. } | Self::InvalidPayload { .. } => {
                http::StatusCode::BAD_REQUEST
            }
        }
    }
}
