//! Work on every core, results in input order: the few loops of a build that
//! are independent per item (statements, principals, templates).

/// How many threads to use: the machine's cores (at most 8).
pub fn threads() -> usize {
    // Asked once: the answer reads cgroup files, costly for small runs.
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
    })
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

/// `items.iter().map(f).collect()` for items of very different costs (the
/// lints): each thread takes the next item left; the results come back in
/// input order, whichever thread made them.
pub fn map_uneven<T: Sync, U: Send>(items: &[T], f: impl Fn(&T) -> U + Sync) -> Vec<U> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let work = || {
        let mut done = Vec::new();
        loop {
            let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(item) = items.get(n) else {
                return done;
            };
            done.push((n, f(item)));
        }
    };
    let threads = threads().min(items.len());
    let mut done = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut done = work();
        for other in others {
            match other.join() {
                Ok(theirs) => done.extend(theirs),
                // A panic in `f` is a bug: let it surface as one.
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        done
    });
    done.sort_unstable_by_key(|&(n, _)| n);
    done.into_iter().map(|(_, u)| u).collect()
}

/// `(a(), b())`, the two at once when there is more than one core (the two
/// programs `diff` compiles).
pub fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if threads() == 1 {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let first = scope.spawn(a);
        let second = b();
        match first.join() {
            Ok(first) => (first, second),
            // A panic in `a` is a bug: let it surface as one.
            Err(panic) => std::panic::resume_unwind(panic),
        }
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
        let uneven: Vec<u64> = (0..100).collect();
        assert_eq!(
            super::map_uneven(&uneven, |i| i * i),
            uneven.iter().map(|i| i * i).collect::<Vec<_>>()
        );
        assert!(super::map_uneven(&[] as &[u8], |i| *i).is_empty());
        assert_eq!(super::join(|| 1, || "two"), (1, "two"));
    }
}
