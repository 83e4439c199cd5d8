// Videos being uploaded and extracted: one row per video, its upload bar,
// then its extraction progress (polled until ready or failed). The network
// calls are passed in, so this runs without a browser.
import { signal } from '@preact/signals';
import type { Video, VideoUploadOutcome } from '../api/videos';
import type { VideoMode } from '../lib/videoFrame';

export interface VideoRow {
  key: number;
  name: string;
  size: number;
  loaded: number;
  phase: 'uploading' | 'failed' | 'video';
  message?: string;
  video?: Video;
}

export interface VideoUploadDeps {
  upload: (file: File, mode: VideoMode, onProgress: (loaded: number) => void) => Promise<VideoUploadOutcome>;
  get: (id: number) => Promise<Video>;
  wait?: (ms: number) => Promise<void>;
  pollMs?: number;
  /** New frames exist (called at most once per poll). */
  onFrames?: (video: Video) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const finished = (v: Video) => v.state === 'ready' || v.state === 'failed';

export function createVideoUploads(deps: VideoUploadDeps) {
  const rows = signal<VideoRow[]>([]);
  const wait = deps.wait ?? sleep;
  const pollMs = deps.pollMs ?? 500;
  let nextKey = 1;
  let stopped = false;

  const update = (key: number, patch: Partial<VideoRow>) => {
    rows.value = rows.value.map((r) => (r.key === key ? { ...r, ...patch } : r));
  };

  async function follow(key: number, video: Video) {
    let seen = video.frames_extracted;
    let v = video;
    while (!stopped && !finished(v)) {
      await wait(pollMs);
      if (stopped) return;
      try {
        v = await deps.get(v.id);
      } catch {
        continue; // a transient error: ask again at the next tick
      }
      update(key, { video: v });
      if (v.frames_extracted !== seen || finished(v)) {
        seen = v.frames_extracted;
        deps.onFrames?.(v);
      }
    }
  }

  /** Uploads file with mode; resolves when the video is ready, failed or refused. */
  async function add(file: File, mode: VideoMode): Promise<VideoRow | undefined> {
    const key = nextKey++;
    rows.value = [{ key, name: file.name, size: file.size, loaded: 0, phase: 'uploading' }, ...rows.value];
    const out = await deps.upload(file, mode, (loaded) => update(key, { loaded }));
    if (!out.ok) {
      update(key, { phase: 'failed', message: out.message });
    } else {
      update(key, { phase: 'video', loaded: file.size, video: out.video });
      await follow(key, out.video);
    }
    return rows.value.find((r) => r.key === key);
  }

  /** Forgets the rows that are done (ready, failed or refused). */
  function clearFinished() {
    rows.value = rows.value.filter((r) => r.phase === 'uploading' || (r.video !== undefined && !finished(r.video)));
  }

  function stop() {
    stopped = true;
  }

  return { rows, add, clearFinished, stop };
}

export type VideoUploads = ReturnType<typeof createVideoUploads>;
