//! The managed-policy limit is an error only when the statements cannot fit:
//! when giving a large service a policy of its own would need more policies
//! than allowed, every service shares `Misc` policies instead.

use crate::support;
fn program() -> String {
    let s3: Vec<String> = (0..95)
        .map(|i| format!("\"arn:aws:s3:::team-bucket-{i:03}/*\""))
        .collect();
    let sqs: Vec<String> = (0..30)
        .map(|i| format!("\"arn:aws:sqs:us-east-1:123456789012:queue-{i:03}\""))
        .collect();
    format!(
        "policy ReadBuckets {{ allow s3:GetObject on [{}] }}\n\
         policy SendQueues {{ allow sqs:SendMessage on [{}] }}\n\
         role Worker {{ grants ReadBuckets, SendQueues\n trust {{ service \"ec2.amazonaws.com\" }} }}\n",
        s3.join(", "),
        sqs.join(", ")
    )
}

fn policy_names(limit: usize) -> Vec<String> {
    let mut config = iamc::config::Config::default();
    config.limits.max_managed_policies = limit;
    let files = support::compile(&[("main.iam".to_string(), program())], &config);
    files[0]
        .1
        .lines()
        .filter_map(|l| l.trim().strip_prefix("ManagedPolicyName: "))
        .map(str::to_string)
        .collect()
}

#[test]
fn a_large_service_gets_its_own_policy_when_the_limit_allows() {
    assert_eq!(
        policy_names(10),
        ["PersonalPolicyS3Worker", "PersonalPolicyMiscWorker"]
    );
}

#[test]
fn everything_shares_one_policy_when_only_one_is_allowed() {
    assert_eq!(policy_names(1), ["PersonalPolicyMiscWorker"]);
}
