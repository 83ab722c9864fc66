//! The settings of `logreader replay` (docs/operations.md, "Replaying a run"): which run,
//! where to, how fast. Like every other setting, each broker and database setting is also
//! an environment variable with the writer's name, so a replay next to a writer needs no
//! new configuration.

use clap::Args;
use common::broker::{BrokerSettings, Endpoint, ExchangeFlags};
use common::config::{parse_float, ConfigError, MongoSettings};

use crate::query::epochs::{EpochCondition, EpochRequest};

/// `logreader replay`'s arguments.
#[derive(Debug, Clone, Args)]
#[command(max_term_width = 100)]
pub struct ReplaySettings {
    /// The run to publish: its simulation id, as in /simulations/{simId}.
    #[arg(long)]
    pub simulation_id: String,
    /// The topic exchange to publish to, declared as the writer declares it (required).
    #[arg(long, env = "RABBITMQ_EXCHANGE")]
    pub rabbitmq_exchange: String,
    /// How the exchange is declared (RABBITMQ_EXCHANGE_AUTODELETE, _DURABLE).
    #[command(flatten)]
    pub exchange: ExchangeFlags,
    /// Pacing: 0 publishes as fast as the broker confirms, 1 keeps the gaps between the
    /// messages' Timestamps, N is N times faster than that.
    #[arg(long, default_value = "1", value_parser = parse_speed, allow_hyphen_values = true)]
    pub speed: f64,
    /// Only messages with an EpochNumber of at least this (as startEpoch of /messages;
    /// messages without one, such as SimState, are then left out).
    #[arg(long, allow_hyphen_values = true)]
    pub from_epoch: Option<i64>,
    /// Only messages with an EpochNumber of at most this (as endEpoch of /messages).
    #[arg(long, allow_hyphen_values = true)]
    pub to_epoch: Option<i64>,
    /// How to reach the broker.
    #[command(flatten)]
    pub broker: BrokerSettings,
    /// Where the run is stored.
    #[command(flatten)]
    pub mongo: MongoSettings,
}

/// A replay that is ready to run: every setting checked, nothing connected yet.
#[derive(Debug, Clone)]
pub struct ReplayPlan {
    /// The simulation id (its collection's suffix), exactly as given.
    pub simulation_id: String,
    /// The broker to publish to.
    pub endpoint: Endpoint,
    /// Which messages, by EpochNumber.
    pub epochs: EpochCondition,
}

impl ReplaySettings {
    /// Checks the settings that clap cannot check alone; the error names the setting.
    pub fn plan(&self) -> Result<ReplayPlan, ConfigError> {
        if self.rabbitmq_exchange.is_empty() {
            let reason = "the exchange to publish to must be set";
            return Err(ConfigError::new("RABBITMQ_EXCHANGE", "", reason));
        }
        let request = EpochRequest::Numbers {
            epoch: None,
            start: self.from_epoch,
            end: self.to_epoch,
        };
        let epochs = request.resolve(&[]);
        if epochs == EpochCondition::Empty {
            let value = self.to_epoch.map(|n| n.to_string()).unwrap_or_default();
            return Err(ConfigError::new(
                "--to-epoch",
                &value,
                "it is below --from-epoch",
            ));
        }
        Ok(ReplayPlan {
            simulation_id: self.simulation_id.clone(),
            endpoint: self.broker.endpoint()?,
            epochs,
        })
    }
}

/// `--speed`: a finite number of at least 0.
fn parse_speed(value: &str) -> Result<f64, String> {
    let speed = parse_float(value)?;
    if speed.is_finite() && speed >= 0.0 {
        Ok(speed)
    } else {
        Err(format!("expected 0 or a positive factor, got '{value}'"))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use crate::settings::{Command, Settings};

    use super::*;

    fn parse(args: &[&str]) -> Result<ReplaySettings, clap::Error> {
        let base = ["logreader", "replay", "--rabbitmq-exchange", "ex"];
        let settings = Settings::try_parse_from(base.iter().chain(args))?;
        match settings.command {
            Some(Command::Replay(replay)) => Ok(replay),
            None => panic!("no command"),
        }
    }

    #[test]
    fn the_defaults_pace_like_the_original_and_replay_everything() {
        let settings = parse(&["--simulation-id", "s1"]).unwrap();
        assert_eq!(settings.speed, 1.0);
        let plan = settings.plan().unwrap();
        assert_eq!(plan.simulation_id, "s1");
        assert_eq!(plan.epochs, EpochCondition::All);
        assert_eq!(plan.endpoint.nodes.len(), 1);
    }

    #[test]
    fn epochs_select_like_start_and_end_epoch() {
        let settings = parse(&[
            "--simulation-id",
            "s",
            "--from-epoch",
            "2",
            "--to-epoch",
            "3",
        ]);
        let plan = settings.unwrap().plan().unwrap();
        let range = EpochCondition::Range {
            min: Some(2),
            max: Some(3),
        };
        assert_eq!(plan.epochs, range);
        let reversed = parse(&[
            "--simulation-id",
            "s",
            "--from-epoch",
            "3",
            "--to-epoch",
            "2",
        ]);
        let error = reversed.unwrap().plan().unwrap_err();
        assert_eq!(error.variable, "--to-epoch");
    }

    #[test]
    fn bad_values_stop_with_a_message_naming_them() {
        for (args, name) in [
            (&["--speed", "-1"][..], "--speed"),
            (&["--speed", "fast"], "--speed"),
            (&["--speed", "inf"], "--speed"),
            (&["--from-epoch", "1.5"], "--from-epoch"),
            (&["--rabbitmq-port", "0"], "RABBITMQ_PORT"),
        ] {
            let args: Vec<&str> = ["--simulation-id", "s"]
                .iter()
                .chain(args)
                .copied()
                .collect();
            let error = parse(&args).unwrap_err();
            assert_eq!(error.exit_code(), 2);
            assert!(error.to_string().contains(name), "{error}");
        }
        let missing = Settings::try_parse_from(["logreader", "replay", "--rabbitmq-exchange", "e"]);
        assert!(missing.unwrap_err().to_string().contains("--simulation-id"));
        let bad_host = parse(&["--simulation-id", "s", "--rabbitmq-host", "a,,b"]).unwrap();
        assert_eq!(bad_host.plan().unwrap_err().variable, "RABBITMQ_HOST");
    }
}
