// Typed annotations over HTTP: the content of an annotation is a typed
// payload. The v1 form {"category_ids": [..]}, {"payload": {..}} and the
// payload's fields at the top level all set it; every answer carries both
// category_ids and payload; bad payloads are refused and write nothing;
// the database keeps the payload as JSON text beside its type and the
// per-category index, and rows written before payloads existed are
// converted once when the server upgrades its database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

let srv, token, pid, cats, assets;

const put = (id, body) => srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body });
const get = (id) => srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
const sql = (q) => srv.sql(q);

before(async () => {
  ({ srv, token } = await startWithAdmin());
  const p = await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Typed' } });
  pid = p.json.id;
  cats = [];
  for (const name of ['cat', 'dog']) {
    cats.push((await srv.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name } })).json);
  }
  assets = await uploadPngs(srv, token, pid, 8, { start: 500 });
});
after(async () => { await srv.close(); });

test('the three forms set the same content, and answers carry category_ids and payload', async () => {
  const [c1, c2] = [cats[0].id, cats[1].id];
  const forms = [
    { category_ids: [c2] },
    { payload: { type: 'classification', category_ids: [c2] } },
    { type: 'classification', category_ids: [c2] },
  ];
  for (const [i, body] of forms.entries()) {
    const r = await put(assets[i].id, body);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.category_ids, [c2]);
    assert.deepEqual(r.json.payload, { type: 'classification', category_ids: [c2] });
    assert.equal(r.json.revision, 1);
    const g = await get(assets[i].id);
    assert.deepEqual(g.json.payload, { type: 'classification', category_ids: [c2] });
  }
  // A revision check works with the typed form too, and a repeat writes nothing.
  const again = await put(assets[1].id, { payload: { type: 'classification', category_ids: [c2] }, revision: 0 });
  assert.equal(again.status, 200);
  assert.equal(again.json.revision, 1);
  const stale = await put(assets[1].id, { payload: { type: 'classification', category_ids: [c1] }, revision: 0 });
  assert.equal(stale.status, 409);
  assert.equal(stale.json.error.code, 'stale_revision');
  assert.deepEqual(stale.json.error.details.current.payload, { type: 'classification', category_ids: [c2] });
  // Skipping clears the content: payload null, category_ids empty.
  const s = await put(assets[2].id, { status: 'skipped' });
  assert.equal(s.status, 200);
  assert.equal(s.json.payload, null);
  assert.deepEqual(s.json.category_ids, []);
  // A never-labeled asset has no content.
  assert.equal((await get(assets[7].id)).json.payload, null);
});

test('bad payloads get a clear 400 and write nothing', async () => {
  const id = assets[3].id;
  const c = cats[0].id;
  const cases = [
    [{ payload: [c] }, 'invalid_payload'],
    [{ payload: { category_ids: [c] } }, 'invalid_payload'],
    [{ payload: { type: 'boxes', objects: [] } }, 'payload_type_mismatch'],
    [{ payload: { type: 'boxes', category_ids: [c] } }, 'invalid_payload'],
    [{ type: 'polygon', category_ids: [c] }, 'unknown_payload_type'],
    [{ payload: { type: 'classification' } }, 'invalid_payload'],
    [{ payload: { type: 'classification', category_ids: [c], scores: [1] } }, 'invalid_payload'],
    [{ payload: { type: 'classification', category_ids: ['1'] } }, 'invalid_field'],
    [{ payload: { type: 'classification', category_ids: [c] }, category_ids: [c] }, 'invalid_request'],
    [{ payload: { type: 'classification', category_ids: [c] }, status: 'labeled' }, 'invalid_request'],
    [{ payload: { type: 'classification', category_ids: [987654] } }, 'unknown_category'],
    [{ payload: { type: 'classification', category_ids: [cats[0].id, cats[1].id] } }, 'invalid_category_count'],
  ];
  for (const [body, code] of cases) {
    const r = await put(id, body);
    assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error.code, code, JSON.stringify(body));
    assert.match(r.json.error.message, /\.$/);
  }
  assert.equal((await get(id)).json.revision, 0);
  assert.equal(await sql(`SELECT count(*) FROM annotation_history WHERE asset_id = ${id}`), '0');
});

test('the database keeps the payload as typed JSON text beside the per-category index', async () => {
  const id = assets[4].id;
  const c = cats[1].id;
  assert.equal((await put(id, { payload: { type: 'classification', category_ids: [c] } })).status, 200);
  assert.equal(await sql(`SELECT payload_type || ' ' || payload FROM annotations WHERE asset_id = ${id}`),
    `classification {"type":"classification","category_ids":[${c}]}`);
  assert.equal(await sql(`SELECT category_id FROM annotation_categories WHERE asset_id = ${id}`), String(c));
  assert.equal(await sql(`SELECT coalesce(from_payload, 'null') || ' ' || to_payload FROM annotation_history WHERE asset_id = ${id}`),
    `null {"type":"classification","category_ids":[${c}]}`);
  // The history view shows the payloads before and after.
  const h = (await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token })).json.history;
  assert.deepEqual(h.map((e) => [e.from.payload, e.to.payload]), [
    [null, { type: 'classification', category_ids: [c] }],
  ]);
  // Category filters and counts read the index.
  const st = (await srv.req('GET', `/api/v1/projects/${pid}/stats`, { token })).json;
  const n = Number(await sql(`SELECT count(*) FROM annotation_categories WHERE category_id = ${c} AND project_id = ${pid}`));
  assert.equal(st.per_category.find((k) => k.category_id === c).count, n);
});

test('rows labeled before payloads existed are converted once on upgrade', async () => {
  const id = assets[5].id;
  const c = cats[0].id;
  assert.equal((await put(id, { category_ids: [c] })).status, 200);
  assert.equal((await put(id, { status: 'approved' })).status, 200);
  await srv.stop();
  // The database as the version before typed payloads left it.
  await sql(
    'ALTER TABLE annotations DROP COLUMN payload; ALTER TABLE annotations DROP COLUMN payload_type; ' +
    'ALTER TABLE annotation_history DROP COLUMN from_payload; ALTER TABLE annotation_history DROP COLUMN to_payload; ' +
    "DELETE FROM schema_migrations WHERE name = '012_annotation_payloads';",
  );
  await srv.start();
  const g = await get(id);
  assert.equal(g.status, 200);
  assert.equal(g.json.status, 'approved');
  assert.deepEqual(g.json.payload, { type: 'classification', category_ids: [c] });
  assert.equal(await sql(`SELECT payload FROM annotations WHERE asset_id = ${id}`),
    `{"type":"classification","category_ids":[${c}]}`);
  assert.equal(await sql(`SELECT to_payload FROM annotation_history WHERE asset_id = ${id} AND revision = 2`),
    `{"type":"classification","category_ids":[${c}]}`);
  // Skipped and unlabeled rows have no content.
  assert.equal(await sql(`SELECT count(*) FROM annotations WHERE project_id = ${pid} AND status IN ('skipped', 'unlabeled') AND payload IS NOT NULL`), '0');
  // And labeling goes on from there.
  const r = await put(id, { payload: { type: 'classification', category_ids: [cats[1].id] }, revision: 2 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.revision, 3);
});

test('concurrent writers with the same revision: exactly one wins each revision, the others get 409', async () => {
  const id = assets[6].id;
  const [c1, c2] = [cats[0].id, cats[1].id];
  let revision = 0;
  for (let round = 0; round < 6; round++) {
    // Eight writers at the same revision, half of them sending each label
    // (in both forms): at least half of them change something.
    const rs = await Promise.all(Array.from({ length: 8 }, (_, i) => {
      const label = i % 2 ? c1 : c2;
      return put(id, i % 4 < 2
        ? { payload: { type: 'classification', category_ids: [label] }, revision }
        : { category_ids: [label], revision });
    }));
    for (const r of rs) {
      if (r.status === 409) {
        assert.equal(r.json.error.code, 'stale_revision');
      } else {
        // A winner, or a repeat of the state it found (no write).
        assert.equal(r.status, 200, r.text);
        assert.ok([revision, revision + 1].includes(r.json.revision));
      }
    }
    // From unlabeled every request changes something: the first one wins,
    // the three with its label repeat it, the four with the other are stale.
    if (round === 0) assert.equal(rs.filter((r) => r.status === 409).length, 4);
    const now = (await get(id)).json;
    assert.equal(now.revision, revision + 1, 'one write per round');
    revision = now.revision;
  }
  const h = await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token });
  assert.deepEqual(h.json.history.map((e) => e.revision), [1, 2, 3, 4, 5, 6]);
});
