#!/usr/bin/env bash
# Runs the type check and the whole jest suite, then prints the closing line
# "N passed, N failed" that CI reads, and exits with jest's status.
set -u
cd "$(dirname "$0")/.."
mkdir -p test-results
npx tsc --noEmit -p tsconfig.json
typecheck=$?
npx jest --json --outputFile=test-results/jest.json "$@"
status=$?
node -e '
  const r = require("./test-results/jest.json");
  const failed = r.numFailedTests + (process.argv[1] === "0" ? 0 : 1);
  console.log(`${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests} skipped`);
' "$typecheck"
if [ "$typecheck" -ne 0 ]; then exit 1; fi
exit "$status"
