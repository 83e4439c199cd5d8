// A throwaway S3-compatible object store on loopback: OpenStack Swift
// (Debian's swift-proxy, swift-object, swift-container, swift-account) with
// its s3api middleware and tempauth, one machine, one replica. Rings are
// built in a temporary folder, objects stored there too, and stop() ends
// every process and removes the folder.
//
//   const s3 = await startSwift();       // null when Swift is not installed
//   s3.endpoint, s3.region, s3.accessKey, s3.secretKey, s3.bucket
//   await s3.stop();
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile, open, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash, createHmac } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server.mjs';

const run = promisify(execFile);
const PY = '/usr/bin/python3';
const SERVERS = ['account', 'container', 'object'];

const hmac = (k, s) => createHmac('sha256', k).update(s).digest();
const hex = (b) => createHash('sha256').update(b).digest('hex');

// AWS Signature Version 4, header form, for the tests' own look at the
// bucket (independent of the server's signing through libcurl).
async function s3Request(s3, method, path, body, headers) {
  const url = new URL(s3.endpoint + path);
  const now = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const day = now.slice(0, 8);
  const h = { host: url.host, 'x-amz-date': now, 'x-amz-content-sha256': hex(body), ...headers };
  const names = Object.keys(h).map((k) => k.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  const query = [...url.searchParams].map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort().map(([k, v]) => `${k}=${v}`).join('&');
  const canonical = [method, url.pathname, query, names.map((k) => `${k}:${lower[k]}\n`).join(''),
    names.join(';'), lower['x-amz-content-sha256']].join('\n');
  const scope = `${day}/${s3.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', now, scope, hex(canonical)].join('\n');
  let k = hmac(`AWS4${s3.secretKey}`, day);
  for (const part of [s3.region, 's3', 'aws4_request']) k = hmac(k, part);
  const sig = createHmac('sha256', k).update(toSign).digest('hex');
  h.authorization = `AWS4-HMAC-SHA256 Credential=${s3.accessKey}/${scope}, SignedHeaders=${names.join(';')}, Signature=${sig}`;
  delete h.host;
  const res = await fetch(url, { method, headers: h, body: body.length ? body : undefined });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: buf, text: buf.toString() };
}

export function swiftMissing() {
  const need = ['/usr/bin/swift-proxy-server', '/usr/bin/swift-object-server',
    '/usr/bin/swift-container-server', '/usr/bin/swift-account-server', PY];
  const gone = need.filter((p) => !existsSync(p));
  return gone.length ? `Swift is not installed (missing ${gone.join(', ')}); ` +
    'install swift-proxy swift-object swift-container swift-account (scripts/install-deps)' : null;
}

// Swift keeps metadata in extended attributes: the folder must take them.
async function checkXattrs(dir) {
  const f = join(dir, 'xattr-probe');
  await (await open(f, 'w')).close();
  try {
    await run(PY, ['-c', `import os; os.setxattr(${JSON.stringify(f)}, 'user.swift.probe', b'1')`]);
  } catch (e) {
    throw new Error(`the temporary folder ${dir} does not take extended attributes, which Swift needs: ${e.stderr || e.message}`);
  } finally {
    await unlink(f);
  }
}

const RINGS_PY = `
import sys
from swift.common.ring import RingBuilder
d = sys.argv[1]
for name, port in zip(('account', 'container', 'object'), sys.argv[2:5]):
    b = RingBuilder(6, 1, 1)
    b.add_dev({'id': 0, 'region': 1, 'zone': 1, 'ip': '127.0.0.1', 'port': int(port),
               'device': 'd1', 'weight': 100})
    b.rebalance()
    b.get_ring().save('%s/%s.ring.gz' % (d, name))
`;

function serverConf(dir, kind, port) {
  return `[DEFAULT]
devices = ${dir}/srv
mount_check = false
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
swift_dir = ${dir}
log_name = ${kind}-server
log_level = WARNING

[pipeline:main]
pipeline = ${kind}-server

[app:${kind}-server]
use = egg:swift#${kind}
`;
}

function proxyConf(dir, port, cachePort, region) {
  return `[DEFAULT]
bind_ip = 127.0.0.1
bind_port = ${port}
workers = 0
swift_dir = ${dir}
log_name = proxy-server
log_level = WARNING

[pipeline:main]
pipeline = catch_errors gatekeeper proxy-logging cache s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
error_suppression_limit = 1000

[filter:catch_errors]
use = egg:swift#catch_errors

# s3api needs a cache object in every request; nothing listens on this
# port, so lookups just miss.
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:${cachePort}

[filter:gatekeeper]
use = egg:swift#gatekeeper

[filter:proxy-logging]
use = egg:swift#proxy_logging

[filter:copy]
use = egg:swift#copy

[filter:slo]
use = egg:swift#slo

[filter:dlo]
use = egg:swift#dlo

[filter:s3api]
use = egg:swift#s3api
location = ${region}
# S3's smallest part (but the last) of a multipart upload, Swift's default
# too: the tests upload 5 MiB parts.
min_segment_size = 5242880

[filter:tempauth]
use = egg:swift#tempauth
user_test_tester = testing .admin
`;
}

export async function startSwift({ bucket = 'tessera' } = {}) {
  if (swiftMissing()) return null;
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'tessera-swift-'));
  const procs = [];
  let log = '';
  const s3 = {
    dir, bucket, region: 'us-east-1', accessKey: 'test:tester', secretKey: 'testing',
    endpoint: '', startMs: 0,
    get log() { return log; },
    // A SigV4-signed request to the store (for checks from the outside).
    request(method, path, body = Buffer.alloc(0), headers = {}) {
      return s3Request(s3, method, path, body, headers);
    },
    async stop() {
      for (const p of procs) {
        if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
      }
      await Promise.all(procs.map((p) => p.exitPromise));
      procs.length = 0;
      await rm(dir, { recursive: true, force: true });
    },
  };
  try {
    await mkdir(join(dir, 'srv', 'd1'), { recursive: true });
    await checkXattrs(join(dir, 'srv', 'd1'));
    const ports = {};
    for (const k of [...SERVERS, 'proxy', 'cache']) ports[k] = await freePort();
    await run(PY, ['-c', RINGS_PY, dir, ports.account, ports.container, ports.object]);
    for (const k of SERVERS) await writeFile(join(dir, `${k}.conf`), serverConf(dir, k, ports[k]));
    await writeFile(join(dir, 'proxy.conf'), proxyConf(dir, ports.proxy, ports.cache, s3.region));
    for (const k of [...SERVERS, 'proxy']) {
      const p = spawn(`/usr/bin/swift-${k}-server`, [join(dir, `${k}.conf`), '-v'],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout.on('data', (d) => { log += d; });
      p.stderr.on('data', (d) => { log += d; });
      p.exitPromise = new Promise((res) => p.on('exit', res));
      procs.push(p);
    }
    s3.endpoint = `http://127.0.0.1:${ports.proxy}`;
    // Ready once the bucket can be created through the S3 API.
    const deadline = Date.now() + 60000;
    let last = '';
    for (;;) {
      const dead = procs.find((p) => p.exitCode !== null);
      if (dead) throw new Error(`a Swift server exited early:\n${log}`);
      try {
        const r = await s3.request('PUT', `/${bucket}`);
        last = `${r.status} ${r.text}`;
        if (r.status === 200) break;
      } catch (e) { last = e.message; }
      if (Date.now() > deadline) throw new Error(`Swift did not start (${last}):\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    s3.startMs = Date.now() - t0;
    return s3;
  } catch (e) {
    await s3.stop();
    throw e;
  }
}
