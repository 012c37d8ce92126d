#!/bin/sh
# Makes .bench-venv/ with pycrdt, the in-memory CRDT the import budget is stated against, so that
# tejido-bench can measure it in the same run (scripts/bench/pycrdt_reference.py). Needs python3
# with venv (Debian: apt-get install python3-venv) and PyPI. The version is the one
# shared/bench/README.md quotes.
set -eu
cd "$(dirname "$0")/../.."
python3 -m venv .bench-venv
.bench-venv/bin/pip install --quiet pycrdt==0.14.13
.bench-venv/bin/python -c 'import pycrdt; print("pycrdt", pycrdt.__version__, "in .bench-venv")'
