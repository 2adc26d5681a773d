//! [`OptimizerState`]: an optimizer's hyper-parameters and buffers as plain data, serialisable to JSON (and so
//! to a file, written atomically), and the [`OptimizerError`] of restoring one.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tensor::{DType, Device, HostBuffer, Tensor};

/// A tensor as plain data: shape, dtype name (`float32`...) and the values as f64 (exact for f32).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedTensor {
    /// The shape.
    pub shape: Vec<usize>,
    /// `float32` or `float64`.
    pub dtype: String,
    /// The values in row-major order.
    pub data: Vec<f64>,
}

impl SavedTensor {
    /// Copies a tensor to host data.
    pub fn from_tensor(t: &Tensor) -> SavedTensor {
        SavedTensor { shape: t.shape().to_vec(), dtype: t.dtype().as_str().to_string(), data: t.to_f64_vec() }
    }

    /// The tensor on `device`.
    pub fn to_tensor(&self, device: &Device) -> Result<Tensor, OptimizerError> {
        let n: usize = self.shape.iter().product();
        if n != self.data.len() {
            return Err(OptimizerError::Invalid(format!(
                "a saved tensor of shape {:?} has {} values instead of {n}",
                self.shape,
                self.data.len()
            )));
        }
        let data = match self.dtype.as_str() {
            "float32" => HostBuffer::F32(self.data.iter().map(|&v| v as f32).collect()),
            "float64" => HostBuffer::F64(self.data.clone()),
            other => return Err(OptimizerError::Invalid(format!("a saved tensor has unsupported dtype {other}"))),
        };
        Ok(Tensor::from_host(data, &self.shape, device))
    }

    pub(crate) fn dtype(&self) -> Option<DType> {
        match self.dtype.as_str() {
            "float32" => Some(DType::F32),
            "float64" => Some(DType::F64),
            _ => None,
        }
    }
}

/// The state of one parameter: its step count and named buffers (`momentum_buffer`, `exp_avg`...). Empty
/// before the parameter's first update.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ParamState {
    /// The number of updates this parameter received (Adam's `step`; 0 for SGD).
    pub step: u64,
    /// The buffers by PyTorch's names.
    pub buffers: BTreeMap<String, SavedTensor>,
}

/// An optimizer's full state: which optimizer, its hyper-parameters (PyTorch's `param_groups[0]` names:
/// `lr`, `momentum`, `beta1`...; booleans as 0/1) and one [`ParamState`] per parameter, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptimizerState {
    /// `SGD`, `Adam` or `AdamW`.
    pub optimizer: String,
    /// Hyper-parameters by name.
    pub hyperparameters: BTreeMap<String, f64>,
    /// Per-parameter state, in the optimizer's parameter order.
    pub params: Vec<ParamState>,
}

impl OptimizerState {
    /// The state as JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an optimizer state is always serialisable")
    }

    /// Parses JSON text written by [`OptimizerState::to_json`].
    pub fn from_json(text: &str) -> Result<OptimizerState, OptimizerError> {
        serde_json::from_str(text).map_err(|e| OptimizerError::Invalid(format!("not an optimizer state: {e}")))
    }

    /// Writes the state as JSON to `path`, atomically (a temporary file in the same directory, synced, then
    /// renamed over `path`).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), OptimizerError> {
        let path = path.as_ref();
        crate::checkpoint::write_atomic(path, self.to_json().as_bytes())
            .map_err(|e| OptimizerError::Io(format!("cannot write {}: {e}", path.display())))
    }

    /// Reads a state written by [`OptimizerState::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<OptimizerState, OptimizerError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| OptimizerError::Io(format!("cannot read {}: {e}", path.display())))?;
        OptimizerState::from_json(&text)
    }

    /// A hyper-parameter, or an error naming it.
    pub(crate) fn hyper(&self, name: &str) -> Result<f64, OptimizerError> {
        self.hyperparameters
            .get(name)
            .copied()
            .ok_or_else(|| OptimizerError::Invalid(format!("the saved {} state has no `{name}`", self.optimizer)))
    }

    /// Checks the optimizer's name and the buffers' shapes against the parameters' shapes.
    pub(crate) fn check(&self, optimizer: &str, param_shapes: &[Vec<usize>]) -> Result<(), OptimizerError> {
        if self.optimizer != optimizer {
            return Err(OptimizerError::Mismatch(format!(
                "the state was saved by {} and cannot be loaded into {optimizer}",
                self.optimizer
            )));
        }
        if self.params.len() != param_shapes.len() {
            return Err(OptimizerError::Mismatch(format!(
                "the state has {} parameters but the optimizer has {}: build the optimizer over the same model",
                self.params.len(),
                param_shapes.len()
            )));
        }
        for (i, (p, shape)) in self.params.iter().zip(param_shapes).enumerate() {
            for (name, b) in &p.buffers {
                if &b.shape != shape || b.dtype().is_none() || b.data.len() != shape.iter().product::<usize>() {
                    return Err(OptimizerError::Mismatch(format!(
                        "parameter {i} is {shape:?} but its saved `{name}` is {:?} {} with {} values",
                        b.shape,
                        b.dtype,
                        b.data.len()
                    )));
                }
            }
        }
        Ok(())
    }
}

/// Why an optimizer state could not be saved or restored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptimizerError {
    /// The state belongs to another optimizer or other parameters.
    Mismatch(String),
    /// The state is malformed.
    Invalid(String),
    /// Reading or writing the file failed.
    Io(String),
}

impl fmt::Display for OptimizerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OptimizerError::Mismatch(m) => write!(f, "optimizer state does not match: {m}"),
            OptimizerError::Invalid(m) => {
                write!(f, "invalid optimizer state: {m} (was it written by OptimizerState::save?)")
            }
            OptimizerError::Io(m) => write!(f, "optimizer state file: {m}"),
        }
    }
}

impl std::error::Error for OptimizerError {}
