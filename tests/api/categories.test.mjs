// Projects and categories: ids are assigned once and never change or come back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';

let srv, token;
before(async () => { ({ srv, token } = await startWithAdmin()); });
after(async () => { await srv.close(); });

const api = (method, path, body, extra = {}) => srv.req(method, path, { token, body, ...extra });

async function newProject(name = 'Pets') {
  const r = await api('POST', '/api/v1/projects', { name });
  assert.equal(r.status, 201);
  return r.json;
}

async function names(pid, q = '') {
  const r = await api('GET', `/api/v1/projects/${pid}/categories${q}`);
  assert.equal(r.status, 200);
  return r.json.categories.map((c) => `${c.id}:${c.name}:${c.state}`);
}

test('a project has schema_version 1.0.0 and task_type classification_single', async () => {
  const p = await newProject('  Pets  ');
  assert.equal(p.name, 'Pets');
  assert.equal(p.schema_version, '1.0.0');
  assert.equal(p.task_type, 'classification_single');
  assert.match(p.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const got = await api('GET', `/api/v1/projects/${p.id}`);
  assert.deepEqual(got.json, p);
  const renamed = await api('PATCH', `/api/v1/projects/${p.id}`, { name: 'Pets v2' });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.json.name, 'Pets v2');
  assert.equal(renamed.json.id, p.id);
});

test('bad project input gets clear 400s', async () => {
  const cases = [
    [{ name: '' }, 'invalid_name'],
    [{ name: '   ' }, 'invalid_name'],
    [{ name: 'x'.repeat(201) }, 'invalid_name'],
    [{ name: 'a\u0007b' }, 'invalid_name'],
    [{ name: 42 }, 'invalid_field'],
    [{}, 'missing_field'],
    [{ name: 'ok', task_type: 'keypoints' }, 'unsupported_task_type'],
    [{ name: 'ok', color: 'red' }, 'unknown_field'],
  ];
  for (const [body, code] of cases) {
    const r = await api('POST', '/api/v1/projects', body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.code, code, JSON.stringify(body));
    assert.equal(typeof r.json.error.message, 'string');
  }
  for (const raw of ['{"name":', 'not json', '[1,2]', '', '{"name":"a","name":"b"}']) {
    const r = await srv.req('POST', '/api/v1/projects', { token, body: raw, headers: { 'content-type': 'application/json' } });
    assert.equal(r.status, 400, raw);
    assert.equal(r.json.error.code, 'invalid_json', raw);
  }
  const huge = await srv.req('POST', '/api/v1/projects', { token, body: JSON.stringify({ name: 'x'.repeat(2 << 20) }), headers: { 'content-type': 'application/json' } });
  assert.equal(huge.status, 413);
  assert.equal(huge.json.error.code, 'body_too_large');
});

test('unknown ids and paths are 404s with a JSON error; wrong methods 405', async () => {
  for (const path of ['/api/v1/projects/999999', '/api/v1/projects/abc', '/api/v1/projects/0',
    '/api/v1/projects/999999/categories', '/api/v1/nothing', '/api/v1/projects/1/categories/99999999999999999999']) {
    const r = await api('GET', path);
    assert.equal(r.status, 404, path);
    assert.ok(r.json.error.code, path);
  }
  const r = await api('DELETE', '/api/v1/projects');
  assert.equal(r.status, 405);
  assert.match(r.headers.get('allow'), /GET/);
});

test('project list pages with a cursor, newest first', async () => {
  const made = [];
  for (let i = 0; i < 5; i++) made.push((await newProject(`Page ${i}`)).id);
  const seen = [];
  let cursor = null;
  do {
    const r = await api('GET', `/api/v1/projects?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.projects.length <= 2);
    seen.push(...r.json.projects.map((p) => p.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  for (const id of made) assert.equal(seen.filter((x) => x === id).length, 1);
  assert.deepEqual(seen, [...seen].sort((a, b) => b - a));
  assert.equal((await api('GET', '/api/v1/projects?limit=0')).status, 400);
  assert.equal((await api('GET', '/api/v1/projects?limit=abc')).status, 400);
  assert.equal((await api('GET', '/api/v1/projects?cursor=%%%')).status, 400);
});

test('category ids survive rename, reorder, disable, delete and restart, and are never reused', async () => {
  const p = await newProject('Animals');
  const base = `/api/v1/projects/${p.id}/categories`;
  const ids = [];
  for (const name of ['cat', 'dog', 'bird']) {
    const r = await api('POST', base, { name });
    assert.equal(r.status, 201);
    assert.equal(r.json.state, 'active');
    ids.push(r.json.id);
  }
  assert.deepEqual(ids, [1, 2, 3]);

  const ren = await api('PATCH', `${base}/2`, { name: 'Dog' });
  assert.equal(ren.json.id, 2);
  assert.equal(ren.json.name, 'Dog');

  const ord = await api('PUT', `${base}/order`, { order: [3, 1, 2] });
  assert.equal(ord.status, 200);
  assert.deepEqual(ord.json.categories.map((c) => c.id), [3, 1, 2]);
  assert.deepEqual(await names(p.id), ['3:bird:active', '1:cat:active', '2:Dog:active']);

  const dis = await api('PATCH', `${base}/1`, { state: 'disabled' });
  assert.equal(dis.json.state, 'disabled');
  const del = await api('DELETE', `${base}/3`);
  assert.equal(del.status, 200);
  assert.equal(del.json.state, 'deleted');
  assert.deepEqual(await names(p.id), ['1:cat:disabled', '2:Dog:active']);
  assert.deepEqual(await names(p.id, '?include_deleted=true'), ['3:bird:deleted', '1:cat:disabled', '2:Dog:active']);

  const next = await api('POST', base, { name: 'fish' });
  assert.equal(next.json.id, 4, 'the deleted id 3 is not given out again');

  await srv.restart();
  const after = await api('POST', base, { name: 'bird' });
  assert.equal(after.status, 201, 'a deleted name can be used again');
  assert.equal(after.json.id, 5);
  assert.deepEqual(await names(p.id, '?include_deleted=true'),
    ['3:bird:deleted', '1:cat:disabled', '2:Dog:active', '4:fish:active', '5:bird:active']);
});

test('category ids are distinct under concurrent creates, per project from 1', async () => {
  const p = await newProject('Race');
  const base = `/api/v1/projects/${p.id}/categories`;
  const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => api('POST', base, { name: `c${i}` })));
  const got = rs.map((r) => { assert.equal(r.status, 201); return r.json.id; }).sort((a, b) => a - b);
  assert.deepEqual(got, Array.from({ length: 30 }, (_, i) => i + 1));
  const same = await Promise.all(Array.from({ length: 8 }, () => api('POST', base, { name: 'Same' })));
  assert.equal(same.filter((r) => r.status === 201).length, 1);
  assert.ok(same.filter((r) => r.status === 409).every((r) => r.json.error.code === 'name_taken'));
});

test('names are unique case-insensitively after trimming; bad names refused', async () => {
  const p = await newProject('Names');
  const base = `/api/v1/projects/${p.id}/categories`;
  assert.equal((await api('POST', base, { name: 'Cat' })).status, 201);
  for (const name of ['cat', ' CAT ', 'cAt\t']) {
    const r = await api('POST', base, { name });
    assert.equal(r.status, 409, name);
    assert.equal(r.json.error.code, 'name_taken');
  }
  const dog = await api('POST', base, { name: 'Dog' });
  assert.equal((await api('PATCH', `${base}/${dog.json.id}`, { name: 'CAT' })).status, 409);
  assert.equal((await api('PATCH', `${base}/${dog.json.id}`, { name: 'dog' })).status, 200, 'renaming to its own name in another case is fine');
  for (const [body, code] of [[{ name: '' }, 'invalid_name'], [{ name: 'x'.repeat(101) }, 'invalid_name'],
    [{ name: 'tab\u0001' }, 'invalid_name'], [{ name: null }, 'invalid_field'], [{ name: ['a'] }, 'invalid_field']]) {
    const r = await api('POST', base, body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.code, code);
  }
  const uni = await api('POST', base, { name: '猫 ünïcödé <script>' });
  assert.equal(uni.status, 201);
  assert.equal(uni.json.name, '猫 ünïcödé <script>');
  assert.equal((await api('POST', base, { name: 'x'.repeat(100) })).status, 201);
});

test('reorder takes only a permutation of the non-deleted ids; only display_order changes', async () => {
  const p = await newProject('Order');
  const base = `/api/v1/projects/${p.id}/categories`;
  for (const name of ['a', 'b', 'c']) await api('POST', base, { name });
  await api('DELETE', `${base}/2`);
  const before = (await api('GET', base)).json.categories;
  for (const order of [[1], [1, 3, 2], [1, 1], [3, 1, 1], [1, 3, 4], [], ['1', '3'], [1.5, 3], [-1, 3]]) {
    const r = await api('PUT', `${base}/order`, { order });
    assert.equal(r.status, 400, JSON.stringify(order));
    assert.equal(r.json.error.code, 'invalid_order');
  }
  for (const body of [{ order: 'x' }, {}, { order: null }]) {
    assert.equal((await api('PUT', `${base}/order`, body)).status, 400);
  }
  assert.deepEqual((await api('GET', base)).json.categories, before, 'nothing changed');
  const ok = await api('PUT', `${base}/order`, { order: [3, 1] });
  assert.deepEqual(ok.json.categories.map((c) => [c.id, c.name, c.state]), [[3, 'c', 'active'], [1, 'a', 'active']]);
});

test('category state changes are validated; deleted ones are frozen', async () => {
  const p = await newProject('States');
  const base = `/api/v1/projects/${p.id}/categories`;
  const c = (await api('POST', base, { name: 'x' })).json;
  assert.equal((await api('PATCH', `${base}/${c.id}`, { state: 'deleted' })).status, 400);
  assert.equal((await api('PATCH', `${base}/${c.id}`, { state: 'bogus' })).status, 400);
  assert.equal((await api('PATCH', `${base}/${c.id}`, { state: 1 })).status, 400);
  assert.equal((await api('PATCH', `${base}/${c.id}`, { state: 'disabled' })).json.state, 'disabled');
  assert.equal((await api('PATCH', `${base}/${c.id}`, { state: 'active' })).json.state, 'active');
  assert.equal((await api('DELETE', `${base}/${c.id}`)).status, 200);
  assert.equal((await api('DELETE', `${base}/${c.id}`)).status, 200, 'deleting twice is harmless');
  const frozen = await api('PATCH', `${base}/${c.id}`, { name: 'y' });
  assert.equal(frozen.status, 409);
  assert.equal(frozen.json.error.code, 'category_deleted');
  assert.equal((await api('PATCH', `${base}/999`, { name: 'y' })).status, 404);
  assert.equal((await api('DELETE', `${base}/999`)).status, 404);
  assert.equal((await api('GET', `/api/v1/projects/${p.id}/categories?include_deleted=maybe`)).status, 400);
});
