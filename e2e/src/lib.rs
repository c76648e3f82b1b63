//! End-to-end tests only (see `tests/`): the real server in-process with
//! the CLI client's whole demo and, in headless Chromium, the page.
