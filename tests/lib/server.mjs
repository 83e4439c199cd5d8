// Starts the real tessera binary on a free port with a fresh data folder,
// as a test fixture. Every test file gets its own server.
//
// With TESSERA_TEST_DB=postgres (and TESSERA_TEST_PG_URL, which
// tests/lib/pg.sh run sets), every data folder gets a fresh database of that
// PostgreSQL server too, passed to the server and the CLI as TESSERA_DB.
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const BIN = process.env.TESSERA_BIN || join(ROOT, 'build', 'tessera');
export const SANITIZED = process.env.TESSERA_SANITIZED === '1';
export const PG = process.env.TESSERA_TEST_DB === 'postgres';

// The temporary files under DATA/tmp: each process writes in its own
// folder DATA/tmp/p<pid>-<16 hex>, beside its lock file
// p<pid>-<16 hex>.lock; those are left out, the files in them are listed
// (names only), and so are other files directly in DATA/tmp.
export async function tmpFiles(dataDir) {
  const { readdir } = await import('node:fs/promises');
  const claim = /^p\d+-[0-9a-f]{16}$/;
  const out = [];
  for (const e of await readdir(join(dataDir, 'tmp'), { withFileTypes: true })) {
    if (e.isDirectory() && claim.test(e.name)) {
      try {
        out.push(...await readdir(join(dataDir, 'tmp', e.name)));
      } catch { /* the folder went meanwhile */ }
    } else if (!(e.isFile() && e.name.endsWith('.lock') && claim.test(e.name.slice(0, -5)))) {
      out.push(e.name);
    }
  }
  return out.sort();
}

// What tmpFiles finds once the work in flight there (a thumbnail being
// made in the background, written as tmp/.../<n>.jpg and then renamed) has
// ended: for checks that nothing was left behind.
export async function tmpSettled(dataDir, ms = 5000) {
  let left = await tmpFiles(dataDir);
  for (let waited = 0; left.length && waited < ms; waited += 100) {
    await new Promise((r) => setTimeout(r, 100));
    left = await tmpFiles(dataDir);
  }
  return left;
}

// base (a postgresql:// URL) with its database name replaced by db.
export function pgUrlWithDb(base, db) {
  const m = /^(postgres(?:ql)?:\/\/[^/]*)\/[^?]*(\?.*)?$/.exec(base);
  if (!m) throw new Error(`not a postgresql:// URL with a database: ${base}`);
  return `${m[1]}/${db}${m[2] || ''}`;
}

const psql = (url, sql) => run('psql', [url, '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql]);
let pgSeq = 0;

// A new, empty database on the test cluster; its URL.
export async function pgDatabase() {
  const base = process.env.TESSERA_TEST_PG_URL;
  if (!base) throw new Error('TESSERA_TEST_DB=postgres needs TESSERA_TEST_PG_URL (tests/lib/pg.sh run sets it)');
  const name = `t${process.pid}_${++pgSeq}`;
  await psql(base, `CREATE DATABASE ${name}`);
  return pgUrlWithDb(base, name);
}

async function pgDrop(url) {
  const name = /^postgres(?:ql)?:\/\/[^/]*\/([^?]+)/.exec(url)?.[1];
  if (name) await psql(process.env.TESSERA_TEST_PG_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {});
}

export async function freePort() {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

// Lines that mean a sanitizer found a bug: the run must fail on them.
const SANITIZER_RE = /(ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: UndefinedBehaviorSanitizer)/;

class Server {
  constructor(dataDir, opts) {
    this.dataDir = dataDir;
    this.opts = opts;
    this.dbUrl = opts.dbUrl || null;
    this.proc = null;
    this.log = '';
    this.port = 0;
    this.url = '';
  }

  env() {
    return {
      ...process.env,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS || 'detect_leaks=1:abort_on_error=1',
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS || 'print_stacktrace=1:halt_on_error=1',
      ...(this.dbUrl ? { TESSERA_DB: this.dbUrl } : {}),
      // no drain on SIGTERM unless a test asks for one: stops stay quick
      TESSERA_DRAIN_S: '0',
      ...(this.opts.env || {}),
    };
  }

  async start() {
    this.port = await freePort();
    this.url = `http://127.0.0.1:${this.port}`;
    const args = ['serve', '--listen', `127.0.0.1:${this.port}`, '--data', this.dataDir,
      '--web', this.opts.web || join(ROOT, 'web', 'dist'), ...(this.opts.args || [])];
    const proc = spawn(BIN, args, { env: this.env(), stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    proc.stdout.on('data', (d) => { this.log += d; });
    proc.stderr.on('data', (d) => { this.log += d; });
    // 'close', not 'exit': the process may have ended before the last of
    // its output (a final log line, a sanitizer report) was read.
    proc.exitPromise = new Promise((res) => proc.on('close', (code, signal) => res({ code, signal })));
    const deadline = Date.now() + (SANITIZED ? 30000 : 10000);
    for (;;) {
      if (proc.exitCode !== null) {
        await proc.exitPromise;
        throw new Error(`server exited early:\n${this.log}`);
      }
      try {
        const r = await fetch(`${this.url}/healthz`);
        if (r.ok) return this;
      } catch { /* not up yet */ }
      if (Date.now() > deadline) throw new Error(`server did not start:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  // Stops with a signal and waits; SIGTERM must end cleanly (exit 0) and
  // without a sanitizer report.
  async stop(signal = 'SIGTERM') {
    const proc = this.proc;
    if (!proc) return null;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const res = await proc.exitPromise;
    this.checkLog();
    if (signal === 'SIGTERM' && res.code !== 0) {
      throw new Error(`server exited with ${res.code ?? res.signal} on SIGTERM:\n${this.log.slice(-4000)}`);
    }
    return res;
  }

  // Waits until the log matches re (a line the server writes after it has
  // answered, such as the request log, comes a little later); false after
  // ms.
  async waitLog(re, ms = SANITIZED ? 30000 : 10000) {
    const deadline = Date.now() + ms;
    while (!re.test(this.log)) {
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  }

  checkLog() {
    const m = this.log.match(SANITIZER_RE);
    if (m) throw new Error(`sanitizer report in server log:\n${this.log.slice(Math.max(0, m.index - 200), m.index + 6000)}`);
  }

  async kill() { return this.stop('SIGKILL'); }

  // Runs one SQL statement on the server's database (sqlite3 on the data
  // folder's file, or psql); its output, trimmed. Rejects on an error, with
  // the database's message.
  async sql(q) {
    const { stdout } = this.dbUrl
      ? await psql(this.dbUrl, q)
      : await run('sqlite3', ['-cmd', '.timeout 5000', join(this.dataDir, 'tessera.db'), q]);
    return stdout.trim();
  }

  async restart() {
    await this.stop();
    return this.start();
  }

  // Runs `tessera user add`; returns the API token (last line of stdout).
  async addUser(name, { admin = false, password = 'password123' } = {}) {
    const args = ['user', 'add', name, '--data', this.dataDir, '--password', password];
    if (admin) args.push('--admin');
    const { stdout } = await run(BIN, args, { env: this.env() });
    const lines = stdout.trim().split('\n');
    return lines[lines.length - 1].trim();
  }

  // fetch relative to the server, with an optional token; JSON helpers.
  async req(method, path, { token, body, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload = body;
    if (body !== undefined && !raw && typeof body !== 'string' && !(body instanceof FormData)) {
      payload = JSON.stringify(body);
      h['content-type'] = 'application/json';
    }
    const res = await fetch(this.url + path, { method, headers: h, body: payload });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, json, text };
  }
}

// opts: { env, args, web, keepData, dataDir, dbUrl, sqlite }
export async function startServer(opts = {}) {
  const dataDir = opts.dataDir || await mkdtemp(join(tmpdir(), 'tessera-test-'));
  // opts.sqlite: the default SQLite database in the data folder, whatever the backend under test
  const ownDb = PG && !opts.sqlite && !opts.dbUrl && !opts.env?.TESSERA_DB && !(opts.args || []).includes('--db');
  const srv = new Server(dataDir, ownDb ? { ...opts, dbUrl: await pgDatabase() } : opts);
  await srv.start();
  const origStop = srv.stop.bind(srv);
  srv.close = async () => {
    await origStop();
    if (!opts.keepData) {
      await rm(dataDir, { recursive: true, force: true });
      if (ownDb) await pgDrop(srv.dbUrl);
    }
  };
  return srv;
}

// An admin token for a fresh server: the common "given" of API tests.
export async function startWithAdmin(opts = {}) {
  const srv = await startServer(opts);
  const token = await srv.addUser('admin', { admin: true });
  return { srv, token };
}

// Creates a project (task_type left to the server's default when not given)
// with the named categories, in that order; returns its id and the
// categories as the API answered them. Throws on any refusal.
export async function createProject(srv, token, name, categories, task_type) {
  const p = await srv.req('POST', '/api/v1/projects', { token, body: task_type ? { name, task_type } : { name } });
  if (p.status !== 201) throw new Error(`project ${name}: ${p.status} ${p.text}`);
  const cats = [];
  for (const cat of categories) {
    const c = await srv.req('POST', `/api/v1/projects/${p.json.id}/categories`, { token, body: { name: cat } });
    if (c.status !== 201) throw new Error(`category ${cat}: ${c.status} ${c.text}`);
    cats.push(c.json);
  }
  return { pid: p.json.id, cats };
}
