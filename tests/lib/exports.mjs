// Exports in the API tests: waiting for a build to end and running
// `tessera verify` on a folder or zip.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, after } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import { BIN, ROOT, SANITIZED, startWithAdmin } from './server.mjs';

const run = promisify(execFile);

export const EXPORT_WAIT_MS = SANITIZED ? 30000 : 10000;

// Polls an export until it is ready or failed and returns it; throws
// after waitMs.
export async function waitExport(srv, token, id, waitMs = EXPORT_WAIT_MS) {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const r = await srv.req('GET', `/api/v1/exports/${id}`, { token });
    assert.equal(r.status, 200, `GET /api/v1/exports/${id}: ${r.text}`);
    if (r.json.state === 'ready' || r.json.state === 'failed') return r.json;
    if (Date.now() > deadline) throw new Error(`export ${id} still ${r.json.state}`);
    await new Promise((res) => setTimeout(res, 30));
  }
}

// `tessera verify path`: { code, out } with the exit code and what it printed.
export async function verifyExport(path) {
  try {
    const { stdout } = await run(BIN, ['verify', path]);
    return { code: 0, out: stdout };
  } catch (e) {
    return { code: e.code, out: `${e.stdout}${e.stderr}` };
  }
}

// The contract's JSON Schemas for annotations.json and manifest.json,
// compiled: { validateAnnotations, validateManifest }.
export async function contractValidators() {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const load = async (name) => JSON.parse(await readFile(join(ROOT, 'contract/schema', name), 'utf8'));
  return {
    validateAnnotations: ajv.compile(await load('annotations.schema.json')),
    validateManifest: ajv.compile(await load('manifest.schema.json')),
  };
}

// The setup of an export test file: a server with an admin, a work folder
// named after prefix, and the contract's validators, made before the
// file's tests (then handed to ready) and removed after them. The returned
// object has them too (srv, token, work, validateAnnotations,
// validateManifest), and api(method, path, body, expect), which checks the
// status when expect is given.
export function exportTestSetup(prefix, ready = () => {}) {
  const ctx = {
    async api(method, path, body, expect) {
      const r = await ctx.srv.req(method, path, { token: ctx.token, body });
      if (expect !== undefined) assert.equal(r.status, expect, `${method} ${path}: ${r.text}`);
      return r;
    },
  };
  before(async () => {
    ({ srv: ctx.srv, token: ctx.token } = await startWithAdmin());
    ctx.work = await mkdtemp(join(tmpdir(), prefix));
    Object.assign(ctx, await contractValidators());
    ready(ctx);
  });
  after(async () => {
    await ctx.srv?.close();
    if (ctx.work) await rm(ctx.work, { recursive: true, force: true });
  });
  return ctx;
}
