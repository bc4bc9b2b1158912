//! [`Dedup`]: remembering event ids so that a re-delivered event is processed once.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

/// A record of the event ids already processed.
///
/// Providers deliver at least once, so the same event can arrive twice (a timeout, a
/// retry, a manual redelivery). After a delivery verifies, ask [`seen`](Self::seen) with
/// its event id: `false` means process it, `true` means it was handled already and the
/// right answer is a `2xx` without processing it again. If processing then fails, call
/// [`forget`](Self::forget) so the provider's retry is processed rather than swallowed.
///
/// The trait is synchronous because the check must be one atomic "record it, and tell me
/// whether it was there", which an in-process store does under a lock in nanoseconds; a
/// synchronous trait is also object-safe and callable from any framework, async or not,
/// without boxing futures. A store shared by several servers (a database's
/// insert-if-absent, Redis `SET NX`) is naturally async: call it directly from your async
/// handler rather than through this trait.
pub trait Dedup: Send + Sync {
    /// Records `event_id` as seen at `now` and reports whether it had already been seen
    /// (and not forgotten or expired).
    fn seen(&self, event_id: &str, now: SystemTime) -> bool;

    /// Forgets `event_id`, so that its next delivery is processed.
    fn forget(&self, event_id: &str);
}

/// A bounded in-memory [`Dedup`]: the most recent `capacity` ids, each remembered for
/// `ttl`.
///
/// Memory stays bounded however many events arrive: once `capacity` ids are held, the
/// oldest is dropped to make room. Size it to cover the provider's retry window (Stripe
/// retries for up to three days, most others for hours) at your event rate; an id dropped
/// early only means a late re-delivery is processed a second time, which is why processing
/// should still be idempotent where it can be. Time is the `now` passed to
/// [`seen`](Dedup::seen), so expiry is exact in tests. Memory is per process: several
/// servers behind a load balancer each have their own.
///
/// # Example
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use sdkgen_runtime::webhooks::{Dedup, InMemoryDedup};
///
/// let dedup = InMemoryDedup::new(2, Duration::from_secs(60));
/// let t0 = SystemTime::UNIX_EPOCH;
/// assert!(!dedup.seen("evt_1", t0));
/// assert!(dedup.seen("evt_1", t0 + Duration::from_secs(59)));
/// assert!(!dedup.seen("evt_1", t0 + Duration::from_secs(60)), "expired");
/// ```
#[derive(Debug)]
pub struct InMemoryDedup {
    capacity: usize,
    ttl: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// When each remembered id was recorded.
    recorded: HashMap<String, SystemTime>,
    /// Ids in the order they were recorded, oldest first. An entry whose time no longer
    /// matches `recorded` was recorded again later, and is skipped.
    order: VecDeque<(String, SystemTime)>,
}

impl InMemoryDedup {
    /// Remembers up to `capacity` ids for `ttl` each. A capacity of zero remembers nothing.
    pub fn new(capacity: usize, ttl: Duration) -> Self {
        Self {
            capacity,
            ttl,
            state: Mutex::new(State::default()),
        }
    }

    /// How many ids are remembered now, expired ones included until they are dropped.
    pub fn len(&self) -> usize {
        self.lock().recorded.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update of the state completes before anything could panic, so a poisoned
        // lock still guards consistent data.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn expired(&self, recorded: SystemTime, now: SystemTime) -> bool {
        // A `now` earlier than the record (a clock stepped back) counts as not expired.
        now.duration_since(recorded)
            .is_ok_and(|age| age >= self.ttl)
    }
}

impl Dedup for InMemoryDedup {
    fn seen(&self, event_id: &str, now: SystemTime) -> bool {
        if self.capacity == 0 {
            return false;
        }
        let mut state = self.lock();
        let State { recorded, order } = &mut *state;
        if recorded
            .get(event_id)
            .is_some_and(|at| !self.expired(*at, now))
        {
            return true;
        }
        // Drop stale and expired entries from the old end, and the oldest live ones beyond
        // capacity, so that the map holds at most `capacity` ids. The queue may also hold
        // entries made stale by a clock that stepped back; the second bound caps those.
        while let Some((id, at)) = order.front() {
            let live = recorded.get(id) == Some(at);
            let full =
                recorded.len() >= self.capacity || order.len() >= self.capacity.saturating_mul(2);
            if live && !full && !self.expired(*at, now) {
                break;
            }
            if live {
                recorded.remove(id);
            }
            order.pop_front();
        }
        recorded.insert(event_id.to_owned(), now);
        order.push_back((event_id.to_owned(), now));
        false
    }

    fn forget(&self, event_id: &str) {
        let mut state = self.lock();
        state.recorded.remove(event_id);
        state.order.retain(|(id, _)| id != event_id);
    }
}
