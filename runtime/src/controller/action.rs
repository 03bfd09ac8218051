//! [`Action`]: what a reconcile asks for next, and the controller's [`Config`].

use std::time::Duration;

/// What to do after a reconcile: kube-runtime's `controller::Action`, with the same
/// constructors, plus a getter (kube-runtime's keeps the delay private, which is why
/// this layer has its own type).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    requeue_after: Option<Duration>,
}

impl Action {
    /// Reconcile again after `duration`, even if nothing changes (changes reconcile
    /// sooner). The usual fallback for eventual consistency.
    #[must_use]
    pub const fn requeue(duration: Duration) -> Self {
        Action {
            requeue_after: Some(duration),
        }
    }

    /// Reconcile again only when the object (or something that triggers it) changes.
    #[must_use]
    pub const fn await_change() -> Self {
        Action {
            requeue_after: None,
        }
    }

    /// The delay before the next reconcile, if one is asked for.
    pub const fn requeue_after(&self) -> Option<Duration> {
        self.requeue_after
    }
}

/// How a [`Controller`](super::Controller) runs (kube-runtime's `controller::Config`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Config {
    pub(super) concurrency: u16,
}

impl Config {
    /// At most `n` reconciles at once, of different objects (`0`, the default: no
    /// limit). One object is never reconciled twice at once, whatever `n`.
    #[must_use]
    pub fn concurrency(mut self, n: u16) -> Self {
        self.concurrency = n;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_reports_its_delay() {
        assert_eq!(Action::await_change().requeue_after(), None);
        let d = Duration::from_secs(3);
        assert_eq!(Action::requeue(d).requeue_after(), Some(d));
    }

    #[test]
    fn config_defaults_to_no_limit() {
        assert_eq!(Config::default().concurrency, 0);
        assert_eq!(Config::default().concurrency(4).concurrency, 4);
    }
}
