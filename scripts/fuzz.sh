#!/usr/bin/env bash
# Fuzzes parse + compile + render + lint + fmt for a bounded time:
#   bash scripts/fuzz.sh [SECONDS]      (default 60)
#
# The target (fuzz/fuzz_targets/compile.rs) fails on any panic, on an internal
# error (E999) and on an input that runs longer than 10 s (a hang). The corpus
# is seeded from every .iam file of the repository (tests/ui, tests/golden,
# policies, ...) into fuzz/corpus/compile, which is not committed. Exits
# non-zero on a finding; the input is then in fuzz/artifacts/compile/.
#
# cargo-fuzz is installed from crates.io if missing. It wants a nightly
# toolchain for its -Z flags: the nightly one is used if rustup has it,
# otherwise the stable one with RUSTC_BOOTSTRAP=1 (which accepts the same
# flags). No sanitizer: iamc forbids unsafe code, so AddressSanitizer would find
# nothing and only slow the build; panics, overflow checks (debug assertions
# are on), E999 and timeouts are what the target looks for.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SECONDS_TO_RUN="${1:-60}"
TARGET=compile
CARGO_FUZZ_VERSION=0.13.2

if [[ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]]; then
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi

if rustup run nightly rustc --version >/dev/null 2>&1; then
    toolchain=(+nightly)
    echo "fuzz: nightly toolchain"
else
    toolchain=()
    export RUSTC_BOOTSTRAP=1
    echo "fuzz: no nightly toolchain; stable with RUSTC_BOOTSTRAP=1"
fi

corpus="fuzz/corpus/$TARGET"
mkdir -p "$corpus"
# Seeds: every .iam file in the repository, named by content so reruns add nothing.
while IFS= read -r -d '' file; do
    cp "$file" "$corpus/seed-$(sha1sum "$file" | cut -c1-16)"
done < <(find tests policies -name '*.iam' -print0)
echo "fuzz: $(ls "$corpus" | wc -l) inputs in $corpus"

cd fuzz
cargo "${toolchain[@]}" fuzz build --sanitizer none "$TARGET"
# -max_len: the seeds are up to a few KB; longer inputs only slow the search.
cargo "${toolchain[@]}" fuzz run --sanitizer none "$TARGET" -- \
    -max_total_time="$SECONDS_TO_RUN" -timeout=10 -max_len=16384 -rss_limit_mb=2048 \
    -print_final_stats=1 -dict=iam.dict
