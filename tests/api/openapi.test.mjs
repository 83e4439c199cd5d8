// docs/openapi.yaml describes exactly the routes the server has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../lib/server.mjs';

async function serverRoutes() {
  const dir = join(ROOT, 'server', 'http');
  const routes = new Set();
  for (const f of (await readdir(dir)).filter((n) => n.endsWith('.c'))) {
    const text = await readFile(join(dir, f), 'utf8');
    for (const m of text.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"/g)) {
      let n = 0;
      const path = m[2].replace(/\{id\}/g, () => `{p${n++}}`);
      routes.add(`${m[1]} ${path}`);
    }
  }
  return routes;
}

async function documentedRoutes() {
  const text = await readFile(join(ROOT, 'docs', 'openapi.yaml'), 'utf8');
  const routes = new Set();
  let path = null;
  for (const line of text.split('\n')) {
    const p = line.match(/^ {2}(\/[^:]*):\s*$/);
    if (p) { path = p[1]; continue; }
    if (/^\S/.test(line)) path = null;
    const m = line.match(/^ {4}(get|post|put|patch|delete):\s*$/);
    if (path && m) {
      let n = 0;
      routes.add(`${m[1].toUpperCase()} ${path.replace(/\{[a-z_]+\}/g, () => `{p${n++}}`)}`);
    }
  }
  return { routes, text };
}

test('every server route is documented in docs/openapi.yaml, and nothing else', async () => {
  const have = await serverRoutes();
  const { routes: doc, text } = await documentedRoutes();
  assert.match(text, /^openapi: 3\.1\.\d+/m);
  const undocumented = [...have].filter((r) => !doc.has(r)).sort();
  const stale = [...doc].filter((r) => !have.has(r)).sort();
  assert.deepEqual(undocumented, [], 'routes missing from docs/openapi.yaml');
  assert.deepEqual(stale, [], 'documented routes the server does not have');
  assert.ok(have.size >= 15);
});
