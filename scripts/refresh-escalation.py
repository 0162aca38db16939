#!/usr/bin/env python3
"""Regenerate src/iam/escalation/paths.txt, iamc's table of privilege-escalation paths.

Two sources, both Datadog's and both under the Apache License 2.0, read from git
repositories (a clone, or the bare repository a mirror keeps) at their HEAD:

- pathfinding.cloud (https://github.com/DataDog/pathfinding.cloud): its catalog
  `data/paths/*/*.yaml`, one path a file: id, category and required permissions.
- pathfinding-labs (https://github.com/DataDog/pathfinding-labs): the scenarios'
  `scenario.yaml` files, for the paths the catalog does not have yet (a scenario
  whose id the catalog lacks and whose permissions no catalog path already needs).

Only facts are kept: each path's id, category and required permissions, and for
`iam:PassRole` the service principals the passed role is for (the `*.amazonaws.com`
names the path's text gives, and the service's own when it gives none). No text of the
sources is copied. Refresh (see book/src/escalation.md):

    git clone https://github.com/DataDog/pathfinding.cloud /tmp/pathfinding.cloud
    git clone https://github.com/DataDog/pathfinding-labs /tmp/pathfinding-labs
    python3 scripts/refresh-escalation.py /tmp/pathfinding.cloud /tmp/pathfinding-labs

Needs PyYAML. Output, one path a line, sorted by id, deterministic apart from the header:

    # comment lines: sources, commits, licence notice
    iam-001<TAB>self-escalation<TAB>c<TAB>iam:CreatePolicyVersion
    ec2-001<TAB>new-passrole<TAB>c<TAB>iam:PassRole>ec2.amazonaws.com ec2:RunInstances

The third column is the source: `c` the catalog, `l` the labs. `iam:PassRole>a|b`
passes the role to service `a` or `b` (the request's `iam:PassedToService`).
"""

import pathlib
import re
import subprocess
import sys
from datetime import date

import yaml

OUT = pathlib.Path(__file__).resolve().parent.parent / "src" / "iam" / "escalation" / "paths.txt"
CATEGORIES = {
    "self-escalation",
    "principal-access",
    "new-passrole",
    "existing-passrole",
    "credential-access",
}
# The service principal a role is passed to, by the prefix of the action that uses it,
# where a path's text names none.
SERVICE_OF = {
    "apprunner": "apprunner.amazonaws.com",
    "bedrock-agentcore": "bedrock-agentcore.amazonaws.com",
    "cloudformation": "cloudformation.amazonaws.com",
    "codebuild": "codebuild.amazonaws.com",
    "datapipeline": "datapipeline.amazonaws.com",
    "ec2": "ec2.amazonaws.com",
    "ecs": "ecs-tasks.amazonaws.com",
    "glue": "glue.amazonaws.com",
    "lambda": "lambda.amazonaws.com",
    "sagemaker": "sagemaker.amazonaws.com",
}
SERVICE_NAME = re.compile(r"\b([a-z0-9][a-z0-9.-]*\.amazonaws\.com)\b")
ID = re.compile(r"^[a-z0-9-]+-[0-9]{3}$")
ACTION = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")


def git(repo: pathlib.Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def files(repo: pathlib.Path, match) -> list:
    names = git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    return sorted(n for n in names if match(n))


def services(path_id: str, actions: list, text: str) -> list:
    """The services a role is passed to: those the path's text names, else the service's."""
    found = sorted(set(SERVICE_NAME.findall(text)))
    prefixes = [a.split(":")[0] for a in actions if a != "iam:PassRole"]
    own = [SERVICE_OF[p] for p in prefixes if p in SERVICE_OF]
    for s in own[:1]:
        if s not in found:
            found.append(s)
    if not found:
        sys.exit(f"{path_id}: no service to pass the role to; add its prefix to SERVICE_OF")
    return sorted(set(found))


def permissions(path_id: str, actions: list, text: str) -> list:
    for a in actions:
        if not ACTION.match(a):
            sys.exit(f"{path_id}: not an action: {a!r}")
    out = []
    for a in actions:
        if a == "iam:PassRole":
            a += ">" + "|".join(services(path_id, actions, text))
        out.append(a)
    return out


def catalog(repo: pathlib.Path) -> dict:
    paths = {}
    for name in files(repo, lambda n: n.startswith("data/paths/") and n.endswith(".yaml")):
        doc = yaml.safe_load(git(repo, "show", f"HEAD:{name}"))
        path_id, category = doc["id"], doc["category"]
        if not ID.match(path_id) or category not in CATEGORIES:
            sys.exit(f"{name}: unexpected id or category {path_id!r} {category!r}")
        actions = [p["permission"] for p in doc["permissions"]["required"]]
        passrole = [p for p in doc["permissions"]["required"] if p["permission"] == "iam:PassRole"]
        text = " ".join(
            [p.get("resourceConstraints") or "" for p in passrole]
            + [yaml.safe_dump(doc.get("prerequisites") or {})]
        )
        paths[path_id] = (category, "c", permissions(path_id, actions, text))
    return paths


def labs(repo: pathlib.Path, known: dict) -> dict:
    paths = {}
    needed = {frozenset(p.split(">")[0] for p in perms) for _, _, perms in known.values()}
    for name in files(repo, lambda n: n.endswith("/scenario.yaml") and "/privesc-" in n):
        doc = yaml.safe_load(git(repo, "show", f"HEAD:{name}"))
        path_id = str(doc.get("pathfinding-cloud-id", ""))
        category = doc.get("sub_category")
        if not ID.match(path_id) or path_id in known or category not in CATEGORIES:
            continue
        required = (doc.get("permissions") or {}).get("required") or []
        # Newer scenarios list permissions per principal: one principal is one hop.
        if any("permissions" in r for r in required):
            if len(required) != 1:
                continue
            required = required[0]["permissions"]
        actions = []
        for r in required:
            if r["permission"] not in actions:
                actions.append(r["permission"])
        if frozenset(actions) in needed:
            continue
        text = " ".join(
            [str(r.get("resource", "")) + " " + str(r.get("purpose", "")) for r in required]
            + [str(doc.get("description", ""))]
        )
        paths[path_id] = (category, "l", permissions(path_id, actions, text))
    return paths


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    cloud, lab = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    paths = catalog(cloud)
    paths.update(labs(lab, paths))
    header = [
        "# iamc's privilege-escalation paths: generated by scripts/refresh-escalation.py, do not edit.",
        f"# Refreshed {date.today().isoformat()} from two sources, both by Datadog, Inc., Apache License 2.0",
        "# (https://www.apache.org/licenses/LICENSE-2.0):",
        f"#   c: pathfinding.cloud, https://github.com/DataDog/pathfinding.cloud commit {git(cloud, 'rev-parse', 'HEAD').strip()},",
        "#      data/paths/*/*.yaml. NOTICE: \"Datadog pathfinding.cloud. Copyright 2025-Present Datadog, Inc.",
        "#      This product includes software developed at Datadog (https://www.datadoghq.com/).\"",
        f"#   l: pathfinding-labs, https://github.com/DataDog/pathfinding-labs commit {git(lab, 'rev-parse', 'HEAD').strip()},",
        "#      modules/scenarios/**/scenario.yaml, for paths the catalog does not have. NOTICE: \"Pathfinding Labs.",
        "#      Copyright 2026 Datadog, Inc. This product includes software developed at Datadog (https://www.datadoghq.com/).\"",
        "# Modified by iamc: only each path's id, category and required permissions are kept, and for",
        "# iam:PassRole the services the role is passed to (`>a|b`, from the path's text or its service).",
        f"# {len(paths)} paths. Columns: id, category, source, required permissions.",
    ]
    lines = [f"{i}\t{c}\t{s}\t{' '.join(p)}" for i, (c, s, p) in sorted(paths.items())]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(paths)} paths")


if __name__ == "__main__":
    main()
