import { describe, expect, it } from 'vitest';
import { createResource } from './resource';

describe('createResource', () => {
  it('loads, and keeps the last value with the reason when a load fails', async () => {
    let n = 0;
    const r = createResource(async () => {
      n++;
      if (n === 2) throw new Error('server down');
      return [n];
    }, [] as number[]);
    expect(r.loaded.value).toBe(false);
    await r.load();
    expect(r.value.value).toEqual([1]);
    expect(r.loaded.value).toBe(true);
    await r.load();
    expect(r.value.value).toEqual([1]);
    expect(r.error.value).toBe('Server down');
    await r.load();
    expect(r.error.value).toBe('');
    expect(r.value.value).toEqual([3]);
  });

  it('does not let a late answer undo a change made meanwhile', async () => {
    let answer: (v: string[]) => void = () => undefined;
    const r = createResource(() => new Promise<string[]>((res) => (answer = res)), []);
    const done = r.load();
    expect(r.loading.value).toBe(true);
    r.set((prev) => [...prev, 'added']);
    answer(['stale']);
    await done;
    expect(r.value.value).toEqual(['added']);
    expect(r.loading.value).toBe(false);
  });
});
