// Real answers of the server, checked against docs/openapi.yaml: each JSON
// response of the main routes must match the schema of its operation and
// status, and hold no field the schema does not name. (openapi.test.mjs
// compares the route strings; this one compares what the routes send.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import yaml from 'js-yaml';
import { ROOT, startWithAdmin } from '../lib/server.mjs';
import { tinyPng } from '../lib/tinypng.mjs';

const DOC_ID = 'openapi.json';
let doc, ajv, srv, token;
const checked = new Set();
/** Every mismatch found, reported together at the end. */
const problems = [];

const deref = (node) => {
  let n = node;
  while (n && typeof n.$ref === 'string') {
    n = n.$ref.slice(2).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).reduce((o, k) => o[k], doc);
  }
  return n;
};

// The documented schema of a response, as a JSON pointer into the document.
function schemaPointer(method, route, status) {
  const op = doc.paths[route]?.[method.toLowerCase()];
  assert.ok(op, `${method} ${route} is not documented`);
  let ptr = ['paths', route, method.toLowerCase(), 'responses', String(status)];
  let res = op.responses[String(status)];
  assert.ok(res, `${method} ${route} does not document status ${status}`);
  if (res.$ref) {
    ptr = res.$ref.slice(2).split('/');
    res = deref(res);
  }
  assert.ok(res.content?.['application/json']?.schema, `${method} ${route} ${status} has no JSON schema`);
  const esc = (p) => p.replace(/~/g, '~0').replace(/\//g, '~1');
  return `/${[...ptr, 'content', 'application/json', 'schema'].map(esc).join('/')}`;
}

// Fields of `data` that `schema` does not name, as paths ("assets/0/foo").
function undocumented(data, schema, at = '') {
  const s = deref(schema);
  if (!s || data === null || typeof data !== 'object') return [];
  for (const key of ['oneOf', 'anyOf']) {
    if (s[key]) {
      // the branch that leaves the fewest fields unnamed
      const found = s[key].map((b) => undocumented(data, b, at));
      return found.reduce((best, f) => (f.length < best.length ? f : best));
    }
  }
  if (Array.isArray(data)) return s.items ? data.flatMap((v, i) => undocumented(v, s.items, `${at}/${i}`)) : [];
  const props = {};
  for (const part of [s, ...(s.allOf ?? []).map(deref)]) Object.assign(props, part.properties ?? {});
  if (!Object.keys(props).length || s.additionalProperties) return []; // a free-form object
  return Object.entries(data).flatMap(([k, v]) => (k in props ? undocumented(v, props[k], `${at}/${k}`) : [`${at}/${k}`]));
}

/** Sends a request and checks its answer against the documented response; returns the JSON. */
async function call(method, route, params, { status, body, query = '', auth = token } = {}) {
  const path = route.replace(/\{(\w+)\}/g, (_, k) => String(params[k])) + query;
  const res = await srv.req(method, path, { token: auth ?? undefined, body });
  if (status !== undefined) assert.equal(res.status, status, `${method} ${path}: ${res.text}`);
  else assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
  assert.ok(res.json !== null, `${method} ${path} answered no JSON`);
  const ptr = schemaPointer(method, route, res.status);
  const validate = ajv.getSchema(`${DOC_ID}#${ptr}`) ?? ajv.compile({ $ref: `${DOC_ID}#${ptr}` });
  if (!validate(res.json)) problems.push(`${method} ${route} ${res.status}: ${ajv.errorsText(validate.errors)}`);
  const extra = [...new Set(undocumented(res.json, { $ref: `#${ptr}` }).map((f) => f.replace(/\/\d+\//g, '/*/')))];
  if (extra.length) problems.push(`${method} ${route} ${res.status}: not in docs/openapi.yaml: ${extra.join(', ')}`);
  checked.add(`${method} ${route}`);
  return res.json;
}

before(async () => {
  doc = yaml.load(await readFile(join(ROOT, 'docs', 'openapi.yaml'), 'utf8'));
  ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  ajv.addSchema(doc, DOC_ID);
  ({ srv, token } = await startWithAdmin());
});

after(async () => {
  await srv?.close();
});

test('the answers of the main routes match their documented schemas', async () => {
  await call('GET', '/healthz', {}, { auth: null });
  await call('GET', '/api/v1/auth/status', {}, { auth: null });
  await call('POST', '/api/v1/auth/login', {}, { auth: null, body: { name: 'admin', password: 'password123' } });
  await call('GET', '/api/v1/me', {});
  await call('POST', '/api/v1/me/tokens', {}, { status: 201, body: { name: 'ci' } });
  await call('GET', '/api/v1/me/tokens', {});

  const bob = await call('POST', '/api/v1/users', {}, { status: 201, body: { name: 'bob', password: 'password123' } });
  await call('GET', '/api/v1/users', {});
  await call('PATCH', '/api/v1/users/{user_id}', { user_id: bob.id }, { body: { disabled: true } });
  await call('PATCH', '/api/v1/users/{user_id}', { user_id: bob.id }, { body: { disabled: false } });

  const p = await call('POST', '/api/v1/projects', {}, { status: 201, body: { name: 'Pets' } });
  const pid = { project_id: p.id };
  await call('GET', '/api/v1/projects', {});
  await call('GET', '/api/v1/projects/{project_id}', pid);
  await call('PATCH', '/api/v1/projects/{project_id}', pid, { body: { name: 'Animals' } });
  await call('POST', '/api/v1/projects/{project_id}/members', pid, { status: 201, body: { name: 'bob', role: 'labeler' } });
  await call('PUT', '/api/v1/projects/{project_id}/members/{user_id}', { ...pid, user_id: bob.id }, { body: { role: 'reviewer' } });
  await call('GET', '/api/v1/projects/{project_id}/members', pid);

  const cats = [];
  for (const name of ['cat', 'dog', 'bird']) {
    cats.push(await call('POST', '/api/v1/projects/{project_id}/categories', pid, { status: 201, body: { name } }));
  }
  const cid = (c) => ({ ...pid, category_id: c.id });
  await call('PATCH', '/api/v1/projects/{project_id}/categories/{category_id}', cid(cats[1]), { body: { state: 'disabled' } });
  await call('PUT', '/api/v1/projects/{project_id}/categories/order', pid, { body: { order: [cats[2].id, cats[1].id, cats[0].id] } });
  await call('DELETE', '/api/v1/projects/{project_id}/categories/{category_id}', cid(cats[2]));
  await call('GET', '/api/v1/projects/{project_id}/categories', pid, { query: '?include_deleted=true' });

  const fd = new FormData();
  for (let i = 1; i <= 3; i++) fd.append('file', new Blob([tinyPng(i)], { type: 'image/png' }), `img_${i}.png`);
  fd.append('file', new Blob(['not an image'], { type: 'text/plain' }), 'notes.txt');
  const up = await call('POST', '/api/v1/projects/{project_id}/assets', pid, { status: 201, body: fd });
  assert.equal(up.assets.length, 3);
  assert.equal(up.errors.length, 1, 'the text file is refused in errors, and its entry is checked too');
  const [a1, a2, a3] = up.assets;
  const aid = (a) => ({ asset_id: a.id });

  await call('GET', '/api/v1/projects/{project_id}/assets', pid);
  await call('GET', '/api/v1/assets/{asset_id}', aid(a1));
  await call('PUT', '/api/v1/assets/{asset_id}/annotation', aid(a1), { body: { category_ids: [cats[0].id] } });
  await call('PUT', '/api/v1/assets/{asset_id}/annotation', aid(a2), { body: { status: 'skipped' } });
  await call('GET', '/api/v1/assets/{asset_id}/annotation', aid(a3));
  await call('GET', '/api/v1/assets/{asset_id}/annotation/history', aid(a1));
  await call('POST', '/api/v1/projects/{project_id}/annotations/bulk', pid, { body: { action: 'approve', asset_ids: [a1.id, a3.id] } });
  await call('GET', '/api/v1/projects/{project_id}/stats', pid);
  await call('GET', '/api/v1/projects/{project_id}/history', pid);

  const list = await call('GET', '/api/v1/projects/{project_id}/assets', pid);
  assert.equal(list.assets.find((a) => a.id === a1.id).annotation.status, 'approved');

  await call('GET', '/api/v1/projects/{project_id}/exports/preview', pid, { query: '?statuses=approved,labeled' });
  const ex = await call('POST', '/api/v1/projects/{project_id}/exports', pid, { status: 202, body: { statuses: ['approved'] } });
  let got = ex;
  for (let i = 0; i < 200 && got.state !== 'ready' && got.state !== 'failed'; i++) {
    await new Promise((r) => setTimeout(r, 50));
    got = await call('GET', '/api/v1/exports/{export_id}', { export_id: ex.id });
  }
  assert.equal(got.state, 'ready');
  await call('GET', '/api/v1/projects/{project_id}/exports', pid);
  await call('GET', '/api/v1/projects/{project_id}/videos', pid);

  // an error answer matches the Error schema of its status
  await call('GET', '/api/v1/projects/{project_id}', { project_id: 999999 }, { status: 404 });
  await call('POST', '/api/v1/projects/{project_id}/categories', pid, { status: 409, body: { name: 'cat' } });
  assert.deepEqual(problems, [], 'answers that do not match docs/openapi.yaml');
  assert.ok(checked.size >= 35, `checked ${checked.size} operations`);
});

test('the checker itself finds a wrong type and an undocumented field', async () => {
  const source = { type: 'video_frame', video_id: 1, video_file_name: 'a.mp4', frame_index: 0, timestamp_ms: 0 };
  assert.deepEqual(undocumented({ source }, { $ref: '#/components/schemas/Asset' }), [], 'a oneOf takes its best branch');
  assert.deepEqual(undocumented({ source: { ...source, fps: 1 } }, { $ref: '#/components/schemas/Asset' }), ['/source/fps']);
  const ptr = schemaPointer('GET', '/api/v1/assets/{asset_id}', 200);
  const validate = ajv.getSchema(`${DOC_ID}#${ptr}`) ?? ajv.compile({ $ref: `${DOC_ID}#${ptr}` });
  assert.equal(validate({ id: 'seven' }), false);
  assert.deepEqual(undocumented({ id: 7, annotation: { status: 'labeled', mood: 1 } }, { $ref: `#${ptr}` }), ['/annotation/mood']);
});

test('the answers of the model, suggestion and run routes match their documented schemas', async () => {
  const before = problems.length;
  const p = await call('POST', '/api/v1/projects', {}, { status: 201, body: { name: 'Colours' } });
  const pid = { project_id: p.id };
  const ids = [];
  for (const name of ['red', 'green', 'blue']) {
    ids.push((await call('POST', '/api/v1/projects/{project_id}/categories', pid, { status: 201, body: { name } })).id);
  }
  const fd = new FormData();
  for (let i = 1; i <= 2; i++) fd.append('file', new Blob([tinyPng(100 + i)], { type: 'image/png' }), `c_${i}.png`);
  const [a1, a2] = (await call('POST', '/api/v1/projects/{project_id}/assets', pid, { status: 201, body: fd })).assets;
  const list = await call('GET', '/api/v1/projects/{project_id}/models', pid);
  if (!list.inference_available) return; // no ONNX Runtime here: model-assisted labeling is off

  const models = join(ROOT, 'tests', 'models');
  const meta = { ...JSON.parse(await readFile(join(models, 'colour_a.json'), 'utf8')), labels_hash: list.categories_hash, outputs: ids };
  const form = new FormData();
  form.append('file', new Blob([await readFile(join(models, 'colour_a.onnx'))]), 'colour_a.onnx');
  form.append('metadata', JSON.stringify(meta));
  const m = await call('POST', '/api/v1/projects/{project_id}/models', pid, { status: 201, body: form });
  const mid = { ...pid, model_id: m.id };
  await call('GET', '/api/v1/projects/{project_id}/models/{model_id}', mid);
  await call('PATCH', '/api/v1/projects/{project_id}/models/{model_id}', mid, { body: { active: true } });
  const s = (await call('GET', '/api/v1/assets/{asset_id}/suggestions', { asset_id: a1.id }, { query: '?model=active' })).suggestion;
  await call('POST', '/api/v1/assets/{asset_id}/suggestions/{suggestion_id}/review',
    { asset_id: a1.id, suggestion_id: s.suggestion_id }, { body: { category_ids: [ids[0]] } });
  await call('GET', '/api/v1/projects/{project_id}/suggestions/stats', pid);
  await call('GET', '/api/v1/projects/{project_id}/assets', pid, { query: '?suggested=true' });
  const run = await call('POST', '/api/v1/projects/{project_id}/suggestions/batch', pid, { status: 202, body: { model_id: m.id, status: 'all' } });
  const samp = await call('POST', '/api/v1/projects/{project_id}/sampling', pid, { status: 202, body: { strategy: 'entropy' } });
  for (const r of [run, samp]) {
    let got = r;
    for (let i = 0; i < 400 && ['queued', 'running'].includes(got.state); i++) {
      await new Promise((res) => setTimeout(res, 25));
      got = await call('GET', '/api/v1/projects/{project_id}/runs/{run_id}', { ...pid, run_id: r.id });
    }
    assert.equal(got.state, 'done');
  }
  await call('GET', '/api/v1/projects/{project_id}/runs', pid);
  await call('POST', '/api/v1/projects/{project_id}/runs/{run_id}/cancel', { ...pid, run_id: run.id });
  await call('POST', '/api/v1/projects/{project_id}/sampling', pid, { status: 400, body: { strategy: 'guess' } });
  await call('GET', '/api/v1/assets/{asset_id}/suggestions', { asset_id: a2.id }, { status: 404, query: '?model=999999' });
  assert.deepEqual(problems.slice(before), [], 'answers that do not match docs/openapi.yaml');
});
