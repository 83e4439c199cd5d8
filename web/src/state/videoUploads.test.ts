import { describe, expect, it } from 'vitest';
import type { Video } from '../api/videos';
import { createVideoUploads } from './videoUploads';

const base: Video = {
  id: 7, project_id: 1, file_name: 'drive.mp4', checksum_sha256: 'a'.repeat(64), byte_size: 10,
  state: 'queued', mode: 'fps', fps: 1, frames: null, frames_extracted: 0, frames_expected: 3,
  frames_duplicate: 0, duration_ms: 3000, frame_rate: 30, width: 64, height: 48, rotation: 0,
  codec: 'h264', error: null, job_id: 1, created_at: '', updated_at: '',
};

const file = (name: string) => new File([new Uint8Array(10)], name);

describe('video uploads', () => {
  it('shows the upload, then follows extraction until ready, reporting new frames', async () => {
    const states: Partial<Video>[] = [
      { state: 'extracting', frames_extracted: 1 },
      { state: 'extracting', frames_extracted: 1 },
      { state: 'extracting', frames_extracted: 2 },
      { state: 'ready', frames_extracted: 3 },
    ];
    const framesSeen: number[] = [];
    const modes: unknown[] = [];
    const u = createVideoUploads({
      upload: async (_f, mode, onProgress) => {
        modes.push(mode);
        onProgress(5);
        return { ok: true, video: base };
      },
      get: async () => ({ ...base, ...states.shift() }),
      wait: async () => {},
      onFrames: (v) => framesSeen.push(v.frames_extracted),
    });
    const row = await u.add(file('drive.mp4'), { fps: 1 });
    expect(modes).toEqual([{ fps: 1 }]);
    expect(row?.phase).toBe('video');
    expect(row?.video?.state).toBe('ready');
    expect(framesSeen).toEqual([1, 2, 3]);
    u.clearFinished();
    expect(u.rows.value).toEqual([]);
  });

  it('keeps a refused upload with its reason', async () => {
    const u = createVideoUploads({
      upload: async () => ({ ok: false, code: 'not_a_video', message: 'not a video FFmpeg can read' }),
      get: async () => base,
      wait: async () => {},
    });
    const row = await u.add(file('notes.txt'), { frames: 3 });
    expect(row?.phase).toBe('failed');
    expect(row?.message).toBe('not a video FFmpeg can read');
  });

  it('asks again after a failed poll and ends on failure', async () => {
    let calls = 0;
    const u = createVideoUploads({
      upload: async () => ({ ok: true, video: base }),
      get: async () => {
        calls++;
        if (calls === 1) throw new Error('offline');
        return { ...base, state: 'failed', error: 'the video is truncated' };
      },
      wait: async () => {},
    });
    const row = await u.add(file('cut.mp4'), { fps: 2 });
    expect(calls).toBe(2);
    expect(row?.video?.error).toBe('the video is truncated');
  });
});
