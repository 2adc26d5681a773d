//! Checkpoints: a module's parameters saved to and loaded from a [safetensors] file under PyTorch's parameter
//! names (`layer_1.weight`, `0.bias`), so that a file written here loads with `safetensors.torch.load_file`
//! into the same PyTorch model (`model.load_state_dict(load_file(path))`) and a file PyTorch wrote with
//! `safetensors.torch.save_file(model.state_dict(), path)` loads here.
//!
//! * [`save`] writes atomically through [`crate::atomic_file`]: the bytes go to a uniquely named temporary in
//!   the same directory, are synced to disk, then the temporary is renamed over `path` — a crash leaves the old
//!   checkpoint or the new one, never half of one; concurrent saves each land whole (the last one wins). A
//!   symlink is written through (its target gets the new file); a directory, device, FIFO or socket is refused.
//!   It refuses what [`load`] would refuse (two parameters with one name, integer parameters), so a save never
//!   succeeds on a file that cannot be loaded back.
//! * [`Module::state_dict`] and [`Module::load_state_dict`] are the same in memory; the file functions are built
//!   on them ([`save`] writes `state_dict()`, [`load`] reads the file and calls `load_state_dict`).
//! * [`load`] validates everything first — the file parses, every parameter is present with its shape and a
//!   float dtype, no unexpected tensor — and only then replaces parameter values. A failed load changes
//!   nothing, and its [`CheckpointError`] says what is wrong and what to do.
//!
//! [safetensors]: https://github.com/huggingface/safetensors

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use tensor::{HostBuffer, Tensor};

use crate::module::Module;

/// Why a checkpoint could not be saved or loaded. Its `Display` says what went wrong and what to do.
#[derive(Debug)]
pub enum CheckpointError {
    /// Reading or writing the file failed (missing file, permissions, disk full, a directory...).
    Io {
        /// The file.
        path: PathBuf,
        /// What was being done: `"read"` or `"write"`.
        action: &'static str,
        /// The system's error.
        source: std::io::Error,
    },
    /// The file is not a valid safetensors file (truncated, corrupt, not safetensors at all).
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The parser's complaint.
        reason: String,
    },
    /// The file is valid but does not fit the model: missing or unexpected parameters, other shapes or dtypes.
    Mismatch {
        /// The file.
        path: PathBuf,
        /// Every problem found, one per line.
        problems: Vec<String>,
    },
    /// The module cannot be saved as a checkpoint that loads back (nothing was written).
    Unsavable {
        /// The file.
        path: PathBuf,
        /// Every problem found, one per line.
        problems: Vec<String>,
    },
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckpointError::Io { path, action, source } => {
                write!(f, "cannot {action} checkpoint {}: {source}", path.display())?;
                let hint = if *action == "read" {
                    (source.kind() == std::io::ErrorKind::NotFound)
                        .then(|| "check the path, or train and save a model first".to_string())
                } else {
                    crate::atomic_file::hint(source, path)
                };
                match hint {
                    Some(h) => write!(f, " ({h})"),
                    None => Ok(()),
                }
            }
            CheckpointError::Corrupt { path, reason } => write!(
                f,
                "checkpoint {} is not a valid safetensors file ({reason}); it may be truncated or corrupt — save it \
                 again",
                path.display()
            ),
            CheckpointError::Mismatch { path, problems } => write!(
                f,
                "checkpoint {} does not fit this model (nothing was loaded):\n  {}\nload it into the model it was \
                 saved from",
                path.display(),
                problems.join("\n  ")
            ),
            CheckpointError::Unsavable { path, problems } => write!(
                f,
                "cannot save checkpoint {} (nothing was written): it could not be loaded back:\n  {}",
                path.display(),
                problems.join("\n  ")
            ),
        }
    }
}

impl std::error::Error for CheckpointError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CheckpointError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The safetensors bytes of named tensors (float32 / float64 / int64, little-endian, row-major).
pub fn to_bytes(tensors: &[(String, Tensor)]) -> Result<Vec<u8>, String> {
    let owned: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = tensors
        .iter()
        .map(|(name, t)| {
            let (dtype, bytes) = match t.to_host() {
                HostBuffer::F32(v) => (Dtype::F32, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
                HostBuffer::F64(v) => (Dtype::F64, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
                HostBuffer::I64(v) => (Dtype::I64, v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            };
            (name.clone(), dtype, t.shape().to_vec(), bytes)
        })
        .collect();
    let views = owned
        .iter()
        .map(|(name, dtype, shape, bytes)| {
            TensorView::new(*dtype, shape.clone(), bytes).map(|v| (name.as_str(), v)).map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>, _>>()?;
    safetensors::serialize(views, None).map_err(|e| e.to_string())
}

/// Saves `module`'s parameters to `path` (safetensors, PyTorch names), atomically (see the module doc).
///
/// # Errors
/// [`CheckpointError::Unsavable`] when the file could not be loaded back (two parameters with one name, an
/// integer parameter, a parameter named `__metadata__`); [`CheckpointError::Io`] when the file cannot be
/// written — the file at `path`, if any, is then unchanged.
pub fn save(module: &dyn Module, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
    let path = path.as_ref();
    let state = module.state_dict();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for (name, t) in &state {
        if !seen.insert(name.as_str()) {
            problems.push(format!("two parameters are named `{name}`"));
        }
        if !t.dtype().is_float() {
            problems.push(format!("`{name}` is {}; parameters are float", t.dtype()));
        }
        if name == "__metadata__" {
            problems.push("a parameter is named `__metadata__`, the name safetensors keeps for its header".into());
        }
    }
    if !problems.is_empty() {
        return Err(CheckpointError::Unsavable { path: path.to_path_buf(), problems });
    }
    let bytes = to_bytes(&state)
        .map_err(|reason| CheckpointError::Unsavable { path: path.to_path_buf(), problems: vec![reason] })?;
    crate::atomic_file::write(path, &bytes).map_err(|source| CheckpointError::Io {
        path: path.to_path_buf(),
        action: "write",
        source,
    })
}

/// Reads every tensor of a safetensors file (any dtype this crate has: F32, F64, I64). A directory, device,
/// FIFO or socket is refused, not read.
pub fn read(path: impl AsRef<Path>) -> Result<HashMap<String, Tensor>, CheckpointError> {
    let path = path.as_ref();
    let bytes = crate::atomic_file::read(path).map_err(|source| CheckpointError::Io {
        path: path.to_path_buf(),
        action: "read",
        source,
    })?;
    parse(path, &bytes)
}

fn parse(path: &Path, bytes: &[u8]) -> Result<HashMap<String, Tensor>, CheckpointError> {
    let corrupt = |reason: String| CheckpointError::Corrupt { path: path.to_path_buf(), reason };
    let st = SafeTensors::deserialize(bytes).map_err(|e| corrupt(e.to_string()))?;
    let mut out = HashMap::new();
    for (name, view) in st.tensors() {
        let data = view.data();
        let host = match view.dtype() {
            Dtype::F32 => {
                HostBuffer::F32(data.chunks_exact(4).map(|c| f32::from_le_bytes(c.try_into().unwrap())).collect())
            }
            Dtype::F64 => {
                HostBuffer::F64(data.chunks_exact(8).map(|c| f64::from_le_bytes(c.try_into().unwrap())).collect())
            }
            Dtype::I64 => {
                HostBuffer::I64(data.chunks_exact(8).map(|c| i64::from_le_bytes(c.try_into().unwrap())).collect())
            }
            other => {
                return Err(CheckpointError::Mismatch {
                    path: path.to_path_buf(),
                    problems: vec![format!("`{name}` has dtype {other:?}; only F32, F64 and I64 can be read")],
                })
            }
        };
        if host.len() != view.shape().iter().product::<usize>() {
            return Err(corrupt(format!("`{name}` has {} values for shape {:?}", host.len(), view.shape())));
        }
        out.insert(name, Tensor::from_host(host, view.shape(), &tensor::Device::Cpu));
    }
    Ok(out)
}

/// Loads the parameters of `module` from `path`: [`read`], then [`Module::load_state_dict`]. Every parameter
/// must be in the file with the same shape (any float dtype: values are converted to the parameter's), and the
/// file must hold nothing else; otherwise nothing is changed and the error lists every problem. Values move to
/// each parameter's device.
pub fn load(module: &dyn Module, path: impl AsRef<Path>) -> Result<(), CheckpointError> {
    let path = path.as_ref();
    let mut state: Vec<(String, Tensor)> = read(path)?.into_iter().collect();
    // A file's tensors come in no particular order; sorted, every error lists its problems in one order.
    state.sort_by(|a, b| a.0.cmp(&b.0));
    module.load_state_dict(&state).map_err(|e| CheckpointError::Mismatch {
        path: path.to_path_buf(),
        problems: e.problems.into_iter().map(|p| p.replace("in the state dict", "in the file")).collect(),
    })
}

/// Why [`Module::load_state_dict`] refused a state dict (nothing was loaded): every problem found, one per entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateDictError {
    /// The module's class name (`Sequential`, `CircleModelV0`), as PyTorch's message names it.
    pub module: String,
    /// Missing, unexpected, repeated or mis-shaped keys, one sentence each.
    pub problems: Vec<String>,
}

impl fmt::Display for StateDictError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error(s) in loading state_dict for {} (nothing was loaded):\n  {}\npass the state_dict() of a model of \
             the same architecture",
            self.module,
            self.problems.join("\n  ")
        )
    }
}

impl std::error::Error for StateDictError {}

/// [`Module::load_state_dict`] for the parameters `params` of a module named `module`: validates every entry
/// first, then replaces the values (converted to each parameter's dtype and device).
pub fn load_state_dict(
    params: &[(String, autograd::Var)],
    module: String,
    state: &[(String, Tensor)],
) -> Result<(), StateDictError> {
    // Validate everything before touching any parameter.
    let mut problems = Vec::new();
    let mut by_name: HashMap<&str, &Tensor> = HashMap::new();
    for (name, t) in state {
        if by_name.insert(name.as_str(), t).is_some() {
            problems.push(format!("`{name}` appears twice"));
        }
    }
    for (name, p) in params {
        match by_name.get(name.as_str()) {
            None => problems.push(format!("missing `{name}` {:?}", p.shape())),
            Some(t) if t.shape() != p.shape() => {
                problems.push(format!("`{name}` is {:?} in the state dict but {:?} in the model", t.shape(), p.shape()))
            }
            Some(t) if !t.dtype().is_float() => {
                problems.push(format!("`{name}` is {} in the state dict; parameters are float", t.dtype()))
            }
            Some(_) => {}
        }
    }
    let known: HashSet<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
    let mut unexpected: Vec<&str> = by_name.keys().copied().filter(|k| !known.contains(k)).collect();
    unexpected.sort_unstable();
    problems.extend(unexpected.into_iter().map(|k| format!("unexpected `{k}` (not a parameter of this model)")));
    if !problems.is_empty() {
        return Err(StateDictError { module, problems });
    }
    for (name, p) in params {
        let t = by_name[name.as_str()];
        let t = if t.dtype() == p.dtype() { t.clone() } else { t.to_dtype(p.dtype()) };
        p.set_data(t.to_device(&p.device()));
    }
    Ok(())
}
