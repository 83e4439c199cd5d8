// An upload that fails part way (the disk fills while the second file is
// written) still says what it stored and what it refused. The full disk is
// a file-size limit set on the running server (prlimit): writes past it
// fail with EFBIG, as they would with ENOSPC.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { startWithAdmin, tmpSettled } from '../lib/server.mjs';
import { multipart } from '../lib/images.mjs';
import { tinyPng } from '../lib/tinypng.mjs';

const run = promisify(execFile);
let srv;
let token;
let limited = false;

before(async () => {
  ({ srv, token } = await startWithAdmin());
  try {
    // 2 MB per file: the database and one small image fit, a 3 MB one does not
    await run('prlimit', [`--pid=${srv.proc.pid}`, '--fsize=2000000:']);
    limited = true;
  } catch { /* no prlimit: the test says so and skips */ }
});
after(async () => { await srv.close(); });

test('when the disk fills during the second file, the answer lists the first as stored', async (t) => {
  if (!limited) { t.skip('prlimit is not available'); return; }
  const p = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Full disk' } });
  const big = Buffer.concat([tinyPng(2), Buffer.alloc(3000000, 1)]);
  const { body, contentType } = multipart([
    { filename: 'first.png', type: 'image/png', data: tinyPng(1) },
    { filename: 'second.png', type: 'image/png', data: big },
    { filename: 'third.png', type: 'image/png', data: tinyPng(3) },
  ]);
  const r = await srv.req('POST', `/api/v1/projects/${p.json.id}/assets`, {
    token, body, raw: true, headers: { 'content-type': contentType },
  });
  // then the request fails with a JSON error...
  assert.equal(r.status, 500, r.text);
  assert.equal(r.json.error.code, 'write_failed');
  assert.match(r.json.error.message, /^[A-Z].*\.$/);
  // ...that lists the stored file and the refused one with its reason
  assert.deepEqual(r.json.assets.map((a) => a.file_name), ['first.png']);
  assert.equal(r.json.errors.length, 1, JSON.stringify(r.json.errors));
  assert.equal(r.json.errors[0].file_name, 'second.png');
  assert.equal(r.json.errors[0].code, 'write_failed');
  assert.match(r.json.errors[0].message, /too large|space/i);
  // and what it says is what is there, with nothing half-written
  const list = await srv.req('GET', `/api/v1/projects/${p.json.id}/assets`, { token });
  assert.deepEqual(list.json.assets.map((a) => a.id), [r.json.assets[0].id]);
  assert.deepEqual(await tmpSettled(srv.dataDir), []);
  // and the server goes on
  assert.equal((await srv.req('GET', '/healthz')).status, 200);
});

test('a malformed body after a stored file lists it too', async () => {
  const p = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Malformed' } });
  const { body, contentType } = multipart([{ filename: 'ok.png', type: 'image/png', data: tinyPng(7) }]);
  // the closing boundary is cut off, and a part begins that never ends
  const cut = Buffer.concat([body.subarray(0, body.length - 4 - contentType.split('=')[1].length - 4),
    Buffer.from(`\r\n--${contentType.split('=')[1]}\r\nContent-Disposition: form-data; name="file"; filename="half.png"\r\n\r\nabc`)]);
  const r = await srv.req('POST', `/api/v1/projects/${p.json.id}/assets`, {
    token, body: cut, raw: true, headers: { 'content-type': contentType },
  });
  assert.ok(r.status === 400 || r.status === 201 || r.status === 422, r.text);
  assert.deepEqual(r.json.assets.map((a) => a.file_name), ['ok.png'], r.text);
  assert.ok(r.json.errors.some((e) => e.file_name === 'half.png'), r.text);
});
