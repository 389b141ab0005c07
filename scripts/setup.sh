#!/usr/bin/env bash
# Everything provenance and its tests need on a fresh machine: the package with its test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
