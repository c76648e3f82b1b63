//! The locks of a [`SharedBreaker`](super::SharedBreaker).
//!
//! Natively, `parking_lot`'s mutex: one atomic each way uncontended, and a
//! brief spin before parking, which keeps two threads on one breaker cheap.
//! In the browser (wasm32 without the `atomics` feature) there is one thread
//! and nobody to park: `std`'s mutex is a flag there, and `parking_lot`'s
//! parking table would only add weight to the page's download.

#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
pub(super) use parking_lot::Mutex;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
pub(super) use single_thread::Mutex;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
mod single_thread {
    use std::sync::{MutexGuard, PoisonError, TryLockError};

    /// `std`'s mutex with `parking_lot`'s signatures: never poisoned (the
    /// breaker is consistent between operations, so a panic leaves it
    /// usable), and `try_lock` gives `None` while it is held.
    pub(in crate::shared) struct Mutex<T>(std::sync::Mutex<T>);

    impl<T> Mutex<T> {
        pub(in crate::shared) fn new(value: T) -> Self {
            Mutex(std::sync::Mutex::new(value))
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
