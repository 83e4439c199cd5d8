// docs/errors.md lists every JSON error code the server can answer: each
// code set in server/ (tests/lib/error_codes.mjs reads them from the
// sources) has its row, with every status its calls give, and the list
// holds no code the server no longer sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../lib/server.mjs';
import { errorCodes } from '../lib/error_codes.mjs';

async function documented() {
  const text = await readFile(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const rows = new Map();
  for (const line of text.split('\n')) {
    const m = /^\| `([a-z0-9_]+)` \|(.*)\|$/.exec(line);
    if (!m) continue;
    const cells = m[2].split('|').map((c) => c.trim());
    // Rows with a status column: | code | status | meaning |
    const statuses = cells.length >= 2 && /^\d{3}( \/ \d{3})*$/.test(cells[0])
      ? new Set(cells[0].split(' / ').map(Number)) : null;
    assert.ok(!rows.has(m[1]), `${m[1]} is listed twice in docs/errors.md`);
    rows.set(m[1], statuses);
  }
  return rows;
}

test('every error code the server sets is in docs/errors.md, with its statuses', async () => {
  const codes = await errorCodes(ROOT);
  const rows = await documented();
  assert.ok(codes.size > 50, `only ${codes.size} codes found: the source reader is broken`);
  const missing = [...codes.keys()].filter((c) => !rows.has(c));
  assert.deepEqual(missing, [], `codes missing from docs/errors.md: ${missing.map((c) => `${c} (${[...codes.get(c).where][0]})`).join(', ')}`);
  const wrong = [];
  for (const [code, { statuses, where }] of codes) {
    const doc = rows.get(code);
    if (!doc) continue; // command-line codes have no status
    for (const s of statuses) {
      if (!doc.has(s)) wrong.push(`${code} is answered with ${s} (${[...where].join(', ')}) but docs/errors.md says ${[...doc].join(' / ')}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('docs/errors.md lists no code the server does not set', async () => {
  const codes = await errorCodes(ROOT);
  const rows = await documented();
  const stale = [...rows.keys()].filter((c) => !codes.has(c));
  assert.deepEqual(stale, [], `listed in docs/errors.md but set nowhere in server/: ${stale.join(', ')}`);
});
