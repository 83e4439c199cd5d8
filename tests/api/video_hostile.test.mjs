// Hostile videos: modes that would never end, playlists that name other
// files, headers that claim millions of frames, and jobs that never
// finish. Every file is made here, by the ffmpeg program, small.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, SANITIZED, PG } from '../lib/server.mjs';
import { claimFrames } from '../lib/mp4.mjs';

const run = promisify(execFile);
// The long extraction (600 frames of 640x480) takes about 15 s alone; with
// PostgreSQL its server's processes share the CPU under the whole suite, so
// a wait lasts longer there (the assertions are the same).
const WAIT_MS = SANITIZED ? 90000 : PG ? 60000 : 30000;
const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

let dir;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'tessera-video-hostile-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

async function ffmpeg(...args) {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

async function makeVideo(name, { size = '64x48', rate = 25, seconds = 1, codec = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'] } = {}) {
  const out = join(dir, name);
  await ffmpeg('-f', 'lavfi', '-i', `testsrc2=s=${size}:r=${rate}:d=${seconds}`, ...codec, out);
  return out;
}

// A video whose extraction takes a few seconds: 600 frames of 640x480,
// every one extracted at fps 30.
let longVideo;
async function theLongVideo() {
  longVideo ??= await makeVideo('long.mp4', { size: '640x480', rate: 30, seconds: 20 });
  return longVideo;
}

// A server with an admin, a project and helpers bound to them.
async function given(env = {}) {
  const { srv, token } = await startWithAdmin({ env });
  const api = (method, path, body) => srv.req(method, path, { token, body });
  const p = await api('POST', '/api/v1/projects', { name: 'videos' });
  assert.equal(p.status, 201);
  const pid = p.json.id;
  const upload = async (bytes, fields, name) => {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
    form.append('file', new Blob([bytes]), name);
    return api('POST', `/api/v1/projects/${pid}/videos`, form);
  };
  const video = async (id) => (await api('GET', `/api/v1/videos/${id}`)).json;
  const waitFor = async (id, pred, what) => {
    const until = Date.now() + WAIT_MS;
    for (;;) {
      const v = await video(id);
      if (pred(v)) return v;
      if (Date.now() > until) assert.fail(`video ${id}: ${what} (state ${v.state}, ${v.frames_extracted} frames)`);
      await sleep(20);
    }
  };
  const waitDone = (id) => waitFor(id, (v) => v.state === 'ready' || v.state === 'failed', 'never finished');
  const nothingStored = async () => {
    assert.deepEqual((await api('GET', `/api/v1/projects/${pid}/videos`)).json.videos, []);
    assert.deepEqual((await api('GET', `/api/v1/projects/${pid}/assets`)).json.assets, []);
  };
  return { srv, token, api, pid, upload, video, waitFor, waitDone, nothingStored };
}

function peakRssMb(srv) {
  return readFile(`/proc/${srv.proc.pid}/status`, 'utf8').then((s) => Number(s.match(/VmHWM:\s+(\d+) kB/)[1]) / 1024);
}

test('fps and frames outside their documented ranges get a 400 before any work', async () => {
  const g = await given();
  try {
    const bytes = await readFile(await makeVideo('modes.mp4', { seconds: 2 }));
    for (const fields of [{ fps: '1e-10' }, { fps: '1e-300' }, { fps: '0.0009' }, { fps: '5e-324' },
      { fps: '60.001' }, { frames: '1000000000000000000' }, { frames: '99999999' }, { frames: '10001' }]) {
      const r = await g.upload(bytes, fields, 'modes.mp4');
      assert.equal(r.status, 400, `${JSON.stringify(fields)}: ${r.text}`);
      assert.equal(r.json.error.code, 'invalid_mode', JSON.stringify(fields));
      assert.match(r.json.error.message, /from 0\.001 to 60|from 1 to 10000/);
    }
    await g.nothingStored();
    // The smallest fps accepted: one frame every 1000 s, so just the first.
    const r = await g.upload(bytes, { fps: '0.001' }, 'modes.mp4');
    assert.equal(r.status, 202, r.text);
    const v = await g.waitDone(r.json.id);
    assert.equal(v.state, 'ready', v.error);
    assert.equal(v.frames_extracted, 1);
  } finally { await g.srv.close(); }
});

test('2 KB MP4s claiming 50M frames are refused, and the server stays under 400 MB', async () => {
  const g = await given();
  try {
    const tiny = await readFile(await makeVideo('tiny.mp4', { size: '16x16', seconds: 0.04 }));
    const huge = claimFrames(tiny, 50e6);
    assert.ok(huge.length < 4096, String(huge.length));
    // The same claim with the sample tables moved inside the data
    // reference box (its size made to cover them): the reader still
    // parses them there.
    const hidden = Buffer.from(huge);
    hidden.writeUInt32BE(0x10024, hidden.indexOf('dinf') - 4);
    const attack = await Promise.all([...Array(8)].map((_, i) =>
      g.upload(i % 2 ? hidden : huge, { frames: 10 }, `huge-${i}.mp4`)));
    for (const r of attack) {
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.error.code, 'too_many_frames');
      assert.match(r.json.error.message, /50000000 frames; at most 1000000/);
    }
    // Under the limit, but a frame of one byte each would not fit in the file.
    const r = await g.upload(claimFrames(tiny, 900000), { frames: 10 }, 'lies.mp4');
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, 'not_a_video');
    assert.match(r.json.error.message, /stsz.*would not fit/);
    // An AVI header claiming 50M frames.
    const avi = Buffer.from(await readFile(await makeVideo('tiny.avi', { size: '16x16', seconds: 0.2, codec: ['-c:v', 'mpeg4'] })));
    avi.writeUInt32LE(50e6, avi.indexOf('avih') + 8 + 16);
    avi.writeUInt32LE(50e6, avi.indexOf('strh') + 8 + 32);
    const a = await g.upload(avi, { frames: 10 }, 'huge.avi');
    assert.equal(a.status, 400, a.text);
    assert.equal(a.json.error.code, 'too_many_frames');
    await g.nothingStored();
    const peak = await peakRssMb(g.srv);
    console.log(`peak RSS after eight concurrent 50M-frame MP4s: ${peak.toFixed(0)} MB`);
    // AddressSanitizer's shadow memory and quarantine inflate the figure.
    assert.ok(peak < (SANITIZED ? 800 : 400), `peak RSS ${peak.toFixed(0)} MB`);
  } finally { await g.srv.close(); }
});

test('an HLS playlist naming a local file is refused, and no frame of that file is stored', async () => {
  const g = await given();
  try {
    // A real video that was never uploaded, next to the playlists.
    const secret = join(dir, 'secret.ts');
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=25:d=1', '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'mpegts', secret);
    const playlists = {
      'local.m3u8': `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\nfile://${secret}\n#EXT-X-ENDLIST\n`,
      'relative.m3u8': `#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n${secret}\n#EXT-X-ENDLIST\n`,
      'nested.m3u8': `#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1000\nfile://${join(dir, 'local.m3u8')}\n`,
      'disguised.mp4': `\n\n#EXTM3U\n#EXTINF:1.0,\nfile://${secret}\n`,
    };
    await writeFile(join(dir, 'local.m3u8'), playlists['local.m3u8']);
    for (const [name, text] of Object.entries(playlists)) {
      for (const fields of [{ fps: 1 }, { frames: 3 }]) {
        const r = await g.upload(Buffer.from(text), fields, name);
        assert.equal(r.status, 400, `${name}: ${r.text}`);
        assert.equal(r.json.error.code, 'not_a_video', name);
        assert.match(r.json.error.message, /HLS playlist/, name);
        // Nothing about the file it names: no size, no codec.
        assert.doesNotMatch(r.text, /64x48|h264|mpegts/, name);
      }
    }
    // The transport stream itself is not an accepted container either.
    const ts = await g.upload(await readFile(secret), { fps: 1 }, 'secret.ts');
    assert.equal(ts.status, 400, ts.text);
    assert.match(ts.json.error.message, /transport stream/);
    await g.nothingStored();
  } finally { await g.srv.close(); }
});

test('ffconcat lists, DASH manifests, SDP, images and other text are refused with a 400', async () => {
  const g = await given();
  try {
    const mp4 = await makeVideo('inner.mp4');
    const gif = join(dir, 'anim.gif');
    await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=32x32:r=5:d=1', gif);
    const cases = [
      ['list.ffconcat', `ffconcat version 1.0\nfile ${mp4}\n`, /ffconcat/],
      ['list.txt', `file '${mp4}'\n`, /text file/],
      ['manifest.mpd', `<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static"><Period><AdaptationSet><Representation id="1" bandwidth="1"><BaseURL>file://${mp4}</BaseURL></Representation></AdaptationSet></Period></MPD>\n`, /DASH manifest/],
      ['bare.mpd', `<MPD><Period><BaseURL>file://${mp4}</BaseURL></Period></MPD>`, /DASH manifest/],
      ['stream.sdp', 'v=0\no=- 0 0 IN IP4 127.0.0.1\ns=x\nc=IN IP4 127.0.0.1\nt=0 0\nm=video 5004 RTP/AVP 96\n', /SDP/],
      ['anim.gif', await readFile(gif), /GIF image/],
      ['junk.mp4', Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 7, 9, 0x80, 0x81, 0, 0]), /accepted container/],
    ];
    for (const [name, bytes, message] of cases) {
      const r = await g.upload(Buffer.from(bytes), { fps: 1 }, name);
      assert.equal(r.status, 400, `${name}: ${r.text}`);
      assert.equal(r.json.error.code, 'not_a_video', name);
      assert.match(r.json.error.message, message, name);
      assert.match(r.json.error.message, /MP4\/MOV, WebM\/Matroska and AVI/, name);
    }
    await g.nothingStored();
  } finally { await g.srv.close(); }
});

test('every accepted container is read: MP4, MOV, Matroska, WebM, AVI', async () => {
  const g = await given();
  try {
    const files = [
      ['v.mp4', {}],
      ['v.mov', {}],
      ['v.mkv', {}],
      ['v.webm', { codec: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-pix_fmt', 'yuv420p'] }],
      ['v.avi', { codec: ['-c:v', 'mpeg4'] }],
    ];
    for (const [name, opts] of files) {
      const r = await g.upload(await readFile(await makeVideo(name, { seconds: 0.4, ...opts })), { frames: 2 }, name);
      assert.equal(r.status, 202, `${name}: ${r.text}`);
      const v = await g.waitDone(r.json.id);
      assert.equal(v.state, 'ready', `${name}: ${v.error}`);
      assert.equal(v.frames_extracted, 2, name);
    }
  } finally { await g.srv.close(); }
});

test('SIGTERM during a long extraction exits within seconds; the extraction resumes at the next start', async () => {
  const g = await given();
  try {
    const r = await g.upload(await readFile(await theLongVideo()), { fps: 30 }, 'long.mp4');
    assert.equal(r.status, 202, r.text);
    await g.waitFor(r.json.id, (v) => v.frames_extracted >= 5, 'no progress');
    const t0 = Date.now();
    const res = await g.srv.stop('SIGTERM'); // throws unless it exits 0
    const seconds = (Date.now() - t0) / 1000;
    console.log(`SIGTERM mid-extraction: exited in ${seconds.toFixed(2)} s`);
    assert.equal(res.code, 0);
    assert.ok(seconds < (SANITIZED ? 10 : 3), `took ${seconds} s to exit`);
    assert.match(g.srv.log, /interrupted; it resumes at the next start/);
    const t1 = Date.now();
    await g.srv.start();
    const v = await g.waitDone(r.json.id);
    console.log(`restarted and resumed to the end in ${((Date.now() - t1) / 1000).toFixed(2)} s`);
    assert.equal(v.state, 'ready', v.error);
    assert.equal(v.frames_extracted, 600);
  } finally { await g.srv.close(); }
});

test('a job that never finishes fails after the attempt cap, with its reason in the API', async () => {
  const g = await given({ TESSERA_JOB_MAX_ATTEMPTS: '2' });
  try {
    const r = await g.upload(await readFile(await theLongVideo()), { fps: 30 }, 'long.mp4');
    assert.equal(r.status, 202, r.text);
    // Killed during each of its two attempts (as if the video crashed it).
    for (let attempt = 1; attempt <= 2; attempt++) {
      const before = (await g.video(r.json.id)).frames_extracted;
      await g.waitFor(r.json.id, (v) => v.frames_extracted >= before + 3, `attempt ${attempt} made no progress`);
      await g.srv.kill();
      await g.srv.start();
    }
    const v = await g.waitDone(r.json.id);
    assert.equal(v.state, 'failed');
    assert.match(v.error, /gave up after 2 attempts: the server stopped \(killed or crashed\) during each/);
    assert.equal(v.frames_extracted, 0); // nobody labeled a frame: all removed
    // The kind is not blocked: the next video is extracted.
    const next = await g.upload(await readFile(await makeVideo('next.mp4', { seconds: 0.4 })), { frames: 2 }, 'next.mp4');
    const n = await g.waitDone(next.json.id);
    assert.equal(n.state, 'ready', n.error);
  } finally { await g.srv.close(); }
});

test('an extraction past its deadline fails with timed_out, and the next video still runs', async () => {
  const g = await given({ TESSERA_VIDEO_DEADLINE_S: SANITIZED ? '3' : '1', TESSERA_VIDEO_DEADLINE_PER_S: '0' });
  try {
    const r = await g.upload(await readFile(await theLongVideo()), { fps: 30 }, 'long.mp4');
    assert.equal(r.status, 202, r.text);
    const v = await g.waitDone(r.json.id);
    assert.equal(v.state, 'failed');
    assert.match(v.error, /took longer than its limit of \d+ s/);
    const next = await g.upload(await readFile(await makeVideo('quick.mp4', { seconds: 0.2 })), { frames: 1 }, 'quick.mp4');
    const n = await g.waitDone(next.json.id);
    assert.equal(n.state, 'ready', n.error);
  } finally { await g.srv.close(); }
});
