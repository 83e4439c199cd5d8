// Server side of bench/labeling: annotation writes per second and latency
// with 32 concurrent clients (wrk + Lua), beside the same machine's
// GET /healthz rate in the same run (the ceiling); then a durability run:
// 32 clients write, the server is killed with SIGKILL mid-run, and every
// acknowledged write must be there after the restart.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin } from '../tests/lib/server.mjs';
import { uploadPngs } from '../tests/lib/tinypng.mjs';

const run = promisify(execFile);
const ASSETS = Number(process.env.ASSETS || 5000);
const SECONDS = Number(process.env.SECONDS || 8);
const CONNS = 32;

const { srv, token } = await startWithAdmin();
const project = (await srv.req('POST', '/api/v1/projects', { token, body: { name: 'bench' } })).json;
const cats = [];
for (const n of ['a', 'b', 'c', 'd']) cats.push((await srv.req('POST', `/api/v1/projects/${project.id}/categories`, { token, body: { name: n } })).json.id);
const assets = await uploadPngs(srv, token, project.id, ASSETS, { batch: 200, w: 8, h: 8 });
const lo = assets[0].id, hi = assets.at(-1).id;

const lua = join(tmpdir(), `tessera-bench-${process.pid}.lua`);
await writeFile(lua, `
local token = "${token}"
local lo, hi = ${lo}, ${hi}
local cats = {${cats.join(',')}}
local paced = os.getenv("PACE_MS")
math.randomseed(os.time())
if paced then function delay() return tonumber(paced) end end
request = function()
  -- a different label each time, so every write is a real change
  local id = math.random(lo, hi)
  local c = cats[math.random(1, #cats)]
  return wrk.format("PUT", "/api/v1/assets/" .. id .. "/annotation",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"},
    '{"category_ids":[' .. c .. ']}')
end
`);

function parseWrk(out) {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const ms = (label) => {
    const m = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(out);
    if (!m) return NaN;
    return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
  };
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] || 0);
  return { rps, p50: ms(50), p99: ms(99), non2xx };
}

async function wrk(path, { script, env = {} } = {}) {
  const args = ['-t2', `-c${CONNS}`, `-d${SECONDS}s`, '--latency'];
  if (script) args.push('-s', script);
  const { stdout } = await run('wrk', [...args, srv.url + path], { env: { ...process.env, ...env } });
  return parseWrk(stdout);
}

const f = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 2 : 0) : 'n/a');
const health = await wrk('/healthz');
const writes = await wrk('/', { script: lua });
const paced = await wrk('/', { script: lua, env: { PACE_MS: '8' } });
console.log(`server: ${ASSETS} assets, ${CONNS} connections, ${SECONDS}s per run, ${(await run('nproc')).stdout.trim()} cores`);
console.log(`  ceiling GET /healthz      ${f(health.rps)} req/s   p50 ${f(health.p50)} ms   p99 ${f(health.p99)} ms`);
console.log(`  PUT annotation, saturated ${f(writes.rps)} writes/s  p50 ${f(writes.p50)} ms   p99 ${f(writes.p99)} ms   (${(writes.rps / health.rps).toFixed(3)} of ceiling; non-2xx ${writes.non2xx})`);
console.log(`  PUT annotation, paced     ${f(paced.rps)} writes/s  p50 ${f(paced.p50)} ms   p99 ${f(paced.p99)} ms   (32 clients, 8 ms think time; non-2xx ${paced.non2xx})`);
console.log(`  target: >= 3000 writes/s and p99 < 20 ms`);

// Durability: every acknowledged write survives SIGKILL.
const acked = new Map(); // asset id -> last acknowledged revision
let stop = false, sent = 0, failed = 0;
async function client() {
  while (!stop) {
    const id = lo + Math.floor(Math.random() * (hi - lo + 1));
    const c = cats[Math.floor(Math.random() * cats.length)];
    sent++;
    try {
      const r = await fetch(`${srv.url}/api/v1/assets/${id}/annotation`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ category_ids: [c] }),
      });
      if (r.ok) {
        const j = await r.json();
        if ((acked.get(id)?.revision ?? -1) < j.revision) acked.set(id, j);
      } else failed++;
    } catch { failed++; }
  }
}
const clients = Array.from({ length: CONNS }, client);
await new Promise((r) => setTimeout(r, 2000));
await srv.kill();
stop = true;
await Promise.all(clients);
await srv.start();
let lost = 0;
for (const [id, ann] of acked) {
  const g = await srv.req('GET', `/api/v1/assets/${id}/annotation`, { token });
  if (g.json.revision < ann.revision) lost++;
}
console.log(`  durability: ${acked.size} assets with acknowledged writes (${sent} sent, ${failed} cut off by the kill), ${lost} lost after SIGKILL + restart`);
await srv.close();
process.exit(lost ? 1 : 0);
