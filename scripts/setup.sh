#!/usr/bin/env bash
# Set up provenance on a fresh machine.
#   bash scripts/setup.sh          the package and what it imports: enough for every command but browse
#   bash scripts/setup.sh --test   also the test extras, headless Chromium for tests/test_browser.py and
#                                  pywb in .venv-pywb for tests/test_pywb_replay.py
# The browser (over a hundred Debian packages) and pywb are only for the tests: auditing never needs them.
set -euo pipefail
cd "$(dirname "$0")/.."

tests=0
for arg in "$@"; do
    case "$arg" in
        --test) tests=1 ;;
        -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "setup: unknown option $arg (known: --test)" >&2; exit 2 ;;
    esac
done

if [ "$tests" -eq 0 ]; then
    python3 -m pip install --quiet --disable-pip-version-check -e .
    exit 0
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'

# pywb replays our WARC files in a test, from a virtualenv of its own: installed beside the package it
# would bring brotlipy (requests would then ask for brotli, which fetch does not decode), gevent, an old
# redis and another cryptography. Made once; an existing one is kept.
if [ ! -x .venv-pywb/bin/wayback ]; then
    python3 -m venv --without-pip .venv-pywb
    python3 -m pip --python .venv-pywb/bin/python install --quiet --disable-pip-version-check pywb
fi

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
