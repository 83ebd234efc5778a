#!/usr/bin/env bash
# The main job, end to end: the smoke suite with the oracle and with the random agent, then the
# replayer on those episodes and on the shipped example recordings of people-like input.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
rm -rf runs/demo-oracle runs/demo-random
$BIN/officegym tasks list --suite smoke
$BIN/officegym run --suite smoke --agent oracle --seeds 3 --workers 1 --out runs/demo-oracle
$BIN/officegym run --suite smoke --agent random --seeds 3 --workers 1 --out runs/demo-random --quiet
echo
echo "Trajectories of every episode: runs/demo-*/episodes/<episode id>/trajectory/"
echo
echo "Replaying every oracle episode: each should be valid"
$BIN/officegym replay runs/demo-oracle --out runs/demo-oracle/verdicts.jsonl
echo
echo "Replaying the example recordings in examples/trajectories/: each should be valid"
$BIN/officegym replay examples/trajectories --out runs/examples-verdicts.jsonl
