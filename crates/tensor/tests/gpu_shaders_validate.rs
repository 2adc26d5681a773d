//! Every WGSL shader of `/shaders` parses and validates with naga, and declares the entry points the backend's
//! table lists. Runs without a GPU (and without the `wgpu` feature): the table is included from its source file.

#[allow(dead_code)]
#[path = "../src/gpu/shaders.rs"]
mod shaders;

#[test]
fn every_shader_parses_and_validates() {
    for shader in shaders::ALL {
        let module = naga::front::wgsl::parse_str(shader.source)
            .unwrap_or_else(|e| panic!("{}.wgsl does not parse:\n{}", shader.name, e.emit_to_string(shader.source)));
        let mut validator =
            naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::empty());
        validator
            .validate(&module)
            .unwrap_or_else(|e| panic!("{}.wgsl does not validate:\n{}", shader.name, e.emit_to_string(shader.source)));
        let entries: Vec<&str> = module.entry_points.iter().map(|e| e.name.as_str()).collect();
        for want in shader.entries {
            assert!(entries.contains(want), "{}.wgsl has no entry point `{want}` (it has {entries:?})", shader.name);
        }
        assert_eq!(entries.len(), shader.entries.len(), "{}.wgsl: the table lists {:?}", shader.name, shader.entries);
        for e in &module.entry_points {
            assert_eq!(e.stage, naga::ShaderStage::Compute, "{}::{} is not a compute entry point", shader.name, e.name);
        }
    }
}

#[test]
fn every_params_struct_says_keep_in_sync() {
    for shader in shaders::ALL {
        assert!(
            shader.source.contains("Keep in sync with `"),
            "{}.wgsl: its Params struct must name its Rust mirror",
            shader.name
        );
    }
}

#[test]
fn validation_catches_a_broken_shader() {
    // Negative control: a type error must be reported, so the test above can fail.
    let broken = "@compute @workgroup_size(1) fn main() { let x: f32 = 1u; }";
    let parsed = naga::front::wgsl::parse_str(broken);
    let invalid = match parsed {
        Err(_) => true,
        Ok(m) => naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::empty())
            .validate(&m)
            .is_err(),
    };
    assert!(invalid);
}

/// The value of the `u32` constant `name` of a shader, read with naga.
#[cfg(feature = "wgpu")]
fn wgsl_u32(source: &str, name: &str) -> u32 {
    let module = naga::front::wgsl::parse_str(source).expect("the shaders parse");
    let (_, c) = module.constants.iter().find(|(_, c)| c.name.as_deref() == Some(name)).expect("the constant exists");
    match module.global_expressions[c.init] {
        naga::Expression::Literal(naga::Literal::U32(v)) => v,
        ref e => panic!("{name} is not a u32 literal: {e:?}"),
    }
}

#[test]
#[cfg(feature = "wgpu")]
fn matmul_codes_match_the_rust_constants() {
    use tensor::gpu::params::*;
    for shader in [shaders::MATMUL, shaders::MATMUL_PIPELINED] {
        for (name, value) in [
            ("EPILOGUE_NONE", EPILOGUE_NONE),
            ("EPILOGUE_BIAS", EPILOGUE_BIAS),
            ("EPILOGUE_BIAS_RELU", EPILOGUE_BIAS_RELU),
        ] {
            assert_eq!(wgsl_u32(shader.source, name), value, "{}.wgsl: {name}", shader.name);
        }
    }
    for (name, value) in [("STRIDED", OPERAND_STRIDED), ("K_QUADS", OPERAND_K_QUADS), ("MN_QUADS", OPERAND_MN_QUADS)] {
        assert_eq!(wgsl_u32(shaders::MATMUL_PIPELINED.source, name), value, "matmul_pipelined.wgsl: {name}");
    }
}

#[test]
#[cfg(feature = "wgpu")]
fn op_codes_named_in_the_shaders_match_the_rust_enums() {
    use tensor::gpu::params::{binary_code, reduce_code};
    use tensor::{BinaryOp, ReduceOp};
    for (name, op) in [("ADD", BinaryOp::Add), ("SUB", BinaryOp::Sub), ("MUL", BinaryOp::Mul), ("DIV", BinaryOp::Div)] {
        assert_eq!(wgsl_u32(shaders::ELEMENTWISE.source, name), binary_code(op), "elementwise.wgsl: {name}");
    }
    for (name, op) in [
        ("SUM", ReduceOp::Sum),
        ("MAX", ReduceOp::Max),
        ("MIN", ReduceOp::Min),
        ("ARGMAX", ReduceOp::ArgMax),
        ("ARGMIN", ReduceOp::ArgMin),
    ] {
        assert_eq!(wgsl_u32(shaders::REDUCE.source, name), reduce_code(op), "reduce.wgsl: {name}");
    }
}
