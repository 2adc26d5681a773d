//! `--device cpu|gpu|auto`: turns the flag into a [`tensor::Device`] and a sentence saying which
//! device was picked and why (printed on stderr so that stdout keeps the tutorial's log).

use crate::error::CliError;
use tensor::Device;

/// The `--device` flag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum DeviceChoice {
    /// The host CPU.
    #[default]
    Cpu,
    /// The GPU through wgpu; an error when there is no adapter.
    Gpu,
    /// The GPU when an adapter exists, else the CPU.
    Auto,
}

/// Resolves the flag. `gpu` without an adapter is an error that says how to fix it; `auto` never
/// fails and its note says which device it chose.
pub fn resolve(choice: DeviceChoice) -> Result<(Device, String), CliError> {
    match choice {
        DeviceChoice::Cpu => Ok((Device::Cpu, "using the CPU".to_string())),
        DeviceChoice::Gpu => match Device::gpu() {
            Ok(d) => {
                let note = format!("using {}", d.name());
                Ok((d, note))
            }
            Err(e) => Err(CliError::new(format!(
                "--device gpu: no GPU adapter could be opened ({e}); use --device cpu or --device auto"
            ))),
        },
        DeviceChoice::Auto => Ok(Device::auto()),
    }
}
