// The server process: health, readiness, the web app, logs, shutdown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startServer, startWithAdmin, BIN } from '../lib/server.mjs';

const run = promisify(execFile);

test('healthz and readyz answer without auth', async () => {
  const srv = await startServer();
  try {
    const h = await srv.req('GET', '/healthz');
    assert.equal(h.status, 200);
    assert.deepEqual(h.json, { status: 'ok' });
    const r = await srv.req('GET', '/readyz');
    assert.equal(r.status, 200);
  } finally { await srv.close(); }
});

test('readyz answers 503 with the reason when the data folder takes no write', async () => {
  const srv = await startServer();
  try {
    // A file where the temporary folder was: no file can be made in it.
    await rm(join(srv.dataDir, 'tmp'), { recursive: true, force: true });
    await writeFile(join(srv.dataDir, 'tmp'), 'not a folder');
    const r = await srv.req('GET', '/readyz');
    assert.equal(r.status, 503);
    assert.deepEqual(r.json, { status: 'unavailable', reason: 'storage is not writable' });
    assert.equal((await srv.req('GET', '/healthz')).status, 200);
  } finally { await srv.close(); }
});

test('the web app is served, with index.html for client-side routes', async () => {
  const web = await mkdtemp(join(tmpdir(), 'tessera-web-'));
  await mkdir(join(web, 'assets'));
  await writeFile(join(web, 'index.html'), '<!doctype html><title>T</title>');
  await writeFile(join(web, 'assets', 'app-abc123.js'), 'console.log(1)');
  const srv = await startServer({ web });
  try {
    const root = await srv.req('GET', '/');
    assert.equal(root.status, 200);
    assert.match(root.headers.get('content-type'), /text\/html/);
    assert.match(root.text, /<title>T<\/title>/);
    const deep = await srv.req('GET', '/projects/12/categories');
    assert.equal(deep.status, 200);
    assert.match(deep.text, /<title>T<\/title>/);
    const js = await srv.req('GET', '/assets/app-abc123.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type'), /javascript/);
    assert.match(js.headers.get('cache-control'), /immutable/);
    assert.equal((await srv.req('GET', '/assets/missing.js')).status, 404);
    const trav = await srv.req('GET', '/..%2f..%2fetc/passwd');
    assert.ok(!trav.text.includes('root:'), 'no path traversal');
  } finally {
    await srv.close();
    await rm(web, { recursive: true, force: true });
  }
});

test('one log line per request with method, path, status, bytes and milliseconds', async () => {
  const srv = await startServer();
  try {
    await srv.req('GET', '/healthz');
    await srv.req('GET', '/api/v1/me');
    // each line is written once its answer has gone out
    await srv.waitLog(/http GET \/api\/v1\/me /);
    assert.match(srv.log, /http GET \/healthz 200 15 \d+\.\dms/);
    assert.match(srv.log, /http GET \/api\/v1\/me 401 \d+ \d+\.\dms/);
  } finally { await srv.close(); }
});

test('SIGTERM lets in-flight requests finish and exits 0; data is intact', async () => {
  const { srv, token } = await startWithAdmin({ keepData: true });
  const p = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Keep' } });
  // Many requests in flight while the signal arrives: each gets a full answer or a refused connection, never a cut one.
  const inflight = Array.from({ length: 20 }, (_, i) => srv.req('POST', `/api/v1/projects/${p.json.id}/categories`, { token, body: { name: `c${i}` } }).catch((e) => e));
  const res = await srv.stop('SIGTERM');
  assert.equal(res.code, 0);
  const done = await Promise.all(inflight);
  const acked = done.filter((r) => r.status === 201).map((r) => r.json.name);
  for (const r of done) {
    // An answer that arrived is whole and is either a success or a refusal.
    if (r.status) assert.ok([201, 503].includes(r.status), `status ${r.status}`);
  }
  assert.match(srv.log, /stopped cleanly/);
  await srv.start();
  try {
    const cats = await srv.req('GET', `/api/v1/projects/${p.json.id}/categories`, { token });
    const stored = new Set(cats.json.categories.map((c) => c.name));
    // Every acknowledged create is stored. (A request whose answer was lost
    // when the last connections closed may be stored too, as after any crash
    // between commit and reply.)
    for (const name of acked) assert.ok(stored.has(name), `acknowledged ${name} is stored`);
    assert.ok(stored.size >= acked.length);
  } finally {
    await srv.close();
    await rm(srv.dataDir, { recursive: true, force: true });
  }
});

test('the command line: version, usage errors, bad flags, user add', async () => {
  const v = await run(BIN, ['version']);
  assert.match(v.stdout, /^tessera \d+\.\d+\.\d+/);
  await assert.rejects(run(BIN, ['frobnicate']), (e) => e.code === 2);
  await assert.rejects(run(BIN, ['serve', '--listen', 'nonsense']), (e) => e.code !== 0 && /HOST:PORT/.test(e.stderr));
  await assert.rejects(run(BIN, ['serve', '--db', 'mysql://x']), (e) => e.code !== 0 && /sqlite/.test(e.stderr));
  const data = await mkdtemp(join(tmpdir(), 'tessera-cli-'));
  try {
    const out = await run(BIN, ['user', 'add', 'zed', '--data', data]);
    const lines = out.stdout.trim().split('\n');
    assert.match(lines[lines.length - 1], /^tsk_[0-9a-f]{64}$/);
    assert.match(out.stdout, /password: /, 'a generated password is shown once');
    await assert.rejects(run(BIN, ['user', 'add', 'zed', '--data', data, '--password', 'password1']), (e) => /exists/.test(e.stderr));
    await assert.rejects(run(BIN, ['user', 'add', 'bad/name', '--data', data]), (e) => e.code !== 0);
    const env = await run(BIN, ['user', 'add', 'envuser', '--password', 'password1'], { env: { ...process.env, TESSERA_DATA: data } });
    assert.match(env.stdout, /created user envuser/);
  } finally { await rm(data, { recursive: true, force: true }); }
});
