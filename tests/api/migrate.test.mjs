// `tessera migrate --from sqlite:PATH --to postgresql://...` moves a whole
// installation: every row, so that a server on PostgreSQL with the same
// data folder serves the same projects, labels, revisions, accounts,
// tokens and exports (which still verify), and gives new ids above the old
// ones. A run that stopped part-way resumes, and a target holding other
// rows is refused. Runs with the PostgreSQL backend (make test-api-pg).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, startServer, pgDatabase, BIN, PG } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';
import { waitExport, verifyExport } from '../lib/exports.mjs';

const run = promisify(execFile);
const skip = !PG && 'needs a PostgreSQL server (TESSERA_TEST_DB=postgres)';
let old, token, pid, cats, assets, exp, target;

const migrate = (to) => run(BIN, ['migrate', '--from', `sqlite:${join(old.dataDir, 'tessera.db')}`, '--to', to]);

before(async () => {
  if (skip) return;
  // given an installation on SQLite with labels, history, an export and a session
  ({ srv: old, token } = await startWithAdmin({ sqlite: true, keepData: true }));
  const p = await old.req('POST', '/api/v1/projects', { token, body: { name: 'Moving' } });
  pid = p.json.id;
  cats = [];
  for (const name of ['cat', 'dog']) {
    cats.push((await old.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name } })).json.id);
  }
  assets = await uploadPngs(old, token, pid, 30);
  for (const [i, a] of assets.slice(0, 20).entries()) {
    const w = await old.req('PUT', `/api/v1/assets/${a.id}/annotation`, { token, body: { category_ids: [cats[i % 2]], revision: 0 } });
    assert.equal(w.status, 200);
  }
  await old.req('PUT', `/api/v1/assets/${assets[0].id}/annotation`, { token, body: { category_ids: [cats[1]], revision: 1 } });
  const e = await old.req('POST', `/api/v1/projects/${pid}/exports`, { token, body: { statuses: ['labeled'] } });
  exp = await waitExport(old, token, e.json.id);
  assert.equal(exp.state, 'ready');
  await old.stop();
  target = await pgDatabase();
});

after(async () => {
  if (skip) return;
  await old.close();
});

test('the whole installation moves, verified, and a server on PostgreSQL serves it as it was', { skip }, async () => {
  const t0 = Date.now();
  const { stdout } = await migrate(target);
  console.log(`migrate: ${Date.now() - t0} ms\n${stdout}`);
  assert.match(stdout, /^assets +30 rows/m);
  assert.match(stdout, /^annotation_history +21 rows/m);
  assert.match(stdout, /verified: \d+ tables, \d+ rows, the same counts on both sides/);

  const srv = await startServer({ dataDir: old.dataDir, dbUrl: target, keepData: true });
  try {
    assert.equal((await srv.req('GET', '/api/v1/me', { token })).json.name, 'admin', 'API tokens moved');
    const a0 = await srv.req('GET', `/api/v1/assets/${assets[0].id}/annotation`, { token });
    assert.equal(a0.json.revision, 2);
    assert.deepEqual(a0.json.category_ids, [cats[1]]);
    const stats = await srv.req('GET', `/api/v1/projects/${pid}/stats`, { token });
    assert.equal(stats.json.counts.total, 30);
    assert.equal(stats.json.counts.labeled, 20);
    // the export is served from the same folder and still verifies
    const got = await srv.req('GET', `/api/v1/exports/${exp.id}`, { token });
    assert.equal(got.json.hash, exp.hash);
    const zip = await fetch(`${srv.url}/api/v1/exports/${exp.id}/download`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(zip.status, 200);
    const path = join(old.dataDir, 'moved.zip');
    await writeFile(path, Buffer.from(await zip.arrayBuffer()));
    const v = await verifyExport(path);
    assert.equal(v.code, 0, v.out);
    // new rows get ids above every old one
    const [fresh] = await uploadPngs(srv, token, pid, 1, { start: 500 });
    assert.ok(fresh.id > Math.max(...assets.map((a) => a.id)));
    const ex2 = await srv.req('POST', `/api/v1/projects/${pid}/exports`, { token, body: { statuses: ['labeled'] } });
    assert.equal(ex2.json.version, exp.version + 1);
  } finally {
    await srv.stop();
  }
});

test('a run that stopped part-way resumes; tables copied before are not copied again', { skip }, async () => {
  const to = await pgDatabase();
  await migrate(to);
  // as if it had stopped before its last tables: their rows and progress gone
  const psql = (q) => run('psql', [to, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', q]);
  await psql("DELETE FROM export_items; DELETE FROM annotation_history; DELETE FROM migrate_progress WHERE table_name IN ('export_items', 'annotation_history')");
  const { stdout } = await migrate(to);
  assert.match(stdout, /^assets +30 rows, copied before/m);
  assert.match(stdout, /^annotation_history +21 rows in/m);
  assert.match(stdout, /^export_items +\d+ rows in/m);
  assert.match(stdout, /verified:/);
  assert.equal((await psql('SELECT count(*) FROM annotation_history')).stdout.trim(), '21');
});

test('a target that holds rows of its own is refused, and nothing is written to it', { skip }, async () => {
  const to = await pgDatabase();
  const other = await startServer({ dbUrl: to });
  await other.addUser('someone', { admin: true });
  await other.close();
  const err = await migrate(to).then(() => null, (e) => e);
  assert.ok(err, 'the migration fails');
  assert.equal(err.code, 1);
  assert.match(err.stderr, /already has 1 rows that this migration did not copy/);
  const { stdout } = await run('psql', [to, '-qAt', '-c', 'SELECT count(*) FROM projects']);
  assert.equal(stdout.trim(), '0');
});

test('bad arguments are refused', { skip }, async () => {
  await assert.rejects(run(BIN, ['migrate', '--from', 'x', '--to', target]), (e) => e.code === 1 && /--from must be sqlite:PATH/.test(e.stderr));
  await assert.rejects(run(BIN, ['migrate', '--from', 'sqlite:/x']), (e) => e.code === 2);
});
