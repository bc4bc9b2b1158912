//! Streamed response bodies under the read timeout and the call's deadline.
//!
//! A streaming call (`send_streaming`, server-sent events) returns once the headers
//! arrive, so neither the attempt timeout nor the total timeout of the send loop covers
//! its body. Without a bound here, a server that sends its headers and then nothing keeps
//! the caller waiting forever. [`TimedBody`] wraps the body's chunk stream: when no chunk
//! arrives for the read timeout, or the call's deadline passes, it yields one
//! [`Error::Timeout`] and ends. Whatever parses the chunks (the event-stream parser, a
//! download) sees the timeout as the stream's last item.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;
use tokio::time::{Instant, Sleep};

use crate::error::{Error, TimeoutKind};

/// A chunk stream that fails with [`Error::Timeout`] when it goes idle for `read`, or
/// when the call's deadline (`total`: when, and the total timeout it came from) passes.
pub(crate) struct TimedBody<S> {
    inner: S,
    read: Option<Duration>,
    total: Option<(Instant, Duration)>,
    /// The timer of the current wait, made on the first poll that has to wait (so the
    /// stream can be made outside a runtime), and reset after each chunk.
    timer: Option<Pin<Box<Sleep>>>,
    /// Which timeout the timer stands for.
    kind: TimeoutKind,
    done: bool,
}

impl<S> TimedBody<S> {
    pub(crate) fn new(
        inner: S,
        read: Option<Duration>,
        total: Option<(Instant, Duration)>,
    ) -> Self {
        TimedBody {
            inner,
            read,
            total,
            timer: None,
            kind: TimeoutKind::Read,
            done: false,
        }
    }

    /// When the next wait ends, and for which timeout: the read timeout from now, or the
    /// call's deadline if that comes first.
    fn next_deadline(&mut self) -> Option<Instant> {
        let idle = self.read.and_then(|d| Instant::now().checked_add(d));
        let (at, kind) = match (idle, self.total) {
            (Some(idle), Some((end, _))) if end <= idle => (end, TimeoutKind::Total),
            (Some(idle), _) => (idle, TimeoutKind::Read),
            (None, Some((end, _))) => (end, TimeoutKind::Total),
            (None, None) => return None,
        };
        self.kind = kind;
        Some(at)
    }
}

impl<S> Stream for TimedBody<S>
where
    S: Stream<Item = Result<bytes::Bytes, Error>> + Unpin,
{
    type Item = Result<bytes::Bytes, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        if this.done {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                // Progress: the idle clock starts again from this chunk.
                if let Some(at) = this.next_deadline() {
                    if let Some(timer) = &mut this.timer {
                        timer.as_mut().reset(at);
                    }
                }
                return Poll::Ready(Some(Ok(chunk)));
            }
            Poll::Ready(other) => {
                this.done = true;
                return Poll::Ready(other);
            }
            Poll::Pending => {}
        }
        if this.timer.is_none() {
            let Some(at) = this.next_deadline() else {
                return Poll::Pending;
            };
            this.timer = Some(Box::pin(tokio::time::sleep_until(at)));
        }
        let Some(timer) = &mut this.timer else {
            return Poll::Pending;
        };
        if timer.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.done = true;
        let after = match this.kind {
            TimeoutKind::Total => this.total.map(|(_, after)| after),
            _ => this.read,
        };
        Poll::Ready(Some(Err(Error::Timeout {
            kind: this.kind,
            after: after.unwrap_or_default(),
        })))
    }
}
