//! Printing the graph behind a [`Var`], for learners: [`Var::graph_text`] and [`Var::graph_dot`] (Graphviz).
//!
//! Both list every node reachable from the variable — ops, parameters (`leaf`) and data (`constant`) — in creation
//! order, with its op name, shape and dtype, and the nodes it was computed from. A graph freed by a backward pass
//! shows only its root (its links are gone).

use std::collections::HashSet;
use std::fmt::Write;

use crate::var::Var;

impl Var {
    /// Every node reachable from `self`, in creation order (inputs before their outputs).
    fn reachable(&self) -> Vec<(Var, Vec<Var>)> {
        let mut seen = HashSet::from([self.id()]);
        let mut stack = vec![self.clone()];
        let mut nodes = Vec::new();
        while let Some(var) = stack.pop() {
            let inputs = var.inputs();
            for input in &inputs {
                if seen.insert(input.id()) {
                    stack.push(input.clone());
                }
            }
            nodes.push((var, inputs));
        }
        nodes.sort_by_key(|(v, _)| v.id());
        nodes
    }

    /// One line per node: id, op, shape, dtype, `requires_grad`, and the ids of its inputs.
    ///
    /// ```
    /// use autograd::Var;
    /// use tensor::Tensor;
    /// let x = Var::constant(Tensor::new(&[1.0f32, 2.0], &[1, 2]));
    /// let w = Var::leaf(Tensor::new(&[0.5f32, -1.0], &[2, 1]));
    /// let y = x.matmul(&w).relu();
    /// let text = y.graph_text();
    /// assert!(text.contains("matmul [1, 1] float32 requires_grad <- #"));
    /// assert!(text.lines().last().unwrap().contains("relu"));
    /// ```
    pub fn graph_text(&self) -> String {
        let mut s = String::new();
        for (var, inputs) in self.reachable() {
            let t = var.tensor();
            let _ = write!(s, "#{} {} {:?} {}", var.id(), var.op_name(), t.shape(), t.dtype());
            if var.requires_grad() {
                s.push_str(" requires_grad");
            }
            if !inputs.is_empty() {
                let ids: Vec<String> = inputs.iter().map(|v| format!("#{}", v.id())).collect();
                let _ = write!(s, " <- {}", ids.join(", "));
            } else if var.0.has_grad_fn {
                s.push_str(" <- (freed by backward)");
            }
            s.push('\n');
        }
        s
    }

    /// The graph in Graphviz DOT (`dot -Tsvg graph.dot -o graph.svg`): parameters as boxes, data dashed, ops as
    /// ellipses, edges from inputs to outputs.
    pub fn graph_dot(&self) -> String {
        let mut s = String::from("digraph tapegrad {\n  rankdir=BT;\n  node [fontname=\"monospace\"];\n");
        for (var, inputs) in self.reachable() {
            let t = var.tensor();
            let style = match var.op_name() {
                "leaf" => "shape=box",
                "constant" => "shape=box, style=dashed",
                _ => "shape=ellipse",
            };
            let _ = writeln!(
                s,
                "  n{} [label=\"#{} {}\\n{:?} {}\", {style}];",
                var.id(),
                var.id(),
                var.op_name(),
                t.shape(),
                t.dtype()
            );
            for input in inputs {
                let _ = writeln!(s, "  n{} -> n{};", input.id(), var.id());
            }
        }
        s.push_str("}\n");
        s
    }
}
