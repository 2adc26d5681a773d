//! [`Flops`]: criterion's wall-clock measurement with a product's throughput printed in FLOP/s. The matmul
//! groups of `benches/matmul.rs` and `benches/gpu.rs` set their throughput to `Throughput::Elements(2·m·n·k)`,
//! the floating-point operations of one product; criterion would print that as `Gelem/s`, this prints
//! `GFLOP/s`. Other throughputs (bytes) and the times are printed as criterion prints them.

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::Throughput;
use std::time::{Duration, Instant};

/// Wall-clock time, as criterion's [`WallTime`], with a throughput of [`Throughput::Elements`] printed as
/// floating-point operations per second: the groups count 2·m·n·k operations per product as their elements.
pub struct Flops;

impl Measurement for Flops {
    type Intermediate = Instant;
    type Value = Duration;
    fn start(&self) -> Instant {
        Instant::now()
    }
    fn end(&self, started: Instant) -> Duration {
        started.elapsed()
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, d: &Duration) -> f64 {
        d.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        self
    }
}

impl ValueFormatter for Flops {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        WallTime.formatter().scale_values(typical_ns, values)
    }

    fn scale_throughputs(&self, typical_ns: f64, throughput: &Throughput, values: &mut [f64]) -> &'static str {
        let Throughput::Elements(flops) = *throughput else {
            return WallTime.formatter().scale_throughputs(typical_ns, throughput, values);
        };
        // Operations per second at the typical time picks the prefix; every value is scaled by it.
        let per_second = |ns: f64| flops as f64 * 1e9 / ns;
        let (divisor, unit) = match per_second(typical_ns) {
            r if r < 1e6 => (1e3, "kFLOP/s"),
            r if r < 1e9 => (1e6, "MFLOP/s"),
            r if r < 1e12 => (1e9, "GFLOP/s"),
            _ => (1e12, "TFLOP/s"),
        };
        for v in values.iter_mut() {
            *v = per_second(*v) / divisor;
        }
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}
