//! `simgen`: publishes a synthetic SimCES run to a topic exchange, for tests, benchmarks and
//! demos.
//!
//! The run is `SimState running`, then for each of `--epochs` epochs an `Epoch` from
//! `SimulationManager` plus, from each of `--processes` processes, a `Result` (topic
//! `energy.production.<process>`, with a QuantityBlock `RealPower` and a TimeSeriesBlock
//! `Forecast`) and a `Status` (topic `Status.Ready`); `--invalid` invalid messages of every
//! kind (topics `invalid.<n>`) spread over the epochs; and finally `SimState stopped`.
//!
//! Every publish is confirmed by the broker (publisher confirms). Progress goes to stderr,
//! and the per-topic counts sent are printed on stdout at the end.
//!
//! ```text
//! cargo run -p integration-tests --bin simgen -- --exchange procem.demo --epochs 100 \
//!     --processes 10 --invalid 5 --rate 2000 --declare-exchange
//! ```

use std::io::Write as _;

use clap::Parser;
use integration_tests::simgen::{generate, publish, topic_counts, RunSpec};

/// Publishes a synthetic SimCES run to a RabbitMQ topic exchange.
#[derive(Debug, Parser)]
#[command(name = "simgen", version, about)]
struct Args {
    /// Broker URI [default: amqp://guest:guest@$RABBITMQ_HOST:$RABBITMQ_PORT/%2f].
    #[arg(long, env = "AMQP_URI")]
    amqp_uri: Option<String>,
    /// The run's topic exchange.
    #[arg(long, env = "RABBITMQ_EXCHANGE")]
    exchange: String,
    /// Simulation id [default: now, normalised].
    #[arg(long)]
    simulation_id: Option<String>,
    /// Number of epochs.
    #[arg(long, default_value_t = 10)]
    epochs: u32,
    /// Number of processes sending a Result and a Status per epoch.
    #[arg(long, default_value_t = 3)]
    processes: u32,
    /// Number of invalid messages.
    #[arg(long, default_value_t = 0)]
    invalid: u32,
    /// Messages per second; 0 means as fast as possible.
    #[arg(long, default_value_t = 0.0)]
    rate: f64,
    /// Declare the exchange first (topic, non-durable, not auto-delete: logwriter's defaults).
    #[arg(long)]
    declare_exchange: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let uri = args
        .amqp_uri
        .clone()
        .unwrap_or_else(integration_tests::amqp_uri);
    let simulation_id = args
        .simulation_id
        .clone()
        .map(|id| common::time::normalise(&id).unwrap_or(id))
        .unwrap_or_else(|| common::time::format_normalised(chrono::Utc::now()));
    let spec = RunSpec {
        simulation_id,
        epochs: args.epochs,
        processes: args.processes,
        invalid: args.invalid,
    };
    let messages = generate(&spec);
    let connection =
        lapin::Connection::connect(&uri, lapin::ConnectionProperties::default()).await?;
    let channel = connection.create_channel().await?;
    if args.declare_exchange {
        let options = lapin::options::ExchangeDeclareOptions::default();
        let kind = lapin::ExchangeKind::Topic;
        let table = lapin::types::FieldTable::default();
        channel
            .exchange_declare(args.exchange.as_str().into(), kind, options, table)
            .await?;
    }
    eprintln!(
        "simgen: publishing {} messages of simulation {} to '{}'",
        messages.len(),
        spec.simulation_id,
        args.exchange
    );
    let started = std::time::Instant::now();
    let total = messages.len();
    let rate = (args.rate > 0.0).then_some(args.rate);
    let mut last_report = 0;
    publish(&channel, &args.exchange, &messages, rate, |done| {
        if done - last_report >= 1000 || done == total {
            last_report = done;
            eprintln!("simgen: {done}/{total} confirmed");
        }
    })
    .await?;
    let seconds = started.elapsed().as_secs_f64();
    eprintln!(
        "simgen: done in {seconds:.2}s ({:.0} messages/s)",
        total as f64 / seconds.max(1e-9)
    );
    let mut out = std::io::stdout().lock();
    for (topic, count) in topic_counts(&messages) {
        writeln!(out, "{topic}\t{count}")?;
    }
    writeln!(out, "total\t{total}")?;
    connection.close(200, "OK".into()).await?;
    Ok(())
}
