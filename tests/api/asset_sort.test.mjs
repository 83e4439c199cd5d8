// The asset grid's sorts and file-name search: ?sort=uploaded|name|id (a
// leading "-" reverses), ?q= (text in the file name, either case). Pages
// walked with their cursors give exactly the whole list in that order under
// every filter; the counts follow the search; bad values are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithAdmin } from '../lib/server.mjs';
import { tinyPng } from '../lib/tinypng.mjs';

let srv, token, pid, cat;
const names = ['b.png', 'A.png', 'cat_b.png', 'c.png', 'a2.png', 'Zeta.png', 'cat_a.png', 'CAT_c.png'];
const byName = {};

const get = async (q) => {
  const r = await srv.req('GET', `/api/v1/projects/${pid}/assets${q}`, { token });
  return r;
};
// Every page of a query, by its cursors, with limit 3.
async function walk(q) {
  const ids = [];
  let cursor = null;
  let counts;
  for (let i = 0; i < 20; i++) {
    const r = await get(`?limit=3&${q}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    assert.equal(r.status, 200, r.text);
    ids.push(...r.json.assets.map((a) => a.id));
    counts = r.json.counts;
    cursor = r.json.next_cursor;
    if (!cursor) return { ids, counts };
  }
  throw new Error('too many pages');
}
const idsOf = (list) => list.map((n) => byName[n]);

before(async () => {
  ({ srv, token } = await startWithAdmin());
  pid = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Sorts' } })).json.id;
  cat = (await srv.req('POST', `/api/v1/projects/${pid}/categories`, { token, body: { name: 'x' } })).json.id;
  // One upload each, so upload order is the order of `names`.
  for (const [i, n] of names.entries()) {
    const fd = new FormData();
    fd.append('file', new Blob([tinyPng(900 + i)], { type: 'image/png' }), n);
    const r = await srv.req('POST', `/api/v1/projects/${pid}/assets`, { token, body: fd });
    assert.equal(r.status, 201, r.text);
    byName[n] = r.json.assets[0].id;
  }
  for (const n of ['b.png', 'cat_a.png', 'Zeta.png']) {
    const r = await srv.req('PUT', `/api/v1/assets/${byName[n]}/annotation`, { token, body: { category_ids: [cat] } });
    assert.equal(r.status, 200, r.text);
  }
});
after(async () => { await srv.close(); });

test('each sort, walked page by page, is the whole list in that order', async () => {
  const nameOrder = [...names].sort(); // byte order: upper case first
  const uploadOrder = [...names];
  const cases = [
    ['sort=name', nameOrder],
    ['sort=-name', [...nameOrder].reverse()],
    ['sort=uploaded', uploadOrder],
    ['sort=-uploaded', [...uploadOrder].reverse()],
    ['sort=id', uploadOrder],
    ['sort=-id', [...uploadOrder].reverse()],
    ['', uploadOrder],
  ];
  for (const [q, order] of cases) {
    const { ids, counts } = await walk(q);
    assert.deepEqual(ids, idsOf(order), q);
    assert.equal(counts.all, names.length);
  }
});

test('sorts combine with the status and category filters', async () => {
  const labeled = ['b.png', 'cat_a.png', 'Zeta.png'];
  assert.deepEqual((await walk('status=labeled&sort=-name')).ids, idsOf([...labeled].sort().reverse()));
  assert.deepEqual((await walk(`category_id=${cat}&sort=name`)).ids, idsOf([...labeled].sort()));
  assert.deepEqual((await walk('status=unlabeled&sort=-uploaded')).ids,
    idsOf(names.filter((n) => !labeled.includes(n)).reverse()));
});

test('q finds file names holding the text in either case; the counts follow it', async () => {
  const cats = ['cat_b.png', 'cat_a.png', 'CAT_c.png'];
  const r = await walk('q=cat&sort=name');
  assert.deepEqual(r.ids, idsOf([...cats].sort()));
  assert.equal(r.counts.all, 3);
  assert.equal(r.counts.labeled, 1);
  assert.equal(r.counts.unlabeled, 2);
  assert.deepEqual((await walk('q=CAT')).ids, idsOf(cats), 'the default order, searched');
  const lab = await walk('q=cat&status=labeled');
  assert.deepEqual(lab.ids, idsOf(['cat_a.png']));
  assert.equal(lab.counts.all, 3, 'the counts ignore the status filter, as without q');
  const catq = await walk(`q=a&category_id=${cat}&sort=-name`);
  assert.deepEqual(catq.ids, idsOf(['cat_a.png', 'Zeta.png']));
  assert.equal(catq.counts.all, 2);
  const none = await walk('q=%25');
  assert.deepEqual(none.ids, [], 'LIKE wildcards are plain text');
  assert.equal(none.counts.all, 0);
  assert.deepEqual((await walk('q=a_')).ids, [], '"_" is plain text too (it would match a2.png)');
  assert.deepEqual((await walk('q=t_b')).ids, idsOf(['cat_b.png']));
  assert.deepEqual((await walk('q=%5C')).ids, [], 'a backslash is plain text');
});

test('a bad sort, an overlong q or a cursor of another sort is refused', async () => {
  const bad = await get('?sort=size');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.error.code, 'invalid_parameter');
  assert.match(bad.json.error.message, /sort/);
  assert.equal((await get('?sort=--name')).status, 400);
  const long = await get(`?q=${'a'.repeat(256)}`);
  assert.equal(long.status, 400);
  assert.match(long.json.error.message, /\bq\b/);

  const first = await get('?limit=2&sort=name');
  const cur = encodeURIComponent(first.json.next_cursor);
  const other = await get(`?limit=2&sort=uploaded&cursor=${cur}`);
  assert.equal(other.status, 400);
  assert.equal(other.json.error.code, 'invalid_cursor');
  assert.equal((await get(`?limit=2&cursor=${cur}`)).status, 400, 'a sorted cursor is not an id cursor');
  const idCur = encodeURIComponent((await get('?limit=2')).json.next_cursor);
  assert.equal((await get(`?limit=2&sort=-name&cursor=${idCur}`)).status, 400);
});

test("a cursor naming another project's asset reads nothing of that asset", async () => {
  // The cursor's row bounds the next page by its key: a row of another
  // project must not, or pages would tell where its file name sorts.
  const other = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Other' } })).json.id;
  const fd = new FormData();
  fd.append('file', new Blob([tinyPng(3000)], { type: 'image/png' }), 'bz.png');
  fd.append('file', new Blob([tinyPng(3001)], { type: 'image/png' }), 'zz.png');
  assert.equal((await srv.req('POST', `/api/v1/projects/${other}/assets`, { token, body: fd })).status, 201);
  for (const sort of ['name', '-name', 'uploaded', '-uploaded']) {
    const page = await srv.req('GET', `/api/v1/projects/${other}/assets?limit=1&sort=${sort}`, { token });
    assert.equal(page.status, 200, page.text);
    const cur = encodeURIComponent(page.json.next_cursor);
    const r = await get(`?limit=3&sort=${sort}&cursor=${cur}`);
    const fresh = await get(`?limit=3&sort=${sort}`);
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.json.assets.map((a) => a.id), fresh.json.assets.map((a) => a.id), sort);
  }
});

test('equal keys (one file name many times, one upload) page by id without a gap or a repeat', async () => {
  const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Ties' } })).json.id;
  const fd = new FormData();
  for (let i = 0; i < 7; i++) fd.append('file', new Blob([tinyPng(2000 + i)], { type: 'image/png' }), i === 6 ? 'a.png' : 'same.png');
  const up = await srv.req('POST', `/api/v1/projects/${p}/assets`, { token, body: fd });
  assert.equal(up.status, 201, up.text);
  const ids = up.json.assets.map((a) => a.id);
  const pid0 = pid;
  pid = p;
  try {
    const same = ids.slice(0, 6);
    assert.deepEqual((await walk('sort=name')).ids, [ids[6], ...same]);
    assert.deepEqual((await walk('sort=-name')).ids, [...same].reverse().concat(ids[6]));
    const up1 = (await walk('sort=uploaded')).ids;
    assert.deepEqual([...up1].sort((x, y) => x - y), ids, 'every asset once');
    assert.deepEqual((await walk('sort=-uploaded')).ids, [...up1].reverse());
  } finally {
    pid = pid0;
  }
});

test('q of 3+ characters (the trigram index) and of 1-2 gives what a scan of the names gives, in every sort, page by page', async () => {
  const p = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'Search' } })).json.id;
  const found = [
    '50%_off.png', '50x_off.png', '50%xoff.png', 'back%5Cslash.png', 'backslash.png', 'UPPER_Case.PNG',
    'lower_case.png', 'MiXeD_cAsE.jpg', 'Ünïcode_résumé.png', 'ünïcode_RÉSUMÉ.png', 'quote%22name.png',
    'ab.png', 'a.png', 'same.jpg', 'same.jpg', 'case', 'CaSe',
  ];
  const fd = new FormData();
  found.forEach((n, i) => fd.append('file', new Blob([tinyPng(4000 + i)], { type: 'image/png' }), n));
  const up = await srv.req('POST', `/api/v1/projects/${p}/assets`, { token, body: fd });
  assert.equal(up.status, 201, up.text);
  const assets = up.json.assets;
  assert.deepEqual(assets.map((a) => a.file_name), found);
  const pid0 = pid;
  pid = p;
  try {
    // ASCII letters fold, nothing else; %, _ and \ are plain text.
    const fold = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const check = async (live) => {
      const queries = ['%', '_', '\\', '"', 'e', '.p', 'Ü', '50%', '%_o', '0x_', 'k\\s', 'case', 'CASE', 'per_c',
        'résumé', 'RÉSUMÉ', 'ünï', 'e"n', '%5C', '%22n', 'jpg', '.png', 'same', 'zzz', '50%_off.png'];
      const sorts = ['name', '-name', 'uploaded', '-uploaded', 'id', '-id'];
      const whole = {};
      for (const s of sorts) whole[s] = (await walk(`sort=${s}`)).ids;
      for (const q of queries) {
        const want = new Set(live.filter((a) => fold(a.file_name).includes(fold(q))).map((a) => a.id));
        for (const s of sorts) {
          const got = await walk(`q=${encodeURIComponent(q)}&sort=${s}`);
          assert.deepEqual(got.ids, whole[s].filter((id) => want.has(id)), `q=${q} sort=${s}`);
          assert.equal(got.counts.all, want.size, `q=${q} counts`);
        }
      }
    };
    await check(assets);
    assert.deepEqual((await walk('q=r%C3%A9sum')).ids, [assets[found.indexOf('Ünïcode_résumé.png')].id], 'UTF-8 text, its case as written');

    // A deleted asset is no longer found, in the rows or the counts; back
    // from the trash, it is again.
    const gone = assets[found.indexOf('lower_case.png')];
    assert.equal((await srv.req('DELETE', `/api/v1/assets/${gone.id}`, { token })).status, 204);
    const live = assets.filter((a) => a.id !== gone.id);
    await check(live);
    assert.equal((await walk('q=lower')).counts.all, 0);
    const back = await srv.req('POST', `/api/v1/assets/${gone.id}/restore`, { token });
    assert.ok(back.status === 200 || back.status === 204, back.text);
    assert.deepEqual((await walk('q=lower_c')).ids, [gone.id]);
  } finally {
    pid = pid0;
  }
});
