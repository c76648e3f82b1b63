//! Layers a benchmark may leave out (`--bench-without`, hidden from
//! `--help`), so the cost of each is measured on the same binary: what a
//! profile of the whole server cannot separate. Never for serving: each one
//! is a limit or a guard.

/// A layer of the server's gRPC path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchLayer {
    /// The `Host` and `Origin` guard.
    Guard,
    /// CORS.
    Cors,
    /// gRPC-Web translation (gRPC-Web calls then fail).
    GrpcWeb,
    /// The request body limits (size, idle time, deadline).
    BodyLimits,
    /// The call log.
    CallLog,
    /// The server's deadline on every call.
    Deadline,
    /// SayHello's pool of calls at once and its queue.
    QueueLimit,
}

/// Whether `layer` stays in, `without` being the layers left out.
pub(crate) fn keeps(without: &[BenchLayer], layer: BenchLayer) -> bool {
    !without.contains(&layer)
}
