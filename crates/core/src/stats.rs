//! Intervals for the figures shown to managers (95% unless stated).

/// A figure with its sample size and 95% interval, on the figure's own scale.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Estimate {
    pub n: u64,
    pub value: f64,
    pub low: f64,
    pub high: f64,
}
