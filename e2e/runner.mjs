// A tiny test runner for the browser test: named checks that pass, fail (with the stack) or are
// skipped (with a loud reason), and the closing line `N passed, N failed, N skipped`.

const counts = { passed: 0, failed: 0, skipped: 0 };

export async function check(name, body) {
  try {
    await body();
    counts.passed += 1;
    console.log(`ok   ${name}`);
  } catch (error) {
    counts.failed += 1;
    console.log(`FAIL ${name}\n     ${String(error && error.stack || error).split('\n').join('\n     ')}`);
  }
}

/** A check that cannot run here, said loudly; it counts as skipped, never as passed. */
export function skip(name, reason) {
  counts.skipped += 1;
  console.log(`SKIP ${name}\n     !!! ${reason}`);
}

/** A failure outside any check (the setup). */
export function fail(what, error) {
  counts.failed += 1;
  console.log(`FAIL ${what}\n     ${error && error.stack || error}`);
}

export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

export function expectEqual(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e.slice(0, 400)}, got ${a.slice(0, 400)}`);
}

/**
 * Whether an API reply says the route is not served at all: a 404, or Graph's 400 for a path
 * segment it does not know ("Resource not found for the segment 'x'."). A price may precede its
 * SKU (SPEC §13.3), so neither is an answer about data there.
 */
export function unserved(reply) {
  const message = (reply.body && reply.body.error && reply.body.error.message) || '';
  return reply.status === 404 || (reply.status === 400 && message.startsWith('Resource not found for the segment'));
}

/** Prints the closing line; true when nothing failed. */
export function summary() {
  console.log(`${counts.passed} passed, ${counts.failed} failed` + (counts.skipped ? `, ${counts.skipped} skipped` : ''));
  return counts.failed === 0;
}
