// A store for one thing read from the server (a list, a project): its value,
// whether it is loading, why it failed, and a setter for the answers of
// later changes. The stores' idiom: signals and actions, made per screen.
import { signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { errorMessage } from '../api/errors';

export function createResource<T>(fetch: () => Promise<T>, initial: T) {
  const value = signal<T>(initial);
  const loading = signal(false);
  /** Whether a load has finished once (answered or failed). */
  const loaded = signal(false);
  const error = signal('');
  /** Bumped by every load and set, so that a late answer does not undo a newer one. */
  let generation = 0;

  return {
    value,
    loading,
    loaded,
    error,
    /** Reads it again; a failure keeps the last value and sets error. */
    async load(): Promise<void> {
      const mine = ++generation;
      loading.value = true;
      error.value = '';
      try {
        const v = await fetch();
        if (mine === generation) value.value = v;
      } catch (e) {
        if (mine === generation) error.value = errorMessage(e);
      } finally {
        if (mine === generation) loading.value = false;
        loaded.value = true;
      }
    },
    /** Replaces the value (from the answer of a change). */
    set(next: T | ((prev: T) => T)): void {
      generation++;
      loading.value = false;
      value.value = typeof next === 'function' ? (next as (prev: T) => T)(value.value) : next;
    },
  };
}

export type Resource<T> = ReturnType<typeof createResource<T>>;

/** In a component: a resource made again when deps change, and loaded when made. */
export function useResource<T>(fetch: () => Promise<T>, initial: T, deps: readonly unknown[]): Resource<T> {
  const resource = useMemo(() => createResource(fetch, initial), deps);
  useEffect(() => {
    void resource.load();
  }, [resource]);
  return resource;
}
