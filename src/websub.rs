//! WebSub publisher pings (W3C WebSub §7): after a build writes a feed, each configured hub is
//! told with `POST hub` `hub.mode=publish&hub.url=<feed URL>`, so that it fetches the feed and
//! pushes it to its subscribers at once instead of at their next poll.
//!
//! A ping is a courtesy, never part of publishing: the feeds are already on disk, and a hub that
//! is down only delays readers. So every request is bounded (one overall timeout per attempt, a
//! few attempts), a failure is returned to be reported as a warning, and nothing here panics or
//! fails the build.

use std::time::{Duration, Instant};

use rayon::prelude::*;
use url::Url;

/// A WebSub ping a hub did not accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingFailure {
    /// The hub, as configured.
    pub hub: Url,
    /// The feed the ping was about.
    pub feed: Url,
    /// Why it failed: the hub's HTTP status or the network error.
    pub reason: String,
}

/// The overall time one attempt may take, connection included, unless
/// `WIREFEED_PING_TIMEOUT_MS` says otherwise.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Attempts per hub and feed: the first and at most two retries.
const MAX_ATTEMPTS: usize = 3;

/// All the pings of one build together may take this many attempts' timeouts: the build holds
/// the output folder's lock while it pings, so hubs that hang must not hold it for long.
const ALL_PINGS: u32 = 6;

/// The longest pause between two attempts.
const MAX_PAUSE: Duration = Duration::from_millis(500);

/// The timeout of one attempt. Read from the environment, not a setting, because it exists for
/// the tests' loopback hub (which must not make the suite wait 10 s per failure) and for a desk
/// on a very slow link; a setting would be published in every `--help` and the README table for
/// a knob nobody else needs. A value that is not a whole number of milliseconds is ignored.
pub(crate) fn timeout_from_env() -> Duration {
    std::env::var("WIREFEED_PING_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|&ms| ms > 0)
        .map_or(DEFAULT_TIMEOUT, Duration::from_millis)
}

/// The body of a publish ping for `feed`, form-encoded as WebSub requires.
pub(crate) fn publish_body(feed: &Url) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "publish")
        .append_pair("hub.url", feed.as_str())
        .finish()
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Attempt {
    /// A 2xx answer: the hub took the ping.
    Accepted,
    /// A status the hub will answer again (4xx: the request is wrong; 3xx: not followed).
    Refused(u16),
    /// A 5xx answer: the hub is in trouble, perhaps for a moment.
    ServerError(u16),
    /// No answer: refused connection, timeout, TLS or DNS failure.
    Network(String),
    /// Not sent: the time for all the build's pings ran out.
    OutOfTime(Duration),
}

impl Attempt {
    /// From an HTTP status.
    fn of_status(status: u16) -> Self {
        match status {
            200..=299 => Attempt::Accepted,
            500..=599 => Attempt::ServerError(status),
            other => Attempt::Refused(other),
        }
    }

    /// Whether trying again may help: only when the hub could not answer or failed itself; a
    /// 4xx would be the same answer to the same request.
    fn worth_retrying(&self) -> bool {
        matches!(self, Attempt::ServerError(_) | Attempt::Network(_))
    }

    /// Why the ping failed, for the warning.
    fn reason(&self) -> String {
        match self {
            Attempt::Accepted => "accepted".into(),
            Attempt::Refused(status) => format!("the hub answered HTTP {status}"),
            Attempt::ServerError(status) => format!("the hub answered HTTP {status}"),
            Attempt::Network(why) => why.clone(),
            Attempt::OutOfTime(limit) => format!(
                "not sent: the build's pings ran out of their {} s",
                limit.as_secs()
            ),
        }
    }
}

/// Sends a publish ping for every feed to every hub, many at once, and returns the pings that
/// failed after their retries.
pub(crate) fn ping(hubs: &[Url], feed_urls: &[Url], timeout: Duration) -> Vec<PingFailure> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        // The status is judged here (retry on 5xx, not on 4xx), not turned into an error.
        .http_status_as_error(false)
        .user_agent(concat!("wirefeed/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    // A pause that grows with the timeout: long enough for a hub to restart, short enough that
    // a test's loopback hub does not slow the suite.
    let pause = (timeout / 20).min(MAX_PAUSE);
    let limit = timeout * ALL_PINGS;
    let deadline = Instant::now() + limit;
    let pairs: Vec<(&Url, &Url)> = hubs
        .iter()
        .flat_map(|hub| feed_urls.iter().map(move |feed| (hub, feed)))
        .collect();
    crate::output::io_pool().install(|| {
        pairs
            .par_iter()
            .filter_map(|&(hub, feed)| {
                let last = with_retries(pause, || {
                    if Instant::now() >= deadline {
                        Attempt::OutOfTime(limit)
                    } else {
                        post(&agent, hub, feed)
                    }
                });
                (last != Attempt::Accepted).then(|| PingFailure {
                    hub: hub.clone(),
                    feed: feed.clone(),
                    reason: last.reason(),
                })
            })
            .collect()
    })
}

/// Runs `attempt` until it is accepted, fails in a way a retry cannot mend, or has been tried
/// [`MAX_ATTEMPTS`] times; returns the last outcome.
fn with_retries(pause: Duration, mut attempt: impl FnMut() -> Attempt) -> Attempt {
    let mut last = attempt();
    for _ in 1..MAX_ATTEMPTS {
        if !last.worth_retrying() {
            break;
        }
        std::thread::sleep(pause);
        last = attempt();
    }
    last
}

/// One POST of the publish ping.
fn post(agent: &ureq::Agent, hub: &Url, feed: &Url) -> Attempt {
    let sent = agent
        .post(hub.as_str())
        .content_type("application/x-www-form-urlencoded")
        .send(publish_body(feed));
    match sent {
        Ok(response) => Attempt::of_status(response.status().as_u16()),
        Err(e) => Attempt::Network(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    #[test]
    fn no_ping_is_sent_past_the_builds_time_for_pings() {
        let late = Attempt::OutOfTime(Duration::from_secs(60));
        assert!(!late.worth_retrying());
        assert!(late.reason().contains("60 s"), "{}", late.reason());
        // Nothing listens on the address, but the deadline is already past: no attempt at all.
        let hub = Url::parse("http://127.0.0.1:9/hub").unwrap();
        let feed = Url::parse("https://e.org/rss.xml").unwrap();
        let failures = ping(&[hub], &[feed], Duration::ZERO);
        assert_eq!(failures.len(), 1);
        assert!(
            failures[0].reason.starts_with("not sent"),
            "{:?}",
            failures[0]
        );
    }

    #[test]
    fn the_body_percent_encodes_the_feed_url() {
        let feed = Url::parse("https://e.org/ru/rss.xml?a=1&b=ш c").unwrap();
        assert_eq!(
            publish_body(&feed),
            "hub.mode=publish&hub.url=https%3A%2F%2Fe.org%2Fru%2Frss.xml%3Fa%3D1%26b%3D%25D1%2588%2520c"
        );
    }

    /// Counts the attempts made against a scripted series of outcomes.
    fn attempts(script: &[Attempt]) -> (Attempt, usize) {
        let n = Cell::new(0);
        let last = with_retries(Duration::ZERO, || {
            let i = n.get();
            n.set(i + 1);
            script[i.min(script.len() - 1)].clone()
        });
        (last, n.get())
    }

    #[test]
    fn a_client_error_is_not_retried() {
        assert_eq!(
            attempts(&[Attempt::of_status(404)]),
            (Attempt::Refused(404), 1)
        );
    }

    #[test]
    fn a_server_error_is_retried_twice_at_most() {
        assert_eq!(
            attempts(&[Attempt::of_status(503)]),
            (Attempt::ServerError(503), 3)
        );
    }

    #[test]
    fn a_network_error_then_success_stops_retrying() {
        let script = [Attempt::Network("refused".into()), Attempt::of_status(202)];
        assert_eq!(attempts(&script), (Attempt::Accepted, 2));
    }

    #[test]
    fn a_success_is_sent_once() {
        assert_eq!(attempts(&[Attempt::of_status(204)]), (Attempt::Accepted, 1));
    }

    #[test]
    fn a_redirect_is_a_refusal() {
        assert_eq!(Attempt::of_status(301), Attempt::Refused(301));
    }
}
