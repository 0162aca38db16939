#!/usr/bin/env python3
"""The original design of IAM management as code, as a benchmark reference.

    original_design.py SRC_DIR OUT_DIR

This is the design iamc replaced (the IAM-as-code design the book's `why.md` describes),
in one file and in its structure, so that the benchmark can time it on the same
organisation as iamc:

- A `Condition`, a `Policy` (name, effect, actions, resources, conditions) and a
  `PolicyGroup` (policies, policy groups) class. `PolicyGroup.flatten()` collects
  every Policy object below it, depth first, into a set, and remembers the set.
- Each engineer (here: each role) is one PolicyGroup: the role's own grants.
- The generator, for each role: flattens its group, puts each policy into S3,
  SecretsManager or Misc by the prefix of its name, sorts each of them by name
  (through `Policy.__lt__`), renders each policy with `Policy.to_yaml()` (YAML
  built by string concatenation, the role name substituted into it), and fills
  the design's policy template and devserver-profile template by replacing each
  `{Placeholder}`; one template file per role. Every role renders every
  statement it holds: nothing rendered is shared between roles.

The design declared its policies in Python modules; this reference first reads
them from the .iam files that the project's generator writes (policies of one
allow statement with an optional `when` condition, groups, roles with grants),
with regular expressions, and builds the same objects. Anything else in the
language is not understood, and not reported.

What it leaves out, as the design did: any checking (names, actions,
resources, duplicates, cycles), splitting by size (a policy over IAM's 6,144
characters is written anyway), and quoting (values go between double quotes
unescaped, and `${AWS::Region}` is written literally, without `!Sub`, so such
templates would not deploy as meant). It also leaves out the design's
engineer-name check (the generator's names have digits, which it rejected) and
its service users. The S3 / SecretsManager split uses the prefixes the generator
gives its policy names (`S3...`, `SecretsManager...`; the design's own
prefixes were `S3` and `SecretManager`).

With `--timings`, prints the time spent loading and generating to stderr.
"""
import os
import re
import sys
import time

INDENT = "  "
STATEMENT_INDENT = 5  # statements sit five indents deep in the template

# The design's devserver-profile template: policies, a role trusted by EC2
# (and by a service user of another account), and its instance profile.
PROFILE_TEMPLATE = """\
AWSTemplateFormatVersion: {TemplateFormatVersion}
Description: {ProfileDescription}

Resources:
{Policies}
  {RoleName}:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: {AssumeRolePolicyDocumentVersion}
        Statement:
        - Effect: Allow
          Principal:
            Service:
            - ec2.amazonaws.com
          Action:
          - sts:AssumeRole
        - Effect: Allow
          Principal:
            AWS:
            - arn:aws:iam::123456789012:user/ServiceUserProdKrun
          Action:
          - sts:AssumeRole
      Path: "/"
      ManagedPolicyArns:
        - arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy
{PolicyReferences}
      RoleName: {RoleName}

  {InstanceProfileName}:
    Type: AWS::IAM::InstanceProfile
    Properties:
      InstanceProfileName: {InstanceProfileName}
      Path: "/"
      Roles:
      - !Ref {RoleName}
"""

# The design's template of one managed policy; {Effects} is its statements.
POLICY_TEMPLATE = """\
  {PolicyName}:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      Description: {PolicyDescription}
      ManagedPolicyName: {PolicyName}
      Path: /
      PolicyDocument:
        Version: {PolicyDocumentVersion}
        Statement: {Effects}"""

# Policies whose name starts with one of these get a managed policy of their
# own; the others go to Misc.
CATEGORY_PREFIXES = ["S3", "SecretsManager"]


def fill(template, values):
    """Replaces each `{Key}` of the template with its value, one key at a time."""
    for key, value in values.items():
        template = template.replace("{" + key + "}", value)
    return template


class Condition:
    """One condition of a statement: `operator: {condition_key: [values]}`."""

    def __init__(self, name, operator, condition_key, values):
        self.name = name
        self.operator = operator
        self.condition_key = condition_key
        self.values = values

    def to_yaml(self):
        indent = INDENT * (STATEMENT_INDENT + 2)
        text = f"\n{indent}# {self.name}"
        text += f"\n{indent}{self.operator}:"
        text += f"\n{indent}{INDENT}{self.condition_key}:"
        for value in self.values:
            text += f'\n{indent}{INDENT * 2}- "{value}"'
        return text

    def __lt__(self, other):
        return self.name < other.name


class Policy:
    """An atomic permission: one statement."""

    def __init__(self, name, effect, actions, resources, conditions=None):
        self.name = name
        self.effect = effect
        self.actions = actions
        self.resources = resources
        self.conditions = conditions

    def to_yaml(self, **values):
        """The statement as YAML, each `{Key}` of `values` substituted."""
        indent = INDENT * STATEMENT_INDENT
        text = f"\n{indent}# {self.name}"
        text += f'\n{indent}- Effect: "{self.effect}"'
        text += f"\n{indent}{INDENT}Action:"
        for action in self.actions:
            text += f'\n{indent}{INDENT * 2}- "{action}"'
        text += f"\n{indent}{INDENT}Resource:"
        for resource in self.resources:
            text += f'\n{indent}{INDENT * 2}- "{resource}"'
        if self.conditions is not None:
            text += f"\n{indent}{INDENT}Condition:"
            for condition in self.conditions:
                text += condition.to_yaml()
        return fill(text, values)

    def __lt__(self, other):
        return self.name < other.name


class PolicyGroup:
    """Policies and other groups; `flatten()` is every policy below, once."""

    def __init__(self, policies=None, policy_groups=None):
        self.policies = policies
        self.policy_groups = policy_groups
        self.flattened = None

    def flatten(self):
        if self.flattened is None:
            found = set()
            for policy in self.policies or []:
                found.add(policy)
            for group in self.policy_groups or []:
                found.update(group.flatten())
            self.flattened = found
        return self.flattened


# ------------------------------------------------------------------ loading

POLICY = re.compile(
    r"^policy (\w+) \{\n  allow (.*?) on (.*?)"
    r"(?:\n    when (\w+) \"([^\"]+)\" \[(.*?)\])?\n\}", re.S | re.M)
GROUP = re.compile(r"^group (\w+) \{\n(.*?)\}", re.S | re.M)
ROLE = re.compile(r"^role (\w+) \{\n  grants (.*?)\n", re.M)


def items(text):
    """`a`, `"a"` or `[a, "b",]` as a list of strings."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:-1]
    return [x.strip().strip('"') for x in text.split(",") if x.strip()]


def load(src):
    """The organisation of SRC_DIR: {role name: its PolicyGroup}."""
    texts = []
    for name in sorted(os.listdir(src)):
        if name.endswith(".iam"):
            with open(os.path.join(src, name)) as f:
                texts.append(f.read())
    policies, groups, members, roles = {}, {}, {}, {}
    for text in texts:
        for m in POLICY.finditer(text):
            name, actions, resources, op, key, values = m.groups()
            conditions = [Condition(f"{name}Condition", op, key, items(values))] if op else None
            policies[name] = Policy(name, "Allow", items(actions), items(resources), conditions)
        for m in GROUP.finditer(text):
            groups[m.group(1)] = PolicyGroup([], [])
            members[m.group(1)] = m.group(2).split()
        for m in ROLE.finditer(text):
            roles[m.group(1)] = items(m.group(2))
    # A group may name a group declared after it: link once all are known.
    def add(group, name):
        if name in groups:
            group.policy_groups.append(groups[name])
        else:
            group.policies.append(policies[name])
    for name, group in groups.items():
        for member in members[name]:
            add(group, member)
    personal = {}
    for role, grants in roles.items():
        personal[role] = PolicyGroup([], [])
        for name in grants:
            add(personal[role], name)
    return personal


# ------------------------------------------------------------------ generating

def profile(role, group):
    """The devserver-profile template of one role, filled."""
    values = {
        "TemplateFormatVersion": "2010-09-09",
        "PolicyDocumentVersion": "2012-10-17",
        "AssumeRolePolicyDocumentVersion": "2012-10-17",
        "ProfileDescription": f"Personal IAM Profile for {role}",
        "RoleName": f"PersonalRole{role}",
        "InstanceProfileName": f"PersonalInstanceProfile{role}",
        "PolicyReferences": "",
        "Policies": "",
    }
    categories = {}
    for policy in group.flatten():
        category = next((p for p in CATEGORY_PREFIXES if policy.name.startswith(p)), "Misc")
        categories.setdefault(category, []).append(policy)
    for category, members in sorted(categories.items()):
        values["PolicyName"] = f"PersonalPolicy{category}{role}"
        values["PolicyDescription"] = f"Personal Policy {category} for {role}"
        values["Effects"] = "".join(p.to_yaml(RoleName=values["RoleName"]) for p in sorted(members))
        values["Policies"] += fill(POLICY_TEMPLATE, values) + "\n"
        values["PolicyReferences"] += f"{INDENT * 4}- !Ref {values['PolicyName']}\n"
    values["PolicyReferences"] = values["PolicyReferences"][:-1]
    return fill(PROFILE_TEMPLATE, values)


def main():
    args = [a for a in sys.argv[1:] if a != "--timings"]
    if len(args) != 2:
        sys.exit(__doc__.split("\n\n")[1])
    src, out = args
    start = time.perf_counter()
    personal = load(src)
    loaded = time.perf_counter()
    os.makedirs(out, exist_ok=True)
    for role, group in sorted(personal.items()):
        with open(os.path.join(out, f"profile-{role}.yml"), "w") as f:
            f.write(profile(role, group))
    if "--timings" in sys.argv:
        done = time.perf_counter()
        print(f"load {loaded - start:.3f} s, generate {done - loaded:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
