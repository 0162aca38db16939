//! Work on every core, results in input order: the few loops of a build that
//! are independent per item (statements, principals, templates).

/// How many threads to use: the machine's cores (at most 8).
pub fn threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8)
}

/// `items.iter().map(f).collect()`, on every core. Each thread takes one
/// contiguous run of the items; the results come back in input order.
pub fn map<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    runs(items, |run| run.iter().map(&f).collect::<Vec<U>>())
        .into_iter()
        .flatten()
        .collect()
}

/// `f` on each of a few contiguous runs of the items, one run a thread
/// (one run only when there are too few items to be worth a thread); the
/// runs' results in input order. For work that shares state along a run.
pub fn runs<T: Sync, U: Send>(items: &[T], f: impl Fn(&[T]) -> U + Sync) -> Vec<U> {
    // Below this, a thread costs more than it saves.
    const MIN_PER_THREAD: usize = 256;
    let threads = threads().min(items.len() / MIN_PER_THREAD).max(1);
    if threads == 1 {
        return vec![f(items)];
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(chunk)
            .map(|run| scope.spawn(move || f(run)))
            .collect();
        workers
            .into_iter()
            .map(|worker| match worker.join() {
                Ok(result) => result,
                // A panic in `f` is a bug: let it surface as one.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_input_order() {
        let items: Vec<u32> = (0..10_000).collect();
        assert_eq!(
            super::map(&items, |i| i * 2),
            items.iter().map(|i| i * 2).collect::<Vec<_>>()
        );
        assert_eq!(super::map(&[1u8], |i| *i), vec![1]);
        assert!(super::map(&[] as &[u8], |i| *i).is_empty());
    }
}
