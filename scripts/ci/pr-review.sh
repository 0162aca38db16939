#!/usr/bin/env bash
# The pull-request review of iamc's GitHub Action (action.yml), as a script that
# also runs anywhere else (the test suite runs it with a fake `gh`):
#
#   1. `iamc build --check`: generated/ must be what the sources compile to;
#   2. `iamc lint --format sarif` into $IAMC_SARIF, for code scanning;
#   3. `iamc diff` against the base: the full Markdown report into the job
#      summary, the report cut to fit a comment (65,536 characters) posted on the
#      pull request, or the bot's earlier comment (found by its hidden marker
#      `<!-- iamc-diff -->`) updated in place;
#   4. exits 1 when generated/ is stale or `--fail-on` found what it names, 2
#      on an error or a `deny` lint finding, 0 otherwise. Every step runs
#      whatever the earlier ones found, so the comment is posted either way.
#
# Environment (all optional):
#   IAMC          the iamc binary                     [iamc]
#   IAMC_BASE     the revision to compare with        [origin/$GITHUB_BASE_REF, else HEAD]
#   IAMC_FAIL_ON  kinds of change that fail the check [none]: broadening,breaking,any
#   IAMC_SARIF    where the lint findings go          [iamc.sarif]
#   IAMC_COMMENT  post the comment: true or false     [true]
#   PR_NUMBER     the pull request; no comment without it
#   GITHUB_REPOSITORY, GITHUB_STEP_SUMMARY, GH_TOKEN  as GitHub Actions sets them
set -uo pipefail

IAMC="${IAMC:-iamc}"
if [[ -n "${IAMC_BASE:-}" ]]; then
    base="$IAMC_BASE"
elif [[ -n "${GITHUB_BASE_REF:-}" ]]; then
    base="origin/$GITHUB_BASE_REF"
else
    base="HEAD"
fi
fail_on="${IAMC_FAIL_ON:-none}"
sarif="${IAMC_SARIF:-iamc.sarif}"
marker='<!-- iamc-diff -->'
work="$(mktemp -d "${TMPDIR:-/tmp}/iamc-review.XXXXXX")"
trap 'rm -rf "$work"' EXIT

status=0
problems=()
# Keeps the worst status: 2 (an error) over 1 (a difference) over 0.
note() {
    local code=$1
    shift
    problems+=("$*")
    if ((code > status)); then status=$code; fi
}

echo "::group::iamc build --check"
"$IAMC" build --check
case $? in
    0) ;;
    1) note 1 "generated/ is stale: run \`iamc build\` and commit the result" ;;
    *) note 2 "iamc build --check failed: the program does not compile or a lint denies it" ;;
esac
echo "::endgroup::"

echo "::group::iamc lint --format sarif > $sarif"
"$IAMC" lint --format sarif >"$sarif"
case $? in
    0) ;;
    *) note 2 "iamc lint: a finding at level deny (see code scanning, or run \`iamc lint\`)" ;;
esac
echo "::endgroup::"

echo "::group::iamc diff --base $base"
"$IAMC" diff --base "$base" --format markdown --max-length 0 >"$work/full.md"
diff_status=$?
if ((diff_status == 0)); then
    "$IAMC" diff --base "$base" --format markdown --fail-on "$fail_on" >"$work/comment.md"
    case $? in
        0) ;;
        1) note 1 "iamc diff: this pull request makes a change of a kind it fails on ($fail_on)" ;;
        *) note 2 "iamc diff failed" ;;
    esac
else
    note 2 "iamc diff --base $base failed (in CI, fetch the base: actions/checkout with fetch-depth: 0)"
fi
cat "$work/full.md"
echo "::endgroup::"
if [[ -n "${GITHUB_STEP_SUMMARY:-}" && -s "$work/full.md" ]]; then
    cat "$work/full.md" >>"$GITHUB_STEP_SUMMARY"
fi

# Posts the report, or updates the comment that carries the marker.
if [[ "${IAMC_COMMENT:-true}" == true && -n "${PR_NUMBER:-}" && -s "$work/comment.md" ]]; then
    repo="${GITHUB_REPOSITORY:?GITHUB_REPOSITORY names the repository}"
    id="$(gh api --paginate "repos/$repo/issues/$PR_NUMBER/comments" \
        --jq ".[] | select(.body | startswith(\"$marker\")) | .id" | head -n 1)"
    if [[ -n "$id" ]]; then
        gh api --method PATCH "repos/$repo/issues/comments/$id" -F "body=@$work/comment.md" >/dev/null \
            && echo "updated comment $id" \
            || echo "::warning::could not update the iamc diff comment (a fork's read-only token?)"
    else
        gh pr comment "$PR_NUMBER" --body-file "$work/comment.md" \
            && echo "posted the iamc diff comment" \
            || echo "::warning::could not post the iamc diff comment (a fork's read-only token?)"
    fi
fi

for p in "${problems[@]}"; do
    echo "::error::$p"
done
exit "$status"
