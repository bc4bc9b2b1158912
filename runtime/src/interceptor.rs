//! Interceptors: hooks before each attempt is sent and after each attempt completes.
//!
//! Built-in behaviour goes through the same pipeline: authentication is the step that runs
//! first, user interceptors run after it in the order they were added, and tracing (which
//! records the attempt number, status and latency on the call's span) runs last.
//! `before_send` sees the final `reqwest::Request` of each attempt (so a signature covers
//! exactly what is sent, including the attempt header) and may fail the call;
//! `after_attempt` observes every attempt, including those that will be retried, which is
//! what metrics want.

use std::sync::Arc;

use futures::future::BoxFuture;
use http::{HeaderMap, Method, StatusCode};

use crate::auth::{AuthProvider, FixedCredential};
use crate::error::Error;

/// What an interceptor knows about the attempt in progress.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AttemptContext {
    /// The provider's name.
    pub provider: &'static str,
    /// The operation id.
    pub operation_id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template, e.g. `/v1/customers/{customer}` (never the rendered path).
    pub path_template: &'static str,
    /// The attempt number, from 1.
    pub attempt: u32,
    pub(crate) span: tracing::Span,
}

impl AttemptContext {
    /// The call's tracing span (`sdkgen.call`), for interceptors that record their own
    /// fields or parent their own spans.
    pub fn span(&self) -> &tracing::Span {
        &self.span
    }
}

/// How one attempt ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum AttemptOutcome<'a> {
    /// A response arrived (any status).
    Response {
        /// The status.
        status: StatusCode,
        /// The headers.
        headers: &'a HeaderMap,
        /// Time from sending to the whole body being read.
        latency: std::time::Duration,
    },
    /// No response: transport error or timeout.
    Failed(&'a Error),
}

/// A hook around every attempt.
pub trait Interceptor: Send + Sync + 'static {
    /// Called with the final request of each attempt, after authentication. Returning an
    /// error fails the call without sending.
    fn before_send<'a>(
        &'a self,
        ctx: &'a AttemptContext,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), Error>> {
        let _ = (ctx, request);
        Box::pin(std::future::ready(Ok(())))
    }

    /// Called after each attempt, whether or not it will be retried.
    fn after_attempt(&self, ctx: &AttemptContext, outcome: &AttemptOutcome<'_>) {
        let _ = (ctx, outcome);
    }
}

impl<T: Interceptor + ?Sized> Interceptor for Arc<T> {
    fn before_send<'a>(
        &'a self,
        ctx: &'a AttemptContext,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), Error>> {
        (**self).before_send(ctx, request)
    }

    fn after_attempt(&self, ctx: &AttemptContext, outcome: &AttemptOutcome<'_>) {
        (**self).after_attempt(ctx, outcome)
    }
}

/// One step of the pipeline every attempt goes through: built-in authentication first,
/// then the user's interceptors in the order they were added, then built-in tracing.
///
/// Every step sees the request exactly as the previous ones left it, whatever its kind.
/// The built-in steps are variants rather than `dyn Interceptor`s only so that the ones
/// that need no waiting (static credentials, tracing) run without allocating a boxed
/// future on every attempt.
pub(crate) enum Stage {
    /// Static credentials (bearer, basic, API key), applied synchronously.
    FixedAuth(Arc<FixedCredential>),
    /// Credentials that may have to be fetched (OAuth2, custom providers). The client keeps
    /// the provider too, to ask it about a `401`.
    Auth(Arc<dyn AuthProvider>),
    /// A user's interceptor.
    User(Arc<dyn Interceptor>),
    /// Records `attempt`, `status` and `latency_ms` on the call's span and emits one event
    /// per attempt.
    Tracing,
}

impl Stage {
    pub(crate) async fn before_send(
        &self,
        ctx: &AttemptContext,
        request: &mut reqwest::Request,
    ) -> Result<(), Error> {
        match self {
            Stage::FixedAuth(credential) => credential.apply(request),
            Stage::Auth(provider) => provider.apply(request).await,
            Stage::User(interceptor) => interceptor.before_send(ctx, request).await,
            Stage::Tracing => {
                ctx.span.record("attempt", ctx.attempt);
                Ok(())
            }
        }
    }

    pub(crate) fn after_attempt(&self, ctx: &AttemptContext, outcome: &AttemptOutcome<'_>) {
        match self {
            Stage::User(interceptor) => interceptor.after_attempt(ctx, outcome),
            Stage::Tracing => trace_attempt(ctx, outcome),
            Stage::FixedAuth(_) | Stage::Auth(_) => {}
        }
    }
}

fn trace_attempt(ctx: &AttemptContext, outcome: &AttemptOutcome<'_>) {
    match outcome {
        AttemptOutcome::Response {
            status, latency, ..
        } => {
            ctx.span.record("status", status.as_u16());
            ctx.span.record("latency_ms", latency.as_millis() as u64);
            tracing::debug!(
                attempt = ctx.attempt,
                status = status.as_u16(),
                latency_ms = latency.as_millis() as u64,
                "attempt answered"
            );
        }
        AttemptOutcome::Failed(error) => {
            tracing::debug!(attempt = ctx.attempt, error = %error, "attempt failed");
        }
    }
}
