//! Where the page finds the server and how its breaker starts out: the
//! defaults, overridden by the URL query so a link reproduces a scenario.

use greeter_client::{Settings, parse_server};

/// What one app instance is mounted with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The greeter server's base URL, e.g. `http://127.0.0.1:50051`
    /// (no trailing slash). Default: the page's own origin.
    pub server: String,
    /// The breaker and call settings.
    pub settings: Settings,
    /// What was wrong with the query, one message per bad parameter (the
    /// default is used instead); shown on the page.
    pub problems: Vec<String>,
}

impl Config {
    /// The default settings against `server`.
    pub fn new(server: &str) -> Self {
        Config {
            server: server.trim_end_matches('/').to_owned(),
            settings: Settings::default(),
            problems: Vec::new(),
        }
    }

    /// Reads a URL query (`?timeout=2s&max_requests=2`, with or without the
    /// `?`) over the defaults; `origin` is the server unless `server=` says
    /// otherwise. Bad or unknown parameters are listed in
    /// [`problems`](Self::problems) and the default is kept.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let config = web::Config::from_query("?timeout=2s&trip=x&server=http://127.0.0.1:50051/", "http://localhost:8080");
    /// assert_eq!(config.server, "http://127.0.0.1:50051");
    /// assert_eq!(config.settings.timeout, Duration::from_secs(2));
    /// assert_eq!(config.settings.trip, 3);
    /// assert_eq!(config.problems, ["trip: `x` is not a whole number of at least 1 (using 3)"]);
    /// ```
    pub fn from_query(query: &str, origin: &str) -> Self {
        let mut config = Config::new(origin);
        let query = query.strip_prefix('?').unwrap_or(query);
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let result = match &*key {
                "server" => parse_server(&value).map(|server| config.server = server),
                key => config.settings.set(key, &value),
            };
            if let Err(error) = result {
                let default = match &*key {
                    "server" => config.server.clone(),
                    key => config.settings.get(key),
                };
                config.problems.push(if default.is_empty() {
                    format!("{key}: {error} (ignored)")
                } else {
                    format!("{key}: {error} (using {default})")
                });
            }
        }
        config
    }

    /// The query that reproduces these settings (only what differs from the
    /// defaults, and the server unless it is `origin`), with its `?`; empty
    /// when everything is default.
    ///
    /// ```
    /// let config = web::Config::from_query("timeout=500ms&retries=2", "http://localhost:8080");
    /// assert_eq!(config.to_query("http://localhost:8080"), "?timeout=500ms&retries=2");
    /// ```
    pub fn to_query(&self, origin: &str) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if self.server != origin.trim_end_matches('/') {
            query.append_pair("server", &self.server);
        }
        for (key, value) in self.settings.changed_from(&Settings::default()) {
            query.append_pair(key, &value);
        }
        match query.finish() {
            query if query.is_empty() => query,
            query => format!("?{query}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use greeter_client::ClientErrors;
    use std::time::Duration;

    const ORIGIN: &str = "http://localhost:8080";

    #[test]
    fn no_query_means_the_defaults_on_the_page_origin() {
        for query in ["", "?"] {
            let config = Config::from_query(query, "http://localhost:8080/");
            assert_eq!(config, Config::new(ORIGIN));
            assert_eq!(config.to_query(ORIGIN), "");
        }
    }

    #[test]
    fn the_issue_example_parses() {
        let config = Config::from_query(
            "/?timeout=2s&max_requests=2&trip=3".trim_start_matches('/'),
            ORIGIN,
        );
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        assert_eq!(config.settings.timeout, Duration::from_secs(2));
        assert_eq!(config.settings.max_requests, 2);
        assert_eq!(config.settings.trip, 3);
    }

    #[test]
    fn every_parameter_is_read() {
        let config = Config::from_query(
            "server=https%3A%2F%2Fdemo.example%3A8443&max_requests=1&interval=0s&timeout=300ms\
             &trip=2&deadline=1s+500ms&retries=2&client_errors=exclude",
            ORIGIN,
        );
        assert!(config.problems.is_empty(), "{:?}", config.problems);
        assert_eq!(config.server, "https://demo.example:8443");
        let s = config.settings;
        assert_eq!((s.max_requests, s.trip, s.retries), (1, 2, 2));
        assert_eq!(
            (s.interval, s.timeout),
            (Duration::ZERO, Duration::from_millis(300))
        );
        assert_eq!(s.deadline, Duration::from_millis(1500));
        assert_eq!(s.client_errors, ClientErrors::Exclude);
        assert_eq!(Config::from_query(&config.to_query(ORIGIN), ORIGIN), config);
    }

    #[test]
    fn bad_values_are_reported_and_the_default_kept() {
        let config = Config::from_query(
            "timeout=soon&max_requests=0&client_errors=maybe&server=ftp://x&colour=red&retries=1",
            ORIGIN,
        );
        assert_eq!(
            config.problems,
            [
                "timeout: `soon` is not a duration like 5s or 500ms (using 5s)",
                "max_requests: `0` is not a whole number of at least 1 (using 3)",
                "client_errors: `maybe` is neither `count` nor `exclude` (using count)",
                "server: `ftp://x` is not a server URL like http://127.0.0.1:50051 (using http://localhost:8080)",
                "colour: there is no setting `colour` (ignored)",
            ]
        );
        let defaults = Settings {
            retries: 1,
            ..Settings::default()
        };
        assert_eq!(
            (config.server.as_str(), config.settings),
            (ORIGIN, defaults)
        );
    }
}
