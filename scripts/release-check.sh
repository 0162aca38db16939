#!/usr/bin/env bash
# Checks that VERSION is the version of the crate (Cargo.toml), of the VS Code
# extension (editors/vscode/package.json) and of the workflow `iamc init` writes, and
# that CHANGELOG.md and the extension's changelog have a section for it. The release
# workflow runs it on the tag; the test suite runs it on the current version.
#
#   bash scripts/release-check.sh VERSION
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version="${1:?usage: release-check.sh VERSION}"
status=0
check() {
    if ! grep -q -- "$2" "$1"; then
        echo "$1 does not say version $version (looked for: $2)" >&2
        status=1
    fi
}
check Cargo.toml "^version = \"$version\"$"
check editors/vscode/package.json "^  \"version\": \"$version\",$"
check CHANGELOG.md "^## $version$"
check editors/vscode/CHANGELOG.md "^## $version$"
exit "$status"
