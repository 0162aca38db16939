//! Step 5, flatten: the group graph → the set of statements each principal
//! holds. Each group is flattened once (memoised) and each policy counted once
//! however many paths reach it.

use crate::ast::DeclKind;
use crate::lower::LoweredProgram;
use crate::resolve::{DeclId, Program};
use std::collections::HashMap;
use std::rc::Rc;

/// A principal's statements, sorted by Sid, identical statements collapsed.
#[derive(Clone, Debug, Default)]
pub struct Grants {
    /// Indexes into [`LoweredProgram::statements`].
    pub statements: Vec<u32>,
    /// For a statement kept in place of identical ones: the other policies
    /// whose statement it stands for.
    pub also: HashMap<u32, Vec<String>>,
}

/// The policies every group reaches, memoised.
pub struct Flattener<'p> {
    program: &'p Program,
    memo: Vec<Option<Rc<Vec<DeclId>>>>,
}

impl<'p> Flattener<'p> {
    pub fn new(program: &'p Program) -> Flattener<'p> {
        Flattener {
            program,
            memo: vec![None; program.decls.len()],
        }
    }

    /// The policies a declaration reaches (itself, for a policy), sorted.
    /// Iterative post-order, so deep graphs cannot overflow the stack. The
    /// graph must be acyclic (resolve reports cycles first).
    pub fn policies(&mut self, root: DeclId) -> Rc<Vec<DeclId>> {
        let program = self.program;
        if !matches!(program.decls[root].kind, DeclKind::Group(_)) {
            return Rc::new(vec![root]);
        }
        let mut stack = vec![(root, false)];
        while let Some((id, expanded)) = stack.pop() {
            if self.memo[id].is_some() {
                continue;
            }
            let members = &program.edges[id];
            if !expanded {
                stack.push((id, true));
                for edge in members {
                    let is_group = matches!(program.decls[edge.target].kind, DeclKind::Group(_));
                    if is_group && self.memo[edge.target].is_none() {
                        stack.push((edge.target, false));
                    }
                }
                continue;
            }
            let mut set: Vec<DeclId> = Vec::new();
            for edge in members {
                match &self.memo[edge.target] {
                    Some(sub) => set.extend(sub.iter().copied()),
                    None => set.push(edge.target),
                }
            }
            set.sort_unstable();
            set.dedup();
            self.memo[id] = Some(Rc::new(set));
        }
        self.memo[root].clone().unwrap_or_default()
    }

    /// Everything a role or user is granted.
    pub fn grants(&mut self, principal: DeclId, lowered: &LoweredProgram) -> Grants {
        let roots: Vec<DeclId> = self.program.edges[principal]
            .iter()
            .map(|e| e.target)
            .collect();
        self.grants_of(&roots, lowered)
    }

    /// The statements of these policies and groups together.
    pub fn grants_of(&mut self, roots: &[DeclId], lowered: &LoweredProgram) -> Grants {
        let mut policies: Vec<DeclId> = Vec::new();
        for &root in roots {
            policies.extend(self.policies(root).iter().copied());
        }
        policies.sort_unstable();
        policies.dedup();
        let mut statements: Vec<u32> = policies
            .iter()
            .filter_map(|p| lowered.of_policy.get(p))
            .flatten()
            .copied()
            .collect();
        statements.sort_unstable_by_key(|&i| lowered.statements[i as usize].rank);
        // Identical content: keep the statement with the smallest Sid.
        let mut kept: HashMap<u32, u32> = HashMap::with_capacity(statements.len());
        let mut also: HashMap<u32, Vec<String>> = HashMap::new();
        statements.retain(|&i| {
            let s = &lowered.statements[i as usize];
            match kept.get(&s.content) {
                Some(&first) => {
                    also.entry(first).or_default().push(s.origin.policy.clone());
                    false
                }
                None => {
                    kept.insert(s.content, i);
                    true
                }
            }
        });
        Grants { statements, also }
    }
}
