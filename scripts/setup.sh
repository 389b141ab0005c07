#!/usr/bin/env bash
# Set up provenance on a fresh machine.
#   bash scripts/setup.sh          the package and what it imports: enough for every command but browse
#   bash scripts/setup.sh --test   also the test extras, and headless Chromium for tests/test_browser.py
# The browser (over a hundred Debian packages) is only for the tests: auditing never needs it.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=0
for arg in "$@"; do
    case "$arg" in
        --test) tests=1 ;;
        -h|--help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup: unknown option $arg (known: --test)" >&2; exit 2 ;;
    esac
done

if [ "$tests" -eq 0 ]; then
    python3 -m pip install --quiet --disable-pip-version-check -e .
    exit 0
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# Debian's chromium, only when it is not there yet; as root and without questions.
if ! command -v chromium >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q chromium
    else
        echo "setup: chromium is not installed and this is not root with apt-get; tests/test_browser.py will be skipped" >&2
    fi
fi
