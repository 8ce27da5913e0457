// What the JavaScript suites share; each stays a script that sdk-tests/run.sh runs. Checks are
// named async functions registered with check() and run in order by runChecks(), each printing
// `ok - name` or `not ok - name` with its stack, and a suite ends on `N passed, N failed` (run.sh
// adds those up) with the exit code to match.
"use strict";

const checks = [];

function check(name, run) {
  checks.push({ name, run });
}

async function runChecks() {
  let passed = 0;
  let failed = 0;
  for (const { name, run } of checks) {
    try {
      await run();
      passed += 1;
      console.log(`ok - ${name}`);
    } catch (error) {
      failed += 1;
      console.log(`not ok - ${name}`);
      console.log(`  ${String(error && error.stack ? error.stack : error).split("\n").join("\n  ")}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}

module.exports = { check, runChecks };
