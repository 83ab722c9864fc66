//! How a connection's consuming ends, as an ordered list of steps (docs/spec/logwriter.md
//! §10.1 steps 3–9, §10.2 steps 3–4, §11): the driver carries them out one after another,
//! and nothing is acknowledged before everything received is written and the metadata
//! that counts it is up to date. Pure: the order is the contract, tested here.

/// Why consuming ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The run's `stopped` was handled and the queue drained (§10.1); `delete_queue` when
    /// the queue is durable and no signal came meanwhile.
    Stopped {
        /// Delete the run's queue (step 8).
        delete_queue: bool,
    },
    /// SIGTERM/SIGINT while consuming (§10.2).
    Signal,
    /// SIGTERM/SIGINT before a broker connection was up: nothing to acknowledge or close.
    SignalWhileConnecting,
    /// The connection or channel was lost (§11): what was received is written, and the
    /// next channel starts its tags afresh.
    ChannelLost,
}

/// One step of an ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The pending unknown-id messages, then every buffer (`Writer::write_everything`).
    WriteEverything,
    /// The final metadata update (with the recount) of every run whose document exists.
    FinalMetadata,
    /// The indexes again on every collection this process indexed.
    ReensureIndexes,
    /// `basic.ack` up to the watermark.
    Acknowledge,
    /// Delete the run's durable queue.
    DeleteQueue,
    /// The statistics block.
    LogStatistics,
    /// The lifecycle's `stopped` state: only closing is left.
    MarkStopped,
    /// Close the broker connection.
    Close,
    /// Forget the lost channel's tags.
    ForgetChannel,
}

/// The steps of `ending`, in the order they must run.
pub fn steps(ending: Ending) -> Vec<Step> {
    use Step::*;
    let written = [WriteEverything, FinalMetadata, ReensureIndexes];
    match ending {
        Ending::Stopped { delete_queue } => {
            let mut steps = written.to_vec();
            steps.push(Acknowledge);
            if delete_queue {
                steps.push(DeleteQueue);
            }
            steps.extend([LogStatistics, MarkStopped, Close]);
            steps
        }
        Ending::Signal => [
            &written[..],
            &[Acknowledge, LogStatistics, MarkStopped, Close],
        ]
        .concat(),
        Ending::SignalWhileConnecting => [&written[..], &[LogStatistics, MarkStopped]].concat(),
        Ending::ChannelLost => vec![WriteEverything, ForgetChannel],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Step::*;

    fn position(steps: &[Step], step: Step) -> usize {
        steps.iter().position(|s| *s == step).expect("present")
    }

    #[test]
    fn a_stop_writes_then_counts_then_acknowledges_then_deletes_the_queue() {
        let steps = steps(Ending::Stopped { delete_queue: true });
        assert_eq!(
            steps,
            [
                WriteEverything,
                FinalMetadata,
                ReensureIndexes,
                Acknowledge,
                DeleteQueue,
                LogStatistics,
                MarkStopped,
                Close
            ]
        );
        let kept = super::steps(Ending::Stopped {
            delete_queue: false,
        });
        assert!(
            !kept.contains(&DeleteQueue),
            "an exclusive queue, or a signal"
        );
    }

    #[test]
    fn every_ending_writes_first_and_acknowledges_only_after_the_final_metadata() {
        for ending in [
            Ending::Stopped { delete_queue: true },
            Ending::Signal,
            Ending::SignalWhileConnecting,
            Ending::ChannelLost,
        ] {
            let steps = steps(ending);
            assert_eq!(steps[0], WriteEverything, "{ending:?}");
            if steps.contains(&Acknowledge) {
                assert!(position(&steps, FinalMetadata) < position(&steps, Acknowledge));
            }
            if steps.contains(&Close) {
                assert_eq!(steps.last(), Some(&Close), "{ending:?}");
                assert!(position(&steps, MarkStopped) < position(&steps, Close));
            }
        }
    }

    #[test]
    fn without_a_connection_or_after_a_loss_nothing_is_acknowledged_or_closed() {
        for ending in [Ending::SignalWhileConnecting, Ending::ChannelLost] {
            let steps = steps(ending);
            assert!(!steps.contains(&Acknowledge) && !steps.contains(&Close));
        }
        assert_eq!(steps(Ending::ChannelLost), [WriteEverything, ForgetChannel]);
        assert!(!steps(Ending::Signal).contains(&DeleteQueue));
    }
}
