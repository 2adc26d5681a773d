//! `tensor`: numbers on a device.
pub mod cpu;
