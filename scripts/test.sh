#!/usr/bin/env bash
# The one test command: install what the tests need, then run every test.
#   bash scripts/test.sh            # whole suite (unit, AppTest, browser)
#   bash scripts/test.sh -m "not e2e" -x   # arguments go to pytest
# Exit status is pytest's, except that "no tests collected" (5) is a failure.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The browser tests drive Debian's Chromium; Playwright cannot download its own.
if [[ ! -x /usr/bin/chromium ]]; then
    if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
        echo "test.sh: installing chromium with apt-get" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq chromium >/dev/null
    else
        echo "test.sh: /usr/bin/chromium is missing and cannot be installed here" \
             "(needs root and apt-get); browser tests will be skipped, or fail under CI" >&2
    fi
fi

# `python` where it exists (a virtualenv, pyenv), else Debian's `python3`.
python="${PYTHON:-$(command -v python || command -v python3 || true)}"
if [[ -z "$python" ]]; then
    echo "test.sh: no python or python3 on PATH (Python 3.11 or later is needed)" >&2
    exit 1
fi

"$python" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-test.txt

status=0
"$python" -m pytest "$@" || status=$?
if [[ "$status" -eq 5 ]]; then
    echo "test.sh: pytest collected no tests; treating that as a failure" >&2
    exit 1
fi
exit "$status"
