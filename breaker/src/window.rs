//! The counts of a closed breaker over a fixed or rolling window, held inline.

use crate::{Counts, settings::MAX_BUCKETS};

/// Counts kept per bucket, oldest to newest, in a ring; their sum is `total`.
/// A fixed window is a window of one bucket.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    total: Counts,
    buckets: [Counts; MAX_BUCKETS],
    /// The ring index of the newest bucket.
    newest: usize,
    /// Buckets in use (1..=capacity).
    len: usize,
    capacity: usize,
    /// The sequence number of the newest bucket: one more per bucket started.
    newest_seq: u64,
}

/// Which bucket a call was admitted in.
pub(crate) type BucketSeq = u64;

impl Window {
    /// An empty window of `capacity` buckets (1..=MAX_BUCKETS).
    pub(crate) fn new(capacity: usize) -> Self {
        Window {
            total: Counts::default(),
            buckets: [Counts::default(); MAX_BUCKETS],
            newest: 0,
            len: 1,
            capacity: capacity.clamp(1, MAX_BUCKETS),
            newest_seq: 0,
        }
    }

    /// The counts over the whole window.
    #[inline]
    pub(crate) fn total(&self) -> &Counts {
        &self.total
    }

    /// How many buckets the window spans.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Forgets everything: one empty bucket.
    pub(crate) fn clear(&mut self) {
        self.total = Counts::default();
        self.buckets[self.newest] = Counts::default();
        self.len = 1;
    }

    /// The bucket calls admitted now are counted in.
    #[inline]
    pub(crate) fn newest_seq(&self) -> BucketSeq {
        self.newest_seq
    }

    /// Starts `ended` new buckets, dropping the oldest ones that no longer fit.
    pub(crate) fn advance(&mut self, ended: u64) {
        if ended >= self.capacity as u64 {
            self.clear();
            self.newest_seq = self.newest_seq.wrapping_add(ended);
        } else {
            for _ in 0..ended {
                self.rotate();
            }
        }
    }

    /// Starts a new bucket, dropping the oldest once the window is full.
    fn rotate(&mut self) {
        self.newest_seq = self.newest_seq.wrapping_add(1);
        self.newest = (self.newest + 1) % self.capacity;
        let reused = core::mem::take(&mut self.buckets[self.newest]);
        if self.len < self.capacity {
            self.len += 1;
        } else {
            // The ring was full: the slot just reused held the oldest bucket.
            self.subtract(&reused);
        }
    }

    fn subtract(&mut self, old: &Counts) {
        let total = &mut self.total;
        // A streak that spans the whole window loses the evicted bucket's
        // share of it (gobreaker's rule); a shorter streak is left as it is.
        if total.consecutive_successes == total.total_successes {
            total.consecutive_successes -=
                old.consecutive_successes.min(total.consecutive_successes);
        }
        if total.consecutive_failures == total.total_failures {
            total.consecutive_failures -= old.consecutive_failures.min(total.consecutive_failures);
        }
        total.requests = total.requests.saturating_sub(old.requests);
        total.total_successes = total.total_successes.saturating_sub(old.total_successes);
        total.total_failures = total.total_failures.saturating_sub(old.total_failures);
        total.total_exclusions = total.total_exclusions.saturating_sub(old.total_exclusions);
        total.consecutive_successes = total.consecutive_successes.min(total.total_successes);
        total.consecutive_failures = total.consecutive_failures.min(total.total_failures);
    }

    /// The ring index of bucket `seq`, if it is still in the window.
    fn slot(&self, seq: BucketSeq) -> Option<usize> {
        let age = self.newest_seq.wrapping_sub(seq);
        if age == 0 {
            return Some(self.newest); // the common case, without a division
        }
        (age < self.len as u64)
            .then(|| (self.newest + self.capacity - age as usize) % self.capacity)
    }

    /// Whether the window keeps per-bucket counts: a fixed window (one
    /// bucket) is only ever cleared whole, so its total is all it needs.
    #[inline]
    fn rolling(&self) -> bool {
        self.capacity > 1
    }

    /// Counts an admitted call in the newest bucket.
    #[inline]
    pub(crate) fn on_request(&mut self) {
        self.total.on_request();
        if self.rolling() {
            self.buckets[self.newest].on_request();
        }
    }

    /// Counts an outcome in the bucket its call was admitted in; `false` (and
    /// nothing counted) if that bucket has left the window.
    #[inline]
    pub(crate) fn on_outcome(&mut self, seq: BucketSeq, count: impl Fn(&mut Counts)) -> bool {
        if !self.rolling() {
            if seq != self.newest_seq {
                return false;
            }
            count(&mut self.total);
            return true;
        }
        let Some(slot) = self.slot(seq) else {
            return false;
        };
        count(&mut self.total);
        count(&mut self.buckets[slot]);
        true
    }
}
