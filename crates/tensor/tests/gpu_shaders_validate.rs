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
