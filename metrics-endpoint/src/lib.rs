//! The Prometheus endpoint a binary of this project serves its metrics on
//! (`--metrics-addr`): `metrics-exporter-prometheus`'s HTTP listener, which
//! answers every path (Prometheus asks for `/metrics`) in the text format,
//! behind one rule: a non-loopback address only when asked for, since the
//! metrics name the calls a process makes.
//!
//! Libraries record through the `metrics` facade; installing the exporter is
//! the binary's choice, made once at start-up.
//!
//! ```
//! use metrics_endpoint::{check_addr, MetricsError};
//!
//! assert!(check_addr("127.0.0.1:9464".parse().unwrap(), false).is_ok());
//! let refused = check_addr("0.0.0.0:9464".parse().unwrap(), false).unwrap_err();
//! assert!(matches!(refused, MetricsError::NotLoopback { .. }));
//! assert!(check_addr("0.0.0.0:9464".parse().unwrap(), true).is_ok());
//! ```

use std::net::SocketAddr;

use metrics_exporter_prometheus::PrometheusBuilder;

/// Why the metrics endpoint could not be served.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// The address is not a loopback one, and public metrics were not asked for.
    #[error(
        "--metrics-addr {addr} is not a loopback address: anyone who can reach it reads the \
         metrics; add --metrics-public to serve them there anyway"
    )]
    NotLoopback {
        /// The address refused.
        addr: SocketAddr,
    },
    /// The listener could not be made (the address is in use, say) or the
    /// exporter not installed.
    #[error("cannot serve metrics on {addr}: {reason}")]
    Serve {
        /// The address asked for.
        addr: SocketAddr,
        /// What went wrong, as the exporter says it.
        reason: String,
    },
}

/// Checks that `addr` may serve metrics: loopback, or `public` allowed.
pub fn check_addr(addr: SocketAddr, public: bool) -> Result<(), MetricsError> {
    if addr.ip().is_loopback() || public {
        Ok(())
    } else {
        Err(MetricsError::NotLoopback { addr })
    }
}

/// Serves every metric recorded through the `metrics` facade at
/// `http://addr/metrics`, from now until the process ends. Call it once,
/// inside a Tokio runtime (the listener runs on it).
pub fn serve(addr: SocketAddr, public: bool) -> Result<(), MetricsError> {
    check_addr(addr, public)?;
    PrometheusBuilder::new()
        .with_http_listener(addr)
        .install()
        .map_err(|error| MetricsError::Serve {
            addr,
            reason: error.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn an_address_in_use_is_told_and_a_free_one_serves() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let error = serve(addr, false).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with(&format!("cannot serve metrics on {addr}: "))
        );
        assert!(error.to_string().contains("in use"), "{error}");
        drop(taken);

        serve(addr, false).unwrap();
        metrics::counter!("endpoint_test_total").increment(3);
        let mut socket = tokio::net::TcpStream::connect(addr).await.unwrap();
        socket
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut answer = String::new();
        socket.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("endpoint_test_total 3"), "{answer}");
    }
}
