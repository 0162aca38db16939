//! `iamc lsp`: a language server over stdio.
//!
//! Synchronous, on rust-analyzer's `lsp-server` (the transport and the
//! initialize/shutdown handshake) and `lsp-types` (the protocol's types):
//! iamc compiles a whole program in milliseconds, so one thread that
//! recompiles after each burst of edits answers faster than any scheduling
//! would. Every answer comes from the compiler: [`crate::compile`], the
//! lints, the resolved program, the catalog and `iamc fmt`.
//!
//! [`workspace`] holds the project's text and its analysis, [`index`] where
//! names are used, [`publish`] the diagnostics and quick fixes,
//! [`navigate`] definitions, references, rename and outline, [`hover`] and
//! [`complete`] the rest.

mod complete;
mod hover;
mod index;
mod navigate;
mod parses;
mod position;
mod publish;
mod uri;
mod workspace;

pub use position::Encoding;

use crate::ast::Decl;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use position::{offset, range};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use workspace::{Analysis, Workspace};

/// Serves one client on stdin and stdout until it exits.
pub fn run_stdio() -> Result<(), String> {
    let (connection, io) = Connection::stdio();
    serve(connection)?;
    io.join().map_err(|e| e.to_string())
}

/// Serves one client on `connection`: the handshake, then every message
/// until `shutdown` and `exit`.
pub fn serve(connection: Connection) -> Result<(), String> {
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: lsp::InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("bad initialize params: {e}"))?;
    let encoding = negotiate(&params);
    let capabilities = capabilities(encoding);
    let result = serde_json::json!({
        "capabilities": capabilities,
        "serverInfo": { "name": "iamc", "version": env!("CARGO_PKG_VERSION") },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let mut server = Server {
        connection: &connection,
        encoding,
        workspace: start_folder(&params)
            .as_deref()
            .and_then(workspace::find_root)
            .map(Workspace::load),
        analysis: None,
        dirty: true,
        published: BTreeMap::new(),
        last_good: HashMap::new(),
    };
    server.main_loop()
}

/// UTF-8 where the client offers it, else UTF-16 (the protocol's default).
fn negotiate(params: &lsp::InitializeParams) -> Encoding {
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_ref());
    match offered {
        Some(list) if list.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

fn capabilities(encoding: Encoding) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(match encoding {
            Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: Default::default(),
        })),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![":".to_string(), "\"".to_string()]),
            ..Default::default()
        }),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            },
        )),
        ..Default::default()
    }
}

/// The folder the client opened, or failing that the server's working
/// folder (without a project there, it is found from the first file opened).
fn start_folder(params: &lsp::InitializeParams) -> Option<PathBuf> {
    let folder = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri);
    #[allow(deprecated, reason = "older clients send only `rootUri`")]
    let root = folder.or(params.root_uri.as_ref());
    root.and_then(uri::to_path)
        .or_else(|| std::env::current_dir().ok())
}

struct Server<'c> {
    connection: &'c Connection,
    encoding: Encoding,
    workspace: Option<Workspace>,
    analysis: Option<Analysis>,
    /// The text changed since the last analysis.
    dirty: bool,
    /// The diagnostics the editor shows now, of each file that has some.
    published: BTreeMap<PathBuf, Vec<lsp::Diagnostic>>,
    /// Each file's declarations as last parsed without a syntax error: while
    /// a line is being typed the file does not parse, and completion still
    /// offers the names it declares.
    last_good: HashMap<PathBuf, Vec<Decl>>,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), String> {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    if self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(|e| e.to_string())?
                    {
                        return Ok(());
                    }
                    self.refresh();
                    let response = self.request(request);
                    self.send(Message::Response(response));
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
            // Analyse once a burst of edits is over, not after each keystroke.
            if self.dirty && self.connection.receiver.is_empty() {
                self.refresh();
            }
        }
        Ok(())
    }

    fn send(&self, message: Message) {
        // The client has gone when this fails; the receiving loop ends then.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: lsp::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    /// Analyses the project again if its text changed, and publishes the
    /// diagnostics of every file (clearing those of files now clean).
    fn refresh(&mut self) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        let Some(workspace) = &mut self.workspace else {
            return;
        };
        let analysis = workspace.analyze();
        let workspace = &*workspace;
        for path in workspace.open_paths() {
            if analysis.is_broken(path) {
                // Broken now: keep the declarations of the last analysis
                // where it parsed, unless they are kept already.
                if let Some(good) = self.analysis.as_ref().and_then(|a| a.decls_if_good(path)) {
                    self.last_good.insert(path.to_path_buf(), good);
                }
            } else {
                self.last_good.remove(path);
            }
        }
        let fallback = workspace.root.join("iamc.yaml");
        let mut files = publish::by_file(&analysis, &fallback, self.encoding);
        // Files whose diagnostics are gone get an empty list, and so does
        // every open file, so that the editor knows it was checked.
        let open: BTreeSet<PathBuf> = workspace.open_paths().map(Path::to_path_buf).collect();
        for path in self.published.keys().chain(&open) {
            files.entry(path.clone()).or_default();
        }
        // A large project has thousands of findings: a file's are sent again
        // only when they changed (or the file is open, and so being edited).
        for (path, diagnostics) in files {
            let Some(uri) = uri::from_path(&path) else {
                continue;
            };
            if !open.contains(&path) && self.published.get(&path) == Some(&diagnostics) {
                continue;
            }
            self.notify::<lsp::notification::PublishDiagnostics>(
                lsp::PublishDiagnosticsParams::new(uri, diagnostics.clone(), None),
            );
            if diagnostics.is_empty() {
                self.published.remove(&path);
            } else {
                self.published.insert(path, diagnostics);
            }
        }
        // A large program takes a while to free: not while the editor waits
        // for the next edit's diagnostics.
        if let Some(old) = self.analysis.replace(analysis) {
            let _ = std::thread::Builder::new()
                .name("iamc-lsp-free".to_string())
                .spawn(move || drop(old));
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp::notification::*;
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                    && let Some(path) = uri::to_path(&p.text_document.uri)
                {
                    self.ensure_workspace(&path);
                    if let Some(w) = &mut self.workspace {
                        w.open(path, p.text_document.text);
                        self.dirty = true;
                    }
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                {
                    self.change(p);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                    && let (Some(path), Some(w)) =
                        (uri::to_path(&p.text_document.uri), &mut self.workspace)
                {
                    w.close(&path);
                    self.dirty = true;
                }
            }
            DidChangeWatchedFiles::METHOD => {
                if let Some(w) = &self.workspace {
                    // Settings or files changed on disk: read the project again,
                    // keeping the open buffers.
                    let root = w.root.clone();
                    let open = w.open_buffers();
                    let mut reloaded = Workspace::load(root);
                    for (path, text) in open {
                        reloaded.open(path, text);
                    }
                    self.workspace = Some(reloaded);
                    self.dirty = true;
                }
            }
            _ => {}
        }
    }

    /// Finds the project of a file opened before any project was known.
    fn ensure_workspace(&mut self, path: &Path) {
        let owned = self.workspace.as_ref().is_some_and(|w| w.owns(path));
        if !owned && let Some(root) = path.parent().and_then(workspace::find_root) {
            let w = Workspace::load(root);
            if w.owns(path) {
                self.workspace = Some(w);
            }
        }
    }

    fn change(&mut self, p: lsp::DidChangeTextDocumentParams) {
        let (Some(path), Some(w)) = (uri::to_path(&p.text_document.uri), &mut self.workspace)
        else {
            return;
        };
        let mut text = w.text(&path).unwrap_or("").to_string();
        for change in p.content_changes {
            match change.range {
                Some(r) => {
                    let start = offset(&text, r.start, self.encoding);
                    let end = offset(&text, r.end, self.encoding).max(start);
                    text.replace_range(start..end, &change.text);
                }
                None => text = change.text,
            }
        }
        w.open(path, text);
        self.dirty = true;
    }

    fn request(&mut self, request: Request) -> Response {
        use lsp::request::*;
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => self.with(request, |s, p: lsp::HoverParams| s.hover(p)),
            GotoDefinition::METHOD => {
                self.with(request, |s, p: lsp::GotoDefinitionParams| s.definition(p))
            }
            References::METHOD => self.with(request, |s, p: lsp::ReferenceParams| s.references(p)),
            Completion::METHOD => self.with(request, |s, p: lsp::CompletionParams| s.complete(p)),
            Formatting::METHOD => {
                self.with(request, |s, p: lsp::DocumentFormattingParams| s.format(p))
            }
            DocumentSymbolRequest::METHOD => {
                self.with(request, |s, p: lsp::DocumentSymbolParams| s.symbols(p))
            }
            PrepareRenameRequest::METHOD => self
                .with(request, |s, p: lsp::TextDocumentPositionParams| {
                    s.prepare_rename(p)
                }),
            Rename::METHOD => self.with(request, |s, p: lsp::RenameParams| s.rename(p)),
            CodeActionRequest::METHOD => {
                self.with(request, |s, p: lsp::CodeActionParams| s.code_actions(p))
            }
            _ => Err((
                ErrorCode::MethodNotFound as i32,
                format!("iamc does not answer `{}`", request.method),
            )),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => Response::new_err(id, code, message),
        }
    }

    /// Decodes a request's params and answers it.
    fn with<P: serde::de::DeserializeOwned>(
        &mut self,
        request: Request,
        answer: impl FnOnce(&mut Self, P) -> Result<Value, String>,
    ) -> Result<Value, (i32, String)> {
        let params: P = serde_json::from_value(request.params)
            .map_err(|e| (ErrorCode::InvalidParams as i32, e.to_string()))?;
        answer(self, params).map_err(|m| (ErrorCode::RequestFailed as i32, m))
    }

    /// The analysis and the file and byte offset of a position in it.
    fn locate(&self, uri: &lsp::Uri, position: lsp::Position) -> Option<(&Analysis, usize, usize)> {
        let analysis = self.analysis.as_ref()?;
        let file = analysis.file_of(&uri::to_path(uri)?)?;
        let text = &analysis.sources.get(file)?.text;
        Some((analysis, file, offset(text, position, self.encoding)))
    }

    fn hover(&mut self, p: lsp::HoverParams) -> Result<Value, String> {
        let at = &p.text_document_position_params;
        let Some((analysis, file, offset)) = self.locate(&at.text_document.uri, at.position) else {
            return Ok(Value::Null);
        };
        let Some((text, span)) = hover::hover(analysis, file, offset) else {
            return Ok(Value::Null);
        };
        let range = analysis
            .sources
            .get(span.file)
            .map(|f| range(f, span.start, span.end, self.encoding));
        json(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: text,
            }),
            range,
        })
    }

    fn definition(&mut self, p: lsp::GotoDefinitionParams) -> Result<Value, String> {
        let at = &p.text_document_position_params;
        let found = self
            .locate(&at.text_document.uri, at.position)
            .and_then(|(a, file, offset)| navigate::definition(a, file, offset, self.encoding));
        json(found)
    }

    fn references(&mut self, p: lsp::ReferenceParams) -> Result<Value, String> {
        let at = &p.text_document_position;
        let found = self
            .locate(&at.text_document.uri, at.position)
            .map(|(a, file, offset)| {
                navigate::references(
                    a,
                    file,
                    offset,
                    p.context.include_declaration,
                    self.encoding,
                )
            });
        json(found.unwrap_or_default())
    }

    fn complete(&mut self, p: lsp::CompletionParams) -> Result<Value, String> {
        let at = &p.text_document_position;
        let Some((analysis, file, offset)) = self.locate(&at.text_document.uri, at.position) else {
            return Ok(Value::Null);
        };
        let Some(source) = analysis.sources.get(file) else {
            return Ok(Value::Null);
        };
        let path = &analysis.paths[file];
        let fallback: &[Decl] = match analysis.broken.get(file) {
            Some(true) => self.last_good.get(path).map(Vec::as_slice).unwrap_or(&[]),
            _ => &[],
        };
        let (word_start, mut items) = complete::complete(analysis, fallback, &source.text, offset);
        let replace = range(source, word_start, offset, self.encoding);
        for item in &mut items {
            item.text_edit = Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                replace,
                item.label.clone(),
            )));
        }
        json(lsp::CompletionResponse::List(lsp::CompletionList {
            is_incomplete: false,
            items,
        }))
    }

    fn format(&mut self, p: lsp::DocumentFormattingParams) -> Result<Value, String> {
        let Some(path) = uri::to_path(&p.text_document.uri) else {
            return Ok(Value::Null);
        };
        let Some(text) = self.workspace.as_ref().and_then(|w| w.text(&path)) else {
            return Ok(Value::Null);
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        match crate::fmt::format_text(name.as_deref().unwrap_or("file.iam"), text) {
            Ok(formatted) if formatted == text => json(Vec::<lsp::TextEdit>::new()),
            Ok(formatted) => {
                let whole = crate::source::SourceFile::new("", text);
                let all = range(&whole, 0, text.len(), self.encoding);
                json(vec![lsp::TextEdit::new(all, formatted)])
            }
            // A file that does not parse is not formatted; its diagnostics say why.
            Err(_) => Ok(Value::Null),
        }
    }

    fn symbols(&mut self, p: lsp::DocumentSymbolParams) -> Result<Value, String> {
        let found = self.analysis.as_ref().and_then(|a| {
            let file = a.file_of(&uri::to_path(&p.text_document.uri)?)?;
            Some(navigate::symbols(a, file, self.encoding))
        });
        json(lsp::DocumentSymbolResponse::Nested(
            found.unwrap_or_default(),
        ))
    }

    fn prepare_rename(&mut self, p: lsp::TextDocumentPositionParams) -> Result<Value, String> {
        let found = self
            .locate(&p.text_document.uri, p.position)
            .and_then(|(a, file, offset)| navigate::prepare_rename(a, file, offset, self.encoding));
        json(found)
    }

    fn rename(&mut self, p: lsp::RenameParams) -> Result<Value, String> {
        let at = &p.text_document_position;
        let Some((analysis, file, offset)) = self.locate(&at.text_document.uri, at.position) else {
            return Err("there is no declared name here".to_string());
        };
        let edit = navigate::rename(analysis, file, offset, &p.new_name, self.encoding)?;
        if let Some(warning) = navigate::rename_warning(analysis, file, offset) {
            self.notify::<lsp::notification::ShowMessage>(lsp::ShowMessageParams {
                typ: lsp::MessageType::WARNING,
                message: warning,
            });
        }
        json(edit)
    }

    fn code_actions(&mut self, p: lsp::CodeActionParams) -> Result<Value, String> {
        let found = self.analysis.as_ref().and_then(|a| {
            let file = a.file_of(&uri::to_path(&p.text_document.uri)?)?;
            let text = &a.sources.get(file)?.text;
            let start = offset(text, p.range.start, self.encoding);
            let end = offset(text, p.range.end, self.encoding);
            Some(publish::quick_fixes(a, file, start, end, self.encoding))
        });
        json(found.unwrap_or_default())
    }
}

fn json(value: impl serde::Serialize) -> Result<Value, String> {
    serde_json::to_value(value).map_err(|e| e.to_string())
}
