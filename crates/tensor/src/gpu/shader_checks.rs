//! Tests (no GPU needed) that hold the Rust side of the backend to its WGSL side, read with naga:
//!
//! * every op code a shader switches on is a constant named after its Rust variant (`SIGMOID` for
//!   `UnaryOp::Sigmoid`) with the value the launcher writes, and every `u32` constant of a shader is either such a
//!   code or one of the shader's own named sizes listed here (no stray or missing code);
//! * each constant a launcher shares with a shader (`VEC4_QUADS` and `QUADS`...) has one value;
//! * each `#[repr(C)]` `Params` mirror has the size and the field names, types and offsets of naga's layout of its
//!   WGSL struct;
//! * every entry point's workgroup size is a named constant of its shader, which the launcher reads
//!   ([`workgroup_sizes`]).
//!
//! Each check is a function returning the mismatches, so that a negative control can show it catches one.

use naga::{Handle, Module, Scalar, ScalarKind, Type, TypeInner};

use super::context::{workgroup_sizes, ERROR_INDEX};
use super::elementwise::VEC4_QUADS;
use super::params::*;
use super::reduce::ROWS_MAX;
use super::shaders::{self, Shader};
use super::softmax::SOFTMAX_REGISTERS_MAX;
use crate::ops::{BinaryKernel, ReduceOp, SoftmaxOp, UnaryOp};

fn parse(shader: &Shader) -> Module {
    naga::front::wgsl::parse_str(shader.source).unwrap_or_else(|e| panic!("{}.wgsl does not parse: {e}", shader.name))
}

/// The `u32` constants of a module, by name.
fn u32_constants(module: &Module) -> Vec<(String, u32)> {
    module
        .constants
        .iter()
        .filter(|(_, c)| module.types[c.ty].inner == TypeInner::Scalar(Scalar::U32))
        .map(|(_, c)| {
            let name = c.name.clone().unwrap_or_default();
            match module.global_expressions[c.init] {
                naga::Expression::Literal(naga::Literal::U32(v)) => (name, v),
                ref e => panic!("the constant {name} is not a u32 literal: {e:?}"),
            }
        })
        .collect()
}

/// Every unary op, in the order of the enum (the parameters are placeholders: they are not part of the code).
fn every_unary_op() -> Vec<UnaryOp> {
    use UnaryOp::*;
    let all = vec![
        Neg,
        Exp,
        Log,
        Log1p,
        Sqrt,
        Abs,
        Relu,
        Sigmoid,
        Tanh,
        Sign,
        Round,
        Powf(2.0),
        Clamp(0.0, 1.0),
        Affine(1.0, 0.0),
    ];
    for op in &all {
        // An exhaustive match: a new variant does not compile here until it is listed above.
        match op {
            Neg | Exp | Log | Log1p | Sqrt | Abs | Relu | Sigmoid | Tanh | Sign | Round | Powf(_) | Clamp(..)
            | Affine(..) => {}
        }
    }
    all
}

/// A constant name from an op's name: `bce_with_logits` → `BCE_WITH_LOGITS`.
fn constant_name(op_name: &str) -> String {
    op_name.to_uppercase()
}

/// The op codes each shader switches on, as (constant name, the code the launcher writes), and the shader's other
/// `u32` constants (sizes of its geometry, checked elsewhere or private to it). Every shader of the table is here.
fn codes_of(shader: &Shader) -> (Vec<(String, u32)>, &'static [&'static str]) {
    let epilogue = [
        ("EPILOGUE_NONE", EPILOGUE_NONE),
        ("EPILOGUE_BIAS", EPILOGUE_BIAS),
        ("EPILOGUE_BIAS_RELU", EPILOGUE_BIAS_RELU),
    ];
    let operand = [
        ("OPERAND_STRIDED", OPERAND_STRIDED),
        ("OPERAND_K_QUADS", OPERAND_K_QUADS),
        ("OPERAND_MN_QUADS", OPERAND_MN_QUADS),
    ];
    let named = |v: &[(&str, u32)]| v.iter().map(|&(n, c)| (n.to_string(), c)).collect::<Vec<_>>();
    match shader.name {
        "elementwise" => {
            let unary = every_unary_op().into_iter().map(|op| (constant_name(op.name()), unary_code(op)));
            // Every binary kernel: the public ops and the backend-only ones (RELU_BACKWARD).
            let binary = BinaryKernel::ALL.into_iter().map(|op| (constant_name(op.name()), binary_code(op)));
            (unary.chain(binary).collect(), &["WORKGROUP", "QUADS"])
        }
        "reduce" => {
            let all = [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::ArgMax, ReduceOp::ArgMin];
            for op in all {
                // An exhaustive match: a new variant does not compile here until it is listed above.
                match op {
                    ReduceOp::Sum | ReduceOp::Max | ReduceOp::Min | ReduceOp::ArgMax | ReduceOp::ArgMin => {}
                }
            }
            (all.into_iter().map(|op| (constant_name(op.name()), reduce_code(op))).collect(), &["WORKGROUP"])
        }
        "softmax" => (
            SoftmaxOp::ALL.into_iter().map(|op| (constant_name(op.name()), softmax_code(op))).collect(),
            &["WORKGROUP", "QUADS"],
        ),
        "matmul" => (named(&epilogue), &["WORKGROUP", "BM", "BN", "BK", "TM", "TN", "BIG", "BIG_BK"]),
        "matmul_pipelined" | "matmul_pipelined_unchecked" => (
            named(&epilogue).into_iter().chain(named(&operand)).collect(),
            &["BM", "BN_MAX", "BK_MAX", "WORKGROUP_128X128", "WORKGROUP_128X64"],
        ),
        "optim" => (named(&optim_flags::ALL), &["WORKGROUP"]),
        "copy" | "metrics" => (Vec::new(), &["WORKGROUP"]),
        "gather" => (Vec::new(), &["WORKGROUP", "ERROR_INDEX"]),
        "loss" => (Vec::new(), &["WORKGROUP", "ROWS_MAX"]),
        other => panic!("{other}.wgsl: list its op codes and constants in `codes_of`"),
    }
}

/// The mismatches between the op codes of `codes` and the `u32` constants of `module`, both ways: a code without
/// its constant (or with another value), and a constant that is neither a code nor one of `own`.
fn code_mismatches(module: &Module, codes: &[(String, u32)], own: &[&str]) -> Vec<String> {
    let constants = u32_constants(module);
    let mut wrong = Vec::new();
    for (name, code) in codes {
        match constants.iter().find(|(n, _)| n == name) {
            None => wrong.push(format!("no constant {name} (code {code})")),
            Some((_, v)) if v != code => wrong.push(format!("{name} = {v}, but the launcher writes {code}")),
            Some(_) => {}
        }
    }
    for (name, v) in &constants {
        if !codes.iter().any(|(n, _)| n == name) && !own.contains(&name.as_str()) {
            wrong.push(format!("{name} = {v} is no op code of the Rust enums (and not listed as the shader's own)"));
        }
    }
    wrong
}

#[test]
fn op_codes_are_named_constants_of_the_rust_variants() {
    for shader in shaders::ALL {
        let (codes, own) = codes_of(shader);
        let wrong = code_mismatches(&parse(shader), &codes, own);
        assert!(wrong.is_empty(), "{}.wgsl:\n{}", shader.name, wrong.join("\n"));
    }
}

#[test]
fn a_wrong_op_code_is_caught() {
    // Negative controls: a code off by one, a variant without a constant, and a stray constant.
    let module = parse(&shaders::ELEMENTWISE);
    let (mut codes, own) = codes_of(&shaders::ELEMENTWISE);
    let sigmoid = codes.iter().position(|(n, _)| n == "SIGMOID").expect("SIGMOID is a code");
    codes[sigmoid].1 += 1;
    assert_eq!(code_mismatches(&module, &codes, own).len(), 1);
    codes[sigmoid].0 = "SIGMOID_".into();
    assert_eq!(code_mismatches(&module, &codes, own).len(), 2, "the missing SIGMOID_ and the stray SIGMOID");
    // The backend-only kernel is checked both ways too: without it on the Rust side its constant is stray, and
    // with another code it is caught.
    let (mut codes, _) = codes_of(&shaders::ELEMENTWISE);
    let relu_backward = codes.iter().position(|(n, _)| n == "RELU_BACKWARD").expect("RELU_BACKWARD is a code");
    codes[relu_backward].1 -= 1;
    assert_eq!(code_mismatches(&module, &codes, own), ["RELU_BACKWARD = 14, but the launcher writes 13"]);
    codes.remove(relu_backward);
    let stray = code_mismatches(&module, &codes, own);
    assert_eq!(stray.len(), 1, "{stray:?}");
    assert!(stray[0].starts_with("RELU_BACKWARD = 14 is no op code"), "{stray:?}");
}

/// The value of the `u32` constant `name` of a shader.
fn constant(shader: &Shader, name: &str) -> usize {
    let constants = u32_constants(&parse(shader));
    let found = constants.iter().find(|(n, _)| n == name);
    found.unwrap_or_else(|| panic!("{}.wgsl has no u32 constant {name}", shader.name)).1 as usize
}

#[test]
fn constants_shared_by_a_launcher_and_its_shader_agree() {
    assert_eq!(constant(&shaders::ELEMENTWISE, "QUADS"), VEC4_QUADS);
    let softmax_quads = constant(&shaders::SOFTMAX, "QUADS");
    assert_eq!(4 * softmax_quads * constant(&shaders::SOFTMAX, "WORKGROUP"), SOFTMAX_REGISTERS_MAX);
    assert_eq!(constant(&shaders::LOSS, "ROWS_MAX"), ROWS_MAX);
    assert_eq!(constant(&shaders::GATHER, "ERROR_INDEX"), ERROR_INDEX as usize);
}

#[test]
fn every_workgroup_size_is_a_named_constant_read_by_the_launcher() {
    for shader in shaders::ALL {
        // Defined once: `@workgroup_size(WORKGROUP)`, never a literal.
        for (at, _) in shader.source.match_indices("@workgroup_size(") {
            let arg = &shader.source[at + "@workgroup_size(".len()..];
            assert!(!arg.starts_with(|c: char| c.is_ascii_digit()), "{}.wgsl: a literal workgroup size", shader.name);
        }
        let sizes = workgroup_sizes(shader);
        for entry in shader.entries {
            let size = sizes.iter().find(|(e, _)| e == entry).map(|&(_, s)| s);
            assert!(size.is_some_and(|s| s > 0), "{}::{entry}: no workgroup size ({sizes:?})", shader.name);
        }
    }
    assert!(workgroup_sizes(&shaders::ELEMENTWISE)
        .iter()
        .all(|&(_, s)| s == constant(&shaders::ELEMENTWISE, "WORKGROUP")));
    let pipelined = workgroup_sizes(&shaders::MATMUL_PIPELINED);
    assert!(pipelined
        .contains(&("matmul_pipelined_128x64_k8_f32", constant(&shaders::MATMUL_PIPELINED, "WORKGROUP_128X64"))));
}

// --- Params layouts ---------------------------------------------------------------------------------------------

/// A Rust mirror: its name, size, and (field, offset, size, type name) of every field.
struct Mirror {
    name: &'static str,
    size: usize,
    fields: Vec<(&'static str, usize, usize, &'static str)>,
}

fn field<T>(_: &T) -> (usize, &'static str) {
    (std::mem::size_of::<T>(), std::any::type_name::<T>())
}

/// The [`Mirror`] of a `Params` struct from the list of its fields (an exhaustive pattern: a field of the struct
/// missing from the list does not compile).
macro_rules! mirror {
    ($ty:ident { $($f:ident),* $(,)? }) => {{
        let value = $ty::default();
        let $ty { $($f: _),* } = value;
        Mirror {
            name: stringify!($ty),
            size: std::mem::size_of::<$ty>(),
            fields: vec![$({
                let (size, ty) = field(&value.$f);
                (stringify!($f), std::mem::offset_of!($ty, $f), size, ty)
            }),*],
        }
    }};
}

/// Every `Params` mirror, with its shader and WGSL struct.
fn mirrors() -> Vec<(Shader, &'static str, Mirror)> {
    use shaders::*;
    let elementwise = mirror!(ElementwiseParams {
        numel,
        rank,
        op,
        contiguous,
        lhs_offset,
        rhs_offset,
        a,
        b,
        ia,
        ib,
        int_affine,
        _pad,
        shape,
        lhs_strides,
        rhs_strides,
    });
    let copy = mirror!(CopyParams {
        numel,
        rank,
        contiguous,
        value,
        x_offset,
        t_offset,
        f_offset,
        out_offset,
        shape,
        x_strides,
        t_strides,
        f_strides,
        out_strides,
    });
    let reduce = mirror!(ReduceParams {
        rows,
        n,
        row_stride,
        chunk,
        chunks,
        op,
        partial,
        x_offset,
        outer_rank,
        _pad,
        outer_shape,
        outer_strides,
    });
    let softmax = mirror!(SoftmaxParams {
        rows,
        n,
        x_row_stride,
        out_row_stride,
        op,
        x_offset,
        outer_rank,
        _pad,
        outer_shape,
        x_outer_strides,
        out_outer_strides,
    });
    let sgd = mirror!(SgdParams {
        numel,
        x_offset,
        grad_offset,
        buffer_offset,
        numel2,
        x2_offset,
        grad2_offset,
        flags,
        neg_lr,
        weight_decay,
        momentum,
        one_minus_dampening,
        zero,
    });
    let adam = mirror!(AdamParams {
        numel,
        x_offset,
        grad_offset,
        m_offset,
        v_offset,
        max_offset,
        flags,
        _pad,
        lerp_a,
        beta2,
        one_minus_beta2,
        bias_correction2_sqrt,
        eps,
        neg_step_size,
        decay,
        zero,
    });
    let count = mirror!(CountParams { n, logits_offset, target_offset, classes });
    let loss = mirror!(LossParams { n, logits_offset, target_offset, grad_offset, classes, _pad });
    let gather = mirror!(GatherParams {
        numel,
        rank,
        axis,
        axis_size,
        x_offset,
        index_offset,
        _pad,
        shape,
        x_strides,
        index_strides,
    });
    let matmul = || {
        mirror!(MatmulParams {
            batch,
            m,
            k,
            n,
            lhs_offset,
            lhs_batch_stride,
            lhs_row_stride,
            lhs_col_stride,
            rhs_offset,
            rhs_batch_stride,
            rhs_row_stride,
            rhs_col_stride,
            epilogue,
            bias_offset,
            lhs_mode,
            rhs_mode,
            out_vec4,
            swizzle,
        })
    };
    vec![
        (ELEMENTWISE, "Params", elementwise),
        (COPY, "Params", copy),
        (REDUCE, "Params", reduce),
        (SOFTMAX, "Params", softmax),
        (OPTIM, "Params", sgd),
        (OPTIM, "AdamParams", adam),
        (METRICS, "Params", count),
        (LOSS, "Params", loss),
        (GATHER, "Params", gather),
        (MATMUL, "Params", matmul()),
        (MATMUL_PIPELINED, "Params", matmul()),
    ]
}

/// A WGSL type as the Rust type of its mirror would be named (`u32`, `[u32; 6]`).
fn rust_name(module: &Module, ty: Handle<Type>) -> String {
    let scalar = |s: &Scalar| match (s.kind, s.width) {
        (ScalarKind::Uint, 4) => "u32".to_string(),
        (ScalarKind::Sint, 4) => "i32".to_string(),
        (ScalarKind::Float, 4) => "f32".to_string(),
        other => format!("{other:?}"),
    };
    match &module.types[ty].inner {
        TypeInner::Scalar(s) => scalar(s),
        TypeInner::Vector { size, scalar: s } => format!("[{}; {}]", scalar(s), *size as u8),
        TypeInner::Array { base, size: naga::ArraySize::Constant(n), .. } => {
            format!("[{}; {n}]", rust_name(module, *base))
        }
        other => format!("{other:?}"),
    }
}

/// The differences between a mirror and naga's layout of the WGSL struct `name` (size, and each field's name,
/// offset, size and type, in order).
fn layout_mismatches(module: &Module, name: &str, mirror: &Mirror) -> Vec<String> {
    let Some((handle, ty)) = module.types.iter().find(|(_, t)| t.name.as_deref() == Some(name)) else {
        return vec![format!("no struct {name}")];
    };
    let TypeInner::Struct { members, .. } = &ty.inner else { return vec![format!("{name} is not a struct")] };
    let mut layouter = naga::proc::Layouter::default();
    layouter.update(module.to_ctx()).expect("naga lays out the shader's types");
    let mut wrong = Vec::new();
    let size = layouter[handle].size as usize;
    if size != mirror.size {
        wrong.push(format!("{name} is {size} bytes, {} is {}", mirror.name, mirror.size));
    }
    let wgsl: Vec<(String, usize, usize, String)> = members
        .iter()
        .map(|m| {
            let field = m.name.clone().unwrap_or_default();
            (field, m.offset as usize, layouter[m.ty].size as usize, rust_name(module, m.ty))
        })
        .collect();
    let rust: Vec<(String, usize, usize, String)> =
        mirror.fields.iter().map(|&(f, o, s, t)| (f.to_string(), o, s, t.to_string())).collect();
    if wgsl != rust {
        wrong.push(format!(
            "fields (name, offset, size, type)\n  WGSL {name}: {wgsl:?}\n  Rust {}: {rust:?}",
            mirror.name
        ));
    }
    wrong
}

#[test]
fn params_structs_match_their_naga_layouts() {
    let mirrors = mirrors();
    for (shader, name, mirror) in &mirrors {
        let wrong = layout_mismatches(&parse(shader), name, mirror);
        assert!(wrong.is_empty(), "{}.wgsl:\n{}", shader.name, wrong.join("\n"));
    }
    // Every struct of a shader that is bound as parameters has its mirror here.
    for shader in shaders::ALL.iter().filter(|s| s.bounds_checks) {
        for (_, ty) in parse(shader).types.iter() {
            if let (Some(name), TypeInner::Struct { .. }) = (ty.name.as_deref(), &ty.inner) {
                if name.ends_with("Params") {
                    let found = mirrors.iter().any(|(s, n, _)| s.name == shader.name && *n == name);
                    assert!(found, "{}.wgsl: struct {name} has no Rust mirror in `mirrors`", shader.name);
                }
            }
        }
    }
}

#[test]
fn a_drifted_params_mirror_is_caught() {
    // Negative controls: a mirror with two fields swapped, and one of another size.
    let mut mirror = mirror!(CountParams { n, logits_offset, target_offset, classes });
    mirror.fields.swap(1, 2);
    let module = parse(&shaders::METRICS);
    assert_eq!(layout_mismatches(&module, "Params", &mirror).len(), 1);
    let loss = mirror!(LossParams { n, logits_offset, target_offset, grad_offset, classes, _pad });
    assert_eq!(layout_mismatches(&module, "Params", &loss).len(), 2, "size and fields");
}
