// Bidirectional control characters (U+202A..U+202E, U+2066..U+2069) make a
// name display as something it is not ("cat\u202Egnp.exe" shows as
// "catexe.png"): project, category and file names holding one are refused
// with a 400 that names the character. The marks (LRM, RLM) stay allowed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { tinyPng } from '../lib/tinypng.mjs';

let srv;
let token;

before(async () => {
  ({ srv, token } = await startWithAdmin());
});

after(async () => {
  await srv?.close();
});

const api = (method, path, body) => srv.req(method, path, { token, body });
const RLO = '\u202E';

function assertBidi(r, code, what, cp) {
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.error.code, code);
  assert.match(r.json.error.message, new RegExp(`${what}.*bidirectional control character U\\+${cp}`));
}

test('given a project or category name with a bidi control, it is refused with 400 naming the character', async () => {
  assertBidi(await api('POST', '/api/v1/projects', { name: `Pets${RLO}steP` }), 'invalid_name', 'project name', '202E');
  const p = await api('POST', '/api/v1/projects', { name: 'Pets' });
  assert.equal(p.status, 201);
  assertBidi(await api('PATCH', `/api/v1/projects/${p.json.id}`, { name: 'a\u2066b\u2069' }), 'invalid_name', 'project name', '2066');
  const cats = `/api/v1/projects/${p.json.id}/categories`;
  assertBidi(await api('POST', cats, { name: `dog${RLO}tac` }), 'invalid_name', 'category name', '202E');
  const c = await api('POST', cats, { name: 'dog' });
  assert.equal(c.status, 201);
  assertBidi(await api('PATCH', `${cats}/${c.json.id}`, { name: '\u202Bgod' }), 'invalid_name', 'category name', '202B');
  // Nothing changed, and the marks are fine.
  assert.equal((await api('GET', `${cats}`)).json.categories.map((x) => x.name).join(), 'dog');
  const rlm = await api('POST', cats, { name: '\u05E9\u05DC\u05D5\u05DD\u200F 2' });
  assert.equal(rlm.status, 201, rlm.text);
});

test('given an uploaded file whose name holds a bidi control, that file is refused and the others go in', async () => {
  const p = (await api('POST', '/api/v1/projects', { name: 'Uploads' })).json;
  const fd = new FormData();
  fd.append('file', new Blob([tinyPng(1, 4, 4)], { type: 'image/png' }), `cat${RLO}gnp.exe`);
  fd.append('file', new Blob([tinyPng(2, 4, 4)], { type: 'image/png' }), 'plain.png');
  const r = await srv.req('POST', `/api/v1/projects/${p.id}/assets`, { token, body: fd });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.assets.map((a) => a.file_name), ['plain.png']);
  assert.equal(r.json.errors.length, 1);
  assert.equal(r.json.errors[0].code, 'invalid_file_name');
  assert.match(r.json.errors[0].message, /file name contains the bidirectional control character U\+202E/);
  const v = new FormData();
  v.append('fps', '1');
  v.append('file', new Blob([Buffer.from('not read')], { type: 'video/mp4' }), `clip\u2067.mp4`);
  const rv = await srv.req('POST', `/api/v1/projects/${p.id}/videos`, { token, body: v });
  assertBidi(rv, 'invalid_file_name', 'file name', '2067');
});
