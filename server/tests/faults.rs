//! The fault controls (greeter.Faults) and their effect on SayHello.

mod common;

use common::{greeter, mode, say_hello, start, test_config};
use proto::greeter::fault_mode::Mode as PbMode;
use proto::greeter::{
    Failing, FaultMode, Flaky, GetStatusRequest, Healthy, ResetCountersRequest, Slow,
};
use server::Counters;
use tonic::Code;

fn counters(received: u64, answered: u64, succeeded: u64) -> Counters {
    Counters {
        received,
        answered,
        succeeded,
    }
}

#[tokio::test]
async fn failing_mode_answers_the_chosen_code_and_message() {
    let server = start(test_config()).await;
    let mut faults = common::faults(&server).await;
    let mut client = greeter(&server).await;

    faults
        .set_mode(mode(PbMode::Failing(Failing {
            code: Code::Unavailable as i32,
            message: "down for maintenance".into(),
        })))
        .await
        .unwrap();
    let status = say_hello(&mut client, "x").await.unwrap_err();
    assert_eq!(status.code(), Code::Unavailable);
    assert_eq!(status.message(), "down for maintenance");

    // Without a message, a default one.
    faults
        .set_mode(mode(PbMode::Failing(Failing {
            code: Code::Internal as i32,
            message: String::new(),
        })))
        .await
        .unwrap();
    let status = say_hello(&mut client, "x").await.unwrap_err();
    assert_eq!(status.code(), Code::Internal);
    assert_eq!(status.message(), server::faults::DEFAULT_FAULT_MESSAGE);

    // Back to healthy.
    faults
        .set_mode(mode(PbMode::Healthy(Healthy {})))
        .await
        .unwrap();
    assert_eq!(say_hello(&mut client, "x").await.unwrap(), "Hello x");
    assert_eq!(server.faults().counters(), counters(3, 3, 1));
}

#[tokio::test]
async fn no_mode_means_healthy() {
    let server = start(test_config()).await;
    server.faults().set_mode(server::faults::Mode::Slow {
        delay: std::time::Duration::from_millis(10),
    });
    let mut faults = common::faults(&server).await;
    let status = faults
        .set_mode(FaultMode { mode: None })
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(
        status.mode.unwrap().mode,
        Some(PbMode::Healthy(_))
    ));
}

#[tokio::test]
async fn flaky_ratio_zero_never_fails_and_one_always_fails() {
    let server = start(test_config()).await;
    let mut faults = common::faults(&server).await;
    let mut client = greeter(&server).await;

    faults
        .set_mode(mode(PbMode::Flaky(Flaky {
            failure_ratio: 0.0,
            code: Code::Unavailable as i32,
        })))
        .await
        .unwrap();
    for i in 0..20 {
        assert!(say_hello(&mut client, "ok").await.is_ok(), "call {i}");
    }

    faults
        .set_mode(mode(PbMode::Flaky(Flaky {
            failure_ratio: 1.0,
            code: Code::ResourceExhausted as i32,
        })))
        .await
        .unwrap();
    for i in 0..20 {
        let status = say_hello(&mut client, "ko").await.unwrap_err();
        assert_eq!(status.code(), Code::ResourceExhausted, "call {i}");
    }
    assert_eq!(server.faults().counters(), counters(40, 40, 20));
}

#[tokio::test]
async fn invalid_fault_input_is_rejected_and_keeps_the_mode() {
    let server = start(test_config()).await;
    let mut faults = common::faults(&server).await;
    let bad_modes = [
        PbMode::Failing(Failing {
            code: 0,
            message: String::new(),
        }),
        PbMode::Failing(Failing {
            code: 17,
            message: String::new(),
        }),
        PbMode::Failing(Failing {
            code: -3,
            message: String::new(),
        }),
        PbMode::Failing(Failing {
            code: 14,
            message: "m".repeat(257),
        }),
        PbMode::Flaky(Flaky {
            failure_ratio: 1.5,
            code: 14,
        }),
        PbMode::Flaky(Flaky {
            failure_ratio: -0.1,
            code: 14,
        }),
        PbMode::Flaky(Flaky {
            failure_ratio: f64::NAN,
            code: 14,
        }),
        PbMode::Flaky(Flaky {
            failure_ratio: 0.5,
            code: 0,
        }),
        PbMode::Slow(Slow { delay_ms: 60_001 }),
    ];
    for bad in bad_modes {
        let status = faults.set_mode(mode(bad.clone())).await.unwrap_err();
        assert_eq!(status.code(), Code::InvalidArgument, "{bad:?}: {status:?}");
    }
    assert_eq!(server.faults().mode(), server::faults::Mode::Healthy);

    // The largest accepted delay.
    let status = faults
        .set_mode(mode(PbMode::Slow(Slow { delay_ms: 60_000 })))
        .await
        .unwrap()
        .into_inner();
    assert!(matches!(
        status.mode.unwrap().mode,
        Some(PbMode::Slow(Slow { delay_ms: 60_000 }))
    ));
}

#[tokio::test]
async fn counters_status_and_reset() {
    let server = start(test_config()).await;
    let mut faults = common::faults(&server).await;
    let mut client = greeter(&server).await;

    say_hello(&mut client, "a").await.unwrap();
    say_hello(&mut client, "b").await.unwrap();
    say_hello(&mut client, "").await.unwrap_err();

    let status = faults
        .get_status(GetStatusRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (status.received, status.answered, status.succeeded),
        (3, 3, 2)
    );
    assert!(matches!(
        status.mode.unwrap().mode,
        Some(PbMode::Healthy(_))
    ));
    assert_eq!(server.faults().counters(), counters(3, 3, 2));

    let status = faults
        .reset_counters(ResetCountersRequest {})
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (status.received, status.answered, status.succeeded),
        (0, 0, 0)
    );
    assert_eq!(server.faults().counters(), Counters::default());

    // Fault calls themselves are not counted.
    faults.get_status(GetStatusRequest {}).await.unwrap();
    assert_eq!(server.faults().counters(), Counters::default());
}

#[tokio::test]
async fn slow_mode_delays_then_answers() {
    let server = start(test_config()).await;
    let mut faults = common::faults(&server).await;
    let mut client = greeter(&server).await;
    faults
        .set_mode(mode(PbMode::Slow(Slow { delay_ms: 150 })))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(say_hello(&mut client, "slow").await.unwrap(), "Hello slow");
    // A lower bound only: sleeping never ends early.
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    assert_eq!(server.faults().counters(), counters(1, 1, 1));
}

#[tokio::test]
async fn faults_off_means_unimplemented_and_greeter_still_works() {
    let server = start(server::Config {
        faults: server::FaultsSetting::Off,
        ..test_config()
    })
    .await;
    assert!(!server.faults_enabled());
    let mut faults = common::faults(&server).await;
    let status = faults.get_status(GetStatusRequest {}).await.unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented);
    let status = faults
        .set_mode(mode(PbMode::Failing(Failing {
            code: 14,
            message: String::new(),
        })))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unimplemented);

    // Over gRPC-Web too.
    let reply = common::grpc_web(
        &server.url(),
        "/greeter.Faults/GetStatus",
        &[],
        &common::WebCall::default(),
    )
    .await;
    assert_eq!(reply.grpc_status(), Some(12));

    let mut client = greeter(&server).await;
    assert_eq!(
        say_hello(&mut client, "still").await.unwrap(),
        "Hello still"
    );
}

#[tokio::test]
async fn faults_auto_is_on_for_loopback() {
    let server = start(server::Config {
        faults: server::FaultsSetting::Auto,
        ..test_config()
    })
    .await;
    assert!(server.faults_enabled());
    let mut faults = common::faults(&server).await;
    assert!(faults.get_status(GetStatusRequest {}).await.is_ok());
}
