//! The locks and atomics of a [`SharedBreaker`](super::SharedBreaker): the
//! one place that picks them, so the model checker can swap in its own.
//!
//! Natively, `parking_lot`'s mutex: one atomic each way uncontended, and a
//! brief spin before parking, which keeps two threads on one breaker cheap.
//! In the browser (wasm32 without the `atomics` feature) there is one thread
//! and nobody to park: `std`'s mutex is a flag there, and `parking_lot`'s
//! parking table would only add weight to the page's download. Under
//! `--cfg loom` (tests/loom.rs), loom's mutex and atomics, whose every
//! interleaving loom explores.

#[cfg(not(loom))]
pub(super) use core::sync::atomic::{AtomicU64, Ordering};
#[cfg(loom)]
pub(super) use loom::sync::atomic::{AtomicU64, Ordering};

#[cfg(not(any(loom, all(target_arch = "wasm32", not(target_feature = "atomics")))))]
pub(super) use parking_lot::Mutex;

#[cfg(any(loom, all(target_arch = "wasm32", not(target_feature = "atomics"))))]
pub(super) use std_like::Mutex;

#[cfg(any(loom, all(target_arch = "wasm32", not(target_feature = "atomics"))))]
mod std_like {
    #[cfg(loom)]
    use loom::sync::{Mutex as Inner, MutexGuard};
    #[cfg(not(loom))]
    use std::sync::{Mutex as Inner, MutexGuard};
    use std::sync::{PoisonError, TryLockError};

    /// `std`'s (or loom's) mutex with `parking_lot`'s signatures: never
    /// poisoned (the breaker is consistent between operations, so a panic
    /// leaves it usable), and `try_lock` gives `None` while it is held.
    pub(in crate::shared) struct Mutex<T>(Inner<T>);

    impl<T> Mutex<T> {
        pub(in crate::shared) fn new(value: T) -> Self {
            Mutex(Inner::new(value))
        }

        pub(in crate::shared) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }

        pub(in crate::shared) fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
            match self.0.try_lock() {
                Ok(guard) => Some(guard),
                Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => None,
            }
        }
    }
}
