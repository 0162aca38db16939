//! Reading evidence of use: CloudTrail log files (`{"Records": [...]}`, gzip
//! or not), `aws cloudtrail lookup-events` output (each record a JSON string
//! under `CloudTrailEvent`), EventBridge events (the record under `detail`),
//! and IAM last-accessed reports (`get-service-last-accessed-details`, and its
//! `-with-entities` form).
//!
//! Files are streamed: serde_json reads one record at a time from a buffered
//! reader (through `flate2` for gzip), and only what each record says about
//! use is kept, so memory does not grow with the size of the evidence.

use super::api_map::{self, Needs};
use super::time;
use crate::diagnostics::{Code, Diagnostic};
use crate::iam::principal::role_or_user_name;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

/// Calls denied by IAM: what the principal tried and lacks.
const DENIED: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "Client.UnauthorizedOperation",
    "UnauthorizedAccess",
];

/// The window of time the evidence is read for, in seconds since the epoch.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub since: i64,
    pub now: i64,
}

impl Window {
    fn holds(self, t: i64) -> bool {
        t >= self.since && t <= self.now
    }
}

/// How often, and when last, something was seen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seen {
    pub count: u64,
    pub last: i64,
}

impl Seen {
    fn bump(&mut self, t: i64) {
        self.count += 1;
        self.last = self.last.max(t);
    }
}

fn bump(map: &mut BTreeMap<String, Seen>, key: &str, t: i64) {
    match map.get_mut(key) {
        Some(seen) => seen.bump(t),
        None => {
            let mut seen = Seen::default();
            seen.bump(t);
            map.insert(key.to_string(), seen);
        }
    }
}

/// One service of a last-accessed report, for one principal.
#[derive(Clone, Debug, Default)]
pub struct ServiceAccess {
    /// When the principal last authenticated to the service (ever, in the
    /// report's tracking period); `None`: never.
    pub last: Option<i64>,
    /// For action-level reports: each tracked action (lower case) and when it
    /// was last accessed. `None`: the report says nothing of actions.
    pub actions: Option<BTreeMap<String, Option<i64>>>,
}

impl ServiceAccess {
    fn merge(&mut self, other: ServiceAccess) {
        self.last = self.last.max(other.last);
        if let Some(actions) = other.actions {
            let mine = self.actions.get_or_insert_with(BTreeMap::new);
            for (name, t) in actions {
                let entry = mine.entry(name).or_insert(None);
                *entry = (*entry).max(t);
            }
        }
    }
}

/// What the evidence says of one principal.
#[derive(Clone, Debug, Default)]
pub struct PrincipalEvidence {
    /// Actions the principal's calls needed, as the map writes them.
    pub used: BTreeMap<String, Seen>,
    /// Actions of calls denied with AccessDenied or UnauthorizedOperation.
    pub denied: BTreeMap<String, Seen>,
    /// Calls iamc cannot map to actions (`ec2.amazonaws.com NewCall`), by
    /// service prefix: each makes its service's grants count as used.
    pub unknown_calls: BTreeMap<String, BTreeMap<String, Seen>>,
    /// CloudTrail records of the principal in the window.
    pub events: u64,
    /// Last-accessed data by service namespace.
    pub services: BTreeMap<String, ServiceAccess>,
}

/// One file read.
#[derive(Clone, Debug)]
pub struct FileSummary {
    pub path: String,
    pub format: &'static str,
    /// Records (CloudTrail) or services (last-accessed) it held.
    pub records: u64,
}

/// Everything read.
#[derive(Debug)]
pub struct Evidence {
    pub window: Window,
    /// By the principal's IAM name (a role's or user's, without its path).
    pub principals: BTreeMap<String, PrincipalEvidence>,
    pub files: Vec<FileSummary>,
    /// Evidence known to be incomplete, and other things the reader should know.
    pub warnings: Vec<String>,
    /// Whether any CloudTrail evidence was read.
    pub cloudtrail: bool,
    /// Earliest and latest CloudTrail record in the window.
    pub span: Option<(i64, i64)>,
    /// CloudTrail records in the window of no role or user (root, AWS services).
    pub unattributed: u64,
    /// CloudTrail records outside the window.
    pub outside_window: u64,
}

/// What a file's name or the command line says of a last-accessed report.
#[derive(Clone, Debug, Default)]
pub struct Naming {
    /// `--arn`: the principal a report was generated for.
    pub arn: Option<String>,
    /// `--service-namespace`: the service a `-with-entities` report is for.
    pub service_namespace: Option<String>,
}

impl Evidence {
    pub fn new(window: Window) -> Evidence {
        Evidence {
            window,
            principals: BTreeMap::new(),
            files: Vec::new(),
            warnings: Vec::new(),
            cloudtrail: false,
            span: None,
            unattributed: 0,
            outside_window: 0,
        }
    }

    /// Reads one file. On error nothing of it is kept.
    pub fn read(&mut self, path: &Path, naming: &Naming) -> Result<(), Diagnostic> {
        let shown = path.display().to_string();
        let io =
            |e: std::io::Error| Diagnostic::error(Code::Io, format!("could not read {shown}: {e}"));
        let mut file = File::open(path).map_err(io)?;
        let mut magic = [0u8; 2];
        let n = read_up_to(&mut file, &mut magic).map_err(io)?;
        let head = std::io::Cursor::new(magic[..n].to_vec());
        let gzip = magic[..n] == [0x1f, 0x8b];
        let reader: Box<dyn Read> = if gzip {
            Box::new(flate2::read::MultiGzDecoder::new(head.chain(file)))
        } else {
            Box::new(head.chain(file))
        };
        let mut sink = Sink {
            window: self.window,
            found: Evidence::new(self.window),
            at: "$".to_string(),
            top: Top::default(),
        };
        let mut de =
            serde_json::Deserializer::from_reader(BufReader::with_capacity(1 << 16, reader));
        let parsed = de::Deserializer::deserialize_map(&mut de, TopVisitor { sink: &mut sink })
            .and_then(|()| de.end());
        if let Err(e) = parsed {
            return Err(invalid(&shown, &sink.at, &e));
        }
        let summary = sink.finish(&shown, naming)?;
        self.merge(sink.found, summary);
        Ok(())
    }

    fn merge(&mut self, other: Evidence, summary: FileSummary) {
        for (name, theirs) in other.principals {
            let mine = self.principals.entry(name).or_default();
            for (action, seen) in theirs.used {
                merge_seen(mine.used.entry(action).or_default(), seen);
            }
            for (action, seen) in theirs.denied {
                merge_seen(mine.denied.entry(action).or_default(), seen);
            }
            for (prefix, calls) in theirs.unknown_calls {
                let entry = mine.unknown_calls.entry(prefix).or_default();
                for (call, seen) in calls {
                    merge_seen(entry.entry(call).or_default(), seen);
                }
            }
            mine.events += theirs.events;
            for (service, access) in theirs.services {
                mine.services.entry(service).or_default().merge(access);
            }
        }
        self.files.push(summary);
        self.warnings.extend(other.warnings);
        self.cloudtrail |= other.cloudtrail;
        self.span = match (self.span, other.span) {
            (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
            (a, b) => a.or(b),
        };
        self.unattributed += other.unattributed;
        self.outside_window += other.outside_window;
    }
}

fn merge_seen(into: &mut Seen, seen: Seen) {
    into.count += seen.count;
    into.last = into.last.max(seen.last);
}

fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn invalid(file: &str, at: &str, e: &serde_json::Error) -> Diagnostic {
    let place = match (e.line(), e.column()) {
        (0, _) => String::new(),
        (line, 0) => format!(" (line {line})"),
        (line, column) => format!(" (line {line}, column {column})"),
    };
    // serde_json appends " at line L column C" to its own messages.
    let message = e.to_string();
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    Diagnostic::error(
        Code::EvidenceInvalid,
        format!("{file}: invalid evidence at {at}{place}: {message}"),
    )
    .help("give the file as the AWS CLI or CloudTrail wrote it (see the book's chapter \"Least privilege from evidence\")")
}

// ------------------------------------------------------------------ the formats

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    event_time: String,
    event_source: String,
    event_name: String,
    #[serde(default)]
    error_code: Option<String>,
    #[serde(default)]
    user_identity: Option<UserIdentity>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserIdentity {
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    arn: Option<String>,
    #[serde(default)]
    session_context: Option<SessionContext>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionContext {
    #[serde(default)]
    session_issuer: Option<SessionIssuer>,
}

#[derive(Deserialize)]
struct SessionIssuer {
    #[serde(default)]
    arn: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ServiceLastAccessed {
    service_namespace: String,
    #[serde(default)]
    last_authenticated: Option<String>,
    #[serde(default)]
    tracked_actions_last_accessed: Option<Vec<TrackedAction>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TrackedAction {
    action_name: String,
    #[serde(default)]
    last_accessed_time: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EntityDetails {
    entity_info: EntityInfo,
    #[serde(default)]
    last_authenticated: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct EntityInfo {
    arn: String,
    #[serde(rename = "Type")]
    kind: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct JobError {
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    code: Option<String>,
}

/// The top-level fields other than the streamed records.
#[derive(Default)]
struct Top {
    records: u64,
    cloudtrail: bool,
    next_token: bool,
    truncated: bool,
    marker: bool,
    job_status: Option<String>,
    job_error: Option<JobError>,
    services: Option<Vec<ServiceLastAccessed>>,
    entities: Option<Vec<EntityDetails>>,
}

struct Sink {
    window: Window,
    found: Evidence,
    /// Where in the file the reader is, as a JSON path, for errors.
    at: String,
    top: Top,
}

impl Sink {
    fn record(&mut self, r: Record) -> Result<(), String> {
        self.top.records += 1;
        let Some(t) = time::parse(&r.event_time) else {
            return Err(format!("`eventTime` is not a time: `{}`", r.event_time));
        };
        if !self.window.holds(t) {
            self.found.outside_window += 1;
            return Ok(());
        }
        let Some(name) = r.user_identity.as_ref().and_then(attribute) else {
            self.found.unattributed += 1;
            return Ok(());
        };
        self.found.span = Some(match self.found.span {
            Some((a, b)) => (a.min(t), b.max(t)),
            None => (t, t),
        });
        let p = match self.found.principals.get_mut(name) {
            Some(p) => p,
            None => self.found.principals.entry(name.to_string()).or_default(),
        };
        p.events += 1;
        let denied = r.error_code.as_deref().is_some_and(|c| DENIED.contains(&c));
        match api_map::needs(&r.event_source, &r.event_name) {
            Needs::Actions(actions) => {
                for action in &actions {
                    // Another error (NoSuchKey, Throttling) may come after
                    // authorization: it counts as use.
                    bump(if denied { &mut p.denied } else { &mut p.used }, action, t);
                }
            }
            Needs::Nothing => {}
            Needs::Unknown { prefix } => {
                let call = format!("{} {}", r.event_source, r.event_name);
                bump(p.unknown_calls.entry(prefix).or_default(), &call, t);
            }
        }
        Ok(())
    }

    /// Checks what the whole file said and keeps its last-accessed data.
    fn finish(&mut self, file: &str, naming: &Naming) -> Result<FileSummary, Diagnostic> {
        let top = std::mem::take(&mut self.top);
        let bad = |msg: String| {
            Diagnostic::error(Code::EvidenceInvalid, format!("{file}: {msg}")).help(
                "see the book's chapter \"Least privilege from evidence\" for the AWS CLI commands",
            )
        };
        let incomplete = |what: &str| {
            format!(
                "{file} is incomplete ({what}): it is one page of a longer answer; iamc reads what it holds, but a grant may look unused because its use is on another page. Let the AWS CLI fetch every page (no --max-items, no --no-paginate)."
            )
        };
        if top.truncated {
            self.found.warnings.push(incomplete("IsTruncated is true"));
        } else if top.marker {
            self.found.warnings.push(incomplete("it has a Marker"));
        }
        if top.next_token {
            self.found.warnings.push(incomplete("it has a NextToken"));
        }
        if top.cloudtrail {
            self.found.cloudtrail = true;
            return Ok(FileSummary {
                path: file.to_string(),
                format: "CloudTrail",
                records: top.records,
            });
        }
        match top.job_status.as_deref() {
            Some("COMPLETED") | None => {}
            Some(status) => {
                let why = top
                    .job_error
                    .map(|e| {
                        format!(
                            ": {} {}",
                            e.code.unwrap_or_default(),
                            e.message.unwrap_or_default()
                        )
                    })
                    .unwrap_or_default();
                return Err(bad(format!(
                    "the last-accessed job is {status}, not COMPLETED{why}; run `aws iam get-service-last-accessed-details` again once it has completed"
                )));
            }
        }
        if top.services.is_none() && top.entities.is_none() {
            return Err(bad(
                "not evidence iamc reads: no `Records` (CloudTrail log file), `Events` (lookup-events), `detail` (EventBridge), `ServicesLastAccessed` or `EntityDetailsList` (last-accessed report) at the top level".into(),
            ));
        }
        let time_of = |text: &Option<String>, at: &str| -> Result<Option<i64>, Diagnostic> {
            match text {
                None => Ok(None),
                Some(t) => time::parse(t)
                    .map(Some)
                    .ok_or_else(|| bad(format!("{at}: not a time: `{t}`"))),
            }
        };
        if let Some(entities) = top.entities {
            let Some(namespace) = naming
                .service_namespace
                .clone()
                .or_else(|| namespace_from_file_name(file))
            else {
                return Err(bad("a -with-entities report does not say its service: pass --service-namespace, or name the file SERVICE.entities.json".into()));
            };
            for (i, e) in entities.iter().enumerate() {
                if e.entity_info.kind != "ROLE" && e.entity_info.kind != "USER" {
                    continue;
                }
                let Some(name) = role_or_user_name(&e.entity_info.arn) else {
                    return Err(bad(format!(
                        "$.EntityDetailsList[{i}].EntityInfo.Arn: not a role or user ARN: `{}`",
                        e.entity_info.arn
                    )));
                };
                let last = time_of(
                    &e.last_authenticated,
                    &format!("$.EntityDetailsList[{i}].LastAuthenticated"),
                )?;
                let access = ServiceAccess {
                    last,
                    actions: None,
                };
                self.found
                    .principals
                    .entry(name.to_string())
                    .or_default()
                    .services
                    .entry(namespace.clone())
                    .or_default()
                    .merge(access);
            }
            return Ok(FileSummary {
                path: file.to_string(),
                format: "last-accessed with entities",
                records: entities.len() as u64,
            });
        }
        let services = top.services.unwrap_or_default();
        let name = match &naming.arn {
            Some(arn) => role_or_user_name(arn)
                .map(str::to_string)
                .ok_or_else(|| bad(format!("--arn {arn} is not a role or user ARN")))?,
            None => name_from_file_name(file).ok_or_else(|| {
                bad("a last-accessed report does not say whose it is: pass --arn ROLE_OR_USER_ARN, or name the file NAME.last-accessed.json (NAME: the deployed role or user name)".into())
            })?,
        };
        let principal = self.found.principals.entry(name).or_default();
        for (i, s) in services.iter().enumerate() {
            let at = format!("$.ServicesLastAccessed[{i}]");
            let last = time_of(&s.last_authenticated, &format!("{at}.LastAuthenticated"))?;
            let actions = match &s.tracked_actions_last_accessed {
                None => None,
                Some(tracked) => {
                    let mut actions = BTreeMap::new();
                    for (j, a) in tracked.iter().enumerate() {
                        let t = time_of(
                            &a.last_accessed_time,
                            &format!("{at}.TrackedActionsLastAccessed[{j}].LastAccessedTime"),
                        )?;
                        actions.insert(a.action_name.to_ascii_lowercase(), t);
                    }
                    Some(actions)
                }
            };
            principal
                .services
                .entry(s.service_namespace.to_ascii_lowercase())
                .or_default()
                .merge(ServiceAccess { last, actions });
        }
        Ok(FileSummary {
            path: file.to_string(),
            format: "last-accessed",
            records: services.len() as u64,
        })
    }
}

/// The file's base name without `.gz` and `.json`.
fn stem(file: &str) -> &str {
    let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
    let base = base.strip_suffix(".gz").unwrap_or(base);
    base.strip_suffix(".json").unwrap_or(base)
}

/// `PersonalRoleJaneDoe.last-accessed.json` -> `PersonalRoleJaneDoe`.
pub fn name_from_file_name(file: &str) -> Option<String> {
    stem(file)
        .strip_suffix(".last-accessed")
        .filter(|n| !n.is_empty())
        .map(str::to_string)
}

/// `s3.entities.json` or `anything.s3.entities.json` -> `s3`.
pub fn namespace_from_file_name(file: &str) -> Option<String> {
    let rest = stem(file).strip_suffix(".entities")?;
    rest.rsplit('.')
        .next()
        .filter(|n| !n.is_empty())
        .map(str::to_ascii_lowercase)
}

/// A role's calls through `sessionContext.sessionIssuer.arn`, a user's
/// through `arn`; others (root, AWS services, federated users) are not
/// attributed.
fn attribute(u: &UserIdentity) -> Option<&str> {
    let arn = match u.kind.as_deref()? {
        "AssumedRole" => u
            .session_context
            .as_ref()?
            .session_issuer
            .as_ref()?
            .arn
            .as_deref()?,
        "IAMUser" => u.arn.as_deref()?,
        _ => return None,
    };
    role_or_user_name(arn)
}

// ------------------------------------------------------------------ streaming

struct TopVisitor<'a> {
    sink: &'a mut Sink,
}

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let sink = self.sink;
        while let Some(key) = map.next_key::<String>()? {
            sink.at = format!("$.{key}");
            match key.as_str() {
                "Records" => {
                    sink.top.cloudtrail = true;
                    map.next_value_seed(Records {
                        sink: &mut *sink,
                        lookup: false,
                    })?;
                }
                "Events" => {
                    sink.top.cloudtrail = true;
                    map.next_value_seed(Records {
                        sink: &mut *sink,
                        lookup: true,
                    })?;
                }
                "detail" => {
                    sink.top.cloudtrail = true;
                    let record: Record = map.next_value()?;
                    sink.record(record).map_err(de::Error::custom)?;
                }
                "NextToken" => {
                    sink.top.next_token |= map.next_value::<Option<String>>()?.is_some();
                }
                "IsTruncated" => {
                    sink.top.truncated |= map.next_value::<Option<bool>>()?.unwrap_or(false);
                }
                "Marker" => sink.top.marker |= map.next_value::<Option<String>>()?.is_some(),
                "JobStatus" => sink.top.job_status = map.next_value()?,
                "Error" => sink.top.job_error = map.next_value()?,
                "ServicesLastAccessed" => sink.top.services = Some(map.next_value()?),
                "EntityDetailsList" => sink.top.entities = Some(map.next_value()?),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        sink.at = "$".to_string();
        Ok(())
    }
}

/// `Records` (log files) or `Events` (lookup-events), one element at a time.
struct Records<'a> {
    sink: &'a mut Sink,
    lookup: bool,
}

impl<'de> DeserializeSeed<'de> for Records<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

/// An element of `Events`: the record is a JSON string.
#[derive(Deserialize)]
struct LookupEvent {
    #[serde(rename = "CloudTrailEvent")]
    cloud_trail_event: String,
}

impl<'de> Visitor<'de> for Records<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of CloudTrail records")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let field = if self.lookup { "Events" } else { "Records" };
        let mut i = 0usize;
        loop {
            self.sink.at = format!("$.{field}[{i}]");
            if self.lookup {
                let Some(event) = seq.next_element::<LookupEvent>()? else {
                    break;
                };
                self.sink.at = format!("$.{field}[{i}].CloudTrailEvent");
                let record: Record = serde_json::from_str(&event.cloud_trail_event)
                    .map_err(|e| de::Error::custom(format!("in the JSON text: {e}")))?;
                self.sink.record(record).map_err(de::Error::custom)?;
            } else {
                let Some(record) = seq.next_element::<Record>()? else {
                    break;
                };
                self.sink.record(record).map_err(de::Error::custom)?;
            }
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_files() {
        assert_eq!(
            name_from_file_name("ev/PersonalRoleJaneDoe.last-accessed.json").as_deref(),
            Some("PersonalRoleJaneDoe")
        );
        assert_eq!(name_from_file_name("report.json"), None);
        assert_eq!(
            namespace_from_file_name("x/Base.s3.entities.json").as_deref(),
            Some("s3")
        );
    }
}
