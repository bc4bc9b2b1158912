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
    /// stream can be made outside a runtime) and reset when the next wait starts.
    timer: Option<Pin<Box<Sleep>>>,
    /// Which timeout the timer stands for.
    kind: TimeoutKind,
    /// Whether the timer is set for the current wait; cleared by each chunk.
    waiting: bool,
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
            waiting: false,
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
                // The idle clock starts again when the caller next waits, so time the
                // caller spends on this chunk never counts against the server.
                this.waiting = false;
                return Poll::Ready(Some(Ok(chunk)));
            }
            Poll::Ready(other) => {
                this.done = true;
                return Poll::Ready(other);
            }
            Poll::Pending => {}
        }
        if !this.waiting {
            let Some(at) = this.next_deadline() else {
                return Poll::Pending;
            };
            match &mut this.timer {
                Some(timer) => timer.as_mut().reset(at),
                None => this.timer = Some(Box::pin(tokio::time::sleep_until(at))),
            }
            this.waiting = true;
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

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use futures::StreamExt as _;
    use futures::stream::BoxStream;
    use tokio::sync::mpsc;

    use super::*;

    type Chunks = mpsc::UnboundedSender<Result<Bytes, Error>>;

    fn body() -> (Chunks, BoxStream<'static, Result<Bytes, Error>>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let stream = futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|chunk| (chunk, rx))
        });
        (tx, stream.boxed())
    }

    #[tokio::test(start_paused = true)]
    async fn a_silent_body_times_out_a_read_timeout_after_the_caller_starts_waiting() {
        let (tx, inner) = body();
        let mut timed = TimedBody::new(inner, Some(Duration::from_secs(5)), None);
        tx.send(Ok(Bytes::from_static(b"a"))).unwrap();
        let start = Instant::now();
        assert_eq!(timed.next().await.unwrap().unwrap(), "a");
        // A slow caller does not count against the server.
        tokio::time::sleep(Duration::from_secs(30)).await;
        match timed.next().await {
            Some(Err(Error::Timeout { kind, after })) => {
                assert_eq!(kind, TimeoutKind::Read);
                assert_eq!(after, Duration::from_secs(5));
            }
            other => panic!("expected a read timeout, got {other:?}"),
        }
        assert_eq!(start.elapsed(), Duration::from_secs(35));
        assert!(
            timed.next().await.is_none(),
            "the stream ends at its timeout"
        );
        drop(tx);
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_keeps_coming_ends_at_the_total_deadline() {
        let (tx, inner) = body();
        let start = Instant::now();
        let total = Duration::from_secs(10);
        let mut timed = TimedBody::new(
            inner,
            Some(Duration::from_secs(5)),
            Some((start + total, total)),
        );
        let sender = tokio::spawn(async move {
            for _ in 0..100 {
                if tx.send(Ok(Bytes::from_static(b"."))).is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
        let mut chunks = 0;
        let error = loop {
            match timed.next().await {
                Some(Ok(_)) => chunks += 1,
                Some(Err(e)) => break e,
                None => panic!("the body ended without an error"),
            }
            assert!(chunks <= 100);
        };
        assert!(
            matches!(error, Error::Timeout { kind: TimeoutKind::Total, after } if after == total)
        );
        assert_eq!(start.elapsed(), total);
        assert_eq!(chunks, 10);
        sender.abort();
    }

    #[tokio::test(start_paused = true)]
    async fn without_timeouts_a_body_is_passed_through() {
        let (tx, inner) = body();
        let mut timed = TimedBody::new(inner, None, None);
        tx.send(Ok(Bytes::from_static(b"x"))).unwrap();
        drop(tx);
        assert_eq!(timed.next().await.unwrap().unwrap(), "x");
        assert!(timed.next().await.is_none());
    }
}
