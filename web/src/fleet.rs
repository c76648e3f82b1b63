//! The shared breakers of a fleet (breaker.v1.Fleet): listed, watched live
//! and steered by name. Their messages become the page's own types in
//! `fleet_messages.rs`, stamped with when they arrived.

use crate::fleet_list::{FleetBreaker, FleetUpdate, Force};
use crate::fleet_messages;
use proto::breaker::v1 as pb;
use proto::breaker::v1::fleet_client::FleetClient;
use tonic::{Status, Streaming};
use tonic_web_wasm_client::Client;
use tripbreaker::BrowserClock;

/// What the server says when asked for its shared breakers.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    /// Whether the server has shared state at all; without it there is no
    /// breaker to show.
    pub shared_state: bool,
    /// Every shared breaker, as a snapshot.
    pub update: FleetUpdate,
}

/// Every shared breaker of `server`, as it is now.
pub async fn list(server: &str) -> Result<Listed, Status> {
    let reply = client(server).list(pb::ListRequest {}).await?.into_inner();
    Ok(Listed {
        shared_state: reply.shared_state,
        update: fleet_messages::snapshot(reply.breakers, BrowserClock::now_millis()),
    })
}

/// The live changes of `server`'s shared breakers: a snapshot first, then
/// each change. Read each with [`next`].
pub async fn watch(server: &str) -> Result<Streaming<pb::FleetUpdate>, Status> {
    Ok(client(server)
        .watch(pb::WatchRequest {})
        .await?
        .into_inner())
}

/// The next update of `stream`, `None` once the server ended it.
pub async fn next(stream: &mut Streaming<pb::FleetUpdate>) -> Result<Option<FleetUpdate>, Status> {
    let update = stream.message().await?;
    let received_at_ms = BrowserClock::now_millis();
    Ok(update.map(|update| fleet_messages::update(update, received_at_ms)))
}

/// Forces the breaker called `name` open or closed for `ttl_ms`, saying
/// why; the answer is the breaker as it is after.
pub async fn force(
    server: &str,
    name: &str,
    force: Force,
    ttl_ms: u64,
    reason: &str,
) -> Result<FleetBreaker, Status> {
    let request = pb::ForceRequest {
        name: name.to_owned(),
        force: fleet_messages::force(force).into(),
        ttl_ms,
        reason: reason.to_owned(),
    };
    let breaker = client(server).force(request).await?.into_inner();
    Ok(fleet_messages::breaker(breaker, BrowserClock::now_millis()))
}

/// Ends the force on the breaker called `name`; the answer is the breaker
/// as it is after.
pub async fn release(server: &str, name: &str) -> Result<FleetBreaker, Status> {
    let request = pb::ReleaseRequest {
        name: name.to_owned(),
    };
    let breaker = client(server).release(request).await?.into_inner();
    Ok(fleet_messages::breaker(breaker, BrowserClock::now_millis()))
}

fn client(server: &str) -> FleetClient<Client> {
    FleetClient::new(Client::new(server.to_owned()))
}
