//! The process's file-descriptor limit: raised to the most allowed at
//! start-up, and checked against what the connection limits may need.

use crate::config::Config;

/// Descriptors the server needs besides its connections and their files:
/// the listener, standard streams, the runtime's own, logs.
const BESIDES_CONNECTIONS: u64 = 64;

/// Raises the soft file-descriptor limit to the hard one, logs what the
/// server got, and warns when `config`'s limits could need more.
pub(crate) fn raise_and_check(config: &Config) {
    let before = rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _)| soft);
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            match before {
                Ok(before) if before < limit => {
                    tracing::info!("file descriptors: the limit is {limit} (raised from {before})")
                }
                _ => tracing::info!("file descriptors: the limit is {limit}"),
            }
            let needed = needed(config);
            if needed > limit {
                tracing::warn!(
                    "--max-connections {} with --max-open-files-per-connection {} may need \
                     {needed} file descriptors, more than the limit of {limit}: past it, \
                     connections wait to be accepted (lower them, or raise `ulimit -n`)",
                    config.max_connections,
                    config.max_open_files_per_connection,
                );
            }
        }
        Err(error) => tracing::warn!("cannot read or raise the file-descriptor limit: {error}"),
    }
}

/// The most descriptors `config`'s limits let the server use at once.
fn needed(config: &Config) -> u64 {
    let per_connection = (config.max_open_files_per_connection as u64).saturating_add(1);
    (config.max_connections as u64)
        .saturating_mul(per_connection)
        .saturating_add(BESIDES_CONNECTIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_connection_needs_itself_and_its_files() {
        let config = Config {
            max_connections: 64,
            max_open_files_per_connection: 8,
            ..Config::default()
        };
        assert_eq!(needed(&config), 64 * 9 + BESIDES_CONNECTIONS);
    }
}
