//! Interceptors: hooks before each attempt is sent and after each attempt completes.
//!
//! Authentication is the built-in interceptor that runs first; user interceptors run after
//! it in the order they were added. `before_send` sees the final `reqwest::Request` of each
//! attempt (so a signature covers exactly what is sent, including the attempt header) and
//! may fail the call; `after_attempt` observes every attempt, including those that will be
//! retried, which is what metrics want.

use futures::future::BoxFuture;
use http::{HeaderMap, Method, StatusCode};

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
