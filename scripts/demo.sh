#!/usr/bin/env bash
# The main job, end to end: the smoke suite with the oracle and with the random agent.
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
