//! Interceptors: hooks before each attempt is sent and after each attempt completes.
//!
//! Built-in behaviour uses the same mechanism: authentication is the interceptor that runs
//! first, user interceptors run after it in the order they were added, and tracing (which
//! records the attempt number, status and latency on the call's span) runs last. `before_send` sees the final `reqwest::Request` of each
//! attempt (so a signature covers exactly what is sent, including the attempt header) and
//! may fail the call; `after_attempt` observes every attempt, including those that will be
//! retried, which is what metrics want.

use futures::future::BoxFuture;
use http::{HeaderMap, Method, StatusCode};

use crate::auth::AuthProvider;
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

impl<T: Interceptor + ?Sized> Interceptor for std::sync::Arc<T> {
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

/// Built-in authentication as an interceptor: applies the [`AuthProvider`]'s credentials to
/// each attempt. The client keeps the provider too, to ask it about a `401`.
pub(crate) struct AuthInterceptor(pub(crate) std::sync::Arc<dyn AuthProvider>);

impl Interceptor for AuthInterceptor {
    fn before_send<'a>(
        &'a self,
        _ctx: &'a AttemptContext,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), Error>> {
        self.0.apply(request)
    }
}

/// Built-in tracing as an interceptor: records `attempt`, `status` and `latency_ms` on the
/// call's span and emits one event per attempt.
pub(crate) struct TracingInterceptor;

impl Interceptor for TracingInterceptor {
    fn before_send<'a>(
        &'a self,
        ctx: &'a AttemptContext,
        _request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), Error>> {
        ctx.span.record("attempt", ctx.attempt);
        Box::pin(std::future::ready(Ok(())))
    }

    fn after_attempt(&self, ctx: &AttemptContext, outcome: &AttemptOutcome<'_>) {
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
}
