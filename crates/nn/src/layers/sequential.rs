//! [`Sequential`]: modules applied one after the other, named `"0"`, `"1"`, ... as in PyTorch.

use autograd::Var;

use crate::module::Module;

/// A chain of modules: `forward(x) = m_n(...m_1(m_0(x)))` (`nn.Sequential`). Children are named by their
/// index, so parameters are `0.weight`, `0.bias`, `2.weight`...
///
/// ```
/// use nn::{Linear, Module, ReLU, Sequential};
/// nn::manual_seed(42);
/// let model = Sequential::new().add(Linear::new(2, 5)).add(ReLU).add(Linear::new(5, 1));
/// assert_eq!(
///     model.repr(),
///     "Sequential(\n  (0): Linear(in_features=2, out_features=5, bias=True)\n  (1): ReLU()\n  \
///      (2): Linear(in_features=5, out_features=1, bias=True)\n)"
/// );
/// ```
#[derive(Default)]
pub struct Sequential {
    layers: Vec<Box<dyn Module>>,
}

impl Sequential {
    /// An empty chain (the identity).
    pub fn new() -> Sequential {
        Sequential { layers: Vec::new() }
    }

    /// The chain with `layer` appended (builder style; layers are built, and draw their weights, in the order
    /// they are added — as the arguments of `nn.Sequential(...)`).
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, layer: impl Module + 'static) -> Sequential {
        self.layers.push(Box::new(layer));
        self
    }

    /// Appends a layer (`nn.Sequential.append`).
    pub fn push(&mut self, layer: impl Module + 'static) {
        self.layers.push(Box::new(layer));
    }

    /// The number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// True when there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// Layer `i`.
    pub fn get(&self, i: usize) -> Option<&dyn Module> {
        self.layers.get(i).map(|m| m.as_ref())
    }
}

impl From<Vec<Box<dyn Module>>> for Sequential {
    fn from(layers: Vec<Box<dyn Module>>) -> Sequential {
        Sequential { layers }
    }
}

impl Module for Sequential {
    fn forward(&self, x: &Var) -> Var {
        // A loop, not a fold: a closure would hide the caller's location from a layer's misuse panic.
        let mut h = x.clone();
        let mut i = 0;
        while i < self.layers.len() {
            // A layer followed by a ReLU runs as one fused node where the layer has one (Module::forward_relu).
            if self.layers.get(i + 1).is_some_and(|next| next.type_name() == "ReLU") {
                if let Some(y) = self.layers[i].forward_relu(&h) {
                    h = y;
                    i += 2;
                    continue;
                }
            }
            h = self.layers[i].forward(&h);
            i += 1;
        }
        h
    }

    fn children(&self) -> Vec<(String, &dyn Module)> {
        self.layers.iter().enumerate().map(|(i, m)| (i.to_string(), m.as_ref())).collect()
    }

    fn children_mut(&mut self) -> Vec<(String, &mut dyn Module)> {
        self.layers.iter_mut().enumerate().map(|(i, m)| (i.to_string(), m.as_mut() as &mut dyn Module)).collect()
    }
}

crate::impl_display!(Sequential);
