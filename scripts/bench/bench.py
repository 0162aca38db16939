#!/usr/bin/env python3
"""iamc's benchmark harness: `python3 scripts/bench/bench.py [--sizes 100,1000,10000] [--runs 5]`.

For each size, generates an organisation with ../shared/bench/gen_org.py and
measures, best of --runs runs each: a cold `iamc build` into an empty folder,
its peak memory, the output's size, `cp -r` of that output into an empty
folder (the I/O floor), a no-op rebuild (and whether it touched any file),
and the original design (reference.py) on the same organisation. Writes
book/src/bench-report.md and book/src/images/build-time.svg.
"""
import argparse
import math
import os
import platform
import shutil
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEN = os.path.join(REPO, "..", "shared", "bench", "gen_org.py")
IAMC = os.path.join(REPO, "target", "release", "iamc")
REFERENCE = os.path.join(REPO, "scripts", "bench", "reference.py")


def timed(cmd, prepare=None):
    if prepare:
        prepare()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def best(runs, cmd, prepare=None):
    return min(timed(cmd, prepare) for _ in range(runs))


def peak_kb(cmd):
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return int(r.stderr.strip().splitlines()[-1])


def rmtree(path):
    return lambda: shutil.rmtree(path, ignore_errors=True)


def mtimes(folder):
    return {e.name: e.stat().st_mtime_ns for e in os.scandir(folder)}


def du(folder):
    return sum(e.stat().st_size for e in os.scandir(folder)), len(os.listdir(folder))


def measure(n, runs, work):
    org = os.path.join(work, f"org{n}")
    if not os.path.isdir(org):
        subprocess.run([sys.executable, GEN, "--roles", str(n), "--out", org], check=True,
                       stdout=subprocess.DEVNULL)
        # gen_org.py writes `s3:ListObjectVersions`, which is not an IAM action.
        for name in os.listdir(os.path.join(org, "policies")):
            path = os.path.join(org, "policies", name)
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace("s3:ListObjectVersions", "s3:ListBucketVersions"))
    src, out, copy, ref = (os.path.join(org, "policies"), os.path.join(work, f"out{n}"),
                           os.path.join(work, f"cp{n}"), os.path.join(work, f"ref{n}"))
    build = [IAMC, "build", "--src", src, "--out", out]
    full = best(runs, build, rmtree(out))
    shutil.rmtree(out, ignore_errors=True)
    memory = peak_kb(build)
    size, files = du(out)
    before = mtimes(out)
    noop = best(runs, build)
    untouched = mtimes(out) == before
    cp = best(runs, ["cp", "-r", out, copy], rmtree(copy))
    reference = best(max(1, min(runs, 3)), [sys.executable, REFERENCE, src, ref], rmtree(ref))
    for d in (copy, ref):
        shutil.rmtree(d, ignore_errors=True)
    return dict(roles=n, full=full, noop=noop, untouched=untouched, memory=memory / 1024,
                size=size / 1e6, files=files, cp=cp, reference=reference)


def exponent(rows, key):
    xs = [math.log(r["roles"]) for r in rows]
    ys = [math.log(r[key]) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def svg(rows, path):
    w, h, pad = 560, 360, 60
    series = [("iamc build", "full", "#1f77b4"), ("original design (Python)", "reference", "#d62728"),
              ("cp -r of the output", "cp", "#7f7f7f"), ("no-op rebuild", "noop", "#2ca02c")]
    values = [r[k] for r in rows for _, k, _ in series]
    lo, hi = math.log10(min(values)) - 0.2, math.log10(max(values)) + 0.2
    xlo, xhi = math.log10(rows[0]["roles"]), math.log10(rows[-1]["roles"])
    X = lambda n: pad + (math.log10(n) - xlo) / (xhi - xlo) * (w - 2 * pad)
    Y = lambda t: h - pad - (math.log10(t) - lo) / (hi - lo) * (h - 2 * pad)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<line x1="{pad}" y1="{h-pad}" x2="{w-pad}" y2="{h-pad}" stroke="black"/>',
           f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h-pad}" stroke="black"/>',
           f'<text x="{w/2}" y="{h-20}" text-anchor="middle">roles (log scale)</text>',
           f'<text x="15" y="{h/2}" transform="rotate(-90 15 {h/2})" text-anchor="middle">seconds (log scale)</text>']
    for r in rows:
        out.append(f'<text x="{X(r["roles"]):.1f}" y="{h-pad+16}" text-anchor="middle">{r["roles"]:,}</text>')
    for e in range(math.ceil(lo), math.floor(hi) + 1):
        out.append(f'<text x="{pad-6}" y="{Y(10**e)+4:.1f}" text-anchor="end">{10**e:g}</text>')
        out.append(f'<line x1="{pad}" y1="{Y(10**e):.1f}" x2="{w-pad}" y2="{Y(10**e):.1f}" stroke="#ddd"/>')
    for i, (label, key, colour) in enumerate(series):
        pts = " ".join(f"{X(r['roles']):.1f},{Y(r[key]):.1f}" for r in rows)
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
        out += [f'<circle cx="{X(r["roles"]):.1f}" cy="{Y(r[key]):.1f}" r="3" fill="{colour}"/>' for r in rows]
        out.append(f'<text x="{pad+10}" y="{pad+14*i}" fill="{colour}">{label}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default="/tmp/iamc-bench")
    ap.add_argument("--no-book", action="store_true", help="print the report only")
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
    os.makedirs(a.work, exist_ok=True)
    rows = [measure(int(n), a.runs, a.work) for n in a.sizes.split(",")]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    lines = [f"Machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}; "
             f"best of {a.runs} runs (reference: best of {max(1, min(a.runs, 3))}), {time.strftime('%Y-%m-%d')}.", "",
             "| roles | iamc build | no-op rebuild | files touched by no-op | peak memory | output | cp -r | build / cp | original design | build / original |",
             "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['roles']:,} | {r['full']:.3f} s | {r['noop']:.3f} s | {'none' if r['untouched'] else 'SOME'} "
                     f"| {r['memory']:.0f} MB | {r['size']:.1f} MB in {r['files']:,} files | {r['cp']:.3f} s "
                     f"| {r['full']/r['cp']:.2f} | {r['reference']:.3f} s | {r['full']/r['reference']:.2f} |")
    if len(rows) > 1:
        lines += ["", "Fitted exponent (time ∝ roles^k over " + ", ".join(f"{r['roles']:,}" for r in rows) + " roles): "
                  f"iamc build k = {exponent(rows, 'full'):.2f}, no-op k = {exponent(rows, 'noop'):.2f}, "
                  f"original design k = {exponent(rows, 'reference'):.2f}, cp -r k = {exponent(rows, 'cp'):.2f}."]
    report = "\n".join(lines) + "\n"
    print(report)
    if not a.no_book and len(rows) > 1:
        with open(os.path.join(REPO, "book", "src", "bench-report.md"), "w") as f:
            f.write(report)
        os.makedirs(os.path.join(REPO, "book", "src", "images"), exist_ok=True)
        svg(rows, os.path.join(REPO, "book", "src", "images", "build-time.svg"))


if __name__ == "__main__":
    main()
