// Shared by the benchmarks: wrk runs and their figures, and seeding many
// assets straight into a stopped server's database.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

// wrk's --latency output: requests/s, p50 and p99 in ms, non-2xx count.
export function parseWrk(text) {
  const pick = (p) => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(text);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(text)?.[1] || 0);
  return { p50: pick('50'), p99: pick('99'), rps, non2xx };
}

// wrk against url: { seconds, conns, threads, token, script, env }.
export async function wrk(url, { seconds = 8, conns = 1, threads = 1, token, script, env = {} } = {}) {
  const args = [`-t${threads}`, `-c${conns}`, `-d${seconds}s`, '--latency'];
  if (token) args.push('-H', `Authorization: Bearer ${token}`);
  if (script) args.push('-s', script);
  const { stdout } = await run('wrk', [...args, url],
    { env: { ...process.env, ...env }, maxBuffer: 1 << 20 });
  return parseWrk(stdout);
}

// Writes m assets into project pid of the database in dataDir (the server
// must be stopped): an asset and its annotation row each, exactly as the
// store writes them, with a spread of states. Seeding 100,000 rows through
// HTTP would benchmark the upload path instead.
export async function seedAssets(dataDir, pid, m) {
  const seed = `
import sqlite3, sys, hashlib, time
db = sqlite3.connect(sys.argv[1]); pid = int(sys.argv[2]); m = int(sys.argv[3])
now = int(time.time() * 1000)
states = [('unlabeled','unlabeled')]*5 + [('labeled','in_review'), ('needs_review','in_review'), ('approved','done'), ('skipped','skipped')]
with db:
    for i in range(m):
        h = hashlib.sha256(b'bench-%d' % i).hexdigest()
        cur = db.execute("INSERT INTO assets(project_id,file_name,width,height,mime_type,byte_size,checksum_sha256,uploaded_by,created_at,thumb_ready) VALUES (?,?,?,?,?,?,?,1,?,1)", (pid, 'photo_%06d.jpg' % i, 4000, 3000, 'image/jpeg', 3500000, h, now))
        st, q = states[i % len(states)]
        db.execute("INSERT INTO annotations(asset_id,project_id,status,queue,updated_at) VALUES (?,?,?,?,?)", (cur.lastrowid, pid, st, q, now))
db.execute("ANALYZE"); db.close()
`;
  await run('python3', ['-c', seed, join(dataDir, 'tessera.db'), String(pid), String(m)], { maxBuffer: 1 << 20 });
}
