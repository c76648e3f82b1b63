//! A call guarded by a local breaker allocates nothing in the layer: the
//! requests, responses and trailers are made before counting starts, and a
//! global allocator of the test's own counts every allocation made while
//! the calls run, whether the status comes in the headers or the trailers.
#![cfg(not(target_arch = "wasm32"))]

use http::{HeaderMap, HeaderValue, Request, Response};
use http_body::{Body, Frame};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::convert::Infallible;
use std::future::Ready;
use std::pin::Pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll, Waker};
use tower::{Layer, Service};
use tripbreaker::{ManualClock, Settings, SharedBreaker};
use tripbreaker_tower::CircuitBreakerLayer;

/// The system allocator, counting the allocations of the thread that asks.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTED.with(Cell::get) {
            ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A body that is nothing but its trailers.
struct TrailersOnly(Option<HeaderMap>);

impl Body for TrailersOnly {
    type Data = bytes::Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<bytes::Bytes>, Infallible>>> {
        Poll::Ready(self.0.take().map(|trailers| Ok(Frame::trailers(trailers))))
    }
}

/// Answers each call with the next of the responses it was given.
#[derive(Clone)]
struct Answers(Rc<RefCell<Vec<Response<TrailersOnly>>>>);

impl Service<Request<()>> for Answers {
    type Response = Response<TrailersOnly>;
    type Error = Infallible;
    type Future = Ready<Result<Response<TrailersOnly>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<()>) -> Self::Future {
        std::future::ready(Ok(self
            .0
            .borrow_mut()
            .pop()
            .expect("one response per call")))
    }
}

fn status(code: &'static str) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("grpc-status", HeaderValue::from_static(code));
    headers
}

const CALLS: usize = 100;

#[test]
fn a_call_through_a_local_breaker_allocates_nothing() {
    for status_in_trailers in [true, false] {
        let responses = (0..CALLS)
            .map(|_| {
                if status_in_trailers {
                    Response::new(TrailersOnly(Some(status("0"))))
                } else {
                    let mut response = Response::new(TrailersOnly(None));
                    *response.headers_mut() = status("14");
                    response
                }
            })
            .collect();
        let requests: Vec<_> = (0..CALLS)
            .map(|_| Request::post("/greeter.Greeter/SayHello").body(()).unwrap())
            .collect();
        // Never trips, so every call goes through to the service.
        let settings = Settings {
            ready_to_trip: tripbreaker::TripRule::ConsecutiveFailures(u32::MAX),
            ..Settings::new("allocations")
        };
        let breaker = SharedBreaker::new(settings, ManualClock::new()).unwrap();
        let mut guarded = CircuitBreakerLayer::new(breaker.clone())
            .layer(Answers(Rc::new(RefCell::new(responses))));
        let mut context = Context::from_waker(Waker::noop());

        ALLOCATIONS.store(0, Ordering::SeqCst);
        COUNTED.with(|counted| counted.set(true));
        for request in requests {
            let future = std::pin::pin!(guarded.call(request));
            let Poll::Ready(Ok(response)) = future.poll(&mut context) else {
                panic!("a local breaker answers at once");
            };
            let mut body = std::pin::pin!(response.into_body());
            while let Poll::Ready(Some(_)) = body.as_mut().poll_frame(&mut context) {}
        }
        COUNTED.with(|counted| counted.set(false));

        let counts = breaker.counts();
        assert_eq!(
            counts.requests, CALLS as u32,
            "every call admitted and recorded"
        );
        assert_eq!(
            if status_in_trailers {
                counts.total_successes
            } else {
                counts.total_failures
            },
            CALLS as u32
        );
        assert_eq!(
            ALLOCATIONS.load(Ordering::SeqCst),
            0,
            "allocations during {CALLS} calls (status in the {})",
            if status_in_trailers {
                "trailers"
            } else {
                "headers"
            }
        );
    }
}
