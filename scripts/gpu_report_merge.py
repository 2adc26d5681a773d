#!/usr/bin/env python3
"""Merges the outputs of scripts/gpu_report.sh into one Markdown report and one JSON file.

Reads, from the work folder: steps.tsv (each step's outcome), machine.out, kernels.json
(`gpu_kernels --json`), torch_kernels.json, epoch_{gpu,cpu}_<loop>.json (`experiments bench epoch
--json`) and torch_epoch.json; any of them may be missing or broken (its step failed): the report
says so and goes on. Writes <out>/gpu_report.md and <out>/gpu_report.json.

The kernel table keeps, per (op, size), tapegrad's fastest variant whose check passed, beside
PyTorch's figure. The goals are the GPU goals of the README; a goal whose figures are missing is "unmeasured", and
in a quick (dry) run none is judged.

Usage: python3 scripts/gpu_report_merge.py --work DIR --out DIR [--quick 0|1] [--seconds N]
"""

import argparse
import json
import os
import time

LOOPS = ["circles-v0", "circles-v1", "line", "circles-v2", "blobs", "moons", "spirals", "line-lr0.01", "blobs-large"]


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def steps(work):
    rows = []
    try:
        with open(os.path.join(work, "steps.tsv")) as f:
            next(f, None)
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    rows.append({"step": parts[0], "status": parts[1], "seconds": int(parts[2] or 0),
                                 "command": parts[3] if len(parts) > 3 else ""})
    except OSError:
        pass
    return rows


def machine(work):
    try:
        with open(os.path.join(work, "machine.out")) as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return {}
    info = {"raw": lines}
    if lines and lines[0] != "no nvidia-smi" and "," in lines[0]:
        name, driver, memory = ([p.strip() for p in lines[0].split(",")] + ["", "", ""])[:3]
        info.update({"gpu": name, "driver": driver, "memory": memory})
    return info


def kernel_table(ours, theirs):
    """One row per (op, size): our fastest passing variant beside PyTorch."""
    best = {}
    order = []
    for r in (ours or {}).get("rows", []):
        key = (r["op"], r["size"])
        if key not in order:
            order.append(key)
        if r.get("check") == "ok" and r.get("rate") is not None:
            if key not in best or r["rate"] > best[key]["rate"]:
                best[key] = r
    torch_rows = {(r["op"], r["size"]): r for r in (theirs or {}).get("rows", []) if "rate" in r}
    for key in torch_rows:
        if key not in order:
            order.append(key)
    table = []
    for op, size in order:
        if op not in ("copy", "matmul", "sum", "max", "softmax", "add"):
            continue
        o, t = best.get((op, size)), torch_rows.get((op, size))
        row = {"op": op, "size": size, "unit": (o or t or {}).get("unit"),
               "ours": o["rate"] if o else None, "ours_variant": o["variant"] if o else None,
               "ours_pct_of_copy": o.get("pct_of_copy") if o else None,
               "torch": t["rate"] if t else None}
        row["ratio"] = row["ours"] / row["torch"] if row["ours"] and row["torch"] else None
        table.append(row)
    return table


def epoch_table(work, torch_epoch):
    table = []
    torch_loops = (torch_epoch or {}).get("loops", {}) if (torch_epoch or {}).get("available") else {}
    for stem in LOOPS:
        gpu = load(os.path.join(work, f"epoch_gpu_{stem}.json"))
        cpu = load(os.path.join(work, f"epoch_cpu_{stem}.json"))
        pt = torch_loops.get(stem)
        row = {"loop": stem,
               "gpu_us": gpu.get("us_per_epoch") if gpu else None,
               "cpu_us": cpu.get("us_per_epoch") if cpu else None,
               "torch_us": pt.get("us_per_epoch") if pt else None,
               "gpu_samples_per_s": gpu.get("samples_per_second") if gpu else None,
               "cpu_samples_per_s": cpu.get("samples_per_second") if cpu else None,
               "torch_samples_per_s": pt.get("samples_per_second") if pt else None,
               "n_train": (gpu or cpu or {}).get("n_train"),
               "gpu_device": gpu.get("device") if gpu else None}
        row["gpu_vs_cpu"] = row["cpu_us"] / row["gpu_us"] if row["gpu_us"] and row["cpu_us"] else None
        row["gpu_vs_torch"] = row["torch_us"] / row["gpu_us"] if row["gpu_us"] and row["torch_us"] else None
        table.append(row)
    return table


def goals(kt, et, quick):
    k = {(r["op"], r["size"]): r for r in kt}
    e = {r["loop"]: r for r in et}
    copy = max([r["ours"] for r in kt if r["op"] == "copy" and r["ours"]] or [0]) or None
    out = []

    def goal(text, figure, ok):
        verdict = "not judged (dry run)" if quick else ("unmeasured" if ok is None else ("met" if ok else "NOT met"))
        out.append({"goal": text, "figure": figure, "verdict": verdict})

    def fmt(v, spec=".2f"):
        return "–" if v is None else format(v, spec)

    def times(v):
        return "–" if v is None else f"{v:.2f}×"

    m = e.get("moons", {})
    goal("moons ≤ 200 µs per epoch on the GPU", f"{fmt(m.get('gpu_us'), '.1f')} µs",
         None if m.get("gpu_us") is None else m["gpu_us"] <= 200)
    goal("moons faster than PyTorch CUDA eager", times(m.get('gpu_vs_torch')),
         None if m.get("gpu_vs_torch") is None else m["gpu_vs_torch"] > 1)
    mm = k.get(("matmul", "4096³"), {})
    goal("matmul ≥ 45 TFLOP/s at 4096", fmt(mm.get('ours')) + " TFLOP/s",
         None if mm.get("ours") is None else mm["ours"] >= 45)
    for n, bound in [(1024, 0.7), (2048, 0.9), (4096, 0.9)]:
        r = k.get(("matmul", f"{n}³"), {})
        goal(f"matmul ≥ {bound}× PyTorch FP32 at {n}", times(r.get('ratio')),
             None if r.get("ratio") is None else r["ratio"] >= bound)
    for op in ("sum", "max", "softmax", "add"):
        for side in (4096, 8192):
            r = k.get((op, f"{side}²"), {})
            pct = 100 * r["ours"] / copy if r.get("ours") and copy else None
            goal(f"{op} {side}² ≥ 70% of copy", "–" if pct is None else f"{pct:.0f}%", None if pct is None else pct >= 70)
            goal(f"{op} {side}² ≥ PyTorch", times(r.get('ratio')),
                 None if r.get("ratio") is None else r["ratio"] >= 1)
    b = e.get("blobs-large", {})
    goal("blobs-large GPU ≥ 20× tapegrad's CPU", times(b.get('gpu_vs_cpu')),
         None if b.get("gpu_vs_cpu") is None else b["gpu_vs_cpu"] >= 20)
    goal("blobs-large GPU ≥ 0.8× PyTorch CUDA eager", times(b.get('gpu_vs_torch')),
         None if b.get("gpu_vs_torch") is None else b["gpu_vs_torch"] >= 0.8)
    return out


def markdown(report):
    f = lambda v, spec=".1f": "–" if v is None else format(v, spec)  # noqa: E731
    rate = lambda v: "–" if v is None else format(v, ".0f" if v >= 100 else ".2f" if v >= 1 else ".3g")  # noqa: E731
    x = lambda v: "–" if v is None else f"{v:.2f}×"  # noqa: E731
    gpu = report["gpu"]
    lines = [f"# GPU report: {gpu}, {report['date']}", ""]
    if report["quick"]:
        lines += ["**Dry run** (`GPU_REPORT_QUICK=1`): tiny sizes on "
                  f"{report['adapter'] or 'no adapter'}; its figures say nothing about a GPU, and no goal is judged.", ""]
    mach = report["machine"]
    lines += [f"Adapter: {report['adapter'] or '–'}; driver {mach.get('driver', '–')}; "
              f"total {report['seconds']} s of steps (budget {report.get('budget') or '–'} s).", ""]
    lines += ["## Kernels", "",
              "| op | size | tapegrad (fastest passing variant) | rate | % copy | PyTorch | tapegrad / PyTorch |",
              "|---|---|---|---|---|---|---|"]
    for r in report["kernel_table"]:
        lines.append(f"| {r['op']} | {r['size']} | {r['ours_variant'] or '–'} | {rate(r['ours'])} {r['unit'] or ''} | "
                     f"{f(r['ours_pct_of_copy'], '.0f')}{'%' if r['ours_pct_of_copy'] is not None else ''} | "
                     f"{rate(r['torch'])} | {x(r['ratio'])} |")
    lines += ["", "## Training loops, µs per epoch (best of the reps; blobs-large also in training samples per second)", "",
              "| loop | tapegrad GPU | tapegrad CPU | PyTorch CUDA eager | GPU vs CPU | GPU vs PyTorch |",
              "|---|---|---|---|---|---|"]
    for r in report["epoch_table"]:
        extra = ""
        if r["loop"] == "blobs-large":
            extra = (f" (n_train {r['n_train'] or '–'}; samples/s: GPU {f(r['gpu_samples_per_s'], '.0f')}, "
                     f"CPU {f(r['cpu_samples_per_s'], '.0f')}, PyTorch {f(r['torch_samples_per_s'], '.0f')})")
        lines.append(f"| {r['loop']}{extra} | {f(r['gpu_us'])} | {f(r['cpu_us'])} | {f(r['torch_us'])} | "
                     f"{x(r['gpu_vs_cpu'])} | {x(r['gpu_vs_torch'])} |")
    lines += ["", "## Issue 13's goals", "", "| goal | figure | verdict |", "|---|---|---|"]
    lines += [f"| {g['goal']} | {g['figure']} | {g['verdict']} |" for g in report["goals"]]
    lines += ["", "## Steps", "", "| step | outcome | s |", "|---|---|---|"]
    lines += [f"| {s['step']} | {s['status']} | {s['seconds']} |" for s in report["steps"]]
    return "\n".join(lines) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--quick", default="0")
    p.add_argument("--seconds", type=int, default=0)
    p.add_argument("--budget", type=int, default=None)
    args = p.parse_args()
    quick = args.quick not in ("0", "", "false")
    ours = load(os.path.join(args.work, "kernels.json"))
    theirs = load(os.path.join(args.work, "torch_kernels.json"))
    torch_epoch = load(os.path.join(args.work, "torch_epoch.json"))
    mach = machine(args.work)
    adapter = (ours or {}).get("adapter")
    kt = kernel_table(ours, theirs)
    et = epoch_table(args.work, torch_epoch)
    report = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "quick": quick,
        "gpu": mach.get("gpu") or adapter or "no GPU found",
        "adapter": adapter,
        "machine": mach,
        "seconds": args.seconds,
        "budget": args.budget,
        "steps": steps(args.work),
        "kernel_table": kt,
        "epoch_table": et,
        "goals": goals(kt, et, quick),
        "copy_gbps": {"tapegrad": (ours or {}).get("copy_gbps"), "torch": (theirs or {}).get("copy_gbps")},
        "torch_kernels": theirs,
        "torch_epoch": torch_epoch,
        "tapegrad_kernels": ours,
    }
    # A PyTorch script that found no CUDA exits 0 with {"available": false}: say so in its step.
    for step in report["steps"]:
        fig = {"torch_kernels": theirs, "torch_epoch": torch_epoch}.get(step["step"])
        if step["status"] == "ok" and fig is not None and not fig.get("available"):
            step["status"] = f"unavailable: {fig.get('reason', 'no CUDA')}"
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "gpu_report.json"), "w") as fh:
        json.dump(report, fh, indent=1, ensure_ascii=False)
        fh.write("\n")
    with open(os.path.join(args.out, "gpu_report.md"), "w") as fh:
        fh.write(markdown(report))
    failed = [s["step"] for s in report["steps"] if s["status"] != "ok"]
    print(f"merged {len(report['steps'])} steps ({len(failed)} not ok: {', '.join(failed) or 'none'})")


if __name__ == "__main__":
    main()
