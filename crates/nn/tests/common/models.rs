//! The tutorial's models as its notebook defines them, and the seeding they are built under.

use std::sync::Mutex;

use autograd::Var;
use nn::{children, Linear, Module, ReLU, Sequential};

/// `manual_seed` seeds one process-wide generator: tests that build models take turns.
static SEED_LOCK: Mutex<()> = Mutex::new(());

/// `torch.manual_seed(seed)`, then `build()`, with no other test of this binary seeding or drawing in between.
pub fn seeded<T>(seed: u64, build: impl FnOnce() -> T) -> T {
    let _guard = SEED_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    nn::manual_seed(seed);
    build()
}

/// Two linear layers, no non-linearity: `2 → 5 → 1`.
pub struct CircleModelV0 {
    pub layer_1: Linear,
    pub layer_2: Linear,
}

impl CircleModelV0 {
    pub fn new() -> CircleModelV0 {
        CircleModelV0 { layer_1: Linear::new(2, 5), layer_2: Linear::new(5, 1) }
    }
}

impl Module for CircleModelV0 {
    fn forward(&self, x: &Var) -> Var {
        self.layer_2.forward(&self.layer_1.forward(x))
    }
    children!(layer_1, layer_2);
}

/// `2 → 10 → 10 → 1` with ReLU between the layers.
pub struct CircleModelV2 {
    pub layer_1: Linear,
    pub layer_2: Linear,
    pub layer_3: Linear,
    pub relu: ReLU,
}

impl CircleModelV2 {
    pub fn new() -> CircleModelV2 {
        CircleModelV2 {
            layer_1: Linear::new(2, 10),
            layer_2: Linear::new(10, 10),
            layer_3: Linear::new(10, 1),
            relu: ReLU,
        }
    }
}

impl Module for CircleModelV2 {
    fn forward(&self, x: &Var) -> Var {
        let h = self.relu.forward(&self.layer_1.forward(x));
        let h = self.relu.forward(&self.layer_2.forward(&h));
        self.layer_3.forward(&h)
    }
    children!(layer_1, layer_2, layer_3, relu);
}

/// `input → hidden → hidden → output` with ReLU between the layers, in one `Sequential`.
pub struct BlobModel {
    pub linear_layer_stack: Sequential,
}

impl BlobModel {
    pub fn new(input_features: usize, output_features: usize, hidden_units: usize) -> BlobModel {
        BlobModel {
            linear_layer_stack: Sequential::new()
                .add(Linear::new(input_features, hidden_units))
                .add(ReLU)
                .add(Linear::new(hidden_units, hidden_units))
                .add(ReLU)
                .add(Linear::new(hidden_units, output_features)),
        }
    }
}

impl Module for BlobModel {
    fn forward(&self, x: &Var) -> Var {
        self.linear_layer_stack.forward(x)
    }
    children!(linear_layer_stack);
}

nn::impl_display!(CircleModelV0, CircleModelV2, BlobModel);
