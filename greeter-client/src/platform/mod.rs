//! What differs between a native program and the browser, and nothing
//! else: the transport, the clock and how to wait. Each target compiles
//! exactly one of these modules, with the same names.

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(not(target_arch = "wasm32"))]
mod native;

#[cfg(target_arch = "wasm32")]
pub use browser::*;
#[cfg(not(target_arch = "wasm32"))]
pub use native::*;
