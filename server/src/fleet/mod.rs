//! `breaker.v1.Fleet`: the breakers a fleet of processes shares through
//! Redis (`--shared-state`), listed, watched live as a server stream and
//! forced or released by name.
//!
//! One `follower` task per server reads Redis; each watcher's stream
//! (`watcher`) only reads the follower's latest snapshot, so a watcher
//! costs the server a bounded amount of memory and Redis nothing, whatever
//! it does. Watchers are limited by `--max-watchers`; forcing and
//! releasing follow the fault controls' rule (`--faults`).

mod convert;
mod follower;
mod watcher;

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures_util::Stream;
use proto::breaker::v1::fleet_server::Fleet as FleetRpc;
use proto::breaker::v1::{
    FleetUpdate, ForceRequest, ListReply, ListRequest, ReleaseRequest, SharedBreaker, WatchRequest,
};
use tokio::sync::{Semaphore, watch};
use tonic::{Request, Response, Status};
use tripbreaker_redis::Fleet;

use follower::Snapshot;

/// The shared breakers, as this server follows them.
#[derive(Clone)]
struct Shared {
    fleet: Arc<Fleet>,
    snapshots: watch::Receiver<Arc<Snapshot>>,
}

/// The fleet service: with shared state, or answering that it has none.
#[derive(Clone)]
pub struct FleetService {
    shared: Option<Shared>,
    /// Whether Force and Release are served.
    steering: bool,
    /// One permit per watcher.
    watchers: Arc<Semaphore>,
    max_watchers: usize,
    /// True once the server stops: every stream ends.
    stopping: watch::Receiver<bool>,
}

/// Ends every watcher's stream when the server stops (when dropped too).
#[derive(Debug)]
pub struct StopWatchers(watch::Sender<bool>);

impl StopWatchers {
    /// Ends the streams now.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

impl FleetService {
    /// The service for the store at `shared_state` (none: it says there is
    /// none), with Force and Release only if `steering`, and at most
    /// `max_watchers` streams at once. Follows the store from now on, in a
    /// task of its own (call it inside a tokio runtime).
    pub fn new(
        shared_state: Option<&str>,
        steering: bool,
        max_watchers: usize,
    ) -> Result<(Self, StopWatchers), tripbreaker_redis::BuildError> {
        let shared = match shared_state {
            Some(url) => {
                let fleet = Arc::new(Fleet::connect(url)?);
                Some(Shared {
                    snapshots: follower::start(Arc::clone(&fleet)),
                    fleet,
                })
            }
            None => None,
        };
        let (stop, stopping) = watch::channel(false);
        let service = FleetService {
            shared,
            steering,
            watchers: Arc::new(Semaphore::new(max_watchers)),
            max_watchers,
            stopping,
        };
        Ok((service, StopWatchers(stop)))
    }

    fn shared(&self) -> Result<&Shared, Status> {
        self.shared.as_ref().ok_or_else(|| {
            Status::failed_precondition(
                "this server has no shared state (start it with --shared-state redis://…)",
            )
        })
    }

    fn steering(&self) -> Result<&Shared, Status> {
        if !self.steering {
            return Err(Status::permission_denied(
                "steering the shared breakers is off on this server, as its fault controls are (--faults)",
            ));
        }
        self.shared()
    }
}

/// How long List waits for the follower's first read.
const FIRST_READ_WAIT: Duration = Duration::from_secs(5);

#[tonic::async_trait]
impl FleetRpc for FleetService {
    async fn list(&self, _: Request<ListRequest>) -> Result<Response<ListReply>, Status> {
        let Some(shared) = &self.shared else {
            return Ok(Response::new(ListReply {
                shared_state: false,
                breakers: Vec::new(),
            }));
        };
        let mut snapshots = shared.snapshots.clone();
        let read = snapshots.wait_for(|snapshot| snapshot.loaded || snapshot.problem.is_some());
        let snapshot = match tokio::time::timeout(FIRST_READ_WAIT, read).await {
            Ok(Ok(snapshot)) => Arc::clone(&snapshot),
            _ => return Err(Status::unavailable("the shared state has not answered yet")),
        };
        if let Some(problem) = &snapshot.problem {
            return Err(Status::unavailable(format!(
                "the shared state cannot be read: {problem}"
            )));
        }
        Ok(Response::new(ListReply {
            shared_state: true,
            breakers: snapshot
                .breakers
                .values()
                .map(|entry| entry.breaker.clone())
                .collect(),
        }))
    }

    type WatchStream = Pin<Box<dyn Stream<Item = Result<FleetUpdate, Status>> + Send>>;

    async fn watch(&self, _: Request<WatchRequest>) -> Result<Response<Self::WatchStream>, Status> {
        let shared = self.shared()?;
        let permit = Arc::clone(&self.watchers)
            .try_acquire_owned()
            .map_err(|_| {
                crate::telemetry::refused(crate::telemetry::Limit::Watchers);
                Status::resource_exhausted(format!(
                    "{} watchers already (--max-watchers); try again later",
                    self.max_watchers
                ))
            })?;
        let updates = watcher::updates(shared.snapshots.clone(), self.stopping.clone(), permit);
        Ok(Response::new(Box::pin(updates)))
    }

    async fn force(
        &self,
        request: Request<ForceRequest>,
    ) -> Result<Response<SharedBreaker>, Status> {
        let shared = self.steering()?;
        let request = request.into_inner();
        let force = convert::requested_force(request.force)?;
        let ttl = Duration::from_millis(request.ttl_ms);
        let view = shared
            .fleet
            .force(&request.name, force, ttl, &request.reason)
            .await
            .map_err(|error| convert::status(&error))?;
        tracing::info!(
            name = %request.name,
            force = force.as_str(),
            ttl = %humantime::format_duration(ttl),
            reason = %request.reason,
            "shared breaker forced from the fleet service"
        );
        Ok(Response::new(convert::shared_breaker(&view)))
    }

    async fn release(
        &self,
        request: Request<ReleaseRequest>,
    ) -> Result<Response<SharedBreaker>, Status> {
        let shared = self.steering()?;
        let name = request.into_inner().name;
        let view = shared
            .fleet
            .release(&name)
            .await
            .map_err(|error| convert::status(&error))?;
        tracing::info!(%name, "shared breaker released from the fleet service");
        Ok(Response::new(convert::shared_breaker(&view)))
    }
}
