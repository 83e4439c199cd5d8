// Two server processes on one PostgreSQL database and one data folder, as
// behind a load balancer: a session made on one works on the other, a
// write on one is seen on the other with its revision, concurrent writers
// in both get exact 409s, ids are never given twice, and every job is done
// exactly once, also when the process that took it dies (its lease runs
// out and the other process takes the job over). Runs with the PostgreSQL
// backend only (make test-api-pg); SQLite is one process by design.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startWithAdmin, startServer, pgDatabase, PG, tmpFiles, tmpSettled } from '../lib/server.mjs';
import { uploadPngs, tinyPng } from '../lib/tinypng.mjs';
import { waitExport, verifyExport } from '../lib/exports.mjs';

const skip = !PG && 'needs the PostgreSQL backend (TESSERA_TEST_DB=postgres)';
// A short lease (renewed every 2 s, so a live process keeps its job even
// when a renewal is late on a loaded machine); a job of a process that
// died is taken over at once (its advisory lock is gone), one whose lease
// ran out within seconds.
const env = { TESSERA_JOB_LEASE_MS: '6000' };
let a, b, token, pid, cats, assets;

const until = async (what, fn, ms = 15000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

before(async () => {
  if (skip) return;
  ({ srv: a, token } = await startWithAdmin({ env }));
  b = await startServer({ dataDir: a.dataDir, dbUrl: a.dbUrl, keepData: true, env });
  const p = await a.req('POST', '/api/v1/projects', { token, body: { name: 'Shared' } });
  pid = p.json.id;
  cats = [];
  for (const name of ['cat', 'dog', 'bird', 'fish', 'frog', 'mole', 'newt', 'wolf']) {
    cats.push((await b.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name } })).json.id);
  }
  assets = await uploadPngs(a, token, pid, 12);
});

after(async () => {
  if (skip) return;
  await b?.close();
  await a?.close();
});

test('a session made on one process works on the other, and logging out on it ends it on both', { skip }, async () => {
  await a.addUser('alice', { password: 'correct horse' });
  const login = await a.req('POST', '/api/v1/auth/login', { body: { name: 'alice', password: 'correct horse' } });
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const me = await b.req('GET', '/api/v1/me', { headers: { cookie } });
  assert.equal(me.status, 200);
  assert.equal(me.json.name, 'alice');
  assert.equal((await b.req('POST', '/api/v1/auth/logout', { headers: { cookie } })).status, 204);
  assert.equal((await a.req('GET', '/api/v1/me', { headers: { cookie } })).status, 401);
});

test('an annotation written on one process is read on the other with its revision', { skip }, async () => {
  const id = assets[0].id;
  const w = await a.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body: { category_ids: [cats[0]], revision: 0 } });
  assert.equal(w.status, 200, w.text);
  assert.equal(w.json.revision, 1);
  const r = await b.req('GET', `/api/v1/assets/${id}/annotation`, { token });
  assert.equal(r.json.revision, 1);
  assert.deepEqual(r.json.category_ids, [cats[0]]);
  const stale = await b.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body: { category_ids: [cats[1]], revision: 0 } });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'stale_revision');
});

test('concurrent writers in both processes: exactly one write per revision wins, every other gets 409', { skip }, async () => {
  for (const asset of assets.slice(1, 5)) {
    // 8 writers, 4 on each process, all from revision 0, each with its own answer
    const writes = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).req(
      'PUT', `/api/v1/assets/${asset.id}/annotation`,
      { token, body: { category_ids: [cats[i]], revision: 0 } })));
    const ok = writes.filter((w) => w.status === 200);
    assert.equal(ok.length, 1, writes.map((w) => w.status).join(','));
    assert.ok(writes.every((w) => w.status === 200 || (w.status === 409 && w.json.error.code === 'stale_revision')));
    const now = await (ok[0] === writes[0] ? a : b).req('GET', `/api/v1/assets/${asset.id}/annotation`, { token });
    assert.equal(now.json.revision, 1);
    assert.deepEqual(now.json.category_ids, ok[0].json.category_ids);
    assert.equal(await a.sql(`SELECT count(*) FROM annotation_history WHERE asset_id = ${asset.id}`), '1');
  }
});

test('ids made at once in both processes are all distinct and never given twice', { skip }, async () => {
  const made = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).req(
    'POST', '/api/v1/projects', { token, body: { name: `P${i}` } })));
  assert.ok(made.every((r) => r.status === 201), made.map((r) => r.status).join(','));
  const ids = made.map((r) => r.json.id);
  assert.equal(new Set(ids).size, ids.length);
  // uploads in both processes at once: distinct asset ids above every earlier one
  const before = Math.max(...assets.map((x) => x.id));
  const [ua, ub] = await Promise.all([uploadPngs(a, token, pid, 6, { start: 100 }), uploadPngs(b, token, pid, 6, { start: 200 })]);
  const aids = [...ua, ...ub].map((x) => x.id);
  assert.equal(new Set(aids).size, 12);
  assert.ok(aids.every((id) => id > before));
});

test('every job is done exactly once, and a job of a dead process is taken over when its lease runs out', { skip }, async () => {
  // exports created on both processes: each built once
  const ex = await Promise.all([a, b, a, b].map((s) => s.req('POST', `/api/v1/projects/${pid}/exports`, { token, body: { statuses: ['labeled'] } })));
  assert.ok(ex.every((r) => r.status === 202), ex.map((r) => r.text).join('\n'));
  assert.equal(new Set(ex.map((r) => r.json.version)).size, 4, 'export versions stay distinct');
  for (const r of ex) assert.equal((await waitExport(b, token, r.json.id)).state, 'ready');
  await until('thumbnails', async () => (await a.sql("SELECT count(*) FROM jobs WHERE state <> 'done'")) === '0');
  assert.equal(await a.sql('SELECT count(*) FROM jobs WHERE attempts <> 1'), '0', 'no job ran twice');

  // a job left running by a process that died: its lease runs out, the
  // other process takes it over and does it
  const job = await a.sql(`SELECT id FROM jobs WHERE kind = 'thumbnail' ORDER BY id LIMIT 1`);
  await a.sql(`UPDATE jobs SET state = 'running', owner = 'gone/1/1', lease_until = ${Date.now() + 1000} WHERE id = ${job}`);
  await a.kill();
  await until('the job taken over', async () => (await b.sql(`SELECT state || ' ' || attempts FROM jobs WHERE id = ${job}`)) === 'done 2');
  await a.start();
});

// The shared data folder: each process has its own temporary folder, the
// blobs and thumbnails are content-addressed and written by atomic
// renames of uniquely named files, and an export's folder and zip are
// named by its version, which the database gives.

const newProject = async (srv, name) => (await srv.req('POST', '/api/v1/projects', { token, body: { name } })).json.id;

async function filesUnder(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out.push(join(e.parentPath ?? e.path, e.name));
  }
  return out;
}

test('the same and different files uploaded at once on both processes: every blob whole, thumbnails on both, nothing left in tmp', { skip }, async () => {
  const [p1, p2] = [await newProject(a, 'Same A'), await newProject(b, 'Same B')];
  // the same 10 files into two projects, one on each process, and 10 more
  // distinct ones into each, all at once
  const [s1, s2, d1, d2] = await Promise.all([
    uploadPngs(a, token, p1, 10, { start: 1000, batch: 2 }),
    uploadPngs(b, token, p2, 10, { start: 1000, batch: 2 }),
    uploadPngs(a, token, p1, 10, { start: 2000, batch: 2 }),
    uploadPngs(b, token, p2, 10, { start: 3000, batch: 2 }),
  ]);
  assert.deepEqual(s1.map((x) => x.checksum_sha256), s2.map((x) => x.checksum_sha256));
  // thumbnails asked for on both processes at once, for every asset
  const all = [...s1, ...s2, ...d1, ...d2];
  const thumbs = await Promise.all(all.flatMap((x) => [a, b].map(async (srv) => {
    const r = await fetch(`${srv.url}/api/v1/assets/${x.id}/thumbnail`, { headers: { authorization: `Bearer ${token}` } });
    return { status: r.status, type: r.headers.get('content-type'), bytes: Buffer.from(await r.arrayBuffer()) };
  })));
  for (const t of thumbs) {
    assert.equal(t.status, 200);
    assert.equal(t.type, 'image/jpeg');
    assert.deepEqual([...t.bytes.subarray(0, 2)], [0xff, 0xd8]);
  }
  // every blob is whole (its name is its digest), there is one per distinct
  // file, and no temporary file is left anywhere in the data folder
  const blobs = (await filesUnder(join(a.dataDir, 'blobs'))).filter((f) => /[0-9a-f]{64}$/.test(f));
  for (const f of blobs) assert.equal(createHash('sha256').update(await readFile(f)).digest('hex'), f.slice(-64));
  for (const x of all) assert.ok(blobs.some((f) => f.endsWith(x.checksum_sha256)), x.checksum_sha256);
  const thumbFiles = await filesUnder(join(a.dataDir, 'thumbs'));
  assert.deepEqual(thumbFiles.filter((f) => !/\/[0-9a-f]{64}\.jpg$/.test(f)), []);
  assert.deepEqual(await tmpSettled(a.dataDir), []);
});

test('exports built on both processes at once: distinct versions, each folder and zip verifies', { skip }, async () => {
  const p = await newProject(a, 'Exports');
  const cat = (await a.req('POST', `/api/v1/projects/${p}/categories`, { token, body: { name: 'cat' } })).json.id;
  const assets2 = await uploadPngs(b, token, p, 6, { start: 4000 });
  for (const x of assets2) {
    assert.equal((await a.req('PUT', `/api/v1/assets/${x.id}/annotation`, { token, body: { category_ids: [cat], revision: 0 } })).status, 200);
  }
  const made = await Promise.all([a, b, a, b, a, b].map((srv) => srv.req('POST', `/api/v1/projects/${p}/exports`,
    { token, body: { statuses: ['labeled'] } })));
  assert.ok(made.every((r) => r.status === 202), made.map((r) => r.text).join('\n'));
  const versions = made.map((r) => r.json.version);
  assert.equal(new Set(versions).size, versions.length, 'export versions stay distinct');
  for (const r of made) assert.equal((await waitExport(a, token, r.json.id)).state, 'ready');
  // each folder verifies, and each zip, downloaded through the other
  // process than the one that made the export (a version whose files equal
  // an earlier one's shares its stored parts), verifies too
  const dir = join(a.dataDir, 'exports', String(p));
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const scratch = await mkdtemp(join(tmpdir(), 'tessera-mp-'));
  try {
    for (const [i, r] of made.entries()) {
      const folder = await verifyExport(join(dir, String(r.json.version)));
      assert.equal(folder.code, 0, folder.out);
      const other = i % 2 ? a : b;
      const dl = await fetch(`${other.url}/api/v1/exports/${r.json.id}/download`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(dl.status, 200);
      const zip = join(scratch, `${r.json.version}.zip`);
      await writeFile(zip, Buffer.from(await dl.arrayBuffer()));
      const z = await verifyExport(zip);
      assert.equal(z.code, 0, z.out);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  // nothing of the builds is left beside the versions
  assert.deepEqual((await readdir(dir)).filter((n) => n.startsWith('.')), []);
});

// Starts a multipart upload of one file on srv and stops before its end:
// { sock, finish() } where finish sends the rest and resolves to the status.
async function slowUpload(srv, pid, seed) {
  const png = tinyPng(seed, 64, 64);
  const head = Buffer.from(`--BND\r\nContent-Disposition: form-data; name="file"; filename="slow_${seed}.png"\r\n` +
    'Content-Type: image/png\r\n\r\n');
  const tail = Buffer.from('\r\n--BND--\r\n');
  const sock = connect(srv.port, '127.0.0.1');
  sock.on('error', () => {});
  await new Promise((r) => sock.on('connect', r));
  let answer = '';
  sock.on('data', (d) => { answer += d; });
  const done = new Promise((r) => sock.on('close', r));
  sock.write(`POST /api/v1/projects/${pid}/assets HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
    `Authorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=BND\r\n` +
    `Content-Length: ${head.length + png.length + tail.length}\r\n\r\n`);
  sock.write(Buffer.concat([head, png.subarray(0, 40)]));
  return {
    sock,
    async finish() {
      sock.write(Buffer.concat([png.subarray(40), tail]));
      await done;
      return Number(answer.split(' ')[1]);
    },
  };
}

const uploadsIn = async (dataDir) => (await tmpFiles(dataDir)).filter((f) => f.endsWith('.upload'));

test('a process starting while the other uploads leaves the other\'s temporary file alone; a dead process\'s goes', { skip }, async () => {
  const p = await newProject(a, 'Restart');
  // given an upload under way on b, its file in b's temporary folder
  const up = await slowUpload(b, p, 5000);
  await until('the upload\'s temporary file', async () => (await uploadsIn(b.dataDir)).length === 1);
  const [file] = await uploadsIn(b.dataDir);
  // when a restarts (its start sweeps what dead processes left)
  await a.kill();
  a.log = '';
  await a.start();
  assert.equal((await a.req('GET', '/readyz')).status, 200);
  // then b's file is still there, and b's upload completes
  assert.deepEqual(await uploadsIn(b.dataDir), [file]);
  assert.doesNotMatch(a.log, /removed \d+ temporary file/);
  assert.equal(await up.finish(), 201);
  const list = await a.req('GET', `/api/v1/projects/${p}/assets`, { token });
  assert.deepEqual(list.json.assets.map((x) => x.file_name), ['slow_5000.png']);
  assert.deepEqual(await uploadsIn(b.dataDir), []);

  // given an upload under way on b again, when b is killed mid-upload and a
  // restarts, then a removes the dead process's file (and its folder)
  const up2 = await slowUpload(b, p, 5001);
  await until('the second temporary file', async () => (await uploadsIn(b.dataDir)).length === 1);
  await b.kill();
  up2.sock.destroy();
  assert.equal((await uploadsIn(b.dataDir)).length, 1, 'a killed process leaves its file');
  await a.kill();
  a.log = '';
  await a.start();
  assert.match(a.log, /removed 1 temporary file\(s\) left by an earlier run/);
  assert.deepEqual(await uploadsIn(a.dataDir), []);
  const left = (await readdir(join(a.dataDir, 'tmp'))).filter((n) => !n.startsWith(`p${a.proc.pid}-`));
  assert.deepEqual(left, [], 'only the live process\'s own folder and lock are in tmp');
  await b.start();
});

test('the command line works against the shared database while both processes run: user add, disable and enable', { skip }, async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { BIN } = await import('../lib/server.mjs');
  const cli = (...args) => promisify(execFile)(BIN, [...args, '--data', a.dataDir], { env: a.env() });
  const carol = await a.addUser('carol', { password: 'carol password' });
  for (const srv of [a, b]) assert.equal((await srv.req('GET', '/api/v1/me', { token: carol })).json.name, 'carol');
  await cli('user', 'disable', 'carol');
  for (const srv of [a, b]) assert.equal((await srv.req('GET', '/api/v1/me', { token: carol })).status, 401);
  // enabled again: the old token stays ended, a login works on either
  await cli('user', 'enable', 'carol');
  for (const srv of [a, b]) {
    assert.equal((await srv.req('GET', '/api/v1/me', { token: carol })).status, 401);
    const login = await srv.req('POST', '/api/v1/auth/login', { body: { name: 'carol', password: 'carol password' } });
    assert.equal(login.status, 200, login.text);
  }
  // a name taken is refused by the command, whichever process made it
  await assert.rejects(cli('user', 'add', 'carol', '--password', 'another one'), (e) => e.code !== 0);
});

test('processes started together on a new database set up its schema once, and all serve', { skip }, async () => {
  const dbUrl = await pgDatabase();
  const started = await Promise.all([1, 2, 3].map(() => startServer({ dbUrl })));
  try {
    for (const s of started) assert.equal((await s.req('GET', '/readyz')).status, 200);
    const [n, names] = (await started[0].sql('SELECT count(*) || \' \' || count(DISTINCT name) FROM schema_migrations')).split(' ');
    assert.equal(n, names);
    assert.ok(Number(n) >= 20, `${n} migrations`);
  } finally {
    await Promise.all(started.map((s) => s.close()));
  }
});
