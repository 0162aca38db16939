//! IAM's quotas, as AWS documents them: one constant each, used everywhere.

/// IAM's hard maximum of managed policies attached to a role or user.
pub const IAM_MAX_MANAGED_POLICIES: usize = 20;
/// IAM's maximum of managed policies attached to a group (a user's policies
/// are attached to its group).
pub const IAM_MAX_GROUP_POLICIES: usize = 10;
/// IAM's limit on a managed policy document, in characters without whitespace.
pub const IAM_POLICY_SIZE: usize = 6144;
/// IAM's default and maximum trust policy sizes.
pub const IAM_TRUST_POLICY_SIZE: usize = 2048;
pub const IAM_TRUST_POLICY_MAX: usize = 4096;
/// Longest role and user names.
pub const IAM_MAX_ROLE_NAME: usize = 64;
/// Longest names of the other entities (groups, managed policies, instance
/// profiles).
pub const IAM_MAX_NAME: usize = 128;
/// Longest IAM path.
pub const IAM_MAX_PATH: usize = 512;
/// Longest description of a role or managed policy.
pub const IAM_MAX_DESCRIPTION: usize = 1000;
/// Most tags on one entity.
pub const IAM_MAX_TAGS: usize = 50;
/// Longest tag key.
pub const IAM_MAX_TAG_KEY: usize = 128;
