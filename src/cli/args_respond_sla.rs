//! Flags of response targets (SLA clocks) on `sev list`.

use clap::Args;

#[derive(Args, Debug, Default, Clone)]
#[command(next_help_heading = "Response targets")]
pub struct ClockFilter {
    /// Only incidents that missed a response target in their current cycle (a clock running past due, or met late)
    #[arg(long)]
    pub breached: bool,
    /// Only incidents with a response clock that runs out within this time (15m, 1h), not missed yet
    #[arg(long, value_name = "DURATION")]
    pub breaching_within: Option<String>,
}

impl ClockFilter {
    pub fn any(&self) -> bool {
        self.breached || self.breaching_within.is_some()
    }
}
