//! Deadlines for attempts and calls, kept by one timer per client instead of one per
//! attempt.
//!
//! A tokio timer registered for every attempt costs more than its bookkeeping: whenever the
//! runtime's timer wheel was empty (between calls, typically), registering one wakes the
//! runtime's driver thread, which is an extra system call and often an extra context
//! switch per call — a few percent of a fast call (see "Runtime overhead per call" in
//! `BENCHMARKS.md`). Yet an attempt timeout almost never fires.
//!
//! So each attempt only records its deadline in a table shared by the client, and one
//! watcher task per runtime sleeps until the earliest deadline in it. A deadline later than
//! the watcher's target — the common case, the same timeout counted from a later start —
//! needs no timer operation at all, and an attempt that finishes just leaves its table slot:
//! the watcher is not told, wakes at its (now stale) target, finds nothing due and sleeps
//! until the next deadline. Only a deadline earlier than the target (a shorter per-request
//! timeout, or the first one after the watcher went idle) re-arms the watcher at once.
//!
//! Timing is the same as `tokio::time::timeout`: the future is polled first, and it fails
//! once the tokio clock reaches its deadline, so paused-time tests stay exact. The watcher
//! belongs to the runtime it was started on; a client used on another runtime starts
//! another, and a watcher stops when its client and attempts are gone.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use std::task::{Context, Poll, Waker};

use tokio::runtime::Handle;
use tokio::sync::Notify;
use tokio::time::{Instant, Sleep};

/// A client's deadlines: the watch of the runtime it was last used on.
#[derive(Default)]
pub(crate) struct Deadlines {
    watch: Mutex<Option<Arc<Watch>>>,
}

/// The deadline passed before the future finished.
#[derive(Debug)]
pub(crate) struct Elapsed;

impl Deadlines {
    /// Run `fut` until `deadline` (if there is one), like `tokio::time::timeout_at`.
    pub(crate) fn run<F: Future>(&self, deadline: Option<Instant>, fut: F) -> Timed<'_, F> {
        Timed {
            fut,
            deadline,
            deadlines: self,
            entry: None,
        }
    }

    /// The watch of the current runtime, started on first use there.
    fn watch(&self) -> Arc<Watch> {
        let runtime = Handle::current().id();
        let mut current = lock(&self.watch);
        match &*current {
            Some(watch) if watch.runtime == runtime => Arc::clone(watch),
            _ => {
                let watch = Watch::start(runtime);
                *current = Some(Arc::clone(&watch));
                watch
            }
        }
    }
}

/// A future with a deadline, made by [`Deadlines::run`].
///
/// Written out rather than as an `async fn` because an `async fn` keeps its arguments and
/// its locals in separate slots, so the future it wraps (a whole attempt, or a whole
/// call) would take its space twice.
pub(crate) struct Timed<'a, F> {
    fut: F,
    deadline: Option<Instant>,
    deadlines: &'a Deadlines,
    /// Taken on the first poll that has to wait.
    entry: Option<Entry>,
}

impl<F: Future> Future for Timed<'_, F> {
    type Output = Result<F::Output, Elapsed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: `fut` is pinned structurally: it is never moved out of `self` nor handed
        // out unpinned, and `Timed` implements neither `Unpin` by hand nor `Drop`. No other
        // field is treated as pinned.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: as above; `this` is only used to reach the fields.
        let fut = unsafe { Pin::new_unchecked(&mut this.fut) };
        if let Poll::Ready(output) = fut.poll(cx) {
            return Poll::Ready(Ok(output));
        }
        let Some(deadline) = this.deadline else {
            return Poll::Pending;
        };
        if Instant::now() >= deadline {
            return Poll::Ready(Err(Elapsed));
        }
        let deadlines = this.deadlines;
        this.entry
            .get_or_insert_with(|| Entry {
                watch: deadlines.watch(),
                slot: None,
            })
            .register(deadline, cx.waker());
        Poll::Pending
    }
}

/// The deadlines of one client on one runtime, and the way to its watcher.
struct Watch {
    runtime: tokio::runtime::Id,
    table: Mutex<Table>,
    /// Wakes the watcher: an earlier deadline arrived, or the watch is gone.
    notify: Arc<Notify>,
}

#[derive(Default)]
struct Table {
    slots: Vec<Option<Slot>>,
    free: Vec<usize>,
    /// The watcher's target, when it is armed; a registration earlier than this wakes it.
    armed: Option<Instant>,
}

struct Slot {
    deadline: Instant,
    waker: Waker,
}

impl Watch {
    fn start(runtime: tokio::runtime::Id) -> Arc<Watch> {
        let notify = Arc::new(Notify::new());
        let watch = Arc::new(Watch {
            runtime,
            table: Mutex::default(),
            notify: Arc::clone(&notify),
        });
        // Made here, in the caller's context, so that a runtime without timers fails the
        // call at once, as `tokio::time::timeout` would, rather than the watcher later.
        let sleep = tokio::time::sleep_until(Instant::now());
        tokio::spawn(watcher(Arc::downgrade(&watch), notify, sleep));
        watch
    }

    /// Wake every attempt whose deadline has passed; the earliest deadline still ahead
    /// becomes the watcher's target.
    fn expire(&self) -> Option<Instant> {
        let now = Instant::now();
        let mut due = Vec::new();
        let mut table = lock(&self.table);
        let mut next: Option<Instant> = None;
        for slot in table.slots.iter().flatten() {
            if slot.deadline <= now {
                due.push(slot.waker.clone());
            } else {
                next = Some(next.map_or(slot.deadline, |at| at.min(slot.deadline)));
            }
        }
        table.armed = next;
        drop(table);
        // Woken outside the lock: a waker may run code that registers again.
        due.into_iter().for_each(Waker::wake);
        next
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // The watcher holds only a weak reference; this lets it see that and stop.
        self.notify.notify_one();
    }
}

/// Sleep until the earliest deadline, wake what is due, repeat; stop with the watch.
async fn watcher(watch: Weak<Watch>, notify: Arc<Notify>, sleep: Sleep) {
    let mut sleep = std::pin::pin!(sleep);
    loop {
        let Some(next) = watch.upgrade().map(|watch| watch.expire()) else {
            return;
        };
        match next {
            Some(at) => {
                sleep.as_mut().reset(at);
                tokio::select! {
                    () = &mut sleep => {}
                    () = notify.notified() => {}
                }
            }
            None => notify.notified().await,
        }
    }
}

/// One future's place in the table; leaving it is all that finishing takes.
struct Entry {
    watch: Arc<Watch>,
    slot: Option<usize>,
}

impl Entry {
    fn register(&mut self, deadline: Instant, waker: &Waker) {
        let mut table = lock(&self.watch.table);
        if let Some(slot) = self
            .slot
            .and_then(|i| table.slots.get_mut(i))
            .and_then(Option::as_mut)
        {
            if !slot.waker.will_wake(waker) {
                slot.waker = waker.clone();
            }
            return;
        }
        let slot = Some(Slot {
            deadline,
            waker: waker.clone(),
        });
        let index = match table.free.pop() {
            Some(index) => {
                table.slots[index] = slot;
                index
            }
            None => {
                table.slots.push(slot);
                table.slots.len() - 1
            }
        };
        self.slot = Some(index);
        let earlier = table.armed.is_none_or(|at| deadline < at);
        if earlier {
            table.armed = Some(deadline);
        }
        drop(table);
        if earlier {
            self.watch.notify.notify_one();
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        // The watcher is not told: it wakes at its target anyway and finds this gone.
        if let Some(index) = self.slot.take() {
            let mut table = lock(&self.watch.table);
            if let Some(slot) = table.slots.get_mut(index) {
                *slot = None;
                table.free.push(index);
            }
        }
    }
}

/// The table stays consistent whatever panicked while holding it (every change is one
/// assignment), so a poisoned lock is used as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn never() -> std::future::Pending<()> {
        std::future::pending()
    }

    fn after(seconds: f64) -> Option<Instant> {
        Some(Instant::now() + Duration::from_secs_f64(seconds))
    }

    #[tokio::test(start_paused = true)]
    async fn a_future_that_finishes_in_time_is_not_touched() {
        let deadlines = Deadlines::default();
        let fut = async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            7
        };
        assert_eq!(deadlines.run(after(5.0), fut).await.unwrap(), 7);
        assert_eq!(deadlines.run(None, async { 8 }).await.unwrap(), 8);
    }

    #[tokio::test(start_paused = true)]
    async fn a_deadline_fires_exactly_on_time_even_after_a_later_one_was_abandoned() {
        let deadlines = Deadlines::default();
        let start = Instant::now();
        // Abandoned at 100 ms, leaving the watcher set for 60 s.
        let abandoned = deadlines.run(after(60.0), never());
        assert!(
            tokio::time::timeout(Duration::from_millis(100), abandoned)
                .await
                .is_err()
        );
        assert!(deadlines.run(after(2.0), never()).await.is_err());
        assert_eq!(start.elapsed(), Duration::from_millis(2100));
        assert!(deadlines.run(after(60.0), never()).await.is_err());
        assert_eq!(start.elapsed(), Duration::from_millis(62100));
    }

    #[tokio::test(start_paused = true)]
    async fn the_watcher_stops_with_its_deadlines() {
        let tasks = Handle::current().metrics();
        let before = tasks.num_alive_tasks();
        let deadlines = Deadlines::default();
        assert!(deadlines.run(after(1.0), never()).await.is_err());
        assert_eq!(tasks.num_alive_tasks(), before + 1);
        drop(deadlines);
        for _ in 0..3 {
            tokio::task::yield_now().await;
        }
        assert_eq!(tasks.num_alive_tasks(), before);
    }

    #[test]
    fn each_runtime_gets_its_own_watcher() {
        let deadlines = Deadlines::default();
        for _ in 0..2 {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .unwrap();
            runtime.block_on(async {
                let start = Instant::now();
                assert!(deadlines.run(after(3.0), never()).await.is_err());
                assert_eq!(start.elapsed(), Duration::from_secs(3));
            });
        }
    }
}
