// Tiny valid PNG files made in-process (no tools needed), distinct per
// seed, the chunk writer for hand-made (hostile) PNGs, and a helper that
// uploads many of them to a project.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// One PNG chunk: length, type, data and the CRC of type + data.
export function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

// An RGB PNG of w x h whose colours depend on seed (so checksums differ).
export function tinyPng(seed, w = 16, h = 12) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = (seed * 37 + x * 8) & 0xff;
      raw[o + 1] = ((seed >> 8) * 53 + y * 16) & 0xff;
      raw[o + 2] = (seed * 11 + (seed >> 16)) & 0xff;
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// An RGB PNG of w x h in one colour [r, g, b] (images a colour model can tell apart).
export function solidPng([r, g, b], w = 16, h = 16) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([r, g, b], y * (w * 3 + 1) + 1 + x * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

// Uploads n distinct PNGs (seeds start..start+n) in batches; returns the
// assets in upload order.
export async function uploadPngs(srv, token, projectId, n, { start = 1, batch = 50, w, h } = {}) {
  const assets = [];
  for (let i = 0; i < n; i += batch) {
    const fd = new FormData();
    for (let j = i; j < Math.min(n, i + batch); j++) {
      fd.append('file', new Blob([tinyPng(start + j, w, h)], { type: 'image/png' }), `img_${start + j}.png`);
    }
    const r = await srv.req('POST', `/api/v1/projects/${projectId}/assets`, { token, body: fd });
    if (r.status !== 201 || r.json.errors.length) {
      throw new Error(`upload failed: ${r.status} ${r.text.slice(0, 500)}`);
    }
    assets.push(...r.json.assets);
  }
  return assets;
}
