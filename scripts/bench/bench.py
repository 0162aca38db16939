#!/usr/bin/env python3
"""iamc's benchmark harness (issue #7).

    python3 scripts/bench/bench.py [--sizes 100,1000,10000] [--runs 5]
                                   [--work /tmp/iamc-bench] [--iamc PATH] [--no-book]

For each size it generates an organisation with the project's generator
(`cargo run --example gen_org`, tests/it/support/org.rs) and
measures, N times each, interleaved:

- iamc build: `iamc build` in a new process, into a folder that does not exist;
- cp -r: copying that output into a folder that does not exist: the I/O floor
  of writing the same files;
- no-op rebuild: `iamc build` again into the output it just wrote, and whether
  that changed any file's modification time (it must not);
- the original design: scripts/bench/original_design.py, the one-file Python
  design iamc replaced, on the same organisation;
- iamc diff (issue 13): in a git repository holding the organisation, committed,
  with one resource of one S3 policy widened in the working tree
  (`arn:aws:s3:::B/P/Q/*` to `arn:aws:s3:::B/P/*`), `iamc diff` against HEAD.

Each run's wall time is measured around the process, its CPU time comes from
wait4(2), and its peak memory (maximum resident set size) from
`/usr/bin/time -f %M`. Tables give the median and the best of N. It then reads `iamc manifest` (untimed) for the split quality: for every
principal, its managed policies against the lower bound of tests/it/split_quality.rs.

How the runs are made comparable:

- A file system artefact: on ext4 without a journal, the kernel will not reuse
  an inode deleted less than 60 s ago (360 s while its inode table block is
  not yet written back) and skips such inodes one by one, so creating many
  files soon after deleting many is quadratic: `cp -r` of 10,000 templates
  took about ten times as long, nearly all of it system time. So no timed run
  follows a deletion: each run writes into a folder of its own, nothing is
  deleted until every size has been measured, and when the previous
  invocation deleted its folders less than 360 s ago on such a file system,
  the harness first waits.
- Each timed run starts after `sync`, so no earlier run's writes are being
  flushed while it runs.
- iamc runs in the organisation's folder, which has no iamc.yaml: default
  settings, wherever the harness is started from. It runs from a copy of the
  binary, so that a build meanwhile cannot change what is measured.

Writes book/src/bench-report.md, book/src/images/build-time.svg and, in the
work folder, results-*.json with every sample. Needs python3 (stdlib only),
cargo, and GNU time as /usr/bin/time.
"""
import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GEN = os.path.join(REPO, "tests", "support", "org.rs")  # the generator's source, for its stamp
ORIGINAL = os.path.join(REPO, "scripts", "bench", "original_design.py")
REPORT = os.path.join(REPO, "book", "src", "bench-report.md")
PLOT = os.path.join(REPO, "book", "src", "images", "build-time.svg")
TIME = "/usr/bin/time"  # GNU time, for peak memory (Debian and Ubuntu: apt install time)

# ext4 without a journal skips inodes deleted within this many seconds.
RECENTLY_DELETED_S = 360
DELETED_STAMP = ".deleted"  # in the work folder: when the harness last deleted

# What tests/it/split_quality.rs measures against: IAM's managed policy size and
# the characters of `{"Version":"2012-10-17","Statement":[` and `]}`
# (iamc::model::DOCUMENT_OVERHEAD).
POLICY_SIZE = 6144
DOCUMENT_OVERHEAD = 39
# Deploy-time values count at their longest (iamc::vars::PSEUDO_PARAMETERS).
PSEUDO_MAX = {"AWS::AccountId": 12, "AWS::Partition": 10, "AWS::Region": 20,
              "AWS::StackId": 256, "AWS::StackName": 128, "AWS::URLSuffix": 20}


# ------------------------------------------------------------------ running

def run(cmd, cwd=None):
    """Runs cmd once, after `sync`, under /usr/bin/time; returns its wall time
    (s), peak memory (MB), user and system CPU time (s). Output is discarded;
    failure stops the harness.

    The peak memory is what /usr/bin/time reports (-f %M), not the harness's
    own wait4(): a process started from Python inherits Python's peak (the
    kernel keeps the larger of the peaks before and after exec), while
    /usr/bin/time is small and starts the command with fork(). Its report
    comes through a pipe, so that measuring creates and deletes no file. The
    wall time includes /usr/bin/time's own start, about a millisecond, for
    every command alike."""
    os.sync()
    report_r, report_w = os.pipe()
    start = time.perf_counter()
    p = subprocess.Popen([TIME, "-f", "%M", "-o", f"/dev/fd/{report_w}"] + cmd, cwd=cwd,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, pass_fds=(report_w,))
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    os.close(report_w)
    with os.fdopen(report_r) as f:
        lines = f.read().split()
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed with status {p.returncode}")
    return dict(wall=wall, rss=int(lines[-1]) / 1024, user=usage.ru_utime, sys=usage.ru_stime)


def mtimes(folder):
    """Every file's modification time, iamc's build record (.iamc-cache/)
    included, to check that a no-op rebuild touched nothing."""
    times = {}
    for root, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(root, name)
            times[os.path.relpath(path, folder)] = os.stat(path).st_mtime_ns
    return times


def du(folder):
    """(bytes, files) of the templates of an output folder."""
    sizes = [e.stat().st_size for e in os.scandir(folder) if e.name.endswith(".yaml")]
    return sum(sizes), len(sizes)


def target_dir():
    """Where cargo puts what it builds: CARGO_TARGET_DIR, else `cargo metadata`'s."""
    if os.environ.get("CARGO_TARGET_DIR"):
        return os.path.join(REPO, os.environ["CARGO_TARGET_DIR"])
    out = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=REPO,
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)["target_directory"]


def organisation(n, work):
    """The sources of an organisation of n roles, generated once per version of
    the generator (the hash of its source is kept beside them)."""
    with open(GEN, "rb") as f:
        stamp = hashlib.sha256(f.read()).hexdigest()
    org = os.path.join(work, f"org{n}")
    src = os.path.join(org, "policies")
    stamp_file = os.path.join(org, "gen_org.sha256")
    if os.path.isfile(stamp_file) and open(stamp_file).read() == stamp:
        return src
    shutil.rmtree(org, ignore_errors=True)  # a dozen files: no artefact
    subprocess.run(["cargo", "run", "--quiet", "--example", "gen_org", "--", "--roles", str(n),
                    "--seed", "7", "--out", org], cwd=REPO, check=True, stdout=subprocess.DEVNULL)
    with open(stamp_file, "w") as f:
        f.write(stamp)
    return src


def diff_repository(n, work, src):
    """A git repository holding the organisation's sources, committed, with one
    line edited in the working tree: the first S3 resource `arn:aws:s3:::B/P/Q/*`
    widened to `arn:aws:s3:::B/P/*`. Made again for each invocation (a dozen
    files: no artefact)."""
    repo = os.path.join(work, f"diff{n}")
    shutil.rmtree(repo, ignore_errors=True)
    shutil.copytree(src, os.path.join(repo, "policies"))
    git = lambda *args: subprocess.run(["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost",
                                        *args], cwd=repo, check=True, stdout=subprocess.DEVNULL)
    git("init", "-q")
    git("add", "policies")
    git("commit", "-q", "-m", "organisation")
    widen = re.compile(r'"(arn:aws:s3:::[^"/]+/[^"/]+)/[^"/]+/\*"')
    declared = re.compile(r"^policy (\w+) \{")
    names = sorted(os.listdir(os.path.join(repo, "policies")))
    texts = {}
    for name in names:
        with open(os.path.join(repo, "policies", name)) as f:
            texts[name] = f.read().split("\n")
    # A policy some group or principal grants (most generated ones are
    # granted to nobody, and editing those changes no template): its name
    # appears on a line other than its declaration.
    used = {w for lines in texts.values() for line in lines if not declared.match(line)
            for w in re.findall(r"\w+", line)}
    for name in names:
        lines, policy = texts[name], None
        path = os.path.join(repo, "policies", name)
        for i, line in enumerate(lines):
            m = declared.match(line)
            if m:
                policy = m.group(1)
            if policy in used and widen.search(line):
                lines[i] = widen.sub(r'"\1/*"', line, count=1)
                with open(path, "w") as f:
                    f.write("\n".join(lines))
                return repo, f"{name}:{i + 1}"
    sys.exit(f"no S3 resource to widen in {src}")


def measure(n, runs, iamc, work, run_dir, method):
    """Every sample of one size. With method "fresh" (the default), run k of each
    series writes into its own new folder; "rmtree" is the old method, kept to
    show the artefact: one folder per series, deleted before each run."""
    src = organisation(n, work)
    org = os.path.dirname(src)
    base = os.path.join(run_dir, f"roles{n}")
    os.makedirs(base)

    def folder(kind, k):
        path = os.path.join(base, f"{kind}-{k}" if method == "fresh" else kind)
        if method == "rmtree":
            shutil.rmtree(path, ignore_errors=True)
        return path

    def build(out):
        return [iamc, "build", "--src", src, "--out", out]

    repo, edited = diff_repository(n, work, src)
    samples = {"build": [], "cp": [], "noop": [], "check": [], "original": [], "diff": []}
    touched = []
    for k in range(runs + 1):  # run 0 warms the page cache and is not kept
        out = folder("build", k)
        b = run(build(out), cwd=org)
        c = run(["cp", "-r", out, folder("copy", k)])
        before = mtimes(out)
        z = run(build(out), cwd=org)
        # --check compiles and compares every byte (it never uses the build
        # record, as the no-op rebuild does); it must find nothing to do.
        v = run(build(out) + ["--check"], cwd=org)
        after = mtimes(out)
        o = run([sys.executable, ORIGINAL, src, folder("original", k)])
        d = run([iamc, "diff"], cwd=repo)
        if k:
            for key, sample in zip(samples, (b, c, z, v, o, d)):
                samples[key].append(sample)
            touched.append(sum(1 for f in before.keys() | after.keys() if before.get(f) != after.get(f)))
    size, files = du(out)
    return dict(roles=n, samples=samples, touched=max(touched), size=size, files=files, edited=edited,
                load=load_average(), split=split_quality(iamc, src, org))


# ------------------------------------------------------------------ split quality

def top_level(text):
    """The members of the JSON object `text`, one at a time, and the elements of
    an array member one at a time, so that a 200 MB manifest never has to be
    held as Python objects all at once: yields (key, value) or (key, [element
    iterator])."""
    decoder = json.JSONDecoder()
    ws = " \t\r\n"

    def skip(i, char=None):
        while text[i] in ws:
            i += 1
        if char is not None:
            assert text[i] == char, f"manifest: expected {char!r} at {i}"
            i += 1
            while text[i] in ws:
                i += 1
        return i

    i = skip(0, "{")
    while text[i] != "}":
        key, i = decoder.raw_decode(text, i)
        i = skip(i, ":")
        if text[i] == "[":
            i = skip(i, "[")
            while text[i] != "]":
                value, i = decoder.raw_decode(text, i)
                yield key, value
                i = skip(i)
                if text[i] == ",":
                    i = skip(i + 1)
            i += 1
        else:
            value, i = decoder.raw_decode(text, i)
            yield key, value
        i = skip(i)
        if text[i] == ",":
            i = skip(i + 1)


def value_len(s):
    """Characters of a string in compact JSON as iamc counts them: escapes in
    full, each `${AWS::...}` at the longest value it can take."""
    n = len(json.dumps(s))
    start = s.find("${")
    while start >= 0:
        end = s.find("}", start)
        if end < 0:
            break
        name = s[start + 2:end]
        if name in PSEUDO_MAX:
            n += PSEUDO_MAX[name] - (end + 1 - start)
        start = s.find("${", end)
    return n


def json_len(v):
    """Compact JSON length of a statement, strings counted by value_len."""
    if isinstance(v, str):
        return value_len(v)
    if isinstance(v, list):
        return 2 + sum(json_len(x) for x in v) + max(len(v) - 1, 0)
    if isinstance(v, dict):
        return 2 + sum(value_len(k) + 1 + json_len(x) for k, x in v.items()) + max(len(v) - 1, 0)
    return len(json.dumps(v))


def service(statement):
    """As iamc's Statement::service: the prefix all actions share, else None."""
    actions = statement.get("Action", statement.get("NotAction", []))
    actions = [actions] if isinstance(actions, str) else actions
    prefixes = {a.split(":")[0] for a in actions}
    if not actions or any(":" not in a for a in actions) or "*" in prefixes or len(prefixes) > 1:
        return None
    return prefixes.pop()


def split_quality(iamc, src, org):
    """For each principal: parts - lower bound, counted, as tests/it/split_quality.rs
    defines them. Each statement costs its size + 1 (its comma), a policy has
    room = policy_size - DOCUMENT_OVERHEAD + 1 for them, and the bound is the
    larger of ceil(total / room) and, over the services that must have parts of
    their own (at least half a policy), the sum of ceil(service / room).
    Statement sizes are recomputed from the documents and checked against
    each policy's `size` in the manifest."""
    room = POLICY_SIZE - DOCUMENT_OVERHEAD + 1
    text = subprocess.run([iamc, "manifest", "--src", src], cwd=org, check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    against_bound, against_total, pairs, mismatched = {}, {}, {}, 0
    for key, template in top_level(text):
        if key != "templates":
            continue
        for principal in template["principals"]:
            services = {}
            parts = principal["managed_policies"]
            for part in parts:
                costs = [(service(s), json_len(s) + 1) for s in part["document"]["Statement"]]
                if DOCUMENT_OVERHEAD + sum(c for _, c in costs) - 1 != part["size"]:
                    mismatched += 1
                for name, cost in costs:
                    services[name] = services.get(name, 0) + cost
            total = sum(services.values())
            own = sum(-(-w // room) for name, w in services.items() if name and 2 * w >= room)
            plain = -(-total // room)
            pair = f"bound {max(plain, own)}, parts {len(parts)}"  # as the test prints them
            pairs[pair] = pairs.get(pair, 0) + 1
            for counts, bound in ((against_bound, max(plain, own)), (against_total, plain)):
                d = len(parts) - bound
                counts[d] = counts.get(d, 0) + 1
    return dict(bound=against_bound, total=against_total, pairs=pairs, mismatched=mismatched)


# ------------------------------------------------------------------ the machine

def mount_of(path):
    """(device, mount point, type, options) of the file system holding path."""
    path = os.path.realpath(path)
    best = None
    with open("/proc/self/mounts") as f:
        for line in f:
            dev, point, kind, options = line.split()[:4]
            point = point.replace("\\040", " ")
            if (path == point or path.startswith(point.rstrip("/") + "/")) and \
                    (best is None or len(point) > len(best[1])):
                best = (dev, point, kind, options)
    return best or ("?", "?", "?", "?")


def ext4_without_journal(dev, kind):
    """ext4 mounted without a journal: the kernel lists a journal of each
    journalled file system under /proc/fs/jbd2/ (as DEVICE-NUMBER)."""
    if kind != "ext4":
        return False
    name = os.path.basename(os.path.realpath(dev))
    try:
        return not any(j.startswith(name + "-") for j in os.listdir("/proc/fs/jbd2"))
    except OSError:
        return False


def load_average():
    """The 1-minute load average: how busy the machine was besides the harness."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def machine(work, iamc, built):
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
    dev, point, kind, options = mount_of(work)
    version = subprocess.run([iamc, "--version"], stdout=subprocess.PIPE, text=True).stdout.strip()
    commit = None
    if built:
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                                stdout=subprocess.PIPE, text=True).stdout.strip() or None
    return dict(cores=os.cpu_count(), cpu=cpu, kernel=f"{platform.system()} {platform.release()}",
                work=os.path.realpath(work), device=dev, mount=point, fs=kind, options=options,
                nojournal=ext4_without_journal(dev, kind), iamc=iamc, version=version,
                commit=commit, python=platform.python_version(), load=load_average(),
                date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"))


def wait_for_deletions(work, nojournal):
    """On ext4 without a journal, waits until the harness's last deletion in
    this work folder is RECENTLY_DELETED_S old."""
    try:
        with open(os.path.join(work, DELETED_STAMP)) as f:
            deleted = float(f.read())
    except (OSError, ValueError):
        return
    left = deleted + RECENTLY_DELETED_S - time.time()
    if nojournal and left > 0:
        print(f"waiting {left:.0f} s: the last run deleted its folders, and this ext4 has "
              f"no journal (see --help)", file=sys.stderr)
        time.sleep(left)


def delete(work, folders):
    for path in folders:
        shutil.rmtree(path, ignore_errors=True)
    os.sync()  # written back, the inode table blocks count 60 s, not 360 s
    with open(os.path.join(work, DELETED_STAMP), "w") as f:
        f.write(str(time.time()))


# ------------------------------------------------------------------ report

def median(samples, key="wall"):
    return statistics.median(s[key] for s in samples)


def best(samples, key="wall"):
    return min(s[key] for s in samples)


def exponent(rows, series):
    """Least-squares slope of log(median time) against log(roles)."""
    xs = [math.log(r["roles"]) for r in rows]
    ys = [math.log(median(r["samples"][series])) for r in rows]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


SERIES = [("iamc build", "build", "#1f77b4"), ("no-op rebuild", "noop", "#2ca02c"),
          ("build --check (no-op, every byte compared)", "check", "#9467bd"),
          ("cp -r of the output", "cp", "#7f7f7f"), ("original design (Python)", "original", "#d62728")]


def seconds(t):
    return f"{t:.3f} s" if t < 10 else f"{t:.1f} s"


def report(rows, info, runs, method):
    m = info
    journal = ", no journal" if m["nojournal"] else ""
    built = f", commit {m['commit']}" if m["commit"] else ""
    built += f", sha256 {m['sha256'][:12]}"
    lines = [
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), {m['kernel']}; work folder "
        f"on {m['fs']}{journal} ({m['options']}); {m['version']}{built}; Python {m['python']}. "
        f"Load average (1 min) {m['load']:.1f} at the start, then after each size "
        + ", ".join(f"{r['load']:.1f}" for r in rows) + ".",
        "",
        f"Method: {runs} runs of each series, interleaved (iamc build, `cp -r` of its output, "
        "no-op rebuild of that output (answered from iamc's build record), `iamc build --check` "
        "of it (which compiles and compares every byte), original design, `iamc diff` of a one-line "
        "change; again), each in a "
        "new process after "
        "`sync`, into a folder that did not exist"
        + (", and no folder deleted until every size was measured: on ext4 without a "
           "journal, creating files soon after deleting many is slow, and that would be "
           "charged to whichever run came next" if method == "fresh" else
           " *(old method: each folder deleted just before its run)*")
        + ". Each cell is the median, the best in brackets; ratios are of medians. Peak "
        "memory is the maximum resident set size.",
        "",
        "| roles | iamc build | no-op rebuild | files touched by no-op | build --check "
        "| peak memory | output | cp -r | build / cp | no-op / build | original design "
        "| build / original |",
        "|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        s = r["samples"]
        b, c, z, o = (median(s[k]) for k in ("build", "cp", "noop", "original"))
        cell = lambda k: f"{seconds(median(s[k]))} ({seconds(best(s[k]))})"
        lines.append(
            f"| {r['roles']:,} | {cell('build')} | {cell('noop')} | {r['touched'] or 'none'} "
            f"| {cell('check')} | {max(x['rss'] for x in s['build']):.0f} MB | {r['size'] / 1e6:.1f} MB in {r['files']:,} files "
            f"| {cell('cp')} | {b / c:.2f} | {z / b:.2f} | {cell('original')} | {b / o:.3f} |")
    if len(rows) > 2:
        sizes = ", ".join(f"{r['roles']:,}" for r in rows)
        steps = lambda k: ", ".join(
            f"{math.log(median(q['samples'][k]) / median(p['samples'][k])) / math.log(q['roles'] / p['roles']):.2f}"
            for p, q in zip(rows, rows[1:]))
        lines += ["", f"Growth, time ∝ roles<sup>k</sup> fitted over {sizes} roles (between "
                  "successive sizes in brackets): " + "; ".join(
                      f"{label} k = {exponent(rows, k):.2f} ({steps(k)})" for label, k, _ in SERIES) + "."]
    big = rows[-1]
    s = big["samples"]
    b, c, z, o = (median(s[k]) for k in ("build", "cp", "noop", "original"))
    rss = max(x["rss"] for x in s["build"])
    yes = lambda ok: "met" if ok else "**not met**"
    lines += ["", f"Targets of issue #7 at {big['roles']:,} roles:", "",
              "| target | measured | |", "|---|---:|---|",
              f"| build in at most 2× the time of `cp -r` | {b / c:.1f}× | {yes(b <= 2 * c)} |",
              f"| build in under 1/10 of the original design's time | {b / o:.2f}× | {yes(b < o / 10)} |",
              f"| peak memory under 500 MB | {rss:.0f} MB | {yes(rss < 500)} |",
              f"| no-op rebuild rewrites no file | {big['touched']} touched | {yes(big['touched'] == 0)} |",
              f"| no-op rebuild in at most half a full build | {z / b:.2f}× | {yes(z <= b / 2)} |",
              f"| (for comparison: `build --check`, which compiles and compares every byte) "
              f"| {median(s['check']) / b:.2f}× | |"]
    if len(rows) > 2:
        k = exponent(rows, "build")
        lines.append(f"| cost grows linearly with roles (fitted exponent) | k = {k:.2f} | |")
    diff_rss = max(x["rss"] for x in s["diff"])
    d = median(s["diff"])
    lines += [f"| `iamc diff` of a one-line change in at most 2× the build's time (issue 13) "
              f"| {d / b:.2f}× | {yes(d <= 2 * b)} |",
              f"| `iamc diff` peak memory under 500 MB (issue 13) | {diff_rss:.0f} MB | {yes(diff_rss < 500)} |"]
    lines += ["", "`iamc diff` against `HEAD` in a git repository of the organisation, after a "
              "one-line change (one S3 resource of one policy widened, `arn:aws:s3:::B/P/Q/*` to "
              "`arn:aws:s3:::B/P/*`; the line is named below). It compiles both versions, "
              "fingerprints every template of each, and compares by access the principals of "
              "the templates that changed.", "",
              "| roles | edited line | iamc diff | peak memory | iamc build | peak memory | diff / build |",
              "|---:|---|---:|---:|---:|---:|---:|"]
    for r in rows:
        s = r["samples"]
        cell = lambda k: f"{seconds(median(s[k]))} ({seconds(best(s[k]))})"
        rss = lambda k: f"{max(x['rss'] for x in s[k]):.0f} MB"
        lines.append(f"| {r['roles']:,} | `{r['edited']}` | {cell('diff')} | {rss('diff')} "
                     f"| {cell('build')} | {rss('build')} | {median(s['diff']) / median(s['build']):.2f} |")
    lines += ["", "Split quality, from `iamc manifest`: for each principal, its managed policies "
              "minus the lower bound of `tests/it/split_quality.rs`, the larger of ⌈total / room⌉ "
              "and, over the services holding at least half a policy, the sum of "
              f"⌈service / room⌉. Each statement costs its size plus one (its comma), room = "
              f"{POLICY_SIZE:,} − {DOCUMENT_OVERHEAD} + 1 = {POLICY_SIZE - DOCUMENT_OVERHEAD + 1:,} "
              "characters, and sizes are as iamc counts them (compact JSON, deploy-time values at "
              "their longest). In brackets: against ⌈total / room⌉ alone.", "",
              "| roles | principals | at the bound | one above | two or more above |",
              "|---:|---:|---:|---:|---:|"]
    for r in rows:
        q = r["split"]
        count = lambda d, lo, hi: sum(v for k, v in d.items() if lo <= k <= hi)
        cells = [f"{count(q['bound'], lo, hi):,} ({count(q['total'], lo, hi):,})"
                 for lo, hi in ((-10**9, 0), (1, 1), (2, 10**9))]
        lines.append(f"| {r['roles']:,} | {sum(q['bound'].values()):,} | " + " | ".join(cells) + " |")
    below = sum(v for r in rows for k, v in r["split"]["bound"].items() if k < 0)
    mismatched = sum(r["split"]["mismatched"] for r in rows)
    if below or mismatched:
        lines += ["", f"**Check:** {below} principals below the bound, {mismatched} policies whose "
                  "recomputed size differs from the manifest's: the bound above is not exact."]
    return "\n".join(lines) + "\n"


def svg(rows, path):
    """Median time against roles, log-log, one line per series."""
    w, h, pad = 600, 380, 64
    values = [median(r["samples"][k]) for r in rows for _, k, _ in SERIES]
    lo, hi = math.floor(math.log10(min(values))), math.ceil(math.log10(max(values)))
    xlo, xhi = math.log10(rows[0]["roles"]), math.log10(rows[-1]["roles"])
    X = lambda n: pad + (math.log10(n) - xlo) / (xhi - xlo) * (w - 2 * pad)
    Y = lambda t: h - pad - (math.log10(t) - lo) / (hi - lo) * (h - 2 * pad)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'viewBox="0 0 {w} {h}" font-family="sans-serif" font-size="12">',
           f'<rect width="{w}" height="{h}" fill="white"/>',
           f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>',
           f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>',
           f'<text x="{w / 2}" y="{h - 20}" text-anchor="middle">roles (log scale)</text>',
           f'<text x="16" y="{h / 2}" transform="rotate(-90 16 {h / 2})" text-anchor="middle">'
           'median wall time, seconds (log scale)</text>']
    for r in rows:
        out.append(f'<text x="{X(r["roles"]):.1f}" y="{h - pad + 16}" text-anchor="middle">{r["roles"]:,}</text>')
    for e in range(lo, hi + 1):
        out.append(f'<text x="{pad - 6}" y="{Y(10 ** e) + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
        out.append(f'<line x1="{pad}" y1="{Y(10 ** e):.1f}" x2="{w - pad}" y2="{Y(10 ** e):.1f}" stroke="#ddd"/>')
    for i, (label, key, colour) in enumerate(SERIES):
        pts = [(X(r["roles"]), Y(median(r["samples"][key]))) for r in rows]
        out.append('<polyline points="' + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                   + f'" fill="none" stroke="{colour}" stroke-width="2"/>')
        out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in pts]
        out.append(f'<text x="{pad + 10}" y="{pad - 30 + 14 * i}" fill="{colour}">{label}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,1000,10000", help="roles per organisation, comma-separated")
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each series per size")
    ap.add_argument("--work", default="/tmp/iamc-bench", help="folder for organisations and outputs")
    ap.add_argument("--iamc", help="the iamc binary to measure (default: cargo build --release)")
    ap.add_argument("--no-book", action="store_true", help="print the report only")
    ap.add_argument("--keep", action="store_true", help="keep the outputs (deleting them is left to you)")
    ap.add_argument("--no-wait", action="store_true", help="do not wait after the last run's deletions")
    ap.add_argument("--method", choices=["fresh", "rmtree"], default="fresh",
                    help="rmtree: the old method, each output deleted just before its run (to show the artefact)")
    a = ap.parse_args()
    if not os.access(TIME, os.X_OK):
        sys.exit(f"{TIME} (GNU time) is needed for peak memory; on Debian or Ubuntu: apt install time")
    iamc = a.iamc
    if iamc is None:
        subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=REPO, check=True)
        iamc = os.path.join(target_dir(), "release", "iamc")
    iamc = os.path.abspath(iamc)
    os.makedirs(a.work, exist_ok=True)
    leftovers = [e.path for e in os.scandir(a.work) if e.is_dir() and e.name.startswith("run-")]
    if leftovers:
        print(f"deleting {len(leftovers)} folders of an earlier run", file=sys.stderr)
        delete(a.work, leftovers)
    if not a.no_wait:
        dev, _, kind, _ = mount_of(a.work)
        wait_for_deletions(a.work, ext4_without_journal(dev, kind))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    run_dir = os.path.join(a.work, f"run-{stamp}")
    os.makedirs(run_dir)
    # A copy, so that a build during the benchmark cannot change what is measured.
    shutil.copy2(iamc, os.path.join(run_dir, "iamc"))
    info = machine(a.work, iamc, built=a.iamc is None)
    iamc = os.path.join(run_dir, "iamc")
    with open(iamc, "rb") as f:
        info["sha256"] = hashlib.sha256(f.read()).hexdigest()
    rows = []
    try:
        for n in (int(x) for x in a.sizes.split(",")):
            print(f"{n:,} roles...", file=sys.stderr)
            rows.append(measure(n, a.runs, iamc, a.work, run_dir, a.method))
    finally:
        if not a.keep:
            delete(a.work, [run_dir])
    with open(os.path.join(a.work, f"results-{stamp}.json"), "w") as f:
        json.dump(dict(machine=info, runs=a.runs, method=a.method, rows=rows), f, indent=1)
    text = report(rows, info, a.runs, a.method)
    print(text)
    if not a.no_book and len(rows) > 1:
        with open(REPORT, "w") as f:
            f.write(text)
        os.makedirs(os.path.dirname(PLOT), exist_ok=True)
        svg(rows, PLOT)


if __name__ == "__main__":
    main()
