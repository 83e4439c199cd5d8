// Flag notes: a change to needs_review may say why. The note is kept in the
// history entry of that change and shown on the annotation until the next
// change (absent without one); bad notes (too long, controls, bidi overrides, with another
// status) are refused and write nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { uploadPngs } from '../lib/tinypng.mjs';

let srv, token, pid, cat, ids;
before(async () => {
  ({ srv, token } = await startWithAdmin());
  pid = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Notes' } })).json.id;
  cat = (await srv.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name: 'cat' } })).json.id;
  ids = (await uploadPngs(srv, token, pid, 3)).map((a) => a.id);
  for (const id of ids) {
    const r = await srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body: { category_ids: [cat] } });
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => { await srv.close(); });

const put = (id, body) => srv.req('PUT', `/api/v1/assets/${id}/annotation`, { token, body });
const get = async (id) => (await srv.req('GET', `/api/v1/assets/${id}/annotation`, { token })).json;
const history = async (id) => (await srv.req('GET', `/api/v1/assets/${id}/annotation/history`, { token })).json.history;

test('a flag keeps its note in the history and on the annotation until the next change', async () => {
  const note = 'Tail looks like a fox — check\nsecond line, ناقص';
  const r = await put(ids[0], { status: 'needs_review', note });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.note, note);
  assert.equal((await get(ids[0])).note, note);
  let h = await history(ids[0]);
  assert.equal(h.at(-1).to.status, 'needs_review');
  assert.equal(h.at(-1).note, note);
  assert.equal(h[0].note, undefined);

  // A repeat of the same status writes nothing, its note included.
  const again = await put(ids[0], { status: 'needs_review', note: 'another' });
  assert.equal(again.status, 200);
  assert.equal(again.json.note, note);
  assert.equal((await history(ids[0])).length, h.length);

  // The next change has no note: the annotation's note goes, the history keeps it.
  assert.equal((await put(ids[0], { status: 'approved' })).status, 200);
  assert.equal((await get(ids[0])).note, undefined);
  h = await history(ids[0]);
  assert.equal(h.at(-2).note, note);
  assert.equal(h.at(-1).note, undefined);

  // Without a note (or with an empty one) a flag has none.
  const bare = await put(ids[1], { status: 'needs_review', note: '' });
  assert.equal(bare.status, 200, bare.text);
  assert.equal(bare.json.note, undefined);
  assert.equal((await history(ids[1])).at(-1).note, undefined);
});

test('bad notes are refused and write nothing', async () => {
  const before = await history(ids[2]);
  const cases = [
    [{ status: 'needs_review', note: 'x'.repeat(501) }, 'invalid_note'],
    [{ status: 'needs_review', note: 'é'.repeat(501) }, 'invalid_note'],
    [{ status: 'needs_review', note: 'looks fine\u202Egnp.exe' }, 'invalid_note'],
    [{ status: 'needs_review', note: 'bell\u0007' }, 'invalid_note'],
    [{ status: 'approved', note: 'why' }, 'note_not_allowed'],
    [{ status: 'skipped', note: 'why' }, 'note_not_allowed'],
    [{ category_ids: [cat], note: 'why' }, 'note_not_allowed'],
    [{ status: 'needs_review', note: 5 }, 'invalid_field'],
  ];
  for (const [body, code] of cases) {
    const r = await put(ids[2], body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json.error.code, code, JSON.stringify(body));
    assert.ok(r.json.error.message.length > 0);
  }
  assert.deepEqual(await history(ids[2]), before);
  assert.equal((await get(ids[2])).status, 'labeled');
  // 500 characters (of any width) is the most.
  const r = await put(ids[2], { status: 'needs_review', note: '猫'.repeat(500) });
  assert.equal(r.status, 200, r.text);
  assert.equal((await history(ids[2])).at(-1).note, '猫'.repeat(500));
});
