//! Keys past the keyed layer's capacity never grow memory: the bytes held
//! once it is full stay the same after thousands of new keys, counted by a
//! global allocator of the test's own.
#![cfg(not(target_arch = "wasm32"))]

use http::{Request, Response};
use http_body_util::Empty;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::task::{Context, Poll, Waker};
use tower::{Layer, Service};
use tripbreaker::{ManualClock, Settings};
use tripbreaker_tower::KeyedCircuitBreakerLayer;

/// The system allocator, counting the bytes held by the threads that ask
/// (the test's own, not the harness's).
struct Counting;

static HELD: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn count(bytes: isize) {
    if COUNTED.with(Cell::get) {
        HELD.fetch_add(bytes, Ordering::SeqCst);
    }
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CAPACITY: usize = 256;

#[test]
fn keys_past_the_capacity_never_grow_memory() {
    COUNTED.with(|counted| counted.set(true));
    let clock = Arc::new(ManualClock::new());
    let layer = KeyedCircuitBreakerLayer::new(Settings::new("memory"), Arc::clone(&clock))
        .unwrap()
        .with_capacity(CAPACITY);
    let ok = tower::service_fn(|_: Request<()>| async {
        let mut response = Response::new(Empty::<bytes::Bytes>::new());
        response
            .headers_mut()
            .insert("grpc-status", "0".parse().unwrap());
        Ok::<_, Infallible>(response)
    });
    let mut guarded = layer.layer(ok);
    // Keys of one length, so each new key holds as many bytes as the one it
    // replaces; each call a nanosecond after the last, so the idlest is the
    // oldest (with equal times any of them could go).
    let mut call = |n: usize| {
        clock.advance(std::time::Duration::from_nanos(1));
        let request = Request::post(format!("/svc.Svc/Method{n:08}"))
            .body(())
            .unwrap();
        let future = std::pin::pin!(guarded.call(request));
        let answered = future.poll(&mut Context::from_waker(Waker::noop()));
        assert!(matches!(answered, Poll::Ready(Ok(_))));
    };
    for n in 0..CAPACITY {
        call(n);
    }
    let full = HELD.load(Ordering::SeqCst);
    for n in CAPACITY..CAPACITY * 40 {
        call(n);
    }
    let after = HELD.load(Ordering::SeqCst);
    println!(
        "{CAPACITY} breakers: {full} bytes held when full, {after} after {} more keys",
        CAPACITY * 39
    );
    assert!(
        after <= full,
        "{} bytes more after new keys past the capacity",
        after - full
    );
    assert_eq!(guarded.len(), CAPACITY);
    assert!(
        guarded
            .breaker(&format!("/svc.Svc/Method{:08}", CAPACITY * 40 - 1))
            .is_some()
    );
    assert!(
        guarded.breaker("/svc.Svc/Method00000000").is_none(),
        "evicted"
    );
}
