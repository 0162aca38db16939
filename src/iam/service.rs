//! Service names: an action's prefix, and the name of a service's part of
//! a split policy.

/// The name of a service's part: `S3`, `SecretsManager`, `DynamoDB`...
pub fn part_name(service: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("acm", "ACM"),
        ("apigateway", "APIGateway"),
        ("athena", "Athena"),
        ("autoscaling", "AutoScaling"),
        ("cloudformation", "CloudFormation"),
        ("cloudfront", "CloudFront"),
        ("cloudtrail", "CloudTrail"),
        ("cloudwatch", "CloudWatch"),
        ("codebuild", "CodeBuild"),
        ("dynamodb", "DynamoDB"),
        ("ec2", "EC2"),
        ("ecr", "ECR"),
        ("ecs", "ECS"),
        ("eks", "EKS"),
        ("elasticloadbalancing", "ELB"),
        ("es", "OpenSearch"),
        ("events", "EventBridge"),
        ("glue", "Glue"),
        ("iam", "IAM"),
        ("kinesis", "Kinesis"),
        ("kms", "KMS"),
        ("lambda", "Lambda"),
        ("logs", "Logs"),
        ("rds", "RDS"),
        ("route53", "Route53"),
        ("s3", "S3"),
        ("sagemaker", "SageMaker"),
        ("secretsmanager", "SecretsManager"),
        ("sns", "SNS"),
        ("sqs", "SQS"),
        ("ssm", "SSM"),
        ("states", "StepFunctions"),
        ("sts", "STS"),
    ];
    if let Some((_, name)) = KNOWN.iter().find(|(s, _)| *s == service) {
        return name.to_string();
    }
    service
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}
