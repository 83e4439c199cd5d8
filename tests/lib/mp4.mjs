// MP4 box surgery for tests: parse a file made by ffmpeg into its boxes,
// change what the sample tables claim, and write it back. Only the boxes
// on the path to the sample tables are opened; moov must come after mdat
// (ffmpeg's default), so chunk offsets stay valid when moov changes size.
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);

function parse(buf) {
  const out = [];
  for (let off = 0; off + 8 <= buf.length;) {
    const size = buf.readUInt32BE(off);
    const type = buf.toString('latin1', off + 4, off + 8);
    if (size < 8 || off + size > buf.length) throw new Error(`bad box ${type} at ${off}`);
    const body = buf.subarray(off + 8, off + size);
    out.push(CONTAINERS.has(type) ? { type, kids: parse(body) } : { type, body: Buffer.from(body) });
    off += size;
  }
  return out;
}

function serialize(list) {
  return Buffer.concat(list.map((b) => {
    const body = b.kids ? serialize(b.kids) : b.body;
    const head = Buffer.alloc(8);
    head.writeUInt32BE(body.length + 8, 0);
    head.write(b.type, 4, 'latin1');
    return Buffer.concat([head, body]);
  }));
}

const u32 = (...v) => {
  const b = Buffer.alloc(4 * v.length);
  v.forEach((x, i) => b.writeUInt32BE(x, 4 * i));
  return b;
};

// A copy of mp4 (one video track) whose sample tables claim n frames of
// sampleSize bytes each, all in one chunk, one tick apart; the media
// header's duration says the same. Edit lists, composition offsets and
// sync tables are dropped so nothing contradicts the claim.
export function claimFrames(mp4, n, sampleSize = 1) {
  const boxes = parse(mp4);
  const walk = (list) => {
    for (let i = list.length - 1; i >= 0; i--) {
      const b = list[i];
      if (['edts', 'ctts', 'stss', 'sdtp'].includes(b.type)) { list.splice(i, 1); continue; }
      if (b.kids) walk(b.kids);
      if (b.type === 'stts') b.body = u32(0, 1, n, 1);
      if (b.type === 'stsz') b.body = u32(0, sampleSize, n);
      if (b.type === 'stsc') b.body = u32(0, 1, 1, n, 1);
      if (b.type === 'mdhd') b.body.writeUInt32BE(n, b.body[0] === 1 ? 28 : 16);
    }
  };
  walk(boxes);
  return serialize(boxes);
}
