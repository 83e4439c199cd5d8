// Labeling and review over HTTP: annotation states and every refused
// transition, optimistic concurrency, idempotent repeats, history, bulk
// review by ids and by filter, and stats that equal a direct count of the
// database, also after the server is killed with SIGKILL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

let srv, token, pid, cats, assets;

const put = (id, body, tok = token) => srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token: tok, body });
const stats = (p = pid) => srv.req('GET', `/api/v1/projects/${p}/stats`, { token });
const bulk = (body, p = pid) => srv.req('POST', `/api/v1/projects/${p}/annotations/bulk`, { token, body });

async function newProject(name, n, start) {
  const p = await srv.req('POST', '/api/v1/projects', { token, body: { name } });
  const c = [];
  for (const nm of ['cat', 'dog', 'bird', 'fish']) {
    c.push((await srv.req('POST', `/api/v1/projects/${p.json.id}/categories`, { token, body: { name: nm } })).json);
  }
  const a = await uploadPngs(srv, token, p.json.id, n, { start });
  return { id: p.json.id, cats: c, assets: a };
}

// Counts straight from the database, with its command line client.
async function dbCounts(projectId) {
  const q = (sql) => srv.sql(sql);
  const byStatus = Object.fromEntries((await q(
    `SELECT status || '=' || count(*) FROM annotations WHERE project_id = ${projectId} GROUP BY status`,
  )).split('\n').filter(Boolean).map((l) => { const [k, v] = l.split('='); return [k, Number(v)]; }));
  const perCat = Object.fromEntries((await q(
    `SELECT category_id || '=' || count(*) FROM annotation_categories WHERE project_id = ${projectId} GROUP BY category_id`,
  )).split('\n').filter(Boolean).map((l) => { const [k, v] = l.split('='); return [Number(k), Number(v)]; }));
  const total = Number(await q(`SELECT count(*) FROM assets WHERE project_id = ${projectId}`));
  return { byStatus, perCat, total };
}

function assertStatsMatch(s, d) {
  assert.equal(s.counts.total, d.total);
  for (const k of ['unlabeled', 'labeled', 'skipped', 'needs_review', 'approved']) {
    assert.equal(s.counts[k], d.byStatus[k] || 0, `status ${k}`);
  }
  assert.equal(s.counts.unlabeled + s.counts.labeled + s.counts.skipped + s.counts.needs_review + s.counts.approved, s.counts.total);
  for (const pc of s.per_category) assert.equal(pc.count, d.perCat[pc.category_id] || 0, `category ${pc.category_id}`);
  assert.equal(s.issues.missing_labels, s.counts.unlabeled);
  assert.equal(s.issues.skipped, s.counts.skipped);
}

before(async () => {
  ({ srv, token } = await startWithAdmin());
  ({ id: pid, cats, assets } = await newProject('Pets', 40, 1));
});
after(async () => { await srv.close(); });

test('labeling an unlabeled asset makes it labeled, by the user of the token, at revision 1', async () => {
  const a = assets[0];
  const r = await put(a.id, { category_ids: [cats[1].id] });
  assert.equal(r.status, 200);
  assert.deepEqual(
    { ...r.json, updated_at: undefined },
    {
      asset_id: a.id, status: 'labeled', category_ids: [cats[1].id],
      payload: { type: 'classification', category_ids: [cats[1].id] },
      revision: 1, labeled_by: 'admin', updated_at: undefined,
    },
  );
  // and the asset view shows the same annotation
  const g = await srv.req('GET', `/api/v1/assets/${a.id}`, { token });
  assert.equal(g.json.annotation.status, 'labeled');
  assert.deepEqual(g.json.annotation.category_ids, [cats[1].id]);
});

test('every allowed transition, in the order a labeler and a reviewer go through them', async () => {
  const id = assets[1].id;
  const [c1, c2] = [cats[0].id, cats[1].id];
  const steps = [
    [{ category_ids: [c1] }, 'labeled', [c1]],
    [{ status: 'needs_review' }, 'needs_review', [c1]],
    [{ category_ids: [c2] }, 'labeled', [c2]], // relabel from needs_review
    [{ status: 'approved' }, 'approved', [c2]],
    [{ category_ids: [c1] }, 'labeled', [c1]], // relabel from approved
    [{ status: 'approved' }, 'approved', [c1]],
    [{ status: 'needs_review' }, 'needs_review', [c1]],
    [{ status: 'approved' }, 'approved', [c1]],
    [{ status: 'skipped' }, 'skipped', []], // skip clears the label
    [{ category_ids: [c2] }, 'labeled', [c2]],
    [{ status: 'labeled' }, 'labeled', [c2]], // a repeat
    [{ status: 'unlabeled' }, 'unlabeled', []],
    [{ status: 'skipped' }, 'skipped', []],
    [{ status: 'unlabeled' }, 'unlabeled', []],
  ];
  let rev = 0;
  for (const [body, status, ids] of steps) {
    const r = await put(id, body);
    assert.equal(r.status, 200, JSON.stringify([body, r.json]));
    assert.equal(r.json.status, status);
    assert.deepEqual(r.json.category_ids, ids);
    if (!(body.status === 'labeled')) rev++;
    assert.equal(r.json.revision, rev, JSON.stringify(body));
  }
});

test('refused transitions: approve, needs_review or labeled without a category', async () => {
  const id = assets[2].id;
  for (const status of ['approved', 'needs_review', 'labeled']) {
    const r = await put(id, { status });
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'not_labeled');
    assert.equal(r.json.error.details.current.status, 'unlabeled');
  }
  await put(id, { status: 'skipped' });
  const r = await put(id, { status: 'approved' });
  assert.equal(r.status, 409);
  assert.equal(r.json.error.details.current.status, 'skipped');
  const h = await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token });
  assert.equal(h.json.history.length, 1, 'refusals leave no trace in the history');
});

test('category rules: disabled, deleted, unknown, another project\'s, and not exactly one', async () => {
  const { cats: otherCats } = await newProject('Other', 1, 5000);
  const id = assets[3].id;
  const extra = (await srv.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name: 'disabled one' } })).json;
  await srv.req('PATCH', `/api/v1/projects/${pid}/categories/${extra.id}`, { token, body: { state: 'disabled' } });
  const gone = (await srv.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name: 'gone' } })).json;
  await srv.req('DELETE', `/api/v1/projects/${pid}/categories/${gone.id}`, { token });

  const cases = [
    [[extra.id], 409, 'category_disabled'],
    [[gone.id], 409, 'category_deleted'],
    [[999], 400, 'unknown_category'],
    [[otherCats[0].id + 100], 400, 'unknown_category'],
    [[cats[0].id, cats[1].id], 400, 'invalid_category_count'],
    [[], 400, 'invalid_category_count'],
  ];
  for (const [ids, status, code] of cases) {
    const r = await put(id, { category_ids: ids });
    assert.equal(r.status, status, JSON.stringify(ids));
    assert.equal(r.json.error.code, code);
  }
  const g = await srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
  assert.equal(g.json.revision, 0, 'nothing was written');
});

test('a stale revision gets 409 with the current annotation; the right one goes through', async () => {
  const id = assets[4].id;
  const first = await put(id, { category_ids: [cats[0].id], revision: 0 });
  assert.equal(first.status, 200);
  assert.equal(first.json.revision, 1);
  const stale = await put(id, { category_ids: [cats[2].id], revision: 0 });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'stale_revision');
  assert.deepEqual(stale.json.error.details.current.category_ids, [cats[0].id]);
  assert.equal(stale.json.error.details.current.revision, 1);
  const ok = await put(id, { category_ids: [cats[2].id], revision: 1 });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.revision, 2);
});

test('writes are idempotent: the same label again is not a new revision (even with an old revision)', async () => {
  const id = assets[5].id;
  const a = await put(id, { category_ids: [cats[3].id] });
  const b = await put(id, { category_ids: [cats[3].id] });
  const c = await put(id, { category_ids: [cats[3].id], revision: 0 });
  assert.equal(a.json.revision, 1);
  assert.deepEqual(b.json, a.json);
  assert.equal(c.status, 200);
  assert.deepEqual(c.json, a.json);
  const h = await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token });
  assert.equal(h.json.history.length, 1);
});

test('history lists every change oldest first with who, when, from and to', async () => {
  const id = assets[6].id;
  const bob = await srv.addUser('bob');
  // A user labels only in projects they belong to.
  const me = (await srv.req('GET', '/api/v1/me', { token: bob })).json;
  assert.equal((await srv.req('PUT', `/api/v1/projects/${pid}/members/${me.id}`, { token, body: { role: 'labeler' } })).status, 201);
  await put(id, { category_ids: [cats[0].id] });
  await put(id, { category_ids: [cats[1].id] }, bob);
  await put(id, { status: 'approved' });
  const h = await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token });
  assert.equal(h.status, 200);
  const rows = h.json.history.map((e) => [e.revision, e.by, e.from.status, e.from.category_ids, e.to.status, e.to.category_ids]);
  assert.deepEqual(rows, [
    [1, 'admin', 'unlabeled', [], 'labeled', [cats[0].id]],
    [2, 'bob', 'labeled', [cats[0].id], 'labeled', [cats[1].id]],
    [3, 'admin', 'labeled', [cats[1].id], 'approved', [cats[1].id]],
  ]);
  assert.match(h.json.history[0].at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // the labeler stays bob after the admin approved
  const g = await srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
  assert.equal(g.json.labeled_by, 'bob');
  assert.equal((await srv.req('GET', '/api/v1/assets/987654/annotation/history', { token })).status, 404);
});

test('bad input is refused with a clear 4xx and writes nothing', async () => {
  const id = assets[7].id;
  const path = `/api/v1/assets/${id}/annotation`;
  const raw = (body) => srv.req('PUT', path, { token, body, headers: { 'content-type': 'application/json' } });
  const cases = [
    [await raw('{"category_ids": [1'), 400, 'invalid_json'],
    [await raw('[1, 2]'), 400, 'invalid_json'],
    [await raw(''), 400, 'invalid_json'],
    [await put(id, {}), 400, 'invalid_request'],
    [await put(id, { category_ids: [1], status: 'approved' }), 400, 'invalid_request'],
    [await put(id, { category_ids: '1' }), 400, 'invalid_field'],
    [await put(id, { category_ids: [1.5] }), 400, 'invalid_field'],
    [await put(id, { category_ids: [-1] }), 400, 'invalid_field'],
    [await put(id, { category_ids: [null] }), 400, 'invalid_field'],
    [await put(id, { category_ids: Array.from({ length: 2000 }, (_, i) => i + 1) }), 400, 'too_many'],
    [await put(id, { status: 3 }), 400, 'invalid_field'],
    [await put(id, { status: 'APPROVED' }), 400, 'invalid_status'],
    [await put(id, { status: '<script>alert(1)</script>' }), 400, 'invalid_status'],
    [await put(id, { status: 'approved\u0000' }), 400, 'invalid_json'], // jansson refuses NUL
    [await put(id, { category_ids: [1], revision: -1 }), 400, 'invalid_field'],
    [await put(id, { category_ids: [1], revision: '0' }), 400, 'invalid_field'],
    [await put(id, { category_ids: [1], extra: true }), 400, 'unknown_field'],
    // An annotation write takes up to 16 MiB (many boxes); past that, 413.
    [await raw(`{"category_ids": [1], "pad": "${'x'.repeat(17 * 1024 * 1024)}"}`), 413, 'body_too_large'],
    [await raw(`{"category_ids": [1], "pad": "${'x'.repeat(2 * 1024 * 1024)}"}`), 400, 'unknown_field'],
    [await put(99999, { category_ids: [1] }), 404, 'asset_not_found'],
  ];
  for (const [r, status, code] of cases) {
    assert.equal(r.status, status, r.text.slice(0, 200));
    assert.equal(r.json.error.code, code, r.text.slice(0, 200));
  }
  assert.equal((await put('abc', { category_ids: [1] })).status, 404);
  assert.equal((await put(id, { category_ids: [1] }, 'nope')).status, 401);
  const g = await srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
  assert.equal(g.json.revision, 0);
});

test('bulk approve of a mix of ids says which succeeded and why each other one did not', async () => {
  const [a, b, c, d] = assets.slice(10, 14).map((x) => x.id);
  const { assets: foreign } = await newProject('Foreign', 1, 7000);
  await put(a, { category_ids: [cats[0].id] });
  await put(b, { category_ids: [cats[1].id] });
  await put(c, { status: 'skipped' });
  await put(d, { category_ids: [cats[1].id] });
  await put(d, { status: 'approved' });
  const r = await bulk({ action: 'approve', asset_ids: [a, b, c, d, 424242, foreign[0].id] });
  assert.equal(r.status, 200);
  assert.equal(r.json.succeeded, 3);
  assert.equal(r.json.failed, 3);
  const by = Object.fromEntries(r.json.results.map((x) => [x.asset_id, x]));
  assert.equal(by[a].ok, true);
  assert.equal(by[a].status, 'approved');
  assert.equal(by[a].changed, true);
  assert.equal(by[d].changed, false, 'already approved: a repeat');
  assert.equal(by[c].error.code, 'not_labeled');
  assert.equal(by[424242].error.code, 'asset_not_found');
  assert.equal(by[foreign[0].id].error.code, 'asset_not_found');
  assert.deepEqual(r.json.results.map((x) => x.asset_id), [a, b, c, d, 424242, foreign[0].id]);
  const h = await srv.req('GET', `/api/v1/assets/${a}/annotation/history`, { token });
  assert.equal(h.json.history.at(-1).via, 'bulk');
});

test('bulk needs_review by filter reaches exactly the matching assets', async () => {
  const { id: p, cats: pc, assets: pa } = await newProject('Filter', 30, 9000);
  for (const [i, x] of pa.entries()) {
    if (i % 3 === 0) await put(x.id, { category_ids: [pc[0].id] });
    else if (i % 3 === 1) await put(x.id, { category_ids: [pc[1].id] });
  }
  const r = await bulk({ action: 'needs_review', filter: { status: 'in_review', category_id: pc[0].id } }, p);
  assert.equal(r.status, 200);
  assert.equal(r.json.matched, 10);
  assert.equal(r.json.succeeded, 10);
  const s = (await stats(p)).json;
  assert.equal(s.counts.needs_review, 10);
  assert.equal(s.counts.labeled, 10);
  assert.equal(s.counts.unlabeled, 10);
  const byCat = Object.fromEntries(s.per_category.map((x) => [x.category_id, x]));
  assert.equal(byCat[pc[0].id].by_status.needs_review, 10);
  // approve everything in review: the unlabeled ones are not matched at all
  const all = await bulk({ action: 'approve', filter: { status: 'in_review' } }, p);
  assert.equal(all.json.succeeded, 20);
  assert.equal((await stats(p)).json.counts.approved, 20);
  // and "all" includes the unlabeled ones, which fail one by one
  const every = await bulk({ action: 'approve', filter: {} }, p);
  assert.equal(every.json.matched, 30);
  assert.equal(every.json.failed, 10);
});

test('bulk refuses bad requests', async () => {
  const cases = [
    [{ action: 'delete', asset_ids: [1] }, 400, 'invalid_action'],
    [{ asset_ids: [1] }, 400, 'missing_field'],
    [{ action: 'approve' }, 400, 'invalid_request'],
    [{ action: 'approve', asset_ids: [1], filter: {} }, 400, 'invalid_request'],
    [{ action: 'approve', asset_ids: 'all' }, 400, 'invalid_field'],
    [{ action: 'approve', asset_ids: [0] }, 400, 'invalid_field'],
    [{ action: 'approve', filter: 'done' }, 400, 'invalid_filter'],
    [{ action: 'approve', filter: { status: 'nope' } }, 400, 'invalid_filter'],
    [{ action: 'approve', filter: { category_id: 'x' } }, 400, 'invalid_field'],
    [{ action: 'approve', filter: { status: 'done', junk: 1 } }, 400, 'unknown_field'],
  ];
  for (const [body, status, code] of cases) {
    const r = await bulk(body);
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.json.error.code, code, JSON.stringify(body));
  }
  const huge = await bulk({ action: 'approve', asset_ids: Array.from({ length: 100001 }, (_, i) => i + 1) });
  assert.equal(huge.status, 413);
  assert.equal((await bulk({ action: 'approve', asset_ids: [1] }, 98765)).json.error.code, 'project_not_found');
});

test('stats count labels on deleted categories as an issue', async () => {
  const { id: p, cats: pc, assets: pa } = await newProject('Deleted', 3, 11000);
  await put(pa[0].id, { category_ids: [pc[2].id] });
  await put(pa[1].id, { category_ids: [pc[2].id] });
  await srv.req('DELETE', `/api/v1/projects/${p}/categories/${pc[2].id}`, { token });
  const s = (await stats(p)).json;
  assert.equal(s.issues.deleted_category, 2);
  const gone = s.per_category.find((x) => x.category_id === pc[2].id);
  assert.equal(gone.state, 'deleted');
  assert.equal(gone.count, 2);
  assert.equal((await srv.req('GET', '/api/v1/projects/424242/stats', { token })).status, 404);
});

// A small seeded generator, so a failure can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

test('stats equal a direct count after a long seeded random sequence, and after SIGKILL and restart', async () => {
  const { id: p, cats: pc, assets: pa } = await newProject('Random', 60, 20000);
  const rand = rng(20261126);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  const acked = new Map(); // asset id -> last acknowledged annotation
  for (let i = 0; i < 600; i++) {
    const a = pick(pa).id;
    const roll = rand();
    let r;
    if (roll < 0.45) r = await put(a, { category_ids: [pick(pc).id] });
    else if (roll < 0.55) r = await put(a, { status: 'skipped' });
    else if (roll < 0.7) r = await put(a, { status: 'approved' });
    else if (roll < 0.8) r = await put(a, { status: 'needs_review' });
    else if (roll < 0.85) r = await put(a, { status: 'unlabeled' });
    else if (roll < 0.9) r = await bulk({ action: pick(['approve', 'needs_review']), asset_ids: [pick(pa).id, pick(pa).id] }, p);
    else r = await put(a, { category_ids: [pick(pc).id], revision: Math.floor(rand() * 4) });
    assert.ok([200, 409].includes(r.status), r.text);
    if (r.status === 200 && r.json.asset_id) acked.set(a, r.json);
  }
  assertStatsMatch((await stats(p)).json, await dbCounts(p));

  await srv.kill();
  await srv.start();
  const after = (await stats(p)).json;
  assertStatsMatch(after, await dbCounts(p));
  // every acknowledged write survived (bulk ones may have moved an asset on since)
  for (const [id, ann] of acked) {
    const g = await srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
    assert.ok(g.json.revision >= ann.revision, `asset ${id}`);
  }
});
