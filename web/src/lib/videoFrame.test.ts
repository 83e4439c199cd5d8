import { describe, expect, it } from 'vitest';
import { formatTimestamp, frameLabel, parseVideoMode, videoFraction, videoProgressText } from './videoFrame';

describe('frame labels', () => {
  it('shows the frame index and its time as MM:SS.mmm', () => {
    expect(frameLabel({ frame_index: 30, timestamp_ms: 1000 })).toBe('frame 30 · 00:01.000');
    expect(frameLabel({ frame_index: 0, timestamp_ms: 0 })).toBe('frame 0 · 00:00.000');
  });

  it('adds hours only when needed', () => {
    expect(formatTimestamp(61_234)).toBe('01:01.234');
    expect(formatTimestamp(3_600_000 + 2 * 60_000 + 3_004)).toBe('1:02:03.004');
    expect(formatTimestamp(-5)).toBe('00:00.000');
  });
});

describe('parseVideoMode', () => {
  it('accepts fps in (0, 60] and frames in 1..10000', () => {
    expect(parseVideoMode('fps', '1')).toEqual({ fps: 1 });
    expect(parseVideoMode('fps', '0.5')).toEqual({ fps: 0.5 });
    expect(parseVideoMode('fps', '60')).toEqual({ fps: 60 });
    expect(parseVideoMode('frames', ' 30 ')).toEqual({ frames: 30 });
    expect(parseVideoMode('frames', '10000')).toEqual({ frames: 10000 });
  });

  it('explains what is wrong', () => {
    for (const bad of ['0', '60.5', '-1', 'abc', '', '1e3', 'NaN']) expect(typeof parseVideoMode('fps', bad)).toBe('string');
    for (const bad of ['0', '10001', '2.5', '-3', 'x']) expect(typeof parseVideoMode('frames', bad)).toBe('string');
  });
});

describe('progress', () => {
  it('says where extraction stands', () => {
    const v = { state: 'extracting', frames_extracted: 12, frames_expected: 60, error: null };
    expect(videoProgressText(v)).toBe('Extracting · 12 / 60 frames');
    expect(videoFraction(v)).toBeCloseTo(0.2);
    expect(videoProgressText({ ...v, state: 'ready', frames_extracted: 1 })).toBe('1 frame ready');
    expect(videoFraction({ ...v, state: 'ready' })).toBe(1);
    expect(videoProgressText({ ...v, state: 'failed', error: 'the video is truncated' })).toBe('Failed: the video is truncated');
    expect(videoFraction({ ...v, frames_expected: 0 })).toBe(0);
  });
});
