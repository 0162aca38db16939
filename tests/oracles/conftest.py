"""Fixtures of the oracle tests: the release binary, the compiled programs, cfn-lint's
findings on all of them, and a moto server with boto3 clients."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import boto3
import pytest

from harness import IAMC, REGION, REPO, VENV_BIN, Program, cfn_lint, compile_program, run

ORG_ROLES = 300
GOLDEN = sorted(p.parent for p in (REPO / "tests" / "golden").glob("*/policies"))

# Every program the oracles check: the example, each golden fixture, a generated organisation.
PROGRAMS = ["example", *(f"golden/{g.name}" for g in GOLDEN), f"org{ORG_ROLES}"]


@pytest.fixture(scope="session")
def iamc() -> Path:
    """The release binary, built once per session (unless IAMC_BIN names one)."""
    if not os.environ.get("IAMC_BIN"):
        run(["cargo", "build", "--release", "--quiet"], cwd=REPO)
    assert IAMC.is_file(), f"cargo build --release made no {IAMC}"
    return IAMC


def generate_org(dest: Path) -> Path:
    """An organisation of ORG_ROLES roles from the project's own generator
    (tests/it/support/org.rs, through examples/gen_org.rs)."""
    run(["cargo", "run", "--quiet", "--example", "gen_org", "--",
         "--roles", ORG_ROLES, "--out", dest], cwd=REPO)
    return dest


class Programs:
    """Compiles each program the first time a test asks for it."""

    def __init__(self, tmp: pytest.TempPathFactory):
        self._tmp = tmp
        self._compiled: dict[str, Program] = {}

    def get(self, name: str) -> Program:
        if name not in self._compiled:
            self._compiled[name] = self._compile(name)
        return self._compiled[name]

    def _compile(self, name: str) -> Program:
        out = self._tmp.mktemp(name.replace("/", "-") + "-out")
        if name == "example":
            return compile_program(name, REPO, out, src="policies")
        if name.startswith("golden/"):
            return compile_program(name, REPO / "tests" / "golden" / name[len("golden/") :], out)
        if name.startswith("org"):
            org = generate_org(self._tmp.mktemp(name))
            return compile_program(name, org, out)
        raise KeyError(name)


@pytest.fixture(scope="session")
def programs(iamc, tmp_path_factory) -> Programs:
    return Programs(tmp_path_factory)


@pytest.fixture(scope="session")
def lint_findings(programs) -> dict[str, list[dict]]:
    """cfn-lint's findings on every template of every program, by template path: one
    cfn-lint run per core over all of them, since its start-up dominates small batches."""
    templates = [t for name in PROGRAMS for t in programs.get(name).templates]
    return cfn_lint(templates)


# --- moto --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_url(tmp_path_factory) -> str:
    """A moto server of the venv on a free port (one per test module, so each module starts
    from an empty account), stopped by its PID when the module ends, pass or fail.

    It is moto_server with the gaps listed in moto_extensions.py filled in."""
    assert (VENV_BIN / "moto_server").is_file(), "moto[server] is missing: run bash scripts/test.sh"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, Path(__file__).with_name("moto_extensions.py"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(
                        f"moto_server did not answer on {url}:\n{log_path.read_text()}"
                    )
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def aws(moto_url) -> SimpleNamespace:
    """boto3 clients talking to the moto server, plus the account id it emulates."""
    settings = dict(
        endpoint_url=moto_url,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    clients = SimpleNamespace(
        cf=boto3.client("cloudformation", **settings),
        iam=boto3.client("iam", **settings),
        sts=boto3.client("sts", **settings),
        url=moto_url,
    )
    clients.account_id = clients.sts.get_caller_identity()["Account"]
    return clients


def reset_moto(url: str) -> None:
    """Empty the emulated account."""
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST")).read()
