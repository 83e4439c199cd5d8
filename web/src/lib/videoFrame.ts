// Video frame provenance for display, and the upload form's mode. DOM-free.
import type { AssetSource } from '../api/assets';
import type { VideoMode } from '../api/videos';

/** Where a frame of a video came from. */
export type FrameSource = Extract<AssetSource, { type: 'video_frame' }>;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Milliseconds as "MM:SS.mmm" ("H:MM:SS.mmm" from an hour on). */
export function formatTimestamp(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  const rest = `${pad(m)}:${pad(s)}.${pad(t % 1000, 3)}`;
  return h > 0 ? `${h}:${rest}` : rest;
}

/** "frame 30 · 00:01.000" */
export function frameLabel(src: Pick<FrameSource, 'frame_index' | 'timestamp_ms'>): string {
  return `frame ${src.frame_index} · ${formatTimestamp(src.timestamp_ms)}`;
}

export type { VideoMode };
export type ModeKind = 'fps' | 'frames';

export const FPS_MAX = 60;
export const FRAMES_MAX = 10_000;

/** The form's mode, or a sentence saying what is wrong (the server checks too). */
export function parseVideoMode(kind: ModeKind, text: string): VideoMode | string {
  const v = text.trim();
  if (!/^\d+(\.\d+)?$|^\.\d+$/.test(v)) {
    return kind === 'fps' ? 'Frames per second must be a number.' : 'The number of frames must be a whole number.';
  }
  const n = Number(v);
  if (kind === 'fps') {
    if (!(n > 0 && n <= FPS_MAX)) return `Frames per second must be more than 0 and at most ${FPS_MAX}.`;
    return { fps: n };
  }
  if (!Number.isInteger(n) || n < 1 || n > FRAMES_MAX) return `The number of frames must be between 1 and ${FRAMES_MAX.toLocaleString('en-US')}.`;
  return { frames: n };
}

/** A video's state as a short phrase for its progress row. */
export function videoProgressText(v: { state: string; frames_extracted: number; frames_expected: number; error: string | null }): string {
  switch (v.state) {
    case 'queued':
      return 'Waiting to extract';
    case 'extracting':
      return `Extracting · ${v.frames_extracted} / ${v.frames_expected} frames`;
    case 'ready':
      return `${v.frames_extracted} ${v.frames_extracted === 1 ? 'frame' : 'frames'} ready`;
    case 'failed':
      return `Failed: ${v.error ?? 'unknown error'}`;
    default:
      return v.state;
  }
}

/** 0..1 for the progress bar. */
export function videoFraction(v: { state: string; frames_extracted: number; frames_expected: number }): number {
  if (v.state === 'ready') return 1;
  if (v.frames_expected <= 0) return 0;
  return Math.min(1, v.frames_extracted / v.frames_expected);
}
