#!/usr/bin/env bash
# Everything provenance and its tests need on a fresh machine: the package with its test extras,
# and headless Chromium for the browser test (tests/test_browser.py).
set -euo pipefail
cd "$(dirname "$0")/.."
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
