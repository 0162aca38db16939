//! The project's generator of synthetic organisations, for tests and the
//! benchmark: `cargo run --example gen_org -- --roles N --out DIR`.
//!
//! An organisation of `roles` roles has about three atomic policies a role over
//! ten services (one `.iam` file a service, some with a condition), a layered
//! graph of groups in `groups.iam` (bases of policies, teams of bases and
//! policies, environments of teams and policies: diamonds included), and in
//! `roles.iam` one trust and the roles, each granted one or two environments
//! and up to two policies directly. Sizes grow linearly with `roles`. The same
//! `roles` and `seed` always give the same files, on every platform: the
//! random numbers come from SplitMix64, written here, not from a library.
//!
//! Every action is a real IAM action (the oracles check them), and each group
//! is written one member a line, so that tests can edit one member.

/// (service, weight, actions): how often policies of a service appear.
const SERVICES: &[(&str, u64, &[&str])] = &[
    (
        "s3",
        40,
        &[
            "s3:DeleteObject",
            "s3:GetBucketLocation",
            "s3:GetObject",
            "s3:GetObjectTagging",
            "s3:GetObjectVersion",
            "s3:ListBucket",
            "s3:ListBucketVersions",
            "s3:PutObject",
            "s3:PutObjectTagging",
        ],
    ),
    (
        "secretsmanager",
        12,
        &[
            "secretsmanager:DescribeSecret",
            "secretsmanager:GetSecretValue",
            "secretsmanager:ListSecretVersionIds",
        ],
    ),
    (
        "dynamodb",
        8,
        &[
            "dynamodb:BatchGetItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:UpdateItem",
        ],
    ),
    (
        "sqs",
        8,
        &[
            "sqs:DeleteMessage",
            "sqs:GetQueueAttributes",
            "sqs:GetQueueUrl",
            "sqs:ReceiveMessage",
            "sqs:SendMessage",
        ],
    ),
    (
        "sns",
        4,
        &[
            "sns:ListSubscriptionsByTopic",
            "sns:Publish",
            "sns:Subscribe",
        ],
    ),
    (
        "lambda",
        6,
        &[
            "lambda:GetFunction",
            "lambda:GetFunctionConfiguration",
            "lambda:InvokeFunction",
        ],
    ),
    (
        "kms",
        6,
        &[
            "kms:Decrypt",
            "kms:DescribeKey",
            "kms:Encrypt",
            "kms:GenerateDataKey",
        ],
    ),
    (
        "logs",
        6,
        &[
            "logs:CreateLogStream",
            "logs:DescribeLogStreams",
            "logs:GetLogEvents",
            "logs:PutLogEvents",
        ],
    ),
    (
        "athena",
        4,
        &[
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:StartQueryExecution",
            "athena:StopQueryExecution",
        ],
    ),
    (
        "ecr",
        6,
        &[
            "ecr:BatchCheckLayerAvailability",
            "ecr:BatchGetImage",
            "ecr:DescribeImages",
            "ecr:GetDownloadUrlForLayer",
        ],
    ),
];

const WORDS: &[&str] = &[
    "amber", "basalt", "cobalt", "dune", "elm", "flint", "garnet", "heath", "indigo", "jade",
    "kelp", "larch", "maple", "nickel", "opal", "pine", "quill", "reed", "slate", "thistle",
    "umbra", "violet", "wren", "yew", "zinc",
];

/// SplitMix64 (Steele, Lea and Flood, 2014): small, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }

    /// `count` distinct items (at most all of them), in the order drawn.
    fn sample<T: Clone>(&mut self, items: &[T], count: usize) -> Vec<T> {
        let mut indices: Vec<usize> = (0..items.len()).collect();
        let count = count.min(items.len());
        for i in 0..count {
            let j = self.between(i, items.len() - 1);
            indices.swap(i, j);
        }
        indices[..count].iter().map(|&i| items[i].clone()).collect()
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.between(0, WORDS.len() - 1)]
    }
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// `[a, b]` one item a line, or the single item alone.
fn list(items: &[String]) -> String {
    match items {
        [one] => one.clone(),
        _ => format!("[\n    {},\n  ]", items.join(",\n    ")),
    }
}

/// The resources of policy `i` of `service`, and a condition for some.
fn resources(service: &str, rng: &mut Rng, i: usize) -> (Vec<String>, Option<String>) {
    let word = rng.word();
    let at = "${AWS::Region}:${AWS::AccountId}";
    let one = |arn: String| vec![arn];
    match service {
        "s3" => {
            let bucket = format!("{word}-store-{}", i % 89);
            let prefix = format!("{}/{}", rng.word(), rng.word());
            let condition = i
                .is_multiple_of(5)
                .then(|| format!("when StringLike \"s3:prefix\" [\"{prefix}/*\"]"));
            (
                vec![
                    format!("arn:aws:s3:::{bucket}"),
                    format!("arn:aws:s3:::{bucket}/{prefix}/*"),
                ],
                condition,
            )
        }
        "secretsmanager" => (
            one(format!("arn:aws:secretsmanager:{at}:secret:{word}/{i}/*")),
            None,
        ),
        "dynamodb" => (
            vec![
                format!("arn:aws:dynamodb:{at}:table/{word}-{i}"),
                format!("arn:aws:dynamodb:{at}:table/{word}-{i}/index/*"),
            ],
            None,
        ),
        "sqs" => (one(format!("arn:aws:sqs:{at}:{word}-jobs-{i}")), None),
        "sns" => (one(format!("arn:aws:sns:{at}:{word}-events-{i}")), None),
        "lambda" => (
            one(format!("arn:aws:lambda:{at}:function:{word}-{i}")),
            None,
        ),
        "kms" => (
            one(format!("arn:aws:kms:{at}:key/{i:08}-{word}")),
            i.is_multiple_of(3).then(|| {
                "when StringEquals \"kms:ViaService\" [\"s3.${AWS::Region}.amazonaws.com\"]"
                    .to_string()
            }),
        ),
        "logs" => (
            one(format!("arn:aws:logs:{at}:log-group:/svc/{word}/{i}:*")),
            None,
        ),
        "athena" => (
            one(format!("arn:aws:athena:{at}:workgroup/{word}-{i}")),
            None,
        ),
        _ => (one(format!("arn:aws:ecr:{at}:repository/{word}/{i}")), None),
    }
}

fn pick_service(rng: &mut Rng) -> (&'static str, &'static [&'static str]) {
    let total: u64 = SERVICES.iter().map(|s| s.1).sum();
    let mut roll = rng.next() % total;
    for &(service, weight, actions) in SERVICES {
        if roll < weight {
            return (service, actions);
        }
        roll -= weight;
    }
    (SERVICES[0].0, SERVICES[0].2)
}

/// The source files of an organisation of `roles` roles, named and sorted.
pub fn generate(roles: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng(seed);
    let mut by_service: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
    let mut names = Vec::new();
    for i in 0..(roles * 3).max(10) {
        let (service, actions) = pick_service(&mut rng);
        let count = rng.between(1, actions.len().min(4));
        let mut chosen: Vec<String> = rng
            .sample(actions, count)
            .into_iter()
            .map(String::from)
            .collect();
        chosen.sort();
        let (arns, condition) = resources(service, &mut rng, i);
        let arns: Vec<String> = arns.iter().map(|a| format!("\"{a}\"")).collect();
        let prefix = if service == "secretsmanager" {
            "SecretsManager".to_string()
        } else {
            capitalised(service)
        };
        let name = format!(
            "{prefix}{}{}{i}",
            capitalised(rng.word()),
            capitalised(rng.word())
        );
        let mut text = format!(
            "/// Synthetic permission {i} on {service}.\npolicy {name} {{\n  allow {} on {}\n",
            list(&chosen),
            list(&arns)
        );
        if let Some(condition) = condition {
            text.push_str(&format!("    {condition}\n"));
        }
        text.push_str("}\n");
        by_service.entry(service).or_default().push(text);
        names.push(name);
    }

    let mut groups = String::new();
    let mut layer = |prefix: &str,
                     count: usize,
                     below: &[String],
                     from_below: (usize, usize),
                     policies: (usize, usize),
                     rng: &mut Rng| {
        let mut made = Vec::new();
        for n in 0..count {
            let name = format!("{prefix}{}{n}", capitalised(rng.word()));
            let take = rng.between(from_below.0, from_below.1);
            let mut members = rng.sample(below, take);
            let take = rng.between(policies.0, policies.1);
            members.extend(rng.sample(&names, take));
            groups.push_str(&format!("group {name} {{\n"));
            for member in &members {
                groups.push_str(&format!("  {member}\n"));
            }
            groups.push_str("}\n\n");
            made.push(name);
        }
        made
    };
    let bases = layer("Base", (roles / 20).max(2), &[], (0, 0), (3, 8), &mut rng);
    let teams = layer("Team", (roles / 8).max(2), &bases, (1, 2), (2, 8), &mut rng);
    let envs = layer("Env", (roles / 5).max(2), &teams, (1, 2), (1, 4), &mut rng);

    let mut principals = String::from("trust Devserver {\n  service \"ec2.amazonaws.com\"\n}\n");
    for r in 0..roles {
        let name = format!("{}{}{r}", capitalised(rng.word()), capitalised(rng.word()));
        let take = rng.between(1, 2);
        let mut grants = rng.sample(&envs, take);
        let take = rng.between(0, 2);
        grants.extend(rng.sample(&names, take));
        principals.push_str(&format!(
            "\nrole {name} {{\n  grants {}\n  trust Devserver\n  instance_profile\n}}\n",
            grants.join(", ")
        ));
    }

    let mut files: Vec<(String, String)> = by_service
        .into_iter()
        .map(|(service, texts)| (format!("{service}.iam"), texts.join("\n")))
        .collect();
    files.push(("groups.iam".to_string(), groups));
    files.push(("roles.iam".to_string(), principals));
    files.sort();
    files
}
