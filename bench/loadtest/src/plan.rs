//! Which setups one run measures, and in which order.

use bench_results::{Protocol, Server, Setup};

/// An HTTP version the gRPC-Web setups use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WebHttp {
    /// HTTP/1.1.
    #[value(name = "1.1")]
    Http1,
    /// h2, cleartext with prior knowledge.
    #[value(name = "2")]
    Http2,
}

impl WebHttp {
    fn protocol(self) -> Protocol {
        match self {
            WebHttp::Http1 => Protocol::GrpcWebHttp1,
            WebHttp::Http2 => Protocol::GrpcWebHttp2,
        }
    }
}

/// Every setup for these connection counts: on the greeter server native
/// gRPC and gRPC-Web over each of `web_http`, the same gRPC-Web setups on
/// the bare handler (the ceiling) and on each peer. Grouped by connection
/// count, so setups compared with each other run close together in time.
pub fn setups(connection_counts: &[usize], web_http: &[WebHttp], peers: &[String]) -> Vec<Setup> {
    let web: Vec<Protocol> = web_http.iter().map(|http| http.protocol()).collect();
    let mut setups = Vec::new();
    for &connections in connection_counts {
        let setup = |server: &Server, protocol| Setup {
            server: server.clone(),
            protocol,
            connections,
        };
        setups.push(setup(&Server::Greeter, Protocol::NativeGrpc));
        let servers = [Server::Greeter, Server::BareHyper]
            .into_iter()
            .chain(peers.iter().map(|url| Server::Peer { url: url.clone() }));
        for server in servers {
            setups.extend(web.iter().map(|&protocol| setup(&server, protocol)));
        }
    }
    setups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_each_protocol_at_each_connection_count() {
        let both = [WebHttp::Http1, WebHttp::Http2];
        let setups = setups(&[1, 32], &both, &["http://127.0.0.1:8080".into()]);
        assert_eq!(setups.len(), 2 * 7);
        for connections in [1, 32] {
            let count = |server: Server, protocol| {
                setups
                    .iter()
                    .filter(|s| {
                        **s == Setup {
                            server: server.clone(),
                            protocol,
                            connections,
                        }
                    })
                    .count()
            };
            assert_eq!(count(Server::Greeter, Protocol::NativeGrpc), 1);
            let peer = Server::Peer {
                url: "http://127.0.0.1:8080".into(),
            };
            for server in [Server::Greeter, Server::BareHyper, peer.clone()] {
                assert_eq!(count(server.clone(), Protocol::GrpcWebHttp1), 1);
                assert_eq!(count(server, Protocol::GrpcWebHttp2), 1);
            }
            assert_eq!(count(peer, Protocol::NativeGrpc), 0, "peers speak gRPC-Web");
        }
    }

    #[test]
    fn runs_one_connection_count_after_the_other() {
        let counts: Vec<usize> = setups(&[32, 1], &[WebHttp::Http1, WebHttp::Http2], &[])
            .iter()
            .map(|s| s.connections)
            .collect();
        assert_eq!(counts, [32, 32, 32, 32, 32, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn leaves_out_the_http_versions_not_asked_for() {
        let setups = setups(&[4], &[WebHttp::Http1], &["http://127.0.0.1:8080".into()]);
        let protocols: Vec<Protocol> = setups.iter().map(|s| s.protocol).collect();
        use Protocol::*;
        assert_eq!(
            protocols,
            [NativeGrpc, GrpcWebHttp1, GrpcWebHttp1, GrpcWebHttp1]
        );
    }
}
