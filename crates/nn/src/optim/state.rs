//! [`OptimizerState`]: an optimizer's hyper-parameters and buffers as plain data, serialisable to JSON (and so
//! to a file, written atomically), and the [`OptimizerError`] of restoring one.
//!
//! JSON has no NaN or infinities, yet a moment can hold them (a gradient of 1e30 squared is +inf in float32).
//! Every number — buffer values and hyper-parameters — is therefore written as a JSON number when finite and
//! as a string otherwise: `"inf"`, `"-inf"`, `"nan"` (the positive quiet NaN), or `"nan:0x<16 hex digits>"`
//! (any other NaN, its f64 bits). So every f64 round-trips bit for bit, and every float32 value too (a
//! signalling float32 NaN comes back quiet: widening it to f64 quiets it). A save never succeeds on a state
//! that load would refuse.

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
    /// The values in row-major order (non-finite values written as strings, see the module doc).
    #[serde(serialize_with = "exact::serialize_vec", deserialize_with = "exact::deserialize_vec")]
    pub data: Vec<f64>,
}

impl SavedTensor {
    /// Copies a tensor to host data.
    pub fn from_tensor(t: &Tensor) -> SavedTensor {
        SavedTensor { shape: t.shape().to_vec(), dtype: t.dtype().as_str().to_string(), data: t.to_f64_vec() }
    }

    /// The tensor on `device`.
    pub fn to_tensor(&self, device: &Device) -> Result<Tensor, OptimizerError> {
        let n = self.shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d));
        if n != Some(self.data.len()) {
            return Err(OptimizerError::Invalid(format!(
                "a saved tensor of shape {:?} has {} values",
                self.shape,
                self.data.len()
            )));
        }
        let data = match self.dtype.as_str() {
            "float32" => HostBuffer::F32(self.data.iter().map(|&v| v as f32).collect()),
            "float64" => HostBuffer::F64(self.data.clone()),
            other => return Err(OptimizerError::Invalid(format!("a saved tensor has unsupported dtype {other}"))),
        };
        Tensor::try_from_host(data, &self.shape, device).map_err(|e| {
            OptimizerError::Invalid(format!("a saved tensor of shape {:?} cannot be restored: {e}", self.shape))
        })
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
    /// Hyper-parameters by name (non-finite values written as strings, see the module doc).
    #[serde(serialize_with = "exact::serialize_map", deserialize_with = "exact::deserialize_map")]
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

    /// Writes the state as JSON to `path`, atomically, as a checkpoint (see [`crate::atomic_file`]: a unique
    /// temporary in the same directory, synced, renamed over `path`; symlinks written through; directories and
    /// special files refused).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), OptimizerError> {
        let path = path.as_ref();
        crate::atomic_file::write(path, self.to_json().as_bytes()).map_err(|e| {
            let hint = crate::atomic_file::hint(&e, path).map(|h| format!(" ({h})")).unwrap_or_default();
            OptimizerError::Io(format!("cannot write {}: {e}{hint}", path.display()))
        })
    }

    /// Reads a state written by [`OptimizerState::save`].
    pub fn load(path: impl AsRef<Path>) -> Result<OptimizerState, OptimizerError> {
        let path = path.as_ref();
        let bytes = crate::atomic_file::read(path).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::NotFound { " (check the path)" } else { "" };
            OptimizerError::Io(format!("cannot read {}: {e}{hint}", path.display()))
        })?;
        let text = String::from_utf8(bytes)
            .map_err(|_| OptimizerError::Invalid(format!("{} is not text, so not a saved state", path.display())))?;
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

/// Exact JSON numbers: finite values as numbers, the others as strings (see the module doc).
mod exact {
    use std::collections::BTreeMap;
    use std::fmt;

    use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde::ser::{SerializeMap, SerializeSeq, Serializer};
    use serde::{Deserialize, Serialize};

    /// The bits of `f64::NAN`, written as plain `"nan"`.
    const CANONICAL_NAN: u64 = 0x7ff8_0000_0000_0000;

    /// One number, written exactly.
    struct Exact(f64);

    impl Serialize for Exact {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let v = self.0;
            if v.is_finite() {
                s.serialize_f64(v)
            } else if v == f64::INFINITY {
                s.serialize_str("inf")
            } else if v == f64::NEG_INFINITY {
                s.serialize_str("-inf")
            } else if v.to_bits() == CANONICAL_NAN {
                s.serialize_str("nan")
            } else {
                s.serialize_str(&format!("nan:{:#018x}", v.to_bits()))
            }
        }
    }

    impl<'de> Deserialize<'de> for Exact {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Exact, D::Error> {
            struct V;
            impl Visitor<'_> for V {
                type Value = Exact;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("a number, or one of \"inf\", \"-inf\", \"nan\", \"nan:0x<16 hex digits>\"")
                }
                fn visit_f64<E: de::Error>(self, v: f64) -> Result<Exact, E> {
                    Ok(Exact(v))
                }
                fn visit_i64<E: de::Error>(self, v: i64) -> Result<Exact, E> {
                    Ok(Exact(v as f64))
                }
                fn visit_u64<E: de::Error>(self, v: u64) -> Result<Exact, E> {
                    Ok(Exact(v as f64))
                }
                fn visit_str<E: de::Error>(self, v: &str) -> Result<Exact, E> {
                    match v {
                        "inf" => Ok(Exact(f64::INFINITY)),
                        "-inf" => Ok(Exact(f64::NEG_INFINITY)),
                        "nan" => Ok(Exact(f64::NAN)),
                        _ => v
                            .strip_prefix("nan:0x")
                            .and_then(|hex| u64::from_str_radix(hex, 16).ok())
                            .map(f64::from_bits)
                            .filter(|x| x.is_nan())
                            .map(Exact)
                            .ok_or_else(|| E::invalid_value(de::Unexpected::Str(v), &self)),
                    }
                }
                fn visit_unit<E: de::Error>(self) -> Result<Exact, E> {
                    Err(E::custom(
                        "a value is null: the file was written by a version that stored NaN and infinities as \
                         null, so the value is lost; save the state again",
                    ))
                }
            }
            d.deserialize_any(V)
        }
    }

    pub fn serialize_vec<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for &x in v {
            seq.serialize_element(&Exact(x))?;
        }
        seq.end()
    }

    pub fn deserialize_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<f64>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of numbers")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<f64>, A::Error> {
                let mut out = Vec::new();
                while let Some(Exact(x)) = seq.next_element()? {
                    out.push(x);
                }
                Ok(out)
            }
        }
        d.deserialize_seq(V)
    }

    pub fn serialize_map<S: Serializer>(m: &BTreeMap<String, f64>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(m.len()))?;
        for (k, &v) in m {
            map.serialize_entry(k, &Exact(v))?;
        }
        map.end()
    }

    pub fn deserialize_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, f64>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = BTreeMap<String, f64>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of names to numbers")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BTreeMap<String, f64>, A::Error> {
                let mut out = BTreeMap::new();
                while let Some((k, Exact(v))) = map.next_entry::<String, Exact>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}
