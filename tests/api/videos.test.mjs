// Videos: frames extracted into assets with their provenance. Every video
// is made here by the ffmpeg program, small and with known content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWithAdmin, BIN, SANITIZED } from '../lib/server.mjs';

const run = promisify(execFile);
const WAIT_MS = SANITIZED ? 60000 : 20000;

let srv, token, dir;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tessera-videos-'));
  ({ srv, token } = await startWithAdmin());
});
after(async () => {
  await srv.close();
  await rm(dir, { recursive: true, force: true });
});

const api = (method, path, body, extra = {}) => srv.req(method, path, { token, body, ...extra });

async function ffmpeg(...args) {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

// Frame N painted in one colour that encodes N (8 levels per channel).
const COLOURS = "format=rgb24,geq=r='16+32*mod(N\\,8)':g='16+32*mod(floor(N/8)\\,8)':b='16+32*mod(floor(N/64)\\,8)'";

async function colourVideo(name, { rate = 30, seconds = 2, gop = 12, size = '64x48', extra = [] } = {}) {
  const out = join(dir, name);
  await ffmpeg('-f', 'lavfi', '-i', `color=black:s=${size}:r=${rate}:d=${seconds},${COLOURS}`,
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '10', '-g', String(gop), ...extra, out);
  return out;
}

async function newProject(name) {
  const r = await api('POST', '/api/v1/projects', { name });
  assert.equal(r.status, 201);
  return r.json.id;
}

async function upload(pid, file, fields, fileName) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
  if (file) form.append('file', new Blob([await readFile(file)]), fileName || file.split('/').pop());
  return api('POST', `/api/v1/projects/${pid}/videos`, form);
}

async function waitDone(id) {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const r = await api('GET', `/api/v1/videos/${id}`);
    assert.equal(r.status, 200);
    if (r.json.state === 'ready' || r.json.state === 'failed') return r.json;
    if (Date.now() > until) assert.fail(`video ${id} still ${r.json.state}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

async function framesOf(pid, videoId) {
  const out = [];
  let cursor = '';
  for (;;) {
    const r = await api('GET', `/api/v1/projects/${pid}/assets?limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200);
    out.push(...r.json.assets.filter((a) => a.source && a.source.video_id === videoId));
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  return out.sort((a, b) => a.source.frame_index - b.source.frame_index);
}

// The RGB pixels of a stored frame, decoded by the ffmpeg program.
async function pixels(assetId) {
  const r = await fetch(`${srv.url}/api/v1/assets/${assetId}/file`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  const p = join(dir, `asset-${assetId}.jpg`);
  await writeFile(p, Buffer.from(await r.arrayBuffer()));
  return rgbOf(p);
}

async function rgbOf(path) {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'],
    { encoding: 'buffer', maxBuffer: 64 << 20 });
  return stdout;
}

// Which frame number a colour-coded frame shows (mean of its pixels).
function frameNumberOf(rgb) {
  const sum = [0, 0, 0];
  for (let i = 0; i < rgb.length; i += 3) for (let c = 0; c < 3; c++) sum[c] += rgb[i + c];
  const lv = sum.map((s) => Math.round((s / (rgb.length / 3) - 16) / 32));
  return (lv[0] + 8 * lv[1] + 64 * lv[2]) | 0; // | 0 turns -0 into 0
}

test('fps mode keeps the first frame at or after each k/fps, with exact index, time and pixels', async () => {
  const pid = await newProject('fps mode');
  const file = await colourVideo('fps.mp4'); // 60 frames at 30 fps
  const r = await upload(pid, file, { fps: 2 });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.state, 'queued');
  assert.ok(r.json.job_id > 0);
  assert.equal(r.json.codec, 'h264');
  assert.equal(r.json.width, 64);
  assert.equal(r.json.height, 48);
  assert.equal(r.json.duration_ms, 2000);
  const v = await waitDone(r.json.id);
  assert.equal(v.state, 'ready', v.error);
  assert.equal(v.error, null);
  assert.equal(v.frames_expected, 4);
  assert.equal(v.frames_extracted, 4);
  const frames = await framesOf(pid, v.id);
  assert.deepEqual(frames.map((a) => [a.source.frame_index, a.source.timestamp_ms]),
    [[0, 0], [15, 500], [30, 1000], [45, 1500]]);
  for (const a of frames) {
    assert.equal(a.source.type, 'video_frame');
    assert.equal(a.source.video_file_name, 'fps.mp4');
    assert.equal(a.file_name, `fps.mp4#frame=${a.source.frame_index}`);
    assert.equal(a.mime_type, 'image/jpeg');
    assert.equal(a.width, 64);
    assert.equal(a.annotation.status, 'unlabeled');
    assert.equal(frameNumberOf(await pixels(a.id)), a.source.frame_index, `pixels of frame ${a.source.frame_index}`);
  }
  const one = await api('GET', `/api/v1/assets/${frames[2].id}`);
  assert.deepEqual(one.json.source, { type: 'video_frame', video_id: v.id, video_file_name: 'fps.mp4', frame_index: 30, timestamp_ms: 1000 });
  const list = await api('GET', `/api/v1/projects/${pid}/videos`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.videos.map((x) => x.id), [v.id]);
});

test('fps mode rounds timestamps from presentation time: 3 fps of a 30 fps video', async () => {
  const pid = await newProject('fps 3');
  const file = await colourVideo('fps3.mp4', { seconds: 1 });
  const v = await waitDone((await upload(pid, file, { fps: 3 })).json.id);
  const frames = await framesOf(pid, v.id);
  assert.deepEqual(frames.map((a) => [a.source.frame_index, a.source.timestamp_ms]),
    [[0, 0], [10, 333], [20, 667]]);
});

test('frames mode seeks to N evenly spaced frames of a longer video', async () => {
  const pid = await newProject('frames mode');
  // 8 s at 25 fps = 200 frames, a keyframe every 25.
  const file = await colourVideo('long.mp4', { rate: 25, seconds: 8, gop: 25 });
  const r = await upload(pid, file, { frames: 5 });
  assert.equal(r.status, 202, r.text);
  assert.equal(r.json.frames_expected, 5);
  const v = await waitDone(r.json.id);
  assert.equal(v.state, 'ready', v.error);
  const frames = await framesOf(pid, v.id);
  // i * 8000 / 5 ms: 0, 1600, 3200, 4800, 6400 -> frames 0, 40, 80, 120, 160
  assert.deepEqual(frames.map((a) => [a.source.frame_index, a.source.timestamp_ms]),
    [[0, 0], [40, 1600], [80, 3200], [120, 4800], [160, 6400]]);
  for (const a of frames) assert.equal(frameNumberOf(await pixels(a.id)), a.source.frame_index);
});

test('frames mode with more frames than the video has gives each frame once', async () => {
  const pid = await newProject('few frames');
  const file = await colourVideo('short.mp4', { seconds: 0.2 }); // 6 frames
  const v = await waitDone((await upload(pid, file, { frames: 50 })).json.id);
  assert.equal(v.state, 'ready', v.error);
  assert.equal(v.frames_expected, 6);
  const frames = await framesOf(pid, v.id);
  assert.deepEqual(frames.map((a) => a.source.frame_index), [0, 1, 2, 3, 4, 5]);
});

test('variable frame rate: timestamps come from each frame, not from a nominal rate', async () => {
  const pid = await newProject('vfr');
  const file = join(dir, 'vfr.mp4');
  // 30 frames at 30 fps (0..967 ms), then 30 frames 100 ms apart (1000..3900 ms).
  await ffmpeg('-f', 'lavfi', '-i', `color=black:s=64x48:r=30:d=2,${COLOURS}`,
    '-vf', "setpts='if(lt(N,30),N/30,1+(N-30)/10)/TB'", '-fps_mode', 'vfr',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-crf', '10', file);
  const v = await waitDone((await upload(pid, file, { fps: 2 })).json.id);
  assert.equal(v.state, 'ready', v.error);
  const frames = await framesOf(pid, v.id);
  // every 500 ms: 0 -> frame 0, 500 -> 15, 1000 -> 30, 1500 -> 35, ... 3500 -> 55
  assert.deepEqual(frames.map((a) => [a.source.frame_index, a.source.timestamp_ms]),
    [[0, 0], [15, 500], [30, 1000], [35, 1500], [40, 2000], [45, 2500], [50, 3000], [55, 3500]]);
  for (const a of frames) assert.equal(frameNumberOf(await pixels(a.id)), a.source.frame_index);
  const v2 = await waitDone((await upload(pid, file, { frames: 4 })).json.id);
  assert.equal(v2.state, 'ready', v2.error);
  // span 4000 ms: 0, 1000, 2000, 3000 -> frames 0, 30, 40, 50 (new video, same bytes: duplicates)
  assert.equal(v2.frames_extracted, 4);
  assert.equal(v2.frames_duplicate, 4);
});

test('rotation metadata is applied: the frame looks as ffmpeg displays it', async () => {
  const pid = await newProject('rotation');
  const plain = join(dir, 'plain.mp4');
  const rotated = join(dir, 'rotated.mp4');
  // A picture that is not symmetric: testsrc2 (moving pattern and text).
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=96x64:r=30:d=1', '-c:v', 'libx264',
    '-pix_fmt', 'yuv420p', '-crf', '10', plain);
  await ffmpeg('-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', rotated);
  const r = await upload(pid, rotated, { frames: 1 });
  assert.equal(r.status, 202, r.text);
  // The clockwise turn ffmpeg applies for this tag (its sign convention
  // changed across versions); the pixel comparison below is the judge.
  assert.ok([90, 270].includes(r.json.rotation), String(r.json.rotation));
  assert.equal(r.json.width, 64);
  assert.equal(r.json.height, 96);
  const v = await waitDone(r.json.id);
  assert.equal(v.state, 'ready', v.error);
  const [a] = await framesOf(pid, v.id);
  assert.equal(a.width, 64);
  assert.equal(a.height, 96);
  const ours = await pixels(a.id);
  const ref = join(dir, 'ref.png');
  await ffmpeg('-i', rotated, '-frames:v', '1', ref); // ffmpeg rotates on decode
  const theirs = await rgbOf(ref);
  assert.equal(ours.length, theirs.length);
  let diff = 0;
  for (let i = 0; i < ours.length; i++) diff += Math.abs(ours[i] - theirs[i]);
  assert.ok(diff / ours.length < 6, `mean difference ${diff / ours.length}`);
});

test('the asset list filters by video', async () => {
  const pid = await newProject('video filter');
  const a = await waitDone((await upload(pid, await colourVideo('one.mp4', { seconds: 0.4 }), { frames: 3 })).json.id);
  const b = await waitDone((await upload(pid, await colourVideo('two.mp4', { seconds: 1, size: '32x24' }), { frames: 2 })).json.id);
  const onlyA = await api('GET', `/api/v1/projects/${pid}/assets?video_id=${a.id}`);
  assert.equal(onlyA.status, 200);
  assert.deepEqual(onlyA.json.assets.map((x) => x.source.video_id), [a.id, a.id, a.id]);
  const onlyB = await api('GET', `/api/v1/projects/${pid}/assets?video_id=${b.id}&status=unlabeled&limit=1`);
  assert.equal(onlyB.json.assets.length, 1);
  assert.equal(onlyB.json.assets[0].source.video_id, b.id);
  const rest = await api('GET', `/api/v1/projects/${pid}/assets?video_id=${b.id}&cursor=${onlyB.json.next_cursor}`);
  assert.equal(rest.json.assets.length, 1);
  assert.equal((await api('GET', `/api/v1/projects/${pid}/assets?video_id=${b.id}&status=done`)).json.assets.length, 0);
  for (const bad of ['0', '-1', 'x', '1.5']) {
    const r = await api('GET', `/api/v1/projects/${pid}/assets?video_id=${bad}`);
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.error.code, 'invalid_video_id');
  }
});

test('bad modes get a 400 before any work', async () => {
  const pid = await newProject('bad modes');
  const file = await colourVideo('mode.mp4', { seconds: 0.2 });
  const cases = [
    [{ fps: 0 }, 'invalid_mode'],
    [{ fps: -1 }, 'invalid_mode'],
    [{ fps: 'abc' }, 'invalid_mode'],
    [{ fps: '1e999' }, 'invalid_mode'],
    [{ fps: 'nan' }, 'invalid_mode'],
    [{ fps: 61 }, 'invalid_mode'],
    [{ fps: ' 1' }, 'invalid_mode'],
    [{ frames: 0 }, 'invalid_mode'],
    [{ frames: -3 }, 'invalid_mode'],
    [{ frames: 10001 }, 'invalid_mode'],
    [{ frames: 2.5 }, 'invalid_mode'],
    [{ frames: 'x'.repeat(5000) }, 'invalid_mode'],
    [{ fps: 1, frames: 2 }, 'invalid_mode'],
    [{}, 'invalid_mode'],
    [{ fps: 1, colour: 'red' }, 'unknown_field'],
  ];
  for (const [fields, code] of cases) {
    const r = await upload(pid, file, fields);
    assert.equal(r.status, 400, `${JSON.stringify(fields)}: ${r.text}`);
    assert.equal(r.json.error.code, code, JSON.stringify(fields));
  }
  const none = await upload(pid, null, { fps: 1 });
  assert.equal(none.status, 400);
  assert.equal(none.json.error.code, 'missing_file');
  const list = await api('GET', `/api/v1/projects/${pid}/videos`);
  assert.deepEqual(list.json.videos, []);
});

test('files that are not usable videos get a clear 400 and leave nothing behind', async () => {
  const pid = await newProject('bad files');
  const good = await colourVideo('good.mp4', { seconds: 1 });
  const bytes = await readFile(good);
  const text = join(dir, 'notes.mp4');
  await writeFile(text, 'this is not a video at all\n'.repeat(100));
  const png = join(dir, 'still.png');
  await ffmpeg('-f', 'lavfi', '-i', 'color=red:s=32x32', '-frames:v', '1', png);
  const truncated = join(dir, 'truncated.mp4');
  await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  const audio = join(dir, 'audio.m4a');
  await ffmpeg('-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', audio);
  const empty = join(dir, 'empty.avi'); // a video stream without frames
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc2=s=64x48:r=30:d=1', '-frames:v', '0', '-c:v', 'mpeg4', empty);
  const zeroBytes = join(dir, 'zero.mp4');
  await writeFile(zeroBytes, '');
  const cases = [
    [text, 'not_a_video'],
    [png, 'not_a_video'],
    [truncated, 'not_a_video'],
    [audio, 'no_video_stream'],
    [empty, 'zero_duration'],
    [zeroBytes, 'empty_file'],
  ];
  for (const [file, code] of cases) {
    const r = await upload(pid, file, { fps: 1 });
    assert.equal(r.status, 400, `${file}: ${r.text}`);
    assert.equal(r.json.error.code, code, `${file}: ${r.json.error.message}`);
    assert.ok(r.json.error.message.length > 10);
  }
  for (const name of ['../evil.mp4', 'a\u0001b.mp4', 'x'.repeat(300) + '.mp4', 'dir/a.mp4']) {
    const r = await upload(pid, good, { fps: 1 }, name);
    assert.equal(r.status, 400, name);
    assert.equal(r.json.error.code, 'invalid_file_name');
  }
  const list = await api('GET', `/api/v1/projects/${pid}/videos`);
  assert.deepEqual(list.json.videos, []);
  const assets = await api('GET', `/api/v1/projects/${pid}/assets`);
  assert.deepEqual(assets.json.assets, []);
});

test('a resolution over the pixel limit is refused up front', async () => {
  const small = await startWithAdmin({ env: { TESSERA_MAX_PIXELS: '1000' } });
  try {
    const p = await small.srv.req('POST', '/api/v1/projects', { token: small.token, body: { name: 'p' } });
    const file = await colourVideo('big.mp4', { seconds: 0.2 });
    const form = new FormData();
    form.append('fps', '1');
    form.append('file', new Blob([await readFile(file)]), 'big.mp4');
    const r = await small.srv.req('POST', `/api/v1/projects/${p.json.id}/videos`, { token: small.token, body: form });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error.code, 'too_many_pixels');
  } finally { await small.srv.close(); }
});

test('a video whose frames cannot be read fails with a readable error', async () => {
  const pid = await newProject('corrupt');
  // moov first, so the probe succeeds; then cut the media data short.
  const file = await colourVideo('fast.mp4', { seconds: 2, extra: ['-movflags', '+faststart'] });
  const bytes = await readFile(file);
  const cut = join(dir, 'cut.mp4');
  await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
  const r = await upload(pid, cut, { fps: 1 });
  if (r.status === 400) {
    assert.match(r.json.error.code, /not_a_video|corrupt_video/);
    return;
  }
  assert.equal(r.status, 202, r.text);
  const v = await waitDone(r.json.id);
  assert.equal(v.state, 'failed');
  assert.match(v.error, /corrupt|truncated/);
  assert.deepEqual(await framesOf(pid, v.id), []);
});

test('a video that fails midway leaves no unlabeled frames behind; a labeled one stays and the error says so', async () => {
  // given 300 frames whose index sits up front (faststart) and whose last
  // 15% of bytes are zeroed: the plan and the first ~240 frames succeed,
  // then decoding runs out before the next target
  const pid = await newProject('fails midway');
  const cat = await api('POST', `/api/v1/projects/${pid}/categories`, { name: 'car' });
  assert.equal(cat.status, 201);
  const file = await colourVideo('midway.mp4',
    { rate: 30, seconds: 10, size: '320x240', gop: 30, extra: ['-movflags', '+faststart'] });
  const bytes = await readFile(file);
  bytes.fill(0, Math.floor(bytes.length * 0.85));
  const broken = join(dir, 'midway-broken.mp4');
  await writeFile(broken, bytes);
  const r = await upload(pid, broken, { fps: 30 });
  assert.equal(r.status, 202, r.text);

  // when a labeler labels one of the first frames while extraction runs
  const until = Date.now() + WAIT_MS;
  let frames = [];
  while (frames.length < 2) {
    const v = (await api('GET', `/api/v1/videos/${r.json.id}`)).json;
    assert.equal(v.state === 'failed' || v.state === 'ready', false, `${v.state} before a frame was labeled`);
    assert.ok(Date.now() < until, 'no frames extracted');
    if (v.frames_extracted >= 2) frames = await framesOf(pid, v.id);
    else await new Promise((res) => setTimeout(res, 10));
  }
  const [labeled, other] = frames;
  const put = await api('PUT', `/api/v1/assets/${labeled.id}/annotation`, { category_ids: [cat.json.id] });
  assert.equal(put.status, 200, put.text);
  const v = await waitDone(r.json.id);

  // then the video failed, the frames nobody labeled are gone with their
  // rows, the labeled one stays (file included), and the error says both
  assert.equal(v.state, 'failed');
  assert.match(v.error, /cannot be decoded|corrupt|truncated/);
  const removed = Number((v.error.match(/(\d+) extracted frames? removed/) || [])[1]);
  assert.ok(removed >= 1, v.error);
  assert.match(v.error, /1 labeled frame kept/);
  assert.equal(v.frames_extracted, 1);
  assert.deepEqual((await framesOf(pid, v.id)).map((a) => a.id), [labeled.id]);
  const gone = await api('GET', `/api/v1/assets/${other.id}`);
  assert.equal(gone.status, 404);
  assert.equal(gone.json.error.code, 'asset_not_found');
  const kept = await fetch(`${srv.url}/api/v1/assets/${labeled.id}/file`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(kept.status, 200);
  const stats = await api('GET', `/api/v1/projects/${pid}/stats`);
  assert.equal(stats.json.counts.total, 1);
  assert.equal(stats.json.counts.labeled, 1);
  const unlabeled = await api('GET', `/api/v1/projects/${pid}/assets?status=unlabeled`);
  assert.deepEqual(unlabeled.json.assets, []);
});

test('wrong requests: unknown ids, not multipart, no auth', async () => {
  const pid = await newProject('wrong');
  assert.equal((await api('GET', '/api/v1/videos/999999')).status, 404);
  assert.equal((await api('GET', '/api/v1/videos/999999')).json.error.code, 'video_not_found');
  assert.equal((await api('GET', '/api/v1/projects/999999/videos')).status, 404);
  const file = await colourVideo('w.mp4', { seconds: 0.2 });
  assert.equal((await upload(999999, file, { fps: 1 })).status, 404);
  const json = await api('POST', `/api/v1/projects/${pid}/videos`, { fps: 1 });
  assert.equal(json.status, 415);
  const bad = await api('POST', `/api/v1/projects/${pid}/videos`, '--x\r\nnot multipart',
    { headers: { 'content-type': 'multipart/form-data; boundary=zzz' } });
  assert.equal(bad.status, 400);
  const anon = await srv.req('GET', `/api/v1/projects/${pid}/videos`);
  assert.equal(anon.status, 401);
  assert.equal((await api('GET', `/api/v1/projects/${pid}/videos?limit=0`)).status, 400);
});

test('killed during extraction, the server resumes on restart without duplicating frames', async () => {
  const pid = await newProject('resume');
  // 300 frames of 320x240, every one extracted: long enough to kill midway.
  const file = await colourVideo('resume.mp4', { rate: 30, seconds: 10, size: '320x240', gop: 30 });
  const r = await upload(pid, file, { fps: 30 });
  assert.equal(r.status, 202, r.text);
  const until = Date.now() + WAIT_MS;
  let seen;
  for (;;) {
    seen = (await api('GET', `/api/v1/videos/${r.json.id}`)).json;
    if (seen.frames_extracted >= 10) break;
    assert.notEqual(seen.state, 'ready', 'finished before it could be killed');
    assert.ok(Date.now() < until, 'no progress');
    await new Promise((res) => setTimeout(res, 10));
  }
  assert.equal(seen.state, 'extracting');
  assert.equal(seen.frames_expected, 300);
  await srv.kill();
  await srv.start();
  const v = await waitDone(r.json.id);
  assert.equal(v.state, 'ready', v.error);
  assert.equal(v.frames_expected, 300);
  assert.equal(v.frames_extracted, 300);
  const frames = await framesOf(pid, v.id);
  assert.equal(frames.length, 300);
  assert.deepEqual(frames.map((a) => a.source.frame_index), [...Array(300).keys()]);
  assert.deepEqual(frames.map((a) => a.source.timestamp_ms), [...Array(300).keys()].map((i) => Math.round(i * 1000 / 30)));
  for (const i of [0, 137, 299]) assert.equal(frameNumberOf(await pixels(frames[i].id)), i);
});

test('frames are labeled and exported like images, with their source block, and verify', async () => {
  const pid = await newProject('export frames');
  const cat = await api('POST', `/api/v1/projects/${pid}/categories`, { name: 'car' });
  assert.equal(cat.status, 201);
  const file = await colourVideo('drive.mp4', { seconds: 1 });
  const v = await waitDone((await upload(pid, file, { frames: 3 })).json.id);
  assert.equal(v.state, 'ready', v.error);
  const frames = await framesOf(pid, v.id);
  assert.equal(frames.length, 3);
  for (const a of frames) {
    const l = await api('PUT', `/api/v1/assets/${a.id}/annotation`, { category_ids: [cat.json.id] });
    assert.equal(l.status, 200, l.text);
    const ok = await api('PUT', `/api/v1/assets/${a.id}/annotation`, { status: 'approved' });
    assert.equal(ok.status, 200, ok.text);
  }
  const ex = await api('POST', `/api/v1/projects/${pid}/exports`, {});
  assert.equal(ex.status, 202, ex.text);
  let e;
  const until = Date.now() + WAIT_MS;
  for (;;) {
    e = (await api('GET', `/api/v1/exports/${ex.json.id}`)).json;
    if (e.state === 'ready' || e.state === 'failed') break;
    assert.ok(Date.now() < until);
    await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(e.state, 'ready', JSON.stringify(e));
  const zip = await fetch(`${srv.url}/api/v1/exports/${ex.json.id}/download`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(zip.status, 200);
  const zpath = join(dir, 'frames.zip');
  await writeFile(zpath, Buffer.from(await zip.arrayBuffer()));
  await run(BIN, ['verify', zpath]); // throws on a non-zero exit
  const { stdout } = await run('unzip', ['-p', zpath, 'annotations.json']);
  const ann = JSON.parse(stdout);
  assert.equal(ann.images.length, 3);
  for (const [i, img] of ann.images.entries()) {
    assert.deepEqual(img.source, { type: 'video_frame', video_id: v.id, video_file_name: 'drive.mp4', frame_index: frames[i].source.frame_index, timestamp_ms: frames[i].source.timestamp_ms });
    assert.equal(img.original_file_name, `drive.mp4#frame=${frames[i].source.frame_index}`);
  }
});
