//! The counts of a closed breaker over a fixed or rolling window: gobreaker
//! v2's `rollingCounts`, with room for `N` buckets inline so the core needs
//! no allocator. A fixed window keeps only its total (`N` may be 0).

use crate::Counts;

/// The window's total and, for a rolling window, its buckets, oldest to
/// newest in a ring indexed by age.
#[derive(Debug, Clone)]
pub(crate) struct Window<const N: usize> {
    total: Counts,
    /// Buckets started since the generation began (gobreaker's `age`).
    age: u64,
    /// How many buckets the settings ask for (at most `N`): 1 for a fixed
    /// window, which uses no slot.
    len: usize,
    buckets: [Counts; N],
}

/// Which bucket a call was admitted in: the window's age at admission.
pub(crate) type Age = u64;

impl<const N: usize> Window<N> {
    /// An empty window of `len` buckets (1 ..= `N`).
    pub(crate) fn new(len: usize) -> Self {
        debug_assert!((1..=N.max(1)).contains(&len));
        Window {
            total: Counts::default(),
            age: 0,
            len,
            buckets: [Counts::default(); N],
        }
    }

    /// The counts over the whole window.
    #[inline]
    pub(crate) fn total(&self) -> &Counts {
        &self.total
    }

    /// The age of the newest bucket: calls admitted now are counted in it.
    #[inline]
    pub(crate) fn age(&self) -> Age {
        self.age
    }

    /// Whether the window keeps buckets; a fixed window is only ever cleared whole.
    #[inline]
    pub(crate) fn is_rolling(&self) -> bool {
        self.len > 1
    }

    /// Forgets everything (a new generation).
    pub(crate) fn clear(&mut self) {
        self.total = Counts::default();
        self.age = 0;
        if self.is_rolling() {
            self.buckets[..self.len].fill(Counts::default());
        }
    }

    /// Counts an admitted call in the newest bucket.
    #[inline]
    pub(crate) fn on_request(&mut self) {
        self.total.on_request();
        if self.is_rolling() {
            let newest = self.index(self.age);
            self.buckets[newest].on_request();
        }
    }

    /// Counts an outcome in the bucket of `age`, unless that bucket has left
    /// the window.
    #[inline]
    pub(crate) fn on_outcome(&mut self, age: Age, count: impl Fn(&mut Counts)) {
        if age > self.age || self.age - age >= self.len as u64 {
            return;
        }
        count(&mut self.total);
        if self.is_rolling() {
            let slot = self.index(age);
            count(&mut self.buckets[slot]);
        }
    }

    /// Counts `admissions` calls and `successes` successes of the current
    /// generation at once. Fixed windows only (a rolling window needs to
    /// know each call's bucket).
    pub(crate) fn absorb(&mut self, admissions: u32, successes: u32) {
        debug_assert!(!self.is_rolling());
        self.total.requests = self.total.requests.saturating_add(admissions);
        self.total.on_successes(successes);
    }

    /// Moves the window on to bucket `age`, dropping the buckets that leave it.
    pub(crate) fn grow(&mut self, age: Age) {
        if age <= self.age {
            return;
        }
        if age - self.age >= self.len as u64 {
            self.clear();
            self.age = age;
            return;
        }
        while self.age < age {
            self.age += 1;
            let oldest = self.index(self.age);
            self.subtract(oldest);
            self.buckets[oldest] = Counts::default();
        }
    }

    fn index(&self, age: Age) -> usize {
        (age % self.len as u64) as usize
    }

    /// Takes the bucket in slot `oldest` out of the total. The streaks follow
    /// gobreaker's rule: a streak loses the evicted bucket's own streak only
    /// when it equals that streak plus the other buckets' totals of its kind.
    fn subtract(&mut self, oldest: usize) {
        let bucket = self.buckets[oldest];
        let (mut successes, mut failures) =
            (bucket.consecutive_successes, bucket.consecutive_failures);
        for (slot, other) in self.buckets[..self.len].iter().enumerate() {
            if slot != oldest {
                successes = successes.saturating_add(other.total_successes);
                failures = failures.saturating_add(other.total_failures);
            }
        }
        let total = &mut self.total;
        if total.consecutive_successes == successes {
            total.consecutive_successes = total
                .consecutive_successes
                .saturating_sub(bucket.consecutive_successes);
        }
        if total.consecutive_failures == failures {
            total.consecutive_failures = total
                .consecutive_failures
                .saturating_sub(bucket.consecutive_failures);
        }
        total.requests = total.requests.saturating_sub(bucket.requests);
        total.total_successes = total.total_successes.saturating_sub(bucket.total_successes);
        total.total_failures = total.total_failures.saturating_sub(bucket.total_failures);
        total.total_exclusions = total
            .total_exclusions
            .saturating_sub(bucket.total_exclusions);
    }
}
