// The JSON error codes the server can answer, read from its sources: the
// code argument of every call that sets one (ts_req_fail, ts_error_set and
// the helpers that pass a code on), and "code", "..." pairs of bodies built
// by hand. Each with the statuses its calls give, when the call says
// (ts_req_fail's status, ts_error_set's TS_ERR_*).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

// function name -> [index of the code argument, index of the status or
// TS_ERR_* argument or -1]
const CALLS = {
  ts_req_fail: [2, 1],
  send_error: [2, 1],
  ts_error_set: [2, 1],
  fail_field: [1, -1],
  add_error: [1, -1],
  vips_fail: [2, 1],
  av_fail: [3, 2],
  ts_name_check_bidi: [3, -1],
  ts_sq_step_row: [4, -1],
  ts_sq_get_row: [7, -1], // TS_SQ_I64(...) is one argument here, two once expanded
  ts_pg_get_row: [7, -1],
  ts_import_plan_refuse: [2, -1],
};

// The HTTP status of each TS_ERR_* (http/req.c ts_http_status_of).
export const STATUS_OF = {
  TS_ERR_INVALID: 400, TS_ERR_UNAUTHORIZED: 401, TS_ERR_FORBIDDEN: 403, TS_ERR_NOT_FOUND: 404,
  TS_ERR_CONFLICT: 409, TS_ERR_TOO_LARGE: 413, TS_ERR_UNSUPPORTED: 415,
  TS_ERR_UNPROCESSABLE: 422, TS_ERR_UNAVAILABLE: 503, TS_ERR_QUOTA: 507, TS_ERR_IO: 500,
  TS_ERR_INTERNAL: 500,
};

async function sources(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...await sources(p));
    else if (/\.[ch]$/.test(e.name)) out.push(p);
  }
  return out;
}

// The top-level arguments of the call whose '(' is at text[open].
function callArgs(text, open) {
  const args = [];
  let depth = 0;
  let cur = '';
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      cur += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '(') { depth++; if (depth === 1) continue; }
    if (c === ')') { depth--; if (depth === 0) { args.push(cur.trim()); return args; } }
    if (c === ',' && depth === 1) { args.push(cur.trim()); cur = ''; continue; }
    cur += c;
  }
  return args;
}

const CODE_RE = /"([a-z][a-z0-9_]*)"/g;

// Map code -> { statuses: Set, where: Set of "file:line" }.
export async function errorCodes(root) {
  const codes = new Map();
  const add = (code, status, where) => {
    if (!codes.has(code)) codes.set(code, { statuses: new Set(), where: new Set() });
    const c = codes.get(code);
    if (status) c.statuses.add(status);
    c.where.add(where);
  };
  for (const file of await sources(join(root, 'server'))) {
    const text = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, ' '));
    const rel = file.slice(root.length + 1);
    const lineOf = (i) => `${rel}:${text.slice(0, i).split('\n').length}`;
    for (const [fn, [ci, si]] of Object.entries(CALLS)) {
      const re = new RegExp(`\\b${fn}\\s*\\(`, 'g');
      let m;
      while ((m = re.exec(text))) {
        const args = callArgs(text, m.index + m[0].length - 1);
        if (args.length <= ci) continue; // the declaration or a short call
        let status = null;
        if (si >= 0) {
          const s = args[si];
          if (/^\d{3}$/.test(s)) status = Number(s);
          else for (const [k, v] of Object.entries(STATUS_OF)) if (s.includes(k)) status = v;
        }
        for (const cm of args[ci].matchAll(CODE_RE)) add(cm[1], status, lineOf(m.index));
      }
    }
    for (const m of text.matchAll(/"code",\s*"([a-z][a-z0-9_]*)"/g)) add(m[1], null, lineOf(m.index));
  }
  return codes;
}
