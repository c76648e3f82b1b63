//! Shared by the native tests (and by e2e's, through `#[path]`).

pub mod refused;
