//! The benchmarks themselves.

use criterion::{BenchmarkId, Criterion, black_box, criterion_group};
use failsafe::{CircuitBreaker as _, Config, backoff, failure_policy};
use recloser::Recloser;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tripbreaker::{
    CircuitBreaker, ManualClock, MonotonicClock, Outcome, Settings, SharedBreaker, TripRule,
};

fn settings() -> Settings {
    Settings {
        max_requests: 3,
        timeout: Duration::from_secs(5),
        ready_to_trip: TripRule::ConsecutiveFailures(3),
        ..Settings::new("bench")
    }
}

fn failsafe_breaker() -> impl failsafe::CircuitBreaker + Clone + Send + Sync + 'static {
    Config::new()
        .failure_policy(failure_policy::consecutive_failures(
            3,
            backoff::constant(Duration::from_secs(5)),
        ))
        .build()
}

fn recloser_breaker() -> Recloser {
    Recloser::custom()
        .error_rate(0.5)
        .closed_len(3)
        .half_open_len(3)
        .open_wait(Duration::from_secs(5))
        .build()
}

fn ok() -> Result<u32, ()> {
    Ok(black_box(1))
}

fn single_thread(c: &mut Criterion) {
    let mut group = c.benchmark_group("closed: admit + success, 1 thread");
    let mut core = CircuitBreaker::new(settings(), MonotonicClock::new()).unwrap();
    group.bench_function("breaker (core, &mut)", |b| {
        b.iter(|| {
            // Opaque to the optimizer: every call reads and writes the breaker.
            let core = black_box(&mut core);
            let ticket = core.try_acquire().unwrap();
            core.record(ticket, Outcome::Success);
        })
    });
    let shared = SharedBreaker::new(settings(), MonotonicClock::new()).unwrap();
    group.bench_function("breaker (SharedBreaker)", |b| {
        b.iter(|| shared.acquire().unwrap().record(Outcome::Success))
    });
    // The Go demo's interval: time is read on every call, so admission and
    // outcome take the lock.
    let timed = Settings {
        interval: Duration::from_secs(10),
        ..settings()
    };
    let locked = SharedBreaker::new(timed, MonotonicClock::new()).unwrap();
    group.bench_function("breaker (SharedBreaker, 10 s interval)", |b| {
        b.iter(|| locked.acquire().unwrap().record(Outcome::Success))
    });
    let failsafe = failsafe_breaker();
    group.bench_function("failsafe 1.3", |b| b.iter(|| failsafe.call(ok).unwrap()));
    let recloser = recloser_breaker();
    group.bench_function("recloser 1.4", |b| b.iter(|| recloser.call(ok).unwrap()));
    group.finish();
}

/// One call through a breaker, shareable between threads.
type Call = Arc<dyn Fn() + Send + Sync>;

/// Wall time for `threads` threads each making `iters` calls on one shared breaker.
fn contended(threads: usize, iters: u64, call: Call) -> Duration {
    let start = Arc::new(std::sync::Barrier::new(threads + 1));
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (start, call) = (Arc::clone(&start), Arc::clone(&call));
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..iters {
                    call();
                }
            })
        })
        .collect();
    start.wait();
    let began = Instant::now();
    for worker in workers {
        worker.join().unwrap();
    }
    began.elapsed()
}

fn two_threads(c: &mut Criterion) {
    let mut group = c.benchmark_group("closed: admit + success, 2 threads, one breaker");
    let shared = SharedBreaker::new(settings(), MonotonicClock::new()).unwrap();
    let failsafe = failsafe_breaker();
    let recloser = Arc::new(recloser_breaker());
    let peers: [(&str, Call); 3] = [
        (
            "breaker (SharedBreaker)",
            Arc::new(move || shared.acquire().unwrap().record(Outcome::Success)),
        ),
        (
            "failsafe 1.3",
            Arc::new(move || {
                failsafe.call(ok).unwrap();
            }),
        ),
        (
            "recloser 1.4",
            Arc::new(move || {
                recloser.call(ok).unwrap();
            }),
        ),
    ];
    for (name, call) in peers {
        group.bench_function(BenchmarkId::from_parameter(name), |b| {
            b.iter_custom(|iters| contended(2, iters, Arc::clone(&call)))
        });
    }
    group.finish();
}

fn other_paths(c: &mut Criterion) {
    let mut group = c.benchmark_group("breaker paths");
    let clock = ManualClock::new();
    let mut open = CircuitBreaker::new(settings(), &clock).unwrap();
    open.force_open();
    group.bench_function("open: reject", |b| {
        b.iter(|| black_box(black_box(&mut open).try_acquire()).unwrap_err())
    });

    let clock = MonotonicClock::new();
    let mut half_open = CircuitBreaker::new(
        Settings {
            timeout: Duration::from_nanos(1),
            ..settings()
        },
        clock,
    )
    .unwrap();
    for _ in 0..3 {
        let ticket = half_open.try_acquire().unwrap();
        half_open.record(ticket, Outcome::Failure);
    }
    std::thread::sleep(Duration::from_millis(1));
    group.bench_function("half-open: admit + exclude", |b| {
        b.iter(|| {
            let half_open = black_box(&mut half_open);
            let ticket = half_open.try_acquire().unwrap();
            half_open.cancel(ticket);
        })
    });
    let shared = SharedBreaker::new(settings(), MonotonicClock::new()).unwrap();
    shared.force_open();
    group.bench_function("open: reject (SharedBreaker)", |b| {
        b.iter(|| black_box(shared.acquire()).unwrap_err())
    });
    // The floor under any exact shared count of admissions and successes:
    // two uncontended atomic read-modify-writes, as the lock-free path does.
    let word = std::sync::atomic::AtomicU64::new(0);
    group.bench_function("floor: two atomic read-modify-writes", |b| {
        b.iter(|| {
            let word = black_box(&word);
            word.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
            word.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = single_thread, two_threads, other_paths
}
