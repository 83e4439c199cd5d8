// Small test images made on the spot (ffmpeg and vips command-line tools),
// hostile files, and a hand-built multipart/form-data body for the cases
// that FormData refuses to produce (control characters, missing names).
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflateSync } from 'node:zlib';
import { pngFile } from './tinypng.mjs';

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
  return pngFile(w, h, 0, Buffer.from([0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]));
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

// ---- hostile and damaged images (made at test time) ----------------------

// An image of one colour made by the vips command line: a lossless WebP of
// 10000 x 10000 is about 4 KB. ext: "webp", "heic", "png" ...; opts: save
// options ("[lossless]"); bands: 1 (grey) to 4 (RGBA).
export async function solidImage(w, h, ext, opts = '', bands = 1) {
  const dir = await tempDir();
  const path = join(dir, `solid_${w}x${h}.${ext}`);
  await run('vips', ['black', `${path}${opts}`, String(w), String(h), '--bands', String(bands)]);
  return readFile(path);
}

// A small real HEIC whose 'ispe' box (the size libheif reports) claims
// w x h: an attacker's 1 KB file.
export async function heicClaiming(w, h) {
  const bytes = await solidImage(64, 64, 'heic');
  const at = bytes.indexOf(Buffer.from('ispe'));
  if (at < 0) throw new Error('no ispe box in the HEIC');
  bytes.writeUInt32BE(w, at + 8);
  bytes.writeUInt32BE(h, at + 12);
  return bytes;
}


// An RGB PNG of w x h from raw filtered rows (filter bytes included), or
// from a ready IDAT payload. Chunks and CRCs are always whole: only a
// decode can tell these apart from good images.
function pngOf(w, h, { raw, idat }) {
  return pngFile(w, h, 2, idat ?? deflateSync(raw));
}

function rgbRows(w, h, seed, filter = 0) {
  const stride = w * 3 + 1;
  const raw = Buffer.alloc(stride * h);
  for (let y = 0; y < h; y++) {
    raw[y * stride] = filter;
    for (let x = 1; x < stride; x++) raw[y * stride + x] = (seed * 31 + x * 7 + y * 13) & 0xff;
  }
  return raw;
}

// The damaged kinds of PNG and JPEG a strict reader refuses, each
// { kind, name, bytes }, distinct per seed.
export async function damagedImages(seed = 1) {
  const zlibRandom = Buffer.concat([Buffer.from([0x78, 0x9c]), randomBytes(600)]);
  const [jpeg] = await makeJpegs(1, { w: 320, h: 240, start: seed });
  const j = jpeg.bytes;
  let p = 2;
  let sof = -1;
  let sos = -1;
  while (p + 4 < j.length) {
    const m = j[p + 1];
    const len = j.readUInt16BE(p + 2);
    if (m >= 0xc0 && m <= 0xc2) sof = p;
    if (m === 0xda) { sos = p + 2 + len; break; }
    p += 2 + len;
  }
  // Garbage scan data without any 0xFF byte: the markers stay well formed.
  const garbage = Buffer.from(j);
  const noise = randomBytes(Math.min(2000, j.length - sos - 64));
  for (let i = 0; i < noise.length; i++) if (noise[i] === 0xff) noise[i] = 0x5a;
  noise.copy(garbage, sos + 32);
  // The frame header claims 9000 x 9000 over 320 x 240 of data.
  const bigSof = Buffer.from(j);
  bigSof.writeUInt16BE(9000, sof + 5);
  bigSof.writeUInt16BE(9000, sof + 7);
  const rows = rgbRows(32, 32, seed);
  return [
    { kind: 'random_idat', name: `random_idat_${seed}.png`, bytes: pngOf(32, 32, { idat: zlibRandom }) },
    { kind: 'missing_rows', name: `missing_rows_${seed}.png`, bytes: pngOf(32, 32, { raw: rows.subarray(0, 97 * 20) }) },
    { kind: 'bad_filter', name: `bad_filter_${seed}.png`, bytes: pngOf(32, 32, { raw: rgbRows(32, 32, seed, 7) }) },
    // 8 x 8 whose IDAT inflates to 200 MB (about 200 KB of deflate).
    { kind: 'inflate_bomb', name: `inflate_bomb_${seed}.png`,
      bytes: pngOf(8, 8, { idat: deflateSync(Buffer.concat([rgbRows(8, 8, seed), Buffer.alloc(200 << 20)]), { level: 9 }) }) },
    { kind: 'jpeg_garbage_scan', name: `garbage_scan_${seed}.jpg`, bytes: garbage },
    { kind: 'jpeg_sof_9000', name: `sof_9000_${seed}.jpg`, bytes: bigSof },
  ];
}
