//! The acknowledgement watermark of docs/spec/logwriter.md §3 (pure).
//!
//! A delivery is acknowledged only once it is *settled* (stored, a duplicate, or past the
//! last-resort path), because an ack tells the broker it may forget the message: acking on
//! receipt is exactly how the original writer lost its buffers on a crash. One
//! `basic.ack(multiple = true)` on the highest tag below which everything is settled covers
//! every earlier delivery, so acks cost one frame per flush, not one per message.

use std::collections::BTreeSet;

/// Received and settled delivery tags of the current channel.
#[derive(Debug, Clone, Default)]
pub struct Watermark {
    /// Tags received and not yet settled.
    unsettled: BTreeSet<u64>,
    /// Highest tag received on this channel.
    highest: u64,
    /// Highest tag acknowledged on this channel.
    acked: u64,
}

impl Watermark {
    /// A fresh channel: nothing received, nothing acknowledged.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a new delivery.
    pub fn receive(&mut self, tag: u64) {
        self.unsettled.insert(tag);
        self.highest = self.highest.max(tag);
    }

    /// Records that a delivery's document is stored (or otherwise settled).
    pub fn settle(&mut self, tag: u64) {
        self.unsettled.remove(&tag);
    }

    /// The highest tag W such that every received tag ≤ W is settled. Computed from the
    /// lowest unsettled tag, so it stays correct even if tags were not contiguous.
    pub fn watermark(&self) -> u64 {
        match self.unsettled.first() {
            Some(lowest) => lowest - 1,
            None => self.highest,
        }
    }

    /// The tag to send `basic.ack(multiple = true)` for, when it moved past the last ack;
    /// records it as acknowledged.
    pub fn take_ack(&mut self) -> Option<u64> {
        let watermark = self.watermark();
        (watermark > self.acked).then(|| {
            self.acked = watermark;
            watermark
        })
    }

    /// Deliveries received and not yet acknowledged (settled or not).
    pub fn unacknowledged(&self) -> u64 {
        self.highest - self.acked
    }

    /// The lowest tag received and not yet settled: the one holding the watermark back.
    pub fn lowest_unsettled(&self) -> Option<u64> {
        self.unsettled.first().copied()
    }

    /// Deliveries an ack now would leave unacknowledged: received after the watermark.
    pub fn beyond_watermark(&self) -> u64 {
        self.highest - self.watermark()
    }

    /// Deliveries received and not yet settled.
    pub fn unsettled(&self) -> usize {
        self.unsettled.len()
    }

    /// Highest tag received.
    pub fn highest(&self) -> u64 {
        self.highest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_is_acknowledged_before_it_is_settled() {
        let mut w = Watermark::new();
        for tag in 1..=3 {
            w.receive(tag);
        }
        assert_eq!(w.take_ack(), None);
        assert_eq!(w.unacknowledged(), 3);
    }

    #[test]
    fn an_unsettled_delivery_holds_back_later_settled_ones() {
        let mut w = Watermark::new();
        for tag in 1..=5 {
            w.receive(tag);
        }
        w.settle(1);
        w.settle(3);
        w.settle(4);
        assert_eq!(w.take_ack(), Some(1));
        assert_eq!(w.take_ack(), None, "no second ack for the same watermark");
        w.settle(2);
        assert_eq!(w.take_ack(), Some(4));
        w.settle(5);
        assert_eq!(w.take_ack(), Some(5));
        assert_eq!(w.unacknowledged(), 0);
        assert_eq!(w.unsettled(), 0);
    }

    #[test]
    fn the_lowest_unsettled_delivery_is_what_holds_the_window() {
        let mut w = Watermark::new();
        for tag in 1..=4 {
            w.receive(tag);
        }
        w.settle(1);
        w.settle(3);
        assert_eq!(w.lowest_unsettled(), Some(2));
        assert_eq!(w.beyond_watermark(), 3);
        w.settle(2);
        assert_eq!(w.lowest_unsettled(), Some(4));
        assert_eq!(w.beyond_watermark(), 1);
        w.settle(4);
        assert_eq!((w.lowest_unsettled(), w.beyond_watermark()), (None, 0));
    }

    #[test]
    fn gaps_in_tags_do_not_stall_the_watermark() {
        let mut w = Watermark::new();
        w.receive(2);
        w.receive(7);
        w.settle(2);
        assert_eq!(w.take_ack(), Some(6));
        w.settle(7);
        assert_eq!(w.take_ack(), Some(7));
    }
}
