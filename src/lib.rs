//! iamc compiles `.iam` programs into CloudFormation templates.
//!
//! The pipeline, one module a step, as [`compile`] runs it:
//!
//! 1. [`syntax`] parses each file into declarations ([`ast`]);
//! 2. [`resolve`] binds names and builds the group graph, and (2b)
//!    [`expand`] instantiates templates;
//! 3. [`check`] validates every declaration against IAM's rules;
//! 4. [`lower`] builds IAM statements ([`model`]);
//! 5. and 6. [`plan`] flattens each principal's grants, splits them into
//!    managed policies and checks names and CloudFormation's limits;
//! 7. [`render`] writes templates and the manifest, from a [`Compiled`].
//!
//! Below the pipeline sit the vocabulary every step shares: [`iam`] (what
//! iamc knows of IAM), [`diagnostics`], [`config`], [`source`], and
//! [`account`] (an AWS account's IAM, read from its authorization details).
//! Above it, what builds on a [`Compiled`]: [`build`] (writing `generated/`
//! and the build record), [`lint`], [`review`] (diff, explain, graph),
//! [`fmt`], [`import`], [`lsp`], and [`audit`] (the program against the
//! deployed account: `usage` and `drift`); on top, [`cli`].
//! `tests/it/architecture.rs` holds the order: a module may use the ones
//! before it, never one after.

pub mod account;
pub mod ast;
pub mod audit;
pub mod build;
pub mod check;
pub mod cli;
pub mod compiled;
pub mod config;
pub mod diagnostics;
pub mod expand;
pub mod fmt;
pub mod hash;
pub mod iam;
pub mod id;
pub mod import;
pub mod lint;
pub mod lower;
pub mod lsp;
pub mod model;
pub mod par;
pub mod plan;
pub mod render;
pub mod resolve;
pub mod review;
pub mod source;
pub mod syntax;
pub mod vars;

pub use compiled::{Compiled, Manifest};
use config::Config;
use diagnostics::{Code, Diagnostics};
use source::Sources;

/// Compiles every source file, or reports every error found.
pub fn compile(sources: &Sources, config: &Config) -> Result<Compiled, Diagnostics> {
    let mut timings = Timings::start();
    let mut diagnostics = Diagnostics::new();
    let decls = syntax::parse_all(sources, &mut diagnostics);
    timings.phase("parse");
    compile_parsed(sources, config, decls, diagnostics)
}

/// [`compile`] from its second step on: `decls` and `diagnostics` are what
/// [`syntax::parse_all`] gives for `sources` (the language server keeps each
/// file's parse, and parses again only the files that changed).
pub fn compile_parsed(
    sources: &Sources,
    config: &Config,
    decls: Vec<ast::Decl>,
    mut diagnostics: Diagnostics,
) -> Result<Compiled, Diagnostics> {
    let mut timings = Timings::start();
    let finish = |mut d: Diagnostics| {
        d.sort(sources);
        d
    };
    if diagnostics.iter().any(|d| d.code == Code::Syntax) {
        return Err(finish(diagnostics));
    }
    let (mut program, resolve_errors) = resolve::resolve(decls, sources);
    diagnostics.extend(resolve_errors);
    let (calls, expand_errors) = expand::expand(&mut program);
    diagnostics.extend(expand_errors);
    timings.phase("resolve");
    diagnostics.extend(check::check(&program, config, &calls));
    timings.phase("check");
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    let (lowered, lower_errors) = lower::lower(&program, config);
    diagnostics.extend(lower_errors);
    timings.phase("lower");
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    let (plans, plan_errors) = plan::plan(&program, &lowered, config);
    diagnostics.extend(plan_errors);
    timings.phase("plan");
    diagnostics.extend(plan::names::problems(&program, &plans, config));
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    timings.phase("names");
    let fragments = render::fragments(&lowered, &plans);
    timings.phase("fragment");
    let compiled = Compiled::new(program, lowered, config, plans, fragments);
    diagnostics.extend(compiled.stack_limits());
    timings.phase("limits");
    if diagnostics.has_errors() {
        return Err(finish(diagnostics));
    }
    Ok(compiled.with_warnings(finish(diagnostics)))
}

/// `IAMC_TIMINGS=1` prints each phase's wall time to stderr (see the book's
/// performance chapter).
pub struct Timings {
    on: bool,
    last: std::time::Instant,
}

impl Timings {
    pub fn start() -> Timings {
        Timings {
            on: std::env::var_os("IAMC_TIMINGS").is_some_and(|v| !v.is_empty() && v != "0"),
            last: std::time::Instant::now(),
        }
    }

    /// Prints the time since the previous phase ended.
    pub fn phase(&mut self, name: &str) {
        if self.on {
            let ms = self.last.elapsed().as_secs_f64() * 1000.0;
            eprintln!("iamc timing: {name:<8} {ms:>9.1} ms");
        }
        self.last = std::time::Instant::now();
    }
}
