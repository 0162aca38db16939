"""moto_server, with three gaps of moto 5.2.5's CloudFormation support for IAM filled in.

    python moto_extensions.py -H 127.0.0.1 -p PORT     (same arguments as moto_server)

Without them a user template of iamc cannot be deployed at all, and an update of a managed
policy is silently dropped, so the deployment test could prove nothing about either:

1. `AWS::IAM::Group` has no CloudFormation model in moto: creating a stack that has one and
   exports its ARN fails with an internal error. Added: create (GroupName, Path,
   ManagedPolicyArns), `Ref` = name, `Fn::GetAtt Arn`, delete, update by replacement.
2. `AWS::IAM::User` ignores its `Groups` property. Added: the user joins those groups on
   create, and an update makes its groups exactly the listed ones.
3. `AWS::IAM::ManagedPolicy` has no update: a changed document or attachment list is
   ignored. Added: a changed document becomes the new default version (the oldest
   non-default version is dropped at IAM's limit of 5), and the Roles / Groups / Users
   attachments become exactly the listed ones; a new ManagedPolicyName replaces the policy.

Each follows what the CloudFormation user guide documents for that resource. This module
knows nothing about iamc: it only makes moto do what AWS does with any template.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.iam import models as iam
from moto.utilities.utils import get_partition


def backend(account_id: str, region_name: str):
    return iam.iam_backends[account_id][get_partition(region_name)]


# --- 1. AWS::IAM::Group ------------------------------------------------------------------

iam.Group.physical_resource_id = property(lambda self: self.name)
iam.Group.is_created = lambda self: True


def _group_cfn_attribute(self, attribute_name: str) -> str:
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException

    if attribute_name == "Arn":
        return self.arn
    raise UnformattedGetAttTemplateException()


iam.Group.get_cfn_attribute = _group_cfn_attribute


class CloudFormationGroup(CloudFormationModel):
    """The CloudFormation side of moto's iam.Group (which it creates and returns)."""

    # moto's model metaclass files every model under the service named in its module.
    __module__ = "moto.iam.extensions"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "GroupName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::IAM::Group"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict, account_id: str, region_name: str, **kwargs: Any
    ):
        properties = cloudformation_json.get("Properties", {})
        iam_backend = backend(account_id, region_name)
        group = iam_backend.create_group(resource_name, properties.get("Path", "/"))
        for policy_arn in properties.get("ManagedPolicyArns", []):
            iam_backend.attach_group_policy(policy_arn, resource_name)
        return group

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[misc]
        cls, original_resource, new_resource_name: str, cloudformation_json: dict, account_id: str, region_name: str
    ):
        cls.delete_from_cloudformation_json(
            original_resource.name, cloudformation_json, account_id, region_name
        )
        name = cloudformation_json.get("Properties", {}).get("GroupName", new_resource_name)
        group = cls.create_from_cloudformation_json(name, cloudformation_json, account_id, region_name)
        group.users = original_resource.users
        return group

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: dict, account_id: str, region_name: str
    ) -> None:
        backend(account_id, region_name).delete_group(resource_name)


# --- 2. AWS::IAM::User Groups ------------------------------------------------------------


def _set_user_groups(user, groups: list[str], account_id: str, region_name: str) -> None:
    iam_backend = backend(account_id, region_name)
    for group in iam_backend.get_groups_for_user(user.name):
        if group.name not in groups:
            iam_backend.remove_user_from_group(group.name, user.name)
    for group in groups:
        iam_backend.add_user_to_group(group, user.name)


def _wrap_user(method_name: str) -> None:
    original = getattr(iam.User, method_name).__func__

    def wrapped(cls, *args, **kwargs):
        user = original(cls, *args, **kwargs)
        cloudformation_json = kwargs.get("cloudformation_json", args[1] if len(args) > 1 else None)
        account_id = kwargs.get("account_id", args[2] if len(args) > 2 else None)
        region_name = kwargs.get("region_name", args[3] if len(args) > 3 else None)
        groups = cloudformation_json.get("Properties", {}).get("Groups", [])
        _set_user_groups(user, groups, account_id, region_name)
        return user

    setattr(iam.User, method_name, classmethod(wrapped))


_wrap_user("create_from_cloudformation_json")
_wrap_user("update_from_cloudformation_json")


# --- 3. AWS::IAM::ManagedPolicy updates --------------------------------------------------


def _update_managed_policy(
    cls, original_resource, new_resource_name: str, cloudformation_json: dict, account_id: str, region_name: str
):
    properties = cloudformation_json.get("Properties", {})
    if properties.get("ManagedPolicyName", new_resource_name) != original_resource.name:
        _delete_managed_policy(cls, original_resource.arn, cloudformation_json, account_id, region_name)
        return cls.create_from_cloudformation_json(
            new_resource_name, cloudformation_json, account_id, region_name
        )
    iam_backend = backend(account_id, region_name)
    policy = original_resource
    document = properties.get("PolicyDocument")
    default = next(v for v in policy.versions if v.is_default)
    if document != json.loads(default.document):
        if len(policy.versions) >= 5:
            oldest = next(v for v in policy.versions if not v.is_default)
            iam_backend.delete_policy_version(policy.arn, oldest.version_id)
        iam_backend.create_policy_version(policy.arn, json.dumps(document), set_as_default=True)
    for kind, (attach, detach) in _attachers(iam_backend).items():
        wanted = set(properties.get(kind, []))
        current = _attached(iam_backend, policy.arn, kind)
        for name in current - wanted:
            detach(policy.arn, name)
        for name in wanted - current:
            attach(policy.arn, name)
    return policy


def _attachers(iam_backend) -> dict:
    return {
        "Roles": (iam_backend.attach_role_policy, iam_backend.detach_role_policy),
        "Groups": (iam_backend.attach_group_policy, iam_backend.detach_group_policy),
        "Users": (iam_backend.attach_user_policy, iam_backend.detach_user_policy),
    }


def _attached(iam_backend, policy_arn: str, kind: str) -> set[str]:
    if kind == "Roles":
        entities = iam_backend.roles.values()
    elif kind == "Groups":
        entities = iam_backend.groups.values()
    else:
        entities = iam_backend.users.values()
    return {e.name for e in entities if policy_arn in e.managed_policies}


def _delete_managed_policy(
    cls, resource_name: str, cloudformation_json: dict, account_id: str, region_name: str
) -> None:
    iam_backend = backend(account_id, region_name)
    for kind, (_, detach) in _attachers(iam_backend).items():
        for name in _attached(iam_backend, resource_name, kind):
            detach(resource_name, name)
    iam_backend.delete_policy(resource_name)


iam.ManagedPolicy.update_from_cloudformation_json = classmethod(_update_managed_policy)
if hasattr(iam.ManagedPolicy.delete_from_cloudformation_json, "__isabstractmethod__"):
    iam.ManagedPolicy.delete_from_cloudformation_json = classmethod(_delete_managed_policy)


if __name__ == "__main__":
    from moto.server import main

    main(sys.argv[1:])
