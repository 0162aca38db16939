#!/usr/bin/env python3
"""The original design, as a baseline: one file, memoised DFS flatten,
string-built YAML, one template per role (S3 / SecretsManager / Misc).

    reference.py SRC_DIR OUT_DIR

Reads the subset of the .iam language that gen_org.py writes (policies with
one allow statement and an optional condition, groups, roles with grants).
It checks nothing and does not split by size: it is the speed floor of the
design iamc replaced, not a compiler.
"""
import os
import re
import sys

POLICY = re.compile(r"policy (\w+) \{\n  allow (.*?) on (.*?)(?:\n    when (\w+) \"([^\"]+)\" \[(.*?)\])?\n\}", re.S)
GROUP = re.compile(r"group (\w+) \{\n(.*?)\}", re.S)
ROLE = re.compile(r"role (\w+) \{\n  grants (.*?)\n", re.S)


def items(text):
    text = text.strip()
    if text.startswith("["):
        text = text[1:-1]
    return [x.strip().strip('"') for x in text.split(",") if x.strip()]


def load(src):
    policies, groups, roles = {}, {}, []
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name)) as f:
            text = f.read()
        for m in POLICY.finditer(text):
            cond = (m.group(4), m.group(5), items(m.group(6))) if m.group(4) else None
            policies[m.group(1)] = (items(m.group(2)), items(m.group(3)), cond)
        for m in GROUP.finditer(text):
            groups[m.group(1)] = m.group(2).split()
        for m in ROLE.finditer(text):
            roles.append((m.group(1), [g.strip() for g in m.group(2).split(",")]))
    return policies, groups, roles


def flatten(name, groups, memo):
    if name not in groups:
        return {name}
    if name not in memo:
        found = set()
        for member in groups[name]:
            found |= flatten(member, groups, memo)
        memo[name] = found
    return memo[name]


def statement_yaml(name, policy):
    actions, resources, cond = policy
    out = f"          - Sid: {name}\n            Effect: Allow\n            Action:\n"
    out += "".join(f"              - {a}\n" for a in actions)
    out += "            Resource:\n"
    for r in resources:
        out += f"              - !Sub '{r}'\n" if "${" in r else f"              - '{r}'\n"
    if cond:
        op, key, values = cond
        out += f"            Condition:\n              {op}:\n                {key}:\n"
        out += "".join(f"                  - !Sub '{v}'\n" for v in values)
    return out


def template(role, names, policies):
    buckets = {"S3": "", "SecretsManager": "", "Misc": ""}
    for name in sorted(names):
        service = policies[name][0][0].split(":")[0]
        key = "S3" if service == "s3" else "SecretsManager" if service == "secretsmanager" else "Misc"
        buckets[key] += statement_yaml(name, policies[name])
    out = f"AWSTemplateFormatVersion: '2010-09-09'\nDescription: IAM role {role}\nResources:\n"
    for key, body in buckets.items():
        if not body:
            continue
        out += (f"  PersonalPolicy{key}{role}:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n"
                f"      ManagedPolicyName: PersonalPolicy{key}{role}\n      Roles:\n"
                f"        - !Ref PersonalRole{role}\n      PolicyDocument:\n"
                f"        Version: '2012-10-17'\n        Statement:\n{body}")
    out += (f"  PersonalRole{role}:\n    Type: AWS::IAM::Role\n    Properties:\n"
            f"      RoleName: PersonalRole{role}\n      AssumeRolePolicyDocument:\n"
            f"        Version: '2012-10-17'\n        Statement:\n          - Effect: Allow\n"
            f"            Principal:\n              Service:\n                - ec2.amazonaws.com\n"
            f"            Action: sts:AssumeRole\n"
            f"  PersonalInstanceProfile{role}:\n    Type: AWS::IAM::InstanceProfile\n    Properties:\n"
            f"      Roles:\n        - !Ref PersonalRole{role}\n")
    return out


def main():
    src, out = sys.argv[1], sys.argv[2]
    policies, groups, roles = load(src)
    os.makedirs(out, exist_ok=True)
    memo = {}
    for role, grants in roles:
        names = set()
        for g in grants:
            names |= flatten(g, groups, memo)
        with open(os.path.join(out, f"{role}.yaml"), "w") as f:
            f.write(template(role, names, policies))


if __name__ == "__main__":
    main()
