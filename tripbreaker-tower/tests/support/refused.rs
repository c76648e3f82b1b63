//! A loopback address where nothing listens.

use std::net::SocketAddr;
use tokio::net::TcpSocket;

/// A loopback port that is bound but not listening, for as long as this
/// lives: a connection to it is refused at once, and the port is not given
/// to anyone else meanwhile. (A listener bound and dropped frees its port,
/// which a server another test starts at the same time may then be given.)
pub struct RefusedPort {
    socket: TcpSocket,
}

impl RefusedPort {
    /// Binds a free loopback port.
    pub fn bind() -> RefusedPort {
        let socket = TcpSocket::new_v4().expect("a TCP socket");
        socket
            .bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .expect("a free loopback port");
        RefusedPort { socket }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("a bound socket's address")
    }
}
