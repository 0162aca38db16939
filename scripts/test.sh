#!/usr/bin/env bash
# The single test command of the project: bash scripts/test.sh
#
# Installs what it needs (a Python venv with the oracles in .venv/, mdbook), then runs
# the Rust tests, the release build, the independent oracles (cfn-lint, parliament and a
# real deployment into moto), the book build and the VS Code extension's grammar test
# and package (npm). Every oracle is required: a missing one
# fails the run, with or without CI=true.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
VENV=.venv
REQUIREMENTS=tests/oracles/requirements.txt
CONSTRAINTS=tests/oracles/constraints.txt
MDBOOK_VERSION=0.5.4

step_name=""
step_start=$SECONDS
run_start=$SECONDS
timings=()

# Print a header for the next step, with the time the previous step took.
step() {
    local now=$SECONDS
    if [[ -n "$step_name" ]]; then
        timings+=("$(printf '%5ds  %s' $((now - step_start)) "$step_name")")
        echo "==> ${step_name}: done in $((now - step_start))s"
    fi
    step_name="$1"
    step_start=$now
    if [[ -n "$step_name" ]]; then
        echo
        echo "==> $1 (at ${now}s)"
    fi
}

# On any exit, list the time of every step, and say which step failed.
finish() {
    local status=$?
    local failed="$step_name"
    step ""
    echo "==> timings"
    printf '%s\n' "${timings[@]}"
    echo "    total: $((SECONDS - run_start))s"
    if [[ $status -ne 0 ]]; then
        echo "==> FAILED in step: $failed (exit $status)"
    fi
}
trap finish EXIT

step "python venv ($VENV)"
if [[ ! -x "$VENV/bin/python" ]]; then
    "$PYTHON" -m venv "$VENV"
fi
stamp="$VENV/.requirements.sha256"
wanted="$(cat "$REQUIREMENTS" "$CONSTRAINTS" | sha256sum | cut -d' ' -f1)"
if [[ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
    echo "$wanted" >"$stamp"
else
    echo "requirements unchanged, reusing $VENV"
fi
# The oracles must be there: never skip them.
"$VENV/bin/python" -c 'import cfnlint, parliament, moto, boto3, yaml, pytest'
"$VENV/bin/cfn-lint" --version
test -x "$VENV/bin/moto_server"

step "mdbook $MDBOOK_VERSION"
if [[ "$(mdbook --version 2>/dev/null || true)" != "mdbook v$MDBOOK_VERSION" ]]; then
    cargo install mdbook --version "$MDBOOK_VERSION" --locked
fi
mdbook --version

step "cargo test --all-targets --no-fail-fast"
# --no-fail-fast: every failing test target is reported, not only the first.
cargo test --all-targets --no-fail-fast

step "cargo build --release"
cargo build --release

step "oracles: pytest tests/oracles"
# --durations shows what the oracles cost (cfn-lint, parliament, moto deployments).
"$VENV/bin/python" -m pytest tests/oracles -q -p no:cacheprovider --durations=8

step "mdbook build book"
mdbook build book

# The VS Code extension: its dependencies from the committed lock file (npm's
# cache keeps later runs offline), the TextMate grammar on every .iam file of
# the repository, then the package.
step "vs code extension (npm ci, grammar, vsce package)"
(
    cd editors/vscode
    npm ci --no-audit --no-fund --loglevel=error --prefer-offline
    node test/grammar.js ../..
    rm -f iamc.vsix
    log="$(mktemp)"
    # vsce advises bundling the client's node_modules; its output shows only on failure.
    npx --no-install vsce package --allow-missing-repository --out iamc.vsix >"$log" 2>&1 ||
        { cat "$log"; exit 1; }
    test -s iamc.vsix
    echo "packaged editors/vscode/iamc.vsix ($(wc -c <iamc.vsix) bytes)"
)

# Bounded fuzzing of parse + compile + render + lint + fmt: any panic or
# internal error (E999) fails the run. FUZZ_SECONDS overrides the budget.
step "fuzz (${FUZZ_SECONDS:-60} s)"
bash scripts/fuzz.sh "${FUZZ_SECONDS:-60}"

