// bench/scale: annotation writes and asset pages through haproxy, against
// 1 and then 3 `tessera serve` processes on one PostgreSQL database and one
// data folder (deploy/run-local), with a single SQLite process behind the
// same haproxy configuration beside them, all in the same run. In the
// 3-process run one process is killed with SIGKILL mid-run. Each run
// reports requests/s, p99 of writes and of pages, the errors clients saw,
// and the acknowledged writes lost: after the run every acknowledged write
// is read back through the API and its revision compared (must be 0).
// The ceiling, measured in the same run: GET /healthz through haproxy from
// the same client.
//
//   node bench/scale/run.mjs
//   ASSETS=300 SECONDS=6 CONNS=16 node bench/scale/run.mjs
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, BIN, startWithAdmin } from '../../tests/lib/server.mjs';
import { uploadPngs } from '../../tests/lib/tinypng.mjs';

const run = promisify(execFile);
const ASSETS = Number(process.env.ASSETS || 300);
const SECONDS = Number(process.env.SECONDS || 6);
const CONNS = Number(process.env.CONNS || 16);
const WRITE_SHARE = 0.5; // the rest are asset pages
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A base port with the three after it, below the kernel's ephemeral range
// (32768 and up), where other programs' servers on "any free port" land: a
// port freed by the killed process must not be taken by a stranger that
// haproxy's check would then find ready.
const basePort = () => 20000 + Math.floor(Math.random() * 3000) * 4;

async function until(what, fn, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    try { if (await fn()) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// haproxy with deploy/haproxy.cfg in front of the given addresses (the
// same filtering as deploy/run-local), in the foreground as a child.
async function haproxyFor(addrs, lbPort, dir) {
  const cfg = (await readFile(join(ROOT, 'deploy/haproxy.cfg'), 'utf8')).split('\n')
    .filter((l) => { const m = /^\tserver s(\d)/.exec(l); return !m || Number(m[1]) <= addrs.length; }).join('\n');
  const path = join(dir, 'haproxy.cfg');
  await writeFile(path, cfg);
  const env = { ...process.env, TESSERA_LB_ADDR: `127.0.0.1:${lbPort}` };
  addrs.forEach((a, i) => { env[`TESSERA_S${i + 1}`] = a; });
  const proc = spawn('haproxy', ['-db', '-f', path], { env, stdio: 'ignore' });
  return proc;
}

async function api(url, token, method, path, body) {
  const r = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : null };
}

// A project with 4 categories and ASSETS tiny images, made through url.
async function seed(url, token) {
  const srv = { req: (m, p, { body } = {}) => fetch(url + p, { method: m, headers: { authorization: `Bearer ${token}` }, body })
    .then(async (r) => { const t = await r.text(); return { status: r.status, json: t ? JSON.parse(t) : null, text: t }; }) };
  const pid = (await api(url, token, 'POST', '/api/v1/projects', { name: 'scale' })).json.id;
  const cats = [];
  for (const name of ['a', 'b', 'c', 'd']) cats.push((await api(url, token, 'POST', `/api/v1/projects/${pid}/categories`, { name })).json.id);
  const assets = await uploadPngs(srv, token, pid, ASSETS, { batch: 100, w: 8, h: 8 });
  return { pid, cats, ids: assets.map((a) => a.id) };
}

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// CONNS clients for SECONDS: writes (a new label, last writer wins) and
// asset pages. onHalf runs at half time (the kill).
async function load(url, token, { pid, cats, ids }, { seconds = SECONDS, onHalf, healthOnly = false } = {}) {
  const acked = new Map(); // asset id -> { revision, category }
  const lat = { write: [], page: [], health: [] };
  let ok = 0, errors = 0, stop = false;
  const statuses = {};
  async function client() {
    while (!stop) {
      const t0 = performance.now();
      try {
        if (healthOnly) {
          const r = await fetch(`${url}/healthz`);
          await r.arrayBuffer();
          if (r.ok) { ok++; lat.health.push(performance.now() - t0); } else { errors++; statuses[r.status] = (statuses[r.status] || 0) + 1; }
        } else if (Math.random() < WRITE_SHARE) {
          const id = ids[Math.floor(Math.random() * ids.length)];
          const c = cats[Math.floor(Math.random() * cats.length)];
          const r = await api(url, token, 'PUT', `/api/v1/assets/${id}/annotation`, { category_ids: [c] });
          if (r.status === 200) {
            ok++;
            lat.write.push(performance.now() - t0);
            if ((acked.get(id)?.revision ?? -1) < r.json.revision) acked.set(id, { revision: r.json.revision, category: c });
          } else { errors++; statuses[r.status] = (statuses[r.status] || 0) + 1; }
        } else {
          const sort = ['id', '-id', 'name'][Math.floor(Math.random() * 3)];
          const r = await fetch(`${url}/api/v1/projects/${pid}/assets?limit=50&sort=${sort}`, { headers: { authorization: `Bearer ${token}` } });
          await r.arrayBuffer();
          if (r.ok) { ok++; lat.page.push(performance.now() - t0); } else { errors++; statuses[r.status] = (statuses[r.status] || 0) + 1; }
        }
      } catch {
        errors++;
        statuses.reset = (statuses.reset || 0) + 1;
      }
    }
  }
  const start = performance.now();
  const clients = Array.from({ length: CONNS }, client);
  if (onHalf) { await sleep((seconds * 1000) / 2); await onHalf(); await sleep((seconds * 1000) / 2); } else await sleep(seconds * 1000);
  stop = true;
  await Promise.all(clients);
  const secs = (performance.now() - start) / 1000;
  return { rps: ok / secs, errors, statuses, acked, writes: lat.write.length, p99w: pct(lat.write, 99), p99p: pct(lat.page, 99), p99h: pct(lat.health, 99), p50w: pct(lat.write, 50) };
}

// Every acknowledged write read back: lost when the stored revision is
// older, or the same revision holds another label, or it cannot be read
// (after 3 tries).
async function lostWrites(url, token, acked) {
  let lost = 0;
  const entries = [...acked];
  for (let i = 0; i < entries.length; i += 16) {
    await Promise.all(entries.slice(i, i + 16).map(async ([id, w]) => {
      let r;
      for (let t = 0; t < 3; t++) {
        r = await api(url, token, 'GET', `/api/v1/assets/${id}/annotation`).catch(() => ({ status: 0 }));
        if (r.status === 200) break;
        await sleep(200);
      }
      if (r.status !== 200) {
        console.error(`asset ${id}: the read back answered ${r.status}`);
        lost++;
      } else if (r.json.revision < w.revision ||
          (r.json.revision === w.revision && !r.json.category_ids.includes(w.category))) {
        console.error(`asset ${id}: acknowledged revision ${w.revision}, stored ${r.json.revision}`);
        lost++;
      }
    }));
  }
  return lost;
}

const rows = [];
const f = (x) => (Number.isFinite(x) ? x.toFixed(x < 10 ? 1 : 0) : 'n/a');
function report(name, r, lost, note = '') {
  const errs = Object.entries(r.statuses).map(([k, v]) => `${k}:${v}`).join(' ') || '0';
  rows.push(`  ${name.padEnd(34)} ${f(r.rps).padStart(6)} req/s  p99 write ${f(r.p99w).padStart(5)} ms  p99 page ${f(r.p99p).padStart(5)} ms  ` +
    `errors ${errs}  acknowledged writes ${r.acked.size} assets / lost ${lost}${note}`);
}

let totalLost = 0;
const work = await mkdtemp(join(tmpdir(), 'tessera-bench-scale-'));
try {
  // 1. SQLite, one process, behind haproxy
  {
    const { srv, token } = await startWithAdmin({ sqlite: true });
    const lb = basePort();
    const hp = await haproxyFor([`127.0.0.1:${srv.port}`], lb, work);
    const url = `http://127.0.0.1:${lb}`;
    try {
      await until('haproxy', async () => (await fetch(`${url}/readyz`)).ok);
      await sleep(2100); // rise 2
      const data = await seed(url, token);
      const ceiling = await load(url, token, data, { healthOnly: true, seconds: Math.max(2, SECONDS / 2) });
      rows.push(`  ceiling: GET /healthz through haproxy ${f(ceiling.rps)} req/s  p99 ${f(ceiling.p99h)} ms`);
      const r = await load(url, token, data);
      const lost = await lostWrites(url, token, r.acked);
      totalLost += lost;
      report('SQLite, 1 process', r, lost, `  (${(r.rps / ceiling.rps).toFixed(2)} of ceiling)`);
    } finally {
      hp.kill('SIGTERM');
      await srv.close();
    }
  }
  // 2. and 3. PostgreSQL, 1 then 3 processes (deploy/run-local)
  for (const procs of [1, 3]) {
    const state = join(work, `pg-${procs}`);
    const lb = basePort();
    const env = { ...process.env, TESSERA_DEPLOY_DIR: state, TESSERA_PROCS: String(procs), TESSERA_LB_PORT: String(lb),
      TESSERA_DRAIN_S: '0.5', TESSERA_BIN: BIN, TESSERA_JOB_LEASE_MS: '3000' };
    await run(join(ROOT, 'deploy/run-local'), [], { env, maxBuffer: 1 << 20 });
    const url = `http://127.0.0.1:${lb}`;
    try {
      const token = (await readFile(join(state, 'admin.token'), 'utf8')).trim();
      const data = await seed(url, token);
      let note = '';
      const r = await load(url, token, data, {
        onHalf: procs === 3 ? async () => {
          const pid = Number(await readFile(join(state, 'tessera-2.pid'), 'utf8'));
          process.kill(pid, 'SIGKILL');
          note = `  (process 2 of 3 killed with SIGKILL at ${SECONDS / 2} s)`;
        } : null,
      });
      const lost = await lostWrites(url, token, r.acked);
      totalLost += lost;
      report(`PostgreSQL, ${procs} process${procs > 1 ? 'es' : ''}`, r, lost, note);
    } finally {
      await run(join(ROOT, 'deploy/stop-local'), [], { env });
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
console.log(`bench/scale: ${ASSETS} assets, ${CONNS} clients (${WRITE_SHARE * 100}% annotation writes, the rest asset pages of 50), ${SECONDS} s per run, ` +
  `${(await run('nproc')).stdout.trim()} cores, haproxy on loopback`);
for (const r of rows) console.log(r);
console.log(`  acknowledged writes lost in all runs: ${totalLost} (must be 0)`);
process.exit(totalLost ? 1 : 0);
