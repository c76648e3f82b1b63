//! End-to-end tests (see `tests/`): the real server in-process with the CLI
//! client's whole demo and, in headless Chromium, the page; and README's
//! screenshots of the page, taken the same way (`examples/screenshots.rs`).
