//! Writes the SPIR-V that naga makes of every entry point of `/shaders`, as wgpu's Vulkan backend would (loop
//! counters off as in `gpu/context/batch.rs`; naga's bounds-check clamps on every array index and, for a device without
//! `robustBufferAccess2`, every buffer index — or none for a table entry with `bounds_checks: false`), so that
//! the code a driver receives can be read with `spirv-dis` (Debian: `spirv-tools`).
//!
//! ```text
//! cargo run -p tensor --example spirv_dump -- OUT_DIR [ENTRY_SUBSTRING]
//! spirv-dis OUT_DIR/matmul_pipelined.matmul_pipelined_128x128_k8_f32.spv | less
//! ```
//!
//! It also prints, per entry point, how many bounds-check clamps (`UMin`) and integer divisions naga emitted.

#[allow(dead_code)]
#[path = "../src/gpu/shaders.rs"]
mod shaders;

use naga::back::spv;
use naga::proc::{BoundsCheckPolicies, BoundsCheckPolicy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = std::path::PathBuf::from(args.next().ok_or("usage: spirv_dump OUT_DIR [ENTRY_SUBSTRING]")?);
    let filter = args.next().unwrap_or_default();
    std::fs::create_dir_all(&out)?;
    for shader in shaders::ALL {
        let module = naga::front::wgsl::parse_str(shader.source).map_err(|e| e.emit_to_string(shader.source))?;
        let info = naga::valid::Validator::new(naga::valid::ValidationFlags::all(), naga::valid::Capabilities::all())
            .validate(&module)
            .map_err(|e| e.emit_to_string(shader.source))?;
        let policy = if shader.bounds_checks { BoundsCheckPolicy::Restrict } else { BoundsCheckPolicy::Unchecked };
        let options = spv::Options {
            lang_version: (1, 3),
            flags: spv::WriterFlags::empty(),
            bounds_check_policies: BoundsCheckPolicies {
                index: policy,
                buffer: policy,
                image_load: policy,
                binding_array: BoundsCheckPolicy::Unchecked,
            },
            force_loop_bounding: false,
            ..Default::default()
        };
        for entry in shader.entries.iter().filter(|e| e.contains(&filter)) {
            let pipeline =
                spv::PipelineOptions { shader_stage: naga::ShaderStage::Compute, entry_point: entry.to_string() };
            let words = spv::write_vec(&module, &info, &options, Some(&pipeline))?;
            let path = out.join(format!("{}.{entry}.spv", shader.name));
            std::fs::write(&path, bytemuck_words(&words))?;
            // Opcode 12 is OpExtInst (UMin is GLSL.std.450 instruction 38); 134 is OpUDiv, 137 OpUMod.
            let (mut umin, mut udiv) = (0, 0);
            let mut i = 5;
            while i < words.len() {
                let (len, op) = ((words[i] >> 16) as usize, words[i] & 0xffff);
                if op == 12 && words.get(i + 4) == Some(&38) {
                    umin += 1;
                }
                if op == 134 || op == 137 {
                    udiv += 1;
                }
                i += len.max(1);
            }
            println!("{:<60} {:>6} words  {umin:>4} UMin  {udiv:>4} UDiv/UMod", path.display(), words.len());
        }
    }
    Ok(())
}

fn bytemuck_words(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}
