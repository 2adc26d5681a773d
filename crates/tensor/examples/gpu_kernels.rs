//! The GPU kernel measurement: in one process, the device's copy bandwidth (the baseline), every matmul variant at
//! n = 1024, 2048, 4096, sum, max, softmax, log-softmax and add over 4096² and 8192² f32 (fast path and general
//! path), and the fused `linear_relu` of the tutorial's and blobs-large's layers beside its three ops, each timed as back-to-back calls (`tensor::gpu::bench::time_calls`: the median over blocks of
//! calls between two synchronizations, and by GPU timestamps where the device has them), each checked against a
//! reference after its output buffer was poisoned with NaN. It prints a Markdown table as it goes and writes it,
//! and a JSON file, at the end.
//!
//! ```text
//! cargo run --release -p tensor --example gpu_kernels -- [--quick] [--json PATH] [--md PATH] [--budget SECONDS]
//! ```
//!
//! `--quick`: tiny sizes (64 and 128) and a short budget (for lavapipe, the CPU Vulkan driver, where it proves the
//! tool runs end to end; its figures say nothing about a GPU). `--budget`: seconds of timed calls per variant
//! (default 0.3; 0.05 with `--quick`). A failing variant is reported in the table (with its error) and the run goes
//! on — on a fresh device when the failure left the old one in an error state.
//!
//! Rates: TFLOP/s for matmul (2 n³ flops); GB/s for the others, counting bytes read + written once each (copy:
//! 2 × 4 bytes per element; add: 3 × 4; softmax: 2 × 4; sum, max: 4). "% copy" divides by the best copy rate of
//! the run: `copy_buffer_to_buffer` or the `neg` kernel (a copy through the shader cores), whichever is faster.
//! Rates come from the GPU timestamps when there are any, else from the wall clock.

use std::fmt::Write as _;
use std::io::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, SystemTime};

use tensor::gpu::bench::{buffer_copy, has_timestamps, time_calls, Timing};
use tensor::gpu::matmul::{matmul_with, MatmulConfig, MatmulKernel};
use tensor::gpu::WgpuBackend;
use tensor::{DType, Device, Tensor};

/// One line of the table.
struct Row {
    op: String,
    size: String,
    variant: String,
    timing: Option<Timing>,
    /// Flops or bytes of one call.
    work: f64,
    /// "TFLOP/s" or "GB/s".
    unit: &'static str,
    check: String,
}

impl Row {
    fn seconds(&self) -> Option<f64> {
        self.timing.map(|t| t.gpu.unwrap_or(t.wall))
    }

    fn rate(&self) -> Option<f64> {
        let scale = if self.unit == "TFLOP/s" { 1e12 } else { 1e9 };
        self.seconds().map(|s| self.work / s / scale)
    }
}

/// The run: the device (replaced after a device error), the settings, the rows so far.
struct Run {
    dev: Device,
    /// Bumped whenever the device is replaced (inputs on the old device must be uploaded again).
    generation: u32,
    budget: Duration,
    rows: Vec<Row>,
    /// The best copy bandwidth measured so far, GB/s.
    copy_gbps: Option<f64>,
    markdown: String,
    /// Where the table and the JSON go, rewritten after every row (so a crash keeps what was measured).
    md_path: Option<String>,
    json_path: Option<String>,
    adapter: String,
    quick: bool,
}

const HEADER: &str =
    "| op | size | variant | wall µs | GPU µs | rate | % copy | check |\n|---|---|---|---|---|---|---|---|\n";

impl Run {
    fn be(&self) -> &WgpuBackend {
        match &self.dev {
            Device::Wgpu(be) => be,
            Device::Cpu => unreachable!("the run opens a GPU"),
        }
    }

    /// Times `call` (`dispatches` per call), checks its output with `check`, and records a row. Panics and device
    /// errors become the row's check; a device left in an error state is replaced by a fresh one.
    fn measure(
        &mut self,
        (op, size, variant): (&str, &str, &str),
        (work, unit, dispatches): (f64, &'static str, usize),
        call: &mut dyn FnMut() -> Tensor,
        check: &dyn Fn(&Tensor) -> Result<(), String>,
    ) {
        let budget = self.budget;
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<Timing, String> {
            let be = self.be().clone();
            let timing = time_calls(&be, budget, dispatches, &mut || drop(call())).map_err(|e| e.to_string())?;
            // The checked call writes into a buffer the pool has just been handed full of NaN.
            let numel = call().numel();
            poison(&self.dev, numel);
            let out = call();
            check(&out)?;
            be.synchronize().map_err(|e| e.to_string())?;
            Ok(timing)
        }));
        let (timing, check) = match outcome {
            Ok(Ok(t)) => (Some(t), "ok".to_string()),
            Ok(Err(e)) => (None, format!("FAILED: {e}")),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
                (None, format!("FAILED (panic): {}", msg.unwrap_or_default()))
            }
        };
        let row = Row { op: op.into(), size: size.into(), variant: variant.into(), timing, work, unit, check };
        if row.op == "copy" && row.check == "ok" {
            self.copy_gbps = Some(self.copy_gbps.unwrap_or(0.0).max(row.rate().unwrap_or(0.0)));
        }
        let line = self.line(&row);
        print!("{line}");
        std::io::stdout().flush().ok();
        self.markdown.push_str(&line);
        let failed = row.check != "ok";
        self.rows.push(row);
        self.save();
        if failed && self.be().synchronize().is_err() {
            match WgpuBackend::open() {
                Ok(be) => {
                    println!("<!-- the device is in an error state: the next rows run on a fresh device -->");
                    self.dev = Device::Wgpu(be);
                    self.generation += 1;
                }
                Err(e) => println!("<!-- the device is in an error state and no fresh one opens: {e} -->"),
            }
        }
    }

    /// Writes the table and the JSON so far.
    fn save(&self) {
        if let Some(p) = &self.md_path {
            if let Err(e) = std::fs::write(p, &self.markdown) {
                eprintln!("gpu_kernels: writing {p}: {e}");
            }
        }
        if let Some(p) = &self.json_path {
            if let Err(e) = std::fs::write(p, json(self)) {
                eprintln!("gpu_kernels: writing {p}: {e}");
            }
        }
    }

    fn line(&self, r: &Row) -> String {
        let us = |s: Option<f64>| s.map_or("–".into(), |s| format!("{:.1}", s * 1e6));
        let rate = r.rate().map_or("–".into(), |v| format!("{v:.2} {}", r.unit));
        let pct = match (r.unit, r.rate(), self.copy_gbps) {
            ("GB/s", Some(v), Some(c)) if r.op != "copy" => format!("{:.0}%", 100.0 * v / c),
            _ => "–".into(),
        };
        let t = r.timing;
        format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.op,
            r.size,
            r.variant,
            us(t.map(|t| t.wall)),
            us(t.and_then(|t| t.gpu)),
            rate,
            pct,
            r.check.replace('|', "/").replace('\n', " ")
        )
    }
}

/// Hands the pool a buffer of `numel` NaN for the next allocation of that size (so an output element a kernel
/// fails to write shows as NaN).
fn poison(dev: &Device, numel: usize) {
    drop(Tensor::full(&[numel], f64::NAN, DType::F32, dev));
}

/// `n` pseudo-random f32 in ±[0.001, 1) — never 0 (splitmix64, seeded).
fn random(n: usize, seed: u64) -> Vec<f32> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|_| {
            s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = s;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            let u = (z >> 40) as f32 / (1u64 << 24) as f32; // [0, 1)
            let mag = 0.001 + 0.999 * u;
            if z & 1 == 0 {
                mag
            } else {
                -mag
            }
        })
        .collect()
}

/// A check that every element of the output has the bits of `want(i)`.
fn same_bits<'a>(want: impl Fn(usize) -> f32 + 'a) -> impl Fn(&Tensor) -> Result<(), String> + 'a {
    move |out: &Tensor| {
        let v = out.to_vec::<f32>();
        match (0..v.len()).find(|&i| v[i].to_bits() != want(i).to_bits()) {
            Some(i) => Err(format!("element {i} is {}, want {}", v[i], want(i))),
            None => Ok(()),
        }
    }
}

/// Host data uploaded to the run's current device, uploaded again after the device is replaced.
struct Input {
    host: Vec<f32>,
    shape: Vec<usize>,
    /// Stored after `offset` leading elements (1: a layout the fast paths refuse).
    offset: usize,
    on: Option<(u32, Tensor)>,
}

impl Input {
    fn new(host: Vec<f32>, shape: &[usize], offset: usize) -> Input {
        Input { host, shape: shape.to_vec(), offset, on: None }
    }

    fn get(&mut self, run: &Run) -> Tensor {
        if let Some((g, t)) = &self.on {
            if *g == run.generation {
                return t.clone();
            }
        }
        let numel = self.host.len();
        let t = if self.offset == 0 {
            Tensor::from_vec(self.host.clone(), &self.shape, &Device::Cpu).to_device(&run.dev)
        } else {
            let mut v = vec![1.0f32; self.offset];
            v.extend_from_slice(&self.host);
            Tensor::from_vec(v, &[numel + self.offset], &Device::Cpu)
                .to_device(&run.dev)
                .narrow(0, self.offset, numel)
                .reshape(&self.shape)
        };
        self.on = Some((run.generation, t.clone()));
        t
    }
}

/// The matmul variants timed at size `n`: the default pick, then every tiled kernel (the naive one is for skinny
/// products) and the pipelined kernels' knobs.
fn matmul_variants(n: usize) -> Vec<(String, MatmulConfig)> {
    let pick = MatmulConfig::pick(1, n, n, n, true);
    let mut v = vec![(format!("default: {}", pick.name()), pick)];
    for kernel in MatmulKernel::ALL.into_iter().filter(|&k| k != MatmulKernel::Naive) {
        v.push((MatmulConfig::new(kernel).name(), MatmulConfig::new(kernel)));
    }
    let p8 = MatmulConfig::new(MatmulKernel::Pipelined128x128K8);
    let p16 = MatmulConfig::new(MatmulKernel::Pipelined128x128K16);
    let h8 = MatmulConfig::new(MatmulKernel::Pipelined128x64K8);
    for c in [
        MatmulConfig { unchecked: true, ..p8 },
        MatmulConfig { swizzle: 0, ..p8 },
        MatmulConfig { vec4: false, ..p8 },
        MatmulConfig { unchecked: true, ..p16 },
        MatmulConfig { unchecked: true, ..h8 },
    ] {
        v.push((c.name(), c));
    }
    v
}

/// The fused `linear_relu` (one kernel: the product with a bias + ReLU epilogue) against the three ops it
/// replaces, at a layer's shape `x [m, k] · Wᵀ [k, n]`; checked bit for bit against the three ops.
fn linear_section(run: &mut Run, (m, k, n): (usize, usize, usize)) {
    let mut x = Input::new(random(m * k, 11), &[m, k], 0);
    let mut w = Input::new(random(n * k, 12), &[n, k], 0);
    let mut b = Input::new(random(n, 13), &[n], 0);
    let size = format!("{m}×{k}·{k}×{n}");
    let flops = 2.0 * (m * k * n) as f64;
    let (xt, wt, bt) = (x.get(run), w.get(run), b.get(run));
    let want: Vec<u32> = xt.matmul(&wt.t()).add(&bt).relu().to_vec::<f32>().iter().map(|v| v.to_bits()).collect();
    let check = |out: &Tensor| -> Result<(), String> {
        let got = out.to_vec::<f32>();
        match (0..got.len()).find(|&i| got[i].to_bits() != want[i]) {
            Some(i) => Err(format!("element {i} is {}, the unfused ops give {}", got[i], f32::from_bits(want[i]))),
            None => Ok(()),
        }
    };
    let (xt, wt, bt) = (x.get(run), w.get(run), b.get(run));
    run.measure(
        ("linear_relu", &size, "fused (default kernel)"),
        (flops, "TFLOP/s", 1),
        &mut || xt.linear_relu(&wt, Some(&bt)),
        &check,
    );
    let (xt, wt, bt) = (x.get(run), w.get(run), b.get(run));
    run.measure(
        ("linear_relu", &size, "matmul + add + relu"),
        (flops, "TFLOP/s", 3),
        &mut || xt.matmul(&wt.t()).add(&bt).relu(),
        &check,
    );
}

fn matmul_section(run: &mut Run, n: usize) {
    let (a_host, b_host) = (random(n * n, 1 + n as u64), random(n * n, 2 + n as u64));
    let mut a = Input::new(a_host.clone(), &[n, n], 0);
    let mut b = Input::new(b_host.clone(), &[n, n], 0);
    // Spot checks: 64 entries (corners, edges of tiles, pseudo-random) against f64 dot products.
    let mut spots: Vec<(usize, usize)> = vec![(0, 0), (n - 1, n - 1), (0, n - 1), (n - 1, 0), (n / 2, n / 2 + 1)];
    let r = random(2 * 59, 99);
    spots.extend(
        r.chunks(2)
            .map(|p| (((p[0].abs() * n as f32) as usize).min(n - 1), ((p[1].abs() * n as f32) as usize).min(n - 1))),
    );
    let check = |out: &Tensor| -> Result<(), String> {
        let v = out.to_vec::<f32>();
        if let Some(i) = v.iter().position(|x| !x.is_finite()) {
            return Err(format!("element ({}, {}) is {} (unwritten?)", i / n, i % n, v[i]));
        }
        for &(i, j) in &spots {
            let (mut dot, mut mag) = (0.0f64, 0.0f64);
            for p in 0..n {
                let t = a_host[i * n + p] as f64 * b_host[p * n + j] as f64;
                dot += t;
                mag += t.abs();
            }
            let got = v[i * n + j] as f64;
            if (got - dot).abs() > 1e-4 * mag + 1e-6 {
                return Err(format!("({i}, {j}) = {got}, the f64 dot product {dot}"));
            }
        }
        Ok(())
    };
    let size = format!("{n}³");
    for (name, config) in matmul_variants(n) {
        let (lhs, rhs) = (a.get(run), b.get(run));
        run.measure(
            ("matmul", &size, &name),
            (2.0 * (n as f64).powi(3), "TFLOP/s", 1),
            &mut || matmul_with(&lhs, &rhs, config),
            &check,
        );
    }
}

fn bandwidth_section(run: &mut Run, side: usize) {
    let numel = side * side;
    let bytes = 4.0 * numel as f64;
    let size = format!("{side}²");
    let (x_host, y_host) = (random(numel, 7 + side as u64), random(numel, 8 + side as u64));
    let mut x = Input::new(x_host.clone(), &[side, side], 0);
    let mut y = Input::new(y_host.clone(), &[side, side], 0);
    let mut x1 = Input::new(x_host.clone(), &[side, side], 1);
    let mut y1 = Input::new(y_host.clone(), &[side, side], 1);

    // The baseline: the device's own buffer copy; and a copy kernel (neg, the vec4 unary path).
    let xt = x.get(run);
    run.measure(
        ("copy", &size, "copy_buffer_to_buffer"),
        (2.0 * bytes, "GB/s", 1),
        &mut || buffer_copy(&xt).expect("a GPU tensor"),
        &same_bits(|i| x_host[i]),
    );
    run.measure(
        ("copy", &size, "neg: unary_vec4_f32, a copy kernel"),
        (2.0 * bytes, "GB/s", 1),
        &mut || xt.neg(),
        &same_bits(|i| -x_host[i]),
    );

    // add: the vec4 kernel, and the general kernel (operands at offset 1).
    let add_check = same_bits(|i| x_host[i] + y_host[i]);
    for (name, xi, yi) in [("binary_vec4_f32", &mut x, &mut y), ("binary_f32 (general, offset 1)", &mut x1, &mut y1)] {
        let (a, b) = (xi.get(run), yi.get(run));
        run.measure(("add", &size, name), (3.0 * bytes, "GB/s", 1), &mut || a.add(&b), &add_check);
    }

    // sum and max of all elements: the contiguous kernel, and the general one.
    let total: f64 = x_host.iter().map(|&v| v as f64).sum();
    let magnitude: f64 = x_host.iter().map(|&v| v.abs() as f64).sum();
    let max = x_host.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for (name, xi) in [("reduce_contiguous_f32", &mut x), ("reduce_f32 (general, offset 1)", &mut x1)] {
        let t = xi.get(run);
        run.measure(("sum", &size, name), (bytes, "GB/s", 3), &mut || t.sum(), &|out: &Tensor| {
            let got = out.to_vec::<f32>()[0] as f64;
            let ok = (got - total).abs() <= 1e-5 * magnitude;
            ok.then_some(()).ok_or(format!("sum {got}, the f64 sum {total}"))
        });
        run.measure(("max", &size, name), (bytes, "GB/s", 3), &mut || t.max(), &|out: &Tensor| {
            let got = out.to_vec::<f32>()[0];
            (got == max).then_some(()).ok_or(format!("max {got}, want {max}"))
        });
    }

    // softmax and log-softmax over the rows: the register kernel, and the general three-pass one.
    let rows_checked = [0, side / 3, side / 2 + 1, side - 1];
    for log in [false, true] {
        let op = if log { "log_softmax" } else { "softmax" };
        let check = |out: &Tensor| -> Result<(), String> {
            let v = out.to_vec::<f32>();
            if let Some(i) = v.iter().position(|x| !x.is_finite()) {
                return Err(format!("element {i} is {} (unwritten?)", v[i]));
            }
            for &r in &rows_checked {
                let row = &x_host[r * side..(r + 1) * side];
                let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
                let z: f64 = row.iter().map(|&a| (a as f64 - m).exp()).sum();
                for (j, &a) in row.iter().enumerate() {
                    let want = if log { a as f64 - m - z.ln() } else { (a as f64 - m).exp() / z };
                    let got = v[r * side + j] as f64;
                    if (got - want).abs() > 1e-5 * want.abs() + 1e-9 {
                        return Err(format!("row {r}, element {j}: {got}, the f64 value {want}"));
                    }
                }
            }
            Ok(())
        };
        for (name, xi) in [("softmax_contiguous_f32", &mut x), ("softmax_f32 (general, offset 1)", &mut x1)] {
            let t = xi.get(run);
            let call = &mut || if log { t.log_softmax(1usize) } else { t.softmax(1usize) };
            run.measure((op, &size, name), (2.0 * bytes, "GB/s", 1), call, &check);
        }
    }
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json(run: &Run) -> String {
    let (adapter, quick) = (&run.adapter, run.quick);
    let num = |v: Option<f64>| v.map_or("null".to_string(), |v| format!("{v:e}"));
    let mut s = format!(
        "{{\n  \"adapter\": {},\n  \"unix_time\": {},\n  \"quick\": {quick},\n  \"budget_s\": {},\n  \"copy_gbps\": {},\n  \"rows\": [\n",
        json_string(adapter),
        SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        run.budget.as_secs_f64(),
        num(run.copy_gbps)
    );
    for (i, r) in run.rows.iter().enumerate() {
        let pct = match (r.unit, r.rate(), run.copy_gbps) {
            ("GB/s", Some(v), Some(c)) if r.op != "copy" => Some(100.0 * v / c),
            _ => None,
        };
        let _ = writeln!(
            s,
            "    {{\"op\": {}, \"size\": {}, \"variant\": {}, \"wall_s\": {}, \"gpu_s\": {}, \"calls\": {}, \"rate\": {}, \"unit\": {}, \"pct_of_copy\": {}, \"check\": {}}}{}",
            json_string(&r.op),
            json_string(&r.size),
            json_string(&r.variant),
            num(r.timing.map(|t| t.wall)),
            num(r.timing.and_then(|t| t.gpu)),
            r.timing.map_or(0, |t| t.calls),
            num(r.rate()),
            json_string(r.unit),
            num(pct),
            json_string(&r.check),
            if i + 1 < run.rows.len() { "," } else { "" }
        );
    }
    s.push_str("  ]\n}\n");
    s
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (mut quick, mut json_path, mut md_path, mut budget) = (false, None, None, None);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--quick" => quick = true,
            "--json" => json_path = args.next(),
            "--md" => md_path = args.next(),
            "--budget" => budget = args.next().and_then(|s| s.parse::<f64>().ok()),
            _ => {
                eprintln!("usage: gpu_kernels [--quick] [--json PATH] [--md PATH] [--budget SECONDS]");
                std::process::exit(2);
            }
        }
    }
    let dev = match Device::gpu() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("gpu_kernels: {e}");
            std::process::exit(1);
        }
    };
    let budget = Duration::from_secs_f64(budget.unwrap_or(if quick { 0.05 } else { 0.3 }));
    let adapter = dev.name();
    let timestamps = match &dev {
        Device::Wgpu(be) => has_timestamps(be),
        Device::Cpu => false,
    };
    let mut run = Run {
        dev,
        generation: 0,
        budget,
        rows: Vec::new(),
        copy_gbps: None,
        markdown: String::new(),
        md_path,
        json_path,
        adapter: adapter.clone(),
        quick,
    };
    let intro = format!(
        "# GPU kernels on {adapter}\n\nBudget {:.2} s of timed calls per variant; GPU timestamps: {}.\n\n",
        budget.as_secs_f64(),
        if timestamps { "yes (rates from them)" } else { "no (rates from the wall clock)" }
    );
    print!("{intro}{HEADER}");
    run.markdown.push_str(&intro);
    run.markdown.push_str(HEADER);
    let (sides, sizes): (&[usize], &[usize]) =
        if quick { (&[64, 128], &[64, 128]) } else { (&[4096, 8192], &[1024, 2048, 4096]) };
    for &side in sides {
        bandwidth_section(&mut run, side);
    }
    for &n in sizes {
        matmul_section(&mut run, n);
    }
    // The tutorial's hidden layer and the blobs-large layers (batch 1024).
    let layers: &[(usize, usize, usize)] = if quick {
        &[(800, 10, 10), (64, 32, 64)]
    } else {
        &[(800, 10, 10), (1024, 32, 512), (1024, 512, 512), (1024, 512, 10)]
    };
    for &shape in layers {
        linear_section(&mut run, shape);
    }
    let failed = run.rows.iter().filter(|r| r.check != "ok").count();
    let summary = format!(
        "\n{} rows, {failed} failed; copy bandwidth {} GB/s.\n",
        run.rows.len(),
        run.copy_gbps.map_or("–".into(), |c| format!("{c:.0}"))
    );
    print!("{summary}");
    run.markdown.push_str(&summary);
    run.save();
}
