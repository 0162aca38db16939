#!/usr/bin/env python3
"""How fast `iamc lsp` answers an edit with diagnostics (issue #16).

    python3 scripts/bench/lsp.py [--iamc PATH] [--edits N] PROJECT FILE
    python3 scripts/bench/lsp.py --org 10000 [--edits N]

Starts `iamc lsp` over stdio as an editor does (initialize, initialized,
didOpen of FILE, a path below PROJECT), waits for FILE's first diagnostics,
then makes N edits of FILE, one at a time: alternately a comment line added at
the top of the file and that line removed again (an incremental didChange
each), and measures from sending each didChange to receiving FILE's
publishDiagnostics. Prints the time to the first diagnostics, the median,
90th percentile (nearest rank) and slowest of the N edits, and the server's
CPU time (user + system, from /proc) per edit. Linux only; python3, stdlib.

`--org N` measures on the generated organisation of N roles instead
(`cargo run --release --example gen_org -- --roles N`, written once to
/tmp/iamc-lsp-bench-orgN), editing `policies/s3.iam`, its largest file.

The binary is target/release/iamc unless --iamc names another: build it with
`cargo build --release` first. The book's figures (book/src/editors.md) are
    python3 scripts/bench/lsp.py --edits 20 . policies/groups.iam
    python3 scripts/bench/lsp.py --org 10000 --edits 20
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


class Server:
    """`iamc lsp` in a child process, spoken to over its stdin and stdout."""

    def __init__(self, binary):
        self.process = subprocess.Popen(
            [binary, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
        )

    def send(self, message):
        body = json.dumps(message).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def read(self):
        length = 0
        while True:
            line = self.process.stdout.readline()
            if not line:
                sys.exit("the server closed its output")
            line = line.decode().strip()
            if not line:
                break
            if line.lower().startswith("content-length:"):
                length = int(line.split(":", 1)[1])
        return json.loads(self.process.stdout.read(length))

    def diagnostics(self, uri):
        """Reads messages until the diagnostics of `uri` arrive."""
        while True:
            message = self.read()
            if (
                message.get("method") == "textDocument/publishDiagnostics"
                and message["params"]["uri"] == uri
            ):
                return message["params"]["diagnostics"]

    def cpu_ms(self):
        """The server's user + system CPU time so far, in milliseconds."""
        with open("/proc/%d/stat" % self.process.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000.0 / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        while self.read().get("id") != 2:
            pass
        self.send({"jsonrpc": "2.0", "method": "exit", "params": None})
        self.process.wait()


def edit(n):
    """The n-th edit: even ones add a comment line at the top, odd ones remove it."""
    if n % 2 == 0:
        change = {"range": {"start": {"line": 0, "character": 0},
                            "end": {"line": 0, "character": 0}},
                  "text": "// edit\n"}
    else:
        change = {"range": {"start": {"line": 0, "character": 0},
                            "end": {"line": 1, "character": 0}},
                  "text": ""}
    return [change]


def measure(binary, root, rel, edits):
    path = os.path.join(root, rel)
    uri = "file://" + path
    with open(path) as f:
        text = f.read()
    start = time.perf_counter()
    server = Server(binary)
    server.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                 "params": {"processId": None, "rootUri": "file://" + root,
                            "capabilities": {}}})
    server.read()
    server.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    server.send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "iam",
                                             "version": 1, "text": text}}})
    first = server.diagnostics(uri)
    first_ms = (time.perf_counter() - start) * 1000
    cpu_before = server.cpu_ms()
    times = []
    for n in range(edits):
        sent = time.perf_counter()
        server.send({"jsonrpc": "2.0", "method": "textDocument/didChange",
                     "params": {"textDocument": {"uri": uri, "version": n + 2},
                                "contentChanges": edit(n)}})
        server.diagnostics(uri)
        times.append((time.perf_counter() - sent) * 1000)
    cpu = (server.cpu_ms() - cpu_before) / edits
    server.stop()
    times.sort()
    p90 = times[max(math.ceil(len(times) * 0.9) - 1, 0)]
    print("project: %s, edited: %s" % (root, rel))
    print("start to first diagnostics: %.0f ms (%d diagnostics in the file)" % (first_ms, len(first)))
    print("edit to diagnostics over %d edits: median %.1f ms, p90 %.1f ms, max %.1f ms"
          % (len(times), statistics.median(times), p90, times[-1]))
    print("server CPU per edit: %.0f ms" % cpu)


def org(roles):
    """The generated organisation of `roles` roles, generated once."""
    root = "/tmp/iamc-lsp-bench-org%d" % roles
    if not os.path.isdir(os.path.join(root, "policies")):
        subprocess.run(["cargo", "run", "--quiet", "--release", "--example", "gen_org", "--",
                        "--roles", str(roles), "--out", root], cwd=REPO, check=True)
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("project", nargs="?", help="the project's folder")
    parser.add_argument("file", nargs="?", help="the file to edit, relative to the project")
    parser.add_argument("--org", type=int, help="use the generated organisation of N roles")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--iamc", default=os.path.join(REPO, "target", "release", "iamc"))
    args = parser.parse_args()
    if args.org:
        root, rel = org(args.org), "policies/s3.iam"
    elif args.project and args.file:
        root, rel = os.path.abspath(args.project), args.file
    else:
        parser.error("give PROJECT and FILE, or --org N")
    if args.edits < 1:
        parser.error("--edits must be at least 1")
    measure(os.path.abspath(args.iamc), root, rel, args.edits)


if __name__ == "__main__":
    main()
