// Video in the web app: upload an mp4 from the upload panel with N evenly
// spaced frames, watch it extract, see its frames in the grid with their
// badge, filter the grid by the video, label a frame like an image, and see
// its provenance in the viewer.
import assert from 'node:assert/strict';
/* global document */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { startSession } from '../lib/session.mjs';

const run = promisify(execFile);
const SHOT_DIR = process.env.SCREENSHOT_DIR || '/tmp';

let session, srv, browser, page, api, projectId, dir;

describe('video upload', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tessera-browser-video-'));
    session = await startSession({
      name: 'editor',
      setup: async (_srv, _token, seedApi) => {
        api = seedApi;
        projectId = (await api('POST', '/api/v1/projects', { name: 'Dashcam' })).id;
        await api('POST', `/api/v1/projects/${projectId}/categories`, { name: 'car' });
        await api('POST', `/api/v1/projects/${projectId}/categories`, { name: 'truck' });
      },
    });
    ({ srv, browser, page } = session);
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
  });

  after(async () => {
    await session?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an mp4 becomes labeled frames with their provenance', async () => {
    const file = join(dir, 'drive.mp4');
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i',
      'testsrc2=s=320x240:r=30:d=4', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
    await page.goto(`${srv.url}/projects/${projectId}/assets`);
    await page.getByRole('region', { name: 'Upload a video' }).waitFor();
    await page.getByLabel('Choose a video file').setInputFiles(file);
    await page.getByLabel('Number of evenly spaced frames').fill('4');
    await page.getByRole('button', { name: 'Extract frames' }).click();
    await page.getByText('4 frames ready').waitFor({ timeout: 20000 });

    // The grid shows the frames with their badge (it refreshes after extraction).
    const badges = page.getByTestId('video-badge');
    await badges.first().waitFor({ timeout: 10000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="video-badge"]').length === 4);
    const texts = await badges.allTextContents();
    assert.deepEqual(texts.map((t) => t.replace('▶ ', '')).sort(),
      ['frame 0 · 00:00.000', 'frame 30 · 00:01.000', 'frame 60 · 00:02.000', 'frame 90 · 00:03.000'].sort());
    await page.screenshot({ path: join(SHOT_DIR, 'tessera-videos-grid.png') });

    // Filter by the video: the select appears once a video exists.
    const videoSelect = page.getByLabel('Video', { exact: true });
    await videoSelect.waitFor();
    await videoSelect.selectOption({ label: 'drive.mp4 (video 1)' });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="video-badge"]').length === 4);

    // Label a frame exactly like an image, and see where it came from.
    await page.getByTestId('video-badge').first().click();
    await page.getByTestId('viewer-source').waitFor();
    const src = await page.getByTestId('viewer-source').textContent();
    assert.match(src, /from drive\.mp4 \(video 1\), frame \d+ · 00:0\d\.000/);
    await page.keyboard.press('1');
    await page.screenshot({ path: join(SHOT_DIR, 'tessera-videos-viewer.png') });
    const until = Date.now() + 10000;
    for (;;) {
      const list = await api('GET', `/api/v1/projects/${projectId}/assets?status=in_review`);
      if (list.assets.length === 1) {
        assert.equal(list.assets[0].source.type, 'video_frame');
        break;
      }
      assert.ok(Date.now() < until, 'the label was not saved');
      await new Promise((r) => setTimeout(r, 100));
    }
    // The logged-out first load answers 401 on purpose; nothing else may fail.
    assert.deepEqual(browser.errors.filter((e) => !/401/.test(e)), []);
  });

  test('a file that is not a video is refused with its reason', async () => {
    const bad = join(dir, 'notes.mp4');
    await run('sh', ['-c', `printf 'not a video' > ${bad}`]);
    await page.goto(`${srv.url}/projects/${projectId}/assets`);
    const panel = page.getByRole('region', { name: 'Upload a video' });
    if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Upload images or video' }).click();
    await page.getByLabel('Choose a video file').setInputFiles(bad);
    await page.getByLabel('Frames per second').fill('0');
    await page.getByRole('button', { name: 'Extract frames' }).click();
    await page.getByRole('alert').filter({ hasText: 'more than 0' }).waitFor();
    await page.getByLabel('Frames per second').fill('2');
    await page.getByRole('button', { name: 'Extract frames' }).click();
    await page.getByText(/not a video/i).waitFor();
    await page.screenshot({ path: join(SHOT_DIR, 'tessera-videos-refused.png') });
  });
});
