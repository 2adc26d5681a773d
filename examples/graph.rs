//! The graph autograd records for one forward pass of the tutorial's circle classifier:
//! `cargo run --example graph` prints it as text; `cargo run --example graph -- --dot > graph.dot` writes Graphviz
//! (`dot -Tsvg graph.dot -o graph.svg`).
//!
//! Look for the `expand` nodes: each bias `[10]` is broadcast over the batch explicitly, and that node's backward
//! rule is the only place where a gradient is summed back to a smaller shape.

use autograd::Var;
use tensor::{DType, Device, Tensor};

fn main() {
    let dot = std::env::args().any(|a| a == "--dot");
    let batch = 4;
    let x = Var::constant(Tensor::zeros(&[batch, 2], DType::F32, &Device::Cpu));
    let y = Var::constant(Tensor::ones(&[batch, 1], DType::F32, &Device::Cpu));
    let layer = |fan_in: usize, fan_out: usize| {
        (
            Var::leaf(Tensor::full(&[fan_in, fan_out], 0.1, DType::F32, &Device::Cpu)),
            Var::leaf(Tensor::zeros(&[fan_out], DType::F32, &Device::Cpu)),
        )
    };
    let (w1, b1) = layer(2, 10);
    let (w2, b2) = layer(10, 10);
    let (w3, b3) = layer(10, 1);

    // Linear(2, 10) -> ReLU -> Linear(10, 10) -> ReLU -> Linear(10, 1), then BCE with logits.
    let h1 = (x.matmul(&w1) + &b1).relu();
    let h2 = (h1.matmul(&w2) + &b2).relu();
    let logits = h2.matmul(&w3) + &b3;
    let loss = logits.bce_with_logits(&y).mean();

    if dot {
        print!("{}", loss.graph_dot());
        return;
    }
    println!("# id op shape dtype [requires_grad] <- inputs");
    print!("{}", loss.graph_text());
    loss.backward();
    println!(
        "\nafter backward: w1.grad {:?}, b3.grad = {:?}",
        w1.grad().map(|g| g.shape().to_vec()),
        b3.grad().map(|g| g.to_vec::<f32>())
    );
    println!("the graph was freed: {}", loss.graph_text().trim());
}
