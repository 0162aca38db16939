//! `iamc lsp`: the server driven through whole sessions, in process over an
//! in-memory connection, and once as the real binary over stdio. Fixtures
//! mark the cursor with `$0`; positions are computed here, independently of
//! the server's own conversion.

use crate::support;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const MAIN: &str = r#"/// Reads the bucket.
policy ReadBucket {
  allow s3:Get* on "arn:aws:s3:::b/*"
}

param Env { default "dev" }

policy Write {
  allow s3:ListBucket on "arn:aws:s3:::b" because "é lists" allow s3:PutObject on "arn:aws:s3:::b-${Env}/*"
}

/// The team.
group Team { ReadBucket, Write }

trust Ec2 { service "ec2.amazonaws.com" }

/// The application.
role App {
  description "éé" grants Team
  trust Ec2
}
"#;

/// A project in a fresh folder: `policies/` with the given files.
fn project(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamc-lsp-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    for (file, text) in files {
        std::fs::write(dir.join("policies").join(file), text).unwrap();
    }
    dir
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The position of byte `at` of `text`, in UTF-16 units or bytes.
fn position(text: &str, at: usize, utf8: bool) -> Value {
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let character = if utf8 {
        at - start
    } else {
        text[start..at].encode_utf16().count()
    };
    json!({ "line": line, "character": character })
}

/// A fixture with a `$0` marker: the text without it, and the marker's offset.
fn marked(text: &str) -> (String, usize) {
    let at = text.find("$0").expect("the fixture has a $0 marker");
    (text.replacen("$0", "", 1), at)
}

struct Session {
    client: Connection,
    server: Option<std::thread::JoinHandle<Result<(), String>>>,
    next: i32,
    /// Notifications received while waiting for responses.
    pending: Vec<Notification>,
    utf8: bool,
}

impl Session {
    fn start(root: &Path, utf8: bool) -> Session {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || iamc::lsp::serve(server));
        let mut session = Session {
            client,
            server: Some(handle),
            next: 1,
            pending: Vec::new(),
            utf8,
        };
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let result = session.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": { "general": { "positionEncodings": encodings } },
            }),
        );
        let expected = if utf8 { "utf-8" } else { "utf-16" };
        assert_eq!(result["capabilities"]["positionEncoding"], expected);
        session.notify("initialized", json!({}));
        session
    }

    fn notify(&self, method: &str, params: Value) {
        self.client
            .sender
            .send(Message::Notification(Notification::new(
                method.to_string(),
                params,
            )))
            .unwrap();
    }

    fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        let id = RequestId::from(self.next);
        self.next += 1;
        self.client
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .unwrap();
        id
    }

    fn response(&mut self, id: RequestId) -> Response {
        loop {
            match self.recv() {
                Message::Response(r) if r.id == id => return r,
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    fn recv(&self) -> Message {
        self.client
            .receiver
            .recv_timeout(Duration::from_secs(30))
            .expect("the server answers within 30 s")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let r = self.response(id);
        match r.response_result {
            Ok(value) => value,
            Err(e) => panic!("{method} failed: {e:?}"),
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let matches = |n: &Notification| {
            n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri
        };
        if let Some(i) = self.pending.iter().position(matches) {
            let n = self.pending.remove(i);
            return n.params["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            match self.recv() {
                Message::Notification(n) if matches(&n) => {
                    return n.params["diagnostics"].as_array().unwrap().clone();
                }
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    fn at(&self, uri: &str, text: &str, offset: usize) -> Value {
        json!({ "textDocument": { "uri": uri }, "position": position(text, offset, self.utf8) })
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let handle = self.server.take().unwrap();
        assert_eq!(handle.join().unwrap(), Ok(()));
    }
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_whole_session() {
    for utf8 in [false, true] {
        session(utf8);
    }
}

fn session(utf8: bool) {
    let root = project(if utf8 { "utf8" } else { "utf16" }, &[("main.iam", MAIN)]);
    let file = root.join("policies/main.iam");
    let main = uri(&file);
    let mut s = Session::start(&root, utf8);
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": main, "languageId": "iam", "version": 1, "text": MAIN } }),
    );
    let first = s.diagnostics(&main);
    assert!(
        first.iter().all(|d| d["severity"] == 2),
        "the fixture builds: {first:?}"
    );

    // An edit that misspells a grant: E011, on `Teem`, with a quick fix.
    let broken = MAIN.replace("grants Team", "grants Teem");
    let teem = broken.find("Teem").unwrap();
    let line_start = broken[..teem].rfind('\n').unwrap() + 1;
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": main, "version": 2 },
            "contentChanges": [{
                "range": {
                    "start": position(MAIN, teem, utf8),
                    "end": position(MAIN, teem + 4, utf8),
                },
                "text": "Teem",
            }],
        }),
    );
    let after = s.diagnostics(&main);
    let e011 = after
        .iter()
        .find(|d| d["code"] == "E011")
        .unwrap_or_else(|| panic!("E011 expected in {after:?}"));
    assert_eq!(e011["range"]["start"], position(&broken, teem, utf8));
    assert_eq!(e011["range"]["end"], position(&broken, teem + 4, utf8));
    assert!(
        e011["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `Team`?")
    );
    // The column counts `éé` before the name: 2 UTF-16 units, 4 bytes.
    let prefix = &broken[line_start..teem];
    let expected_column = if utf8 {
        prefix.len()
    } else {
        prefix.encode_utf16().count()
    };
    assert_eq!(e011["range"]["start"]["character"], expected_column);
    let actions = s.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": main },
            "range": e011["range"],
            "context": { "diagnostics": [e011] },
        }),
    );
    let fix = &actions[0];
    assert_eq!(fix["kind"], "quickfix");
    let edit = &fix["edit"]["changes"][&main][0];
    assert_eq!(edit["newText"], "Team");
    assert_eq!(edit["range"], e011["range"]);

    // The fix, as a whole-document change: the diagnostics are cleared.
    s.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": main, "version": 3 },
            "contentChanges": [{ "text": MAIN }],
        }),
    );
    let fixed = s.diagnostics(&main);
    assert!(!codes(&fixed).contains(&"E011".to_string()), "{fixed:?}");
    assert_eq!(codes(&fixed), codes(&first));

    // A character outside the BMP: 2 UTF-16 units, 4 bytes (E029 is on it).
    let astral = MAIN.replace("description \"éé\"", "description \"é😀\"");
    let emoji = astral.find('😀').unwrap();
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main, "version": 3 }, "contentChanges": [{ "text": astral }] }),
    );
    let e029 = s.diagnostics(&main);
    assert_eq!(codes(&e029), ["E029"]);
    assert_eq!(e029[0]["range"]["start"], position(&astral, emoji, utf8));
    assert_eq!(e029[0]["range"]["end"], position(&astral, emoji + 4, utf8));
    let width = if utf8 { 4 } else { 2 };
    assert_eq!(
        e029[0]["range"]["end"]["character"].as_u64().unwrap()
            - e029[0]["range"]["start"]["character"].as_u64().unwrap(),
        width
    );
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main, "version": 3 }, "contentChanges": [{ "text": MAIN }] }),
    );
    assert_eq!(codes(&s.diagnostics(&main)), codes(&first));

    // Hover on the role: its doc, grants and managed policies against 6,144.
    let (text, cursor) = marked(&MAIN.replace("role App", "role A$0pp"));
    let hover = s.request("textDocument/hover", s.at(&main, &text, cursor));
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("The application."), "{value}");
    assert!(value.contains("**Grants** (3 statements"), "{value}");
    assert!(
        value.contains("from `ReadBucket`") && value.contains("from `Write`"),
        "{value}"
    );
    assert!(value.contains("/ 6144 characters"), "{value}");

    // Hover on a wildcard action: what it expands to.
    let (text, cursor) = marked(&MAIN.replace("s3:Get*", "s3:Ge$0t*"));
    let hover = s.request("textDocument/hover", s.at(&main, &text, cursor));
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.contains("`s3:GetObject`"), "{value}");
    assert!(!value.contains("`s3:PutObject`"), "{value}");
    // With the count per access level, which adds up to the total.
    let total: usize = value
        .split("Matches **")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    let levels = value
        .split("of the catalog: ")
        .nth(1)
        .and_then(|t| t.split(".\n").next())
        .unwrap();
    assert!(
        levels.contains("Read ") && !levels.contains("Write"),
        "{levels}"
    );
    let summed: usize = levels
        .split(", ")
        .filter_map(|part| part.rsplit(' ').next()?.parse::<usize>().ok())
        .sum();
    assert_eq!(summed, total, "{value}");

    // Hover on an action: its access level, description, types and keys.
    let (text, cursor) = marked(&MAIN.replace("s3:ListBucket", "s3:List$0Bucket"));
    let value = s.request("textDocument/hover", s.at(&main, &text, cursor))["contents"]["value"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(value.contains("`s3:ListBucket` — **List**"), "{value}");
    assert!(
        value.contains("Grants permission to list some or all of the objects"),
        "{value}"
    );
    assert!(
        value.contains("Resource types: accesspoint, bucket"),
        "{value}"
    );
    assert!(value.contains("`s3:prefix`"), "{value}");

    // Hover on a group: who receives it.
    let (text, cursor) = marked(&MAIN.replace("group Team", "group Te$0am"));
    let hover = s.request("textDocument/hover", s.at(&main, &text, cursor));
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.contains("**Received by** 1 principal: `App`"),
        "{value}"
    );

    // Go to definition: from the role's grant to the group.
    let (text, cursor) = marked(&MAIN.replace("grants Team", "grants Te$0am"));
    let found = s.request("textDocument/definition", s.at(&main, &text, cursor));
    let group = MAIN.find("Team {").unwrap();
    assert_eq!(found["uri"], main);
    assert_eq!(found["range"]["start"], position(MAIN, group, utf8));

    // References: who grants `Write` (the group), and where `Env` is used.
    let (text, cursor) = marked(&MAIN.replace("policy Write", "policy W$0rite"));
    let mut params = s.at(&main, &text, cursor);
    params["context"] = json!({ "includeDeclaration": false });
    let refs = s.request("textDocument/references", params);
    let write_use = MAIN.find("Write }").unwrap();
    assert_eq!(refs.as_array().unwrap().len(), 1, "{refs}");
    assert_eq!(refs[0]["range"]["start"], position(MAIN, write_use, utf8));
    let (text, cursor) = marked(&MAIN.replace("param Env", "param E$0nv"));
    let mut params = s.at(&main, &text, cursor);
    params["context"] = json!({ "includeDeclaration": true });
    let refs = s.request("textDocument/references", params);
    let env_use = MAIN.find("${Env}").unwrap() + 2;
    let starts: Vec<&Value> = refs
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["range"]["start"])
        .collect();
    assert_eq!(starts.len(), 2, "{refs}");
    assert!(starts.contains(&&position(MAIN, env_use, utf8)), "{refs}");

    // Completion: names of the kind expected, actions, operators.
    let labels = |s: &mut Session, text: &str| -> Vec<String> {
        let (text, cursor) = marked(text);
        s.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": main, "version": 4 }, "contentChanges": [{ "text": text }] }),
        );
        let list = s.request("textDocument/completion", s.at(&main, &text, cursor));
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    };
    let grants = labels(&mut s, &MAIN.replace("grants Team", "grants $0"));
    assert!(grants.contains(&"Team".to_string()) && grants.contains(&"Write".to_string()));
    assert!(!grants.contains(&"Ec2".to_string()) && !grants.contains(&"App".to_string()));
    let trusts = labels(&mut s, &MAIN.replace("  trust Ec2", "  trust $0"));
    assert_eq!(trusts, vec!["Ec2".to_string()]);
    let actions = labels(&mut s, &MAIN.replace("s3:PutObject", "s3:Put$0"));
    assert!(actions.contains(&"s3:PutObject".to_string()), "{actions:?}");
    assert!(actions.iter().all(|a| a.starts_with("s3:")));
    // An action's completion carries its access level and description.
    let (text, cursor) = marked(&MAIN.replace("s3:PutObject", "s3:Put$0"));
    let list = s.request("textDocument/completion", s.at(&main, &text, cursor));
    let item = |label: &str| {
        let items = list["items"].as_array().unwrap();
        items.iter().find(|i| i["label"] == label).unwrap().clone()
    };
    let put = item("s3:PutObject");
    assert_eq!(put["detail"], "Write", "{put}");
    assert!(
        put["documentation"]
            .as_str()
            .unwrap()
            .starts_with("Grants permission to "),
        "{put}"
    );
    let tagging = item("s3:PutObjectTagging");
    assert_eq!(tagging["detail"], "Tagging", "{tagging}");
    let services = labels(&mut s, &MAIN.replace("s3:PutObject", "$0"));
    assert!(services.contains(&"s3:".to_string()) && services.contains(&"ec2:".to_string()));
    let operators = labels(
        &mut s,
        &MAIN.replace("on \"arn:aws:s3:::b/*\"", "on \"arn:aws:s3:::b/*\" when $0"),
    );
    assert!(operators.contains(&"StringEquals".to_string()));
    assert!(operators.contains(&"ForAnyValue:StringLike".to_string()));
    let keys = labels(
        &mut s,
        &MAIN.replace(
            "on \"arn:aws:s3:::b/*\"",
            "on \"arn:aws:s3:::b/*\" when StringEquals \"$0",
        ),
    );
    assert!(keys.contains(&"aws:SourceIp".to_string()), "{keys:?}");
    // The keys of the statement's service come first, then the global keys.
    let first_s3 = keys.iter().position(|k| k.starts_with("s3:")).unwrap();
    let first_aws = keys.iter().position(|k| k.starts_with("aws:")).unwrap();
    assert!(first_s3 < first_aws, "{keys:?}");
    assert!(keys.contains(&"s3:prefix".to_string()), "{keys:?}");
    assert!(
        keys.contains(&"aws:PrincipalTag/${TagKey}".to_string()),
        "{keys:?}"
    );
    assert!(
        !keys.iter().any(|k| k.starts_with("ec2:Instance")),
        "{keys:?}"
    );
    let trust_keys = labels(
        &mut s,
        &MAIN.replace(
            "service \"ec2.amazonaws.com\"",
            "service \"ec2.amazonaws.com\" when StringEquals \"$0",
        ),
    );
    assert!(
        trust_keys.contains(&"sts:ExternalId".to_string()),
        "{trust_keys:?}"
    );
    let top = labels(&mut s, &format!("{MAIN}\n$0"));
    assert!(top.contains(&"policy".to_string()) && top.contains(&"role".to_string()));

    // Formatting through `iamc fmt`.
    let messy = MAIN.replace(
        "group Team { ReadBucket, Write }",
        "group   Team {ReadBucket,Write}",
    );
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main, "version": 5 }, "contentChanges": [{ "text": messy }] }),
    );
    let edits = s.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": main }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let formatted = iamc::fmt::format_text("main.iam", &messy).unwrap();
    assert_ne!(formatted, messy);
    assert_eq!(edits[0]["newText"], formatted);
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 0, "character": 0 })
    );
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main, "version": 6 }, "contentChanges": [{ "text": MAIN }] }),
    );

    // Document symbols: every declaration, in order.
    let symbols = s.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": main } }),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ReadBucket", "Env", "Write", "Team", "Ec2", "App"]);

    // Rename a group: plain edits at the declaration and each use (a group
    // names nothing in AWS).
    let (text, cursor) = marked(&MAIN.replace("group Team", "group Te$0am"));
    let prepared = s.request("textDocument/prepareRename", s.at(&main, &text, cursor));
    assert_eq!(prepared["start"], position(MAIN, group, utf8));
    let mut params = s.at(&main, &text, cursor);
    params["newName"] = json!("Crew");
    let edit = s.request("textDocument/rename", params);
    assert!(edit.get("changeAnnotations").is_none(), "{edit}");
    let edits = edit["documentChanges"][0]["edits"].as_array().unwrap();
    assert_eq!(edit["documentChanges"][0]["textDocument"]["uri"], main);
    let starts: Vec<&Value> = edits.iter().map(|e| &e["range"]["start"]).collect();
    let use_at = MAIN.find("grants Team").unwrap() + "grants ".len();
    assert_eq!(
        starts,
        [&position(MAIN, group, utf8), &position(MAIN, use_at, utf8)]
    );
    assert!(
        edits
            .iter()
            .all(|e| e["newText"] == "Crew" && e.get("annotationId").is_none())
    );
    // Renaming a role replaces a CloudFormation resource: the edit needs
    // confirmation and says why, and the client is told.
    let (text, cursor) = marked(&MAIN.replace("role App", "role A$0pp"));
    let mut params = s.at(&main, &text, cursor);
    params["newName"] = json!("Service");
    let edit = s.request("textDocument/rename", params);
    let annotation = &edit["changeAnnotations"]["iamc-changes-deployment"];
    assert_eq!(annotation["needsConfirmation"], true);
    assert!(
        annotation["label"]
            .as_str()
            .unwrap()
            .contains("replaces a CloudFormation resource")
    );
    let renamed = &edit["documentChanges"][0]["edits"][0];
    assert_eq!(renamed["newText"], "Service");
    assert_eq!(renamed["annotationId"], "iamc-changes-deployment");
    assert!(s.pending.iter().any(|n| {
        n.method == "window/showMessage"
            && n.params["message"]
                .as_str()
                .unwrap()
                .contains("replaces a CloudFormation resource")
    }));
    // A policy's statements take their Sids from its name: warned too.
    let (text, cursor) = marked(&MAIN.replace("policy Write", "policy W$0rite"));
    let mut params = s.at(&main, &text, cursor);
    params["newName"] = json!("Put");
    let edit = s.request("textDocument/rename", params);
    let label = edit["changeAnnotations"]["iamc-changes-deployment"]["label"]
        .as_str()
        .unwrap();
    assert!(label.contains("Sids"), "{label}");
    assert_eq!(
        edit["documentChanges"][0]["edits"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // A name already taken (ignoring case) is refused.
    let mut params = s.at(&main, &text, cursor);
    params["newName"] = json!("team");
    let id = s.send_request("textDocument/rename", params);
    let refused = s.response(id);
    let error = refused.response_result.unwrap_err();
    assert!(
        error.message.contains("already declared"),
        "{}",
        error.message
    );

    s.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}

/// A file outside any open buffer counts as it is on disk; a second file's
/// declarations resolve names of the first; closing a broken buffer returns
/// to the disk's text.
#[test]
fn open_buffers_override_the_disk_and_closing_restores_it() {
    let other = "group Ops { ReadBucket }\nrole Operator {\n  grants Ops\n  trust Ec2\n}\n";
    let root = project("override", &[("main.iam", MAIN), ("ops.iam", other)]);
    let ops = uri(&root.join("policies/ops.iam"));
    let mut s = Session::start(&root, false);
    let broken = other.replace("ReadBucket", "ReadBuckit");
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": ops, "languageId": "iam", "version": 1, "text": broken } }),
    );
    assert!(codes(&s.diagnostics(&ops)).contains(&"E011".to_string()));
    s.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": ops } }),
    );
    let restored = s.diagnostics(&ops);
    assert!(
        !codes(&restored).contains(&"E011".to_string()),
        "{restored:?}"
    );
    s.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}

/// The diagnostics of every open buffer once the server has analysed all it
/// was sent: a request answers after that analysis, and the last diagnostics
/// published for each buffer before its answer are that analysis's.
fn settled(s: &mut Session, buffers: &BTreeMap<String, String>) -> BTreeMap<String, Vec<Value>> {
    let first = buffers.keys().next().unwrap();
    s.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": first } }),
    );
    let mut last = BTreeMap::new();
    for n in s.pending.drain(..) {
        if n.method == "textDocument/publishDiagnostics" {
            let uri = n.params["uri"].as_str().unwrap().to_string();
            last.insert(uri, n.params["diagnostics"].as_array().unwrap().clone());
        }
    }
    last.retain(|uri, _| buffers.contains_key(uri));
    assert_eq!(
        last.keys().collect::<Vec<_>>(),
        buffers.keys().collect::<Vec<_>>(),
        "every open buffer has its diagnostics"
    );
    last
}

/// What a new server says of `buffers` opened over the project's files.
fn from_scratch(root: &Path, buffers: &BTreeMap<String, String>) -> BTreeMap<String, Vec<Value>> {
    let mut s = Session::start(root, false);
    for (uri, text) in buffers {
        s.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "iam", "version": 1, "text": text } }),
        );
    }
    let diagnostics = settled(&mut s, buffers);
    s.shutdown();
    diagnostics
}

/// The server keeps each file's parse and parses again only files whose
/// text changed (or whose place among the files moved): after every edit of
/// a series over several files (a comment that moves every span, a typo in a
/// name another file uses, a syntax error, a lint finding, a file added
/// before another and removed again, each undone) its diagnostics are those
/// of a new server given the same text.
#[test]
fn incremental_analysis_equals_a_fresh_one() {
    let a = "/// Reads the bucket.\npolicy ReadBucket {\n  allow s3:Get* on \"arn:aws:s3:::b/*\"\n}\n\npolicy Write {\n  allow s3:PutObject on \"arn:aws:s3:::b/*\"\n}\n";
    let b = "group Team { ReadBucket, Write }\n\ntrust Ec2 { service \"ec2.amazonaws.com\" }\n";
    let c = "role App {\n  grants Team\n  trust Ec2\n}\n";
    let root = project("incremental", &[("a.iam", a), ("b.iam", b), ("c.iam", c)]);
    let file = |name: &str| uri(&root.join("policies").join(name));
    let (ua, ub, ub0, uc) = (file("a.iam"), file("b.iam"), file("b0.iam"), file("c.iam"));
    let mut s = Session::start(&root, false);
    let mut buffers: BTreeMap<String, String> = BTreeMap::new();
    for (u, text) in [(&ua, a), (&ub, b), (&uc, c)] {
        s.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": u, "languageId": "iam", "version": 1, "text": text } }),
        );
        buffers.insert(u.clone(), text.to_string());
    }
    let start = settled(&mut s, &buffers);
    assert_eq!(start, from_scratch(&root, &buffers));

    let wildcard = "role App {\n  grants Team, Everything\n  trust Ec2\n}\n\npolicy Everything {\n  allow s3:* on \"*\"\n}\n";
    let added = "role Other {\n  grants Write\n  trust Ec2\n}\n";
    enum Step<'t> {
        /// An incremental change: the text at the start of the buffer.
        Insert(&'t str, &'t str),
        /// The first line of the buffer removed.
        RemoveFirstLine(&'t str),
        /// The buffer's whole text replaced.
        Replace(&'t str, String),
        Open(&'t str, &'t str),
        Close(&'t str),
    }
    let steps = [
        Step::Insert(&ua, "// a comment moves every span below it\n"),
        Step::Replace(&ua, a.replace("ReadBucket", "ReadBuckit")),
        Step::Replace(&ub, b.replace("Write }", "Write ")),
        Step::Replace(&ua, a.to_string()),
        Step::Replace(&ub, b.to_string()),
        Step::Replace(&uc, wildcard.to_string()),
        // `b0.iam` sorts between `b.iam` and `c.iam`: `c.iam`'s findings
        // stay on it while its place among the files moves and back.
        Step::Open(&ub0, added),
        Step::Insert(&uc, "// again\n"),
        Step::Close(&ub0),
        Step::RemoveFirstLine(&uc),
        Step::Replace(&uc, c.to_string()),
    ];
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut last = BTreeMap::new();
    for (n, step) in steps.into_iter().enumerate() {
        let version = n + 2;
        let change = |s: &Session, u: &str, changes: Value| {
            s.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": u, "version": version }, "contentChanges": changes }),
            );
        };
        match step {
            Step::Insert(u, text) => {
                let zero = json!({ "line": 0, "character": 0 });
                change(
                    &s,
                    u,
                    json!([{ "range": { "start": zero, "end": zero }, "text": text }]),
                );
                buffers.get_mut(u).unwrap().insert_str(0, text);
            }
            Step::RemoveFirstLine(u) => {
                let range = json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 1, "character": 0 } });
                change(&s, u, json!([{ "range": range, "text": "" }]));
                let buffer = buffers.get_mut(u).unwrap();
                let first = buffer.find('\n').unwrap() + 1;
                buffer.replace_range(..first, "");
            }
            Step::Replace(u, text) => {
                change(&s, u, json!([{ "text": text }]));
                buffers.insert(u.to_string(), text);
            }
            Step::Open(u, text) => {
                s.notify(
                    "textDocument/didOpen",
                    json!({ "textDocument": { "uri": u, "languageId": "iam", "version": 1, "text": text } }),
                );
                buffers.insert(u.to_string(), text.to_string());
            }
            Step::Close(u) => {
                s.notify(
                    "textDocument/didClose",
                    json!({ "textDocument": { "uri": u } }),
                );
                buffers.remove(u);
            }
        }
        let incremental = settled(&mut s, &buffers);
        assert_eq!(
            incremental,
            from_scratch(&root, &buffers),
            "after step {n}, the incremental analysis differs from a fresh one"
        );
        seen.extend(incremental.values().flat_map(|d| codes(d)));
        last = incremental;
    }
    // The series reached what it set out to: a name error, a syntax error
    // and a lint finding, each gone again at the end.
    for code in ["E001", "E011", "L002"] {
        assert!(seen.contains(code), "no {code} in {seen:?}");
    }
    assert_eq!(
        last, start,
        "undoing every edit gives the first diagnostics again"
    );
    s.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}

/// The real binary, over stdio: initialize, open, diagnostics, shutdown, exit.
#[test]
fn the_binary_serves_over_stdio() {
    use std::io::{BufRead, BufReader, Read, Write};
    let root = project(
        "binary",
        &[("main.iam", &MAIN.replace("grants Team", "grants Teem"))],
    );
    let main = uri(&root.join("policies/main.iam"));
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_iamc"))
        .arg("lsp")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |message: Value| {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let mut read = || -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    };
    send(json!({ "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": { "processId": null, "rootUri": uri(&root), "capabilities": {} } }));
    let init = read();
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["result"]["serverInfo"]["name"], "iamc");
    send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    let started = Instant::now();
    send(
        json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": { "uri": main, "languageId": "iam", "version": 1,
            "text": MAIN.replace("grants Team", "grants Teem") } } }),
    );
    let published = loop {
        let m = read();
        if m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == main {
            break m;
        }
    };
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(published.to_string().contains("E011"));
    send(json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }));
    loop {
        let m = read();
        if m["id"] == 2 {
            assert!(m["result"].is_null());
            break;
        }
    }
    send(json!({ "jsonrpc": "2.0", "method": "exit", "params": null }));
    let status = child.wait().unwrap();
    assert!(status.success());
    let _ = std::fs::remove_dir_all(&root);
}

const BOOK_EXAMPLE: &str = r#"/// Reads the reports bucket.
policy ReadReports {
  allow s3:Get* on "arn:aws:s3:::reports/*"
}

/// The analysts.
group Analysts { ReadReports }

trust Ec2 { service "ec2.amazonaws.com" }

/// The reporting service.
role Reporter {
  grants Analysts
  trust Ec2
}
"#;

/// The editor chapter of the book shows the server's answers as data: they
/// are the answers of this session.
#[test]
fn the_book_shows_the_servers_answers() {
    let root = project("book", &[("main.iam", BOOK_EXAMPLE)]);
    let main = uri(&root.join("policies/main.iam"));
    let shown_uri = "file:///project/policies/main.iam";
    let pretty = |v: &Value| {
        let text = serde_json::to_string_pretty(v).unwrap() + "\n";
        text.replace(&main, shown_uri)
    };
    let mut s = Session::start(&root, false);
    support::book_block("editors.md", "lsp-example", BOOK_EXAMPLE);
    let typo = BOOK_EXAMPLE.replace("grants Analysts", "grants Analyst");
    s.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": main, "languageId": "iam", "version": 1, "text": typo } }),
    );
    let diagnostics = s.diagnostics(&main);
    support::book_block(
        "editors.md",
        "lsp-diagnostics",
        &pretty(&json!({ "uri": main, "diagnostics": diagnostics })),
    );
    let e011 = diagnostics.iter().find(|d| d["code"] == "E011").unwrap();
    let actions = s.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": main }, "range": e011["range"], "context": { "diagnostics": [] } }),
    );
    let mut fix = actions[0].clone();
    fix.as_object_mut().unwrap().remove("diagnostics");
    support::book_block("editors.md", "lsp-quick-fix", &pretty(&fix));
    s.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": main, "version": 2 }, "contentChanges": [{ "text": BOOK_EXAMPLE }] }),
    );
    s.diagnostics(&main);
    // Hovers on the role and on the wildcard action, as the book shows them.
    for (from, to, block) in [
        ("role Reporter", "role Rep$0orter", "lsp-hover"),
        ("s3:Get*", "s3:Ge$0t*", "lsp-hover-wildcard"),
    ] {
        let (text, cursor) = marked(&BOOK_EXAMPLE.replace(from, to));
        let hover = s.request("textDocument/hover", s.at(&main, &text, cursor));
        let value = hover["contents"]["value"].as_str().unwrap().trim_end();
        support::book_block("editors.md", block, &format!("{value}\n"));
    }
    s.shutdown();
    let _ = std::fs::remove_dir_all(&root);
}
