// Small test images made on the spot (ffmpeg and vips command-line tools),
// hostile files, and a hand-built multipart/form-data body for the cases
// that FormData refuses to produce (control characters, missing names).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pngChunk } from './tinypng.mjs';

const run = promisify(execFile);

export const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

export async function tempDir(prefix = 'tessera-img-') {
  return mkdtemp(join(tmpdir(), prefix));
}

// n distinct JPEG frames (each shows its own frame number), w x h.
// Returns [{ name, path, bytes }] in order. start shifts the content so
// two calls never make the same bytes.
export async function makeJpegs(n, { w = 96, h = 64, start = 0, prefix = 'img' } = {}) {
  const dir = await tempDir();
  await run('ffmpeg', ['-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
    `testsrc=size=${w}x${h}:rate=25,trim=start_frame=${start}`, '-frames:v', String(n),
    '-q:v', '5', join(dir, `${prefix}_%04d.jpg`)]);
  const names = (await readdir(dir)).filter((f) => f.endsWith('.jpg')).sort();
  return Promise.all(names.map(async (name) => {
    const path = join(dir, name);
    return { name, path, bytes: await readFile(path) };
  }));
}

export async function makePng(w, h) {
  const dir = await tempDir();
  const path = join(dir, `p_${w}x${h}.png`);
  await run('vips', ['gaussnoise', path, String(w), String(h)]);
  return readFile(path);
}

// A decompression bomb: a valid PNG header claiming w x h pixels, with a
// few bytes of data. It must be refused from its header.
export function pngBomb(w = 60000, h = 60000) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01])),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// A JPEG whose middle is overwritten with random bytes.
export function corruptJpeg(jpeg) {
  const out = Buffer.from(jpeg);
  const mid = Math.floor(out.length / 2);
  randomBytes(Math.min(2048, out.length - mid - 4)).copy(out, mid);
  // Make sure the damage contains an impossible marker.
  out[mid] = 0xff;
  out[mid + 1] = 0x12;
  return out;
}

// parts: [{ name?, filename?, type?, data }]; name defaults to "file";
// filename null leaves it out. Names go in raw, as a hostile client would.
export function multipart(parts) {
  const boundary = `----tessera${randomBytes(12).toString('hex')}`;
  const chunks = [];
  for (const p of parts) {
    let disp = `form-data; name="${p.name ?? 'file'}"`;
    if (p.filename !== null && p.filename !== undefined) disp += `; filename="${p.filename}"`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disp}\r\n` +
      `Content-Type: ${p.type || 'application/octet-stream'}\r\n\r\n`, 'utf8'));
    chunks.push(Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

// FormData of files ({ name, bytes }) as the browser would send them.
export function formOf(files) {
  const fd = new FormData();
  for (const f of files) fd.append('file', new Blob([f.bytes], { type: 'image/jpeg' }), f.name);
  return fd;
}

export async function writeTemp(name, bytes) {
  const dir = await tempDir();
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}
