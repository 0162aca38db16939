//! Actions whose use the evidence may not show, even when complete for what
//! it records: data events a trail logs only when asked, permissions checked
//! with no call of their own, calls AWS makes on the principal's behalf.
//! Their absence from the evidence is no proof of non-use, so `iamc usage`
//! keeps their grants unless `--trust-absence` is given.

use super::cover;

/// A pattern of actions (matched as IAM does) and why absence proves nothing.
const UNLOGGED: &[(&str, &str)] = &[
    (
        "iam:PassRole",
        "checked when another call hands a role to a service, with no event of its own",
    ),
    ("s3:*Object*", DATA_EVENT),
    ("s3:ListBucket*", DATA_EVENT),
    ("s3:*MultipartUpload*", DATA_EVENT),
    ("s3:ListMultipartUploadParts", DATA_EVENT),
    ("s3-object-lambda:*", DATA_EVENT),
    ("s3express:*", DATA_EVENT),
    ("lambda:Invoke*", DATA_EVENT),
    ("dynamodb:*Item", DATA_EVENT),
    ("dynamodb:BatchGetItem", DATA_EVENT),
    ("dynamodb:BatchWriteItem", DATA_EVENT),
    ("dynamodb:Query", DATA_EVENT),
    ("dynamodb:Scan", DATA_EVENT),
    ("dynamodb:PartiQL*", DATA_EVENT),
    ("dynamodb:GetRecords", DATA_EVENT),
    ("dynamodb:GetShardIterator", DATA_EVENT),
    ("sns:Publish", DATA_EVENT),
    ("sqs:SendMessage*", DATA_EVENT),
    ("sqs:ReceiveMessage", DATA_EVENT),
    ("sqs:DeleteMessage*", DATA_EVENT),
    ("sqs:ChangeMessageVisibility*", DATA_EVENT),
    ("kinesis:PutRecord*", DATA_EVENT),
    ("kinesis:GetRecords", DATA_EVENT),
    ("kinesis:GetShardIterator", DATA_EVENT),
    ("kinesis:SubscribeToShard", DATA_EVENT),
    ("firehose:PutRecord*", DATA_EVENT),
    ("bedrock:Invoke*", DATA_EVENT),
    ("cloudwatch:PutMetricData", DATA_EVENT),
    ("cloudwatch:GetMetric*", DATA_EVENT),
    ("logs:PutLogEvents", NOT_LOGGED),
    ("logs:GetLogEvents", NOT_LOGGED),
    ("logs:FilterLogEvents", NOT_LOGGED),
    ("xray:Put*", NOT_LOGGED),
    ("execute-api:*", NOT_LOGGED),
    ("rds-db:*", NOT_LOGGED),
    ("ssmmessages:*", NOT_LOGGED),
    ("ec2messages:*", NOT_LOGGED),
    (
        "kms:*",
        "a trail may exclude KMS events, and AWS services call KMS on the principal's behalf",
    ),
    ("rds-data:*", "a trail may exclude RDS Data API events"),
];

const DATA_EVENT: &str = "a data event, logged only when the trail logs data events";
const NOT_LOGGED: &str = "not recorded by CloudTrail as a management event";

/// Why CloudTrail's silence about this action proves nothing, if it does not.
pub fn reason(action: &str) -> Option<&'static str> {
    UNLOGGED
        .iter()
        .find(|(pattern, _)| cover::grant_covers(pattern, action))
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_events_and_pass_role() {
        assert!(reason("s3:GetObject").is_some());
        assert!(reason("s3:ListBucket").is_some());
        assert!(reason("iam:PassRole").is_some());
        assert!(reason("lambda:InvokeFunction").is_some());
        assert!(reason("dynamodb:GetItem").is_some());
        assert!(reason("kms:Decrypt").is_some());
        assert_eq!(reason("s3:GetBucketLocation"), None);
        assert_eq!(reason("ecs:UpdateService"), None);
        assert_eq!(reason("dynamodb:CreateTable"), None);
    }
}
