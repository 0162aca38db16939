//! The usage report as text, Markdown or JSON.

use super::analyse::{ActionSeen, Grant, Report, Verdict};

/// What no evidence can prove, printed with every report.
pub const LIMITS: &str = "No evidence is not proof of non-use: data events are logged only when a trail asks for them, some permissions (iam:PassRole) have no call of their own, last-accessed data tracks actions only for some services, and AWS calls services on a principal's behalf. Such grants are kept (unknown) unless --trust-absence is given. Use is judged by action, not by resource or condition.";

fn grant_line(g: &Grant) -> String {
    let on = if g.not_resource { "on not " } else { "on " };
    let mut s = format!(
        "{}{} {on}{}",
        if g.not_action { "allow not " } else { "" },
        g.action,
        crate::review::grants::list(&g.resources)
    );
    if !g.conditions.is_empty() {
        s.push_str(&format!(" when {}", g.conditions));
    }
    s
}

fn seen_line(a: &ActionSeen) -> String {
    format!("{} ({} times, last {})", a.action, a.count, a.last)
}

/// Grants by verdict: used, unused, unknown.
fn by_verdict(grants: &[Grant]) -> [Vec<&Grant>; 3] {
    let mut out: [Vec<&Grant>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for g in grants {
        let i = match g.verdict {
            Verdict::Used { .. } => 0,
            Verdict::Unused { .. } => 1,
            Verdict::Unknown { .. } => 2,
        };
        out[i].push(g);
    }
    out
}

pub fn text(r: &Report) -> String {
    let mut out = format!("usage from {} to {}\n", r.since, r.now);
    for f in &r.files {
        out.push_str(&format!(
            "  read {} ({}, {} records)\n",
            f.path, f.format, f.records
        ));
    }
    for w in &r.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for p in &r.principals {
        out.push_str(&format!(
            "\n{} ({} {}): evidence: {}\n",
            p.name, p.kind, p.deployed, p.evidence
        ));
        let [used, unused, unknown] = by_verdict(&p.grants);
        if !used.is_empty() {
            out.push_str("  granted and used:\n");
            for g in used {
                if let Verdict::Used { by, last } = &g.verdict {
                    out.push_str(&format!(
                        "    {} [{}] (by {}, last {last})\n",
                        grant_line(g),
                        g.policy,
                        by.join(", ")
                    ));
                }
            }
        }
        if !unused.is_empty() {
            out.push_str("  granted and never used:\n");
            for g in unused {
                if let Verdict::Unused { evidence } = &g.verdict {
                    out.push_str(&format!("    {} ({evidence})\n", grant_line(g)));
                    out.push_str(&format!(
                        "      statement {} of policy {}\n",
                        g.sid, g.policy
                    ));
                    for path in &g.paths {
                        out.push_str(&format!("      via {path}\n"));
                    }
                }
            }
        }
        if !unknown.is_empty() {
            out.push_str("  granted, use unknown (kept):\n");
            for g in unknown {
                if let Verdict::Unknown { reason } = &g.verdict {
                    out.push_str(&format!("    {} [{}]: {reason}\n", grant_line(g), g.policy));
                }
            }
        }
        if !p.denied.is_empty() {
            out.push_str("  tried and denied (lacks):\n");
            for a in &p.denied {
                out.push_str(&format!("    {}\n", seen_line(a)));
            }
        }
        if !p.not_granted.is_empty() {
            out.push_str("  used, granted by no .iam statement:\n");
            for a in &p.not_granted {
                out.push_str(&format!("    {}\n", seen_line(a)));
            }
        }
        if !p.unmapped_calls.is_empty() {
            out.push_str("  calls iamc cannot map to actions:\n");
            for a in &p.unmapped_calls {
                out.push_str(&format!("    {}\n", seen_line(a)));
            }
        }
        if !p.unseen.is_empty() {
            out.push_str(&format!(
                "  not counted (iamc cannot see inside): {}\n",
                p.unseen.join(", ")
            ));
        }
    }
    if !r.not_in_program.is_empty() {
        out.push_str(&format!(
            "\nin the evidence but not in the program: {}\n",
            r.not_in_program.join(", ")
        ));
    }
    out.push_str(&format!(
        "\nCloudTrail records not attributed to a role or user: {}; outside the window: {}\n",
        r.unattributed_records, r.records_outside_window
    ));
    out.push_str(&format!("limits: {LIMITS}\n"));
    out
}

fn md_escape(s: &str) -> String {
    s.replace('|', "\\|").replace('*', "\\*")
}

pub fn markdown(r: &Report) -> String {
    let mut out = format!("# Usage from {} to {}\n\n", r.since, r.now);
    for w in &r.warnings {
        out.push_str(&format!("> **Warning:** {w}\n\n"));
    }
    for p in &r.principals {
        out.push_str(&format!(
            "## {} ({} `{}`)\n\nEvidence: {}.\n\n",
            p.name, p.kind, p.deployed, p.evidence
        ));
        if !p.grants.is_empty() {
            out.push_str("| Grant | Policy | Verdict | Detail |\n|---|---|---|---|\n");
            for g in &p.grants {
                let (verdict, detail) = match &g.verdict {
                    Verdict::Used { by, last } => {
                        ("used", format!("by {} (last {last})", by.join(", ")))
                    }
                    Verdict::Unused { evidence } => (
                        "**unused**",
                        format!("{evidence}; via {}", g.paths.join("; ")),
                    ),
                    Verdict::Unknown { reason } => ("unknown (kept)", reason.clone()),
                };
                out.push_str(&format!(
                    "| `{}` | {} | {verdict} | {} |\n",
                    grant_line(g).replace('|', "\\|"),
                    g.policy,
                    md_escape(&detail)
                ));
            }
            out.push('\n');
        }
        for (title, list) in [
            ("Tried and denied (lacks)", &p.denied),
            ("Used, granted by no .iam statement", &p.not_granted),
            ("Calls iamc cannot map to actions", &p.unmapped_calls),
        ] {
            if !list.is_empty() {
                out.push_str(&format!("{title}:\n\n"));
                for a in list {
                    out.push_str(&format!(
                        "- `{}` ({} times, last {})\n",
                        a.action, a.count, a.last
                    ));
                }
                out.push('\n');
            }
        }
    }
    out.push_str(&format!("**Limits.** {LIMITS}\n"));
    out
}

pub fn json(r: &Report) -> String {
    let mut value = serde_json::to_value(r).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("limits".into(), LIMITS.into());
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
