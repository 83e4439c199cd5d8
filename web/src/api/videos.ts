// Videos: upload (XHR, for upload progress), read, list.
import { request, sendForm } from './client';
import { parseApiError } from './errors';

const V1 = '/api/v1';

/** How frames are taken from a video: so many per second, or so many in all. */
export type VideoMode = { fps: number } | { frames: number };

export type VideoState = 'queued' | 'extracting' | 'ready' | 'failed';

export interface Video {
  id: number;
  project_id: number;
  file_name: string;
  checksum_sha256: string;
  byte_size: number;
  state: VideoState;
  mode: 'fps' | 'frames';
  fps: number | null;
  frames: number | null;
  frames_extracted: number;
  frames_expected: number;
  frames_duplicate: number;
  duration_ms: number;
  frame_rate: number;
  width: number;
  height: number;
  rotation: number;
  codec: string;
  error: string | null;
  job_id: number;
  created_at: string;
  updated_at: string;
}

export const videos = {
  get: (id: number, signal?: AbortSignal) => request<Video>('GET', `${V1}/videos/${id}`, { signal }),
  list: (projectId: number, limit = 200) =>
    request<{ videos: Video[]; next_cursor: string | null }>('GET', `${V1}/projects/${projectId}/videos`, {
      query: { limit },
    }).then((r) => r.videos),
};

export type VideoUploadOutcome = { ok: true; video: Video } | { ok: false; code: string; message: string };

/** Uploads one video with its mode; onProgress gets the bytes sent so far. */
export async function uploadVideo(
  projectId: number,
  file: File,
  mode: VideoMode,
  onProgress: (loaded: number) => void,
  signal?: AbortSignal,
): Promise<VideoUploadOutcome> {
  const form = new FormData();
  // The mode first: the server checks it before storing any byte.
  if ('fps' in mode) form.append('fps', String(mode.fps));
  else form.append('frames', String(mode.frames));
  form.append('file', file, file.name);
  const answer = await sendForm(`${V1}/projects/${projectId}/videos`, form, onProgress, signal);
  if (answer.failure) return { ok: false, ...answer.failure };
  if (answer.status === 202) {
    try {
      return { ok: true, video: JSON.parse(answer.text) as Video };
    } catch {
      /* fall through */
    }
  }
  const err = parseApiError(answer.status, answer.text);
  return { ok: false, code: err.code, message: err.message };
}
