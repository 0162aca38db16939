//! Step 5, flatten: the group graph → the set of statements each principal
//! holds. Each group is flattened once (memoised) and each policy counted once
//! however many paths reach it.

use crate::ast::DeclKind;
use crate::hash::HashMap;
use crate::id::IdVec;
use crate::lower::{LoweredProgram, StatementId};
use crate::resolve::{DeclId, Program};

/// A principal's statements, sorted by Sid, identical statements collapsed.
#[derive(Clone, Debug, Default)]
pub struct Grants {
    pub statements: Vec<StatementId>,
    /// For a statement kept in place of identical ones: the other policies
    /// whose statement it stands for.
    pub also: HashMap<StatementId, Vec<String>>,
}

/// The policies every group reaches, each group flattened once.
pub struct Flattener<'p> {
    program: &'p Program,
    /// For a group, the policies it reaches, sorted; for a policy, itself.
    reach: IdVec<DeclId, Vec<DeclId>>,
}

impl<'p> Flattener<'p> {
    /// Flattens every group. Iterative post-order, so deep graphs cannot
    /// overflow the stack. The graph must be acyclic (resolve reports
    /// cycles first).
    pub fn new(program: &'p Program) -> Flattener<'p> {
        let is_group = |id: DeclId| matches!(program.decls[id].kind, DeclKind::Group(_));
        let mut memo: IdVec<DeclId, Option<Vec<DeclId>>> = IdVec::filled(None, program.decls.len());
        for root in program.decls.ids().filter(|&id| is_group(id)) {
            let mut stack = vec![(root, false)];
            while let Some((id, expanded)) = stack.pop() {
                if memo[id].is_some() {
                    continue;
                }
                let members = &program.edges[id];
                if !expanded {
                    stack.push((id, true));
                    for edge in members {
                        if is_group(edge.target) && memo[edge.target].is_none() {
                            stack.push((edge.target, false));
                        }
                    }
                    continue;
                }
                let mut set: Vec<DeclId> = Vec::new();
                for edge in members {
                    match &memo[edge.target] {
                        Some(sub) => set.extend(sub.iter().copied()),
                        None => set.push(edge.target),
                    }
                }
                set.sort_unstable();
                set.dedup();
                memo[id] = Some(set);
            }
        }
        let reach = memo
            .into_iter_enumerated()
            .map(|(id, set)| set.unwrap_or_else(|| vec![id]))
            .collect();
        Flattener { program, reach }
    }

    /// The policies a declaration reaches (itself, for a policy), sorted.
    pub fn policies(&self, root: DeclId) -> &[DeclId] {
        &self.reach[root]
    }

    /// Everything a role or user is granted.
    pub fn grants(&self, principal: DeclId, lowered: &LoweredProgram) -> Grants {
        let roots: Vec<DeclId> = self.program.edges[principal]
            .iter()
            .map(|e| e.target)
            .collect();
        self.grants_of(&roots, lowered)
    }

    /// The statements of these policies and groups together.
    pub fn grants_of(&self, roots: &[DeclId], lowered: &LoweredProgram) -> Grants {
        let mut policies: Vec<DeclId> = Vec::new();
        for &root in roots {
            policies.extend(self.policies(root).iter().copied());
        }
        policies.sort_unstable();
        policies.dedup();
        let mut statements: Vec<StatementId> = policies
            .iter()
            .flat_map(|&p| lowered.of_policy(p))
            .collect();
        let keys = &lowered.keys;
        statements.sort_unstable_by_key(|&i| keys[i].rank);
        // Identical content: keep the statement with the smallest Sid.
        let mut kept: HashMap<u32, StatementId> =
            HashMap::with_capacity_and_hasher(statements.len(), Default::default());
        let mut also: HashMap<StatementId, Vec<String>> = HashMap::default();
        statements.retain(|&i| match kept.get(&keys[i].content) {
            Some(&first) => {
                let policy = lowered.statements[i].origin.policy.clone();
                also.entry(first).or_default().push(policy);
                false
            }
            None => {
                kept.insert(keys[i].content, i);
                true
            }
        });
        Grants { statements, also }
    }
}
