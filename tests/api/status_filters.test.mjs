// The asset list's status filter: each of the five statuses alone, "all",
// and the older groups in_review and done; counts per status that are exact
// under every other filter (category, video) and equal a direct count of
// the database, through keyset pages of every filter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, SANITIZED } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

const run = promisify(execFile);
const WAIT_MS = SANITIZED ? 60000 : 20000;
const STATUSES = ['unlabeled', 'labeled', 'skipped', 'needs_review', 'approved'];

let srv, token, dir;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-status-'));
  ({ srv, token } = await startWithAdmin());
});
after(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

const api = (method, path, body, extra = {}) => srv.req(method, path, { token, body, ...extra });
const put = (id, body) => api('PUT', `/api/v1/assets/${id}/annotation`, body);

async function listAll(pid, query, limit = 2) {
  const seen = [];
  let cursor = null;
  let counts;
  for (;;) {
    const r = await api('GET', `/api/v1/projects/${pid}/assets?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    if (counts) assert.deepEqual(r.json.counts, counts, 'counts do not change from page to page');
    counts = r.json.counts;
    seen.push(...r.json.assets);
    cursor = r.json.next_cursor;
    if (!cursor) break;
  }
  return { ids: seen.map((a) => a.id), assets: seen, counts };
}

async function dbStatusCounts(pid, where = '') {
  const sql = `SELECT n.status || '=' || count(*) FROM annotations n JOIN assets a ON a.id = n.asset_id
    WHERE n.project_id = ${pid} ${where} GROUP BY n.status`;
  const out = await srv.sql(sql);
  const got = Object.fromEntries(STATUSES.map((s) => [s, 0]));
  for (const l of out.split('\n').filter(Boolean)) {
    const [k, v] = l.split('=');
    got[k] = Number(v);
  }
  return got;
}

// The counts an answer must carry for these assets (each [id, status]).
function countsOf(rows) {
  const c = { all: rows.length };
  for (const s of STATUSES) c[s] = rows.filter(([, st]) => st === s).length;
  c.in_review = c.labeled + c.needs_review;
  c.done = c.approved;
  return c;
}

async function checkEvery(pid, rows, query) {
  const want = countsOf(rows);
  const filters = {
    all: rows, '': rows,
    in_review: rows.filter(([, s]) => s === 'labeled' || s === 'needs_review'),
    done: rows.filter(([, s]) => s === 'approved'),
  };
  for (const s of STATUSES) filters[s] = rows.filter(([, st]) => st === s);
  for (const [status, expect] of Object.entries(filters)) {
    const got = await listAll(pid, `${query}${status ? `&status=${status}` : ''}`);
    assert.deepEqual(got.ids, expect.map(([id]) => id).sort((a, b) => a - b), `${query} status=${status}`);
    for (const a of got.assets) {
      if (STATUSES.includes(status)) assert.equal(a.annotation.status, status);
    }
    assert.deepEqual(got.counts, want, `${query} status=${status}`);
  }
}

test('each status filters alone and counts exactly, alone and with a category', async () => {
  const p = (await api('POST', '/api/v1/projects', { name: 'Statuses' })).json.id;
  const cat = (await api('POST', `/api/v1/projects/${p}/categories`, { name: 'cat' })).json.id;
  const dog = (await api('POST', `/api/v1/projects/${p}/categories`, { name: 'dog' })).json.id;
  const ids = (await uploadPngs(srv, token, p, 14)).map((a) => a.id);
  const plan = [ // [category, status] per asset; null: left alone
    [cat, 'labeled'], [cat, 'labeled'], [dog, 'labeled'], [cat, 'needs_review'], [dog, 'needs_review'],
    [cat, 'approved'], [dog, 'approved'], [cat, 'approved'], [null, 'skipped'], [null, 'skipped'],
    [cat, 'skipped'], [null, 'unlabeled'], [null, 'unlabeled'], [dog, 'unlabeled'],
  ];
  const rows = [];
  for (const [i, [c, s]] of plan.entries()) {
    if (c && s !== 'unlabeled') assert.equal((await put(ids[i], { category_ids: [c] })).status, 200);
    if (s !== 'labeled' && s !== 'unlabeled') {
      const r = await put(ids[i], { status: s });
      assert.equal(r.status, 200, r.text);
    }
    // Skipping drops the categories: the asset leaves the category filter.
    rows.push([ids[i], s, s === 'unlabeled' || s === 'skipped' ? null : c]);
  }
  await checkEvery(p, rows, '');
  assert.deepEqual(await dbStatusCounts(p), Object.fromEntries(STATUSES.map((s) => [s, countsOf(rows)[s]])));
  const rowsCat = rows.filter(([, , c]) => c === cat);
  await checkEvery(p, rowsCat, `&category_id=${cat}`);
  assert.deepEqual(await dbStatusCounts(p, `AND EXISTS (SELECT 1 FROM annotation_categories c
    WHERE c.asset_id = a.id AND c.category_id = ${cat})`),
  Object.fromEntries(STATUSES.map((s) => [s, countsOf(rowsCat)[s]])));

  // A status change moves one count to another; the list follows.
  assert.equal((await put(ids[0], { status: 'approved' })).status, 200);
  rows[0][1] = 'approved';
  await checkEvery(p, rows, '');
});

test('a video filter narrows the list and the counts alike', async () => {
  const p = (await api('POST', '/api/v1/projects', { name: 'Video statuses' })).json.id;
  const other = (await uploadPngs(srv, token, p, 3, { start: 400 })).map((a) => a.id);
  const file = join(dir, 'v.mp4');
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
    'testsrc=s=64x48:r=10:d=0.6', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
  const form = new FormData();
  form.append('frames', '6');
  form.append('file', new Blob([await readFile(file)]), 'v.mp4');
  const v = await api('POST', `/api/v1/projects/${p}/videos`, form);
  assert.equal(v.status, 202, v.text);
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const r = await api('GET', `/api/v1/videos/${v.json.id}`);
    if (r.json.state === 'ready') break;
    assert.notEqual(r.json.state, 'failed', r.text);
    if (Date.now() > until) assert.fail('video not ready');
    await new Promise((res) => setTimeout(res, 50));
  }
  const frames = (await listAll(p, `&video_id=${v.json.id}`, 1000)).ids;
  assert.equal(frames.length, 6);
  const cat = (await api('POST', `/api/v1/projects/${p}/categories`, { name: 'cat' })).json.id;
  const rows = frames.map((id) => [id, 'unlabeled', null]);
  for (const [i, s] of [[0, 'labeled'], [1, 'approved'], [2, 'needs_review'], [3, 'skipped']]) {
    assert.equal((await put(frames[i], { category_ids: [cat] })).status, 200);
    if (s !== 'labeled') assert.equal((await put(frames[i], { status: s })).status, 200);
    rows[i] = [frames[i], s, s === 'skipped' ? null : cat];
  }
  // Assets outside the video count elsewhere only.
  assert.equal((await put(other[0], { category_ids: [cat] })).status, 200);
  assert.equal((await put(other[1], { status: 'skipped' })).status, 200);
  await checkEvery(p, rows, `&video_id=${v.json.id}`);
  await checkEvery(p, rows.filter(([, , c]) => c === cat), `&video_id=${v.json.id}&category_id=${cat}`);
  const whole = await listAll(p, '', 1000);
  assert.equal(whole.counts.all, 9);
  assert.equal(whole.counts.skipped, 2);
  assert.equal(whole.counts.labeled, 2);
});

test('an unknown status is refused with the names that work', async () => {
  const p = (await api('POST', '/api/v1/projects', { name: 'Bad status' })).json.id;
  for (const s of ['nope', 'Labeled', 'needs-review', 'approved ', 'in_review,done']) {
    const r = await api('GET', `/api/v1/projects/${p}/assets?status=${encodeURIComponent(s)}`);
    assert.equal(r.status, 400, s);
    assert.equal(r.json.error.code, 'invalid_status');
    assert.match(r.json.error.message, /needs_review/);
  }
});
