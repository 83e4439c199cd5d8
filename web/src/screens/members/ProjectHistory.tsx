// A manager's view of the project's recent changes: who, when, what.
import { useEffect, useMemo } from 'preact/hooks';
import { projects as projectsApi } from '../../api/endpoints';
import type { ProjectEvent } from '../../api/types';
import { formatDateTime } from '../../lib/format';
import { describeEvent } from '../../lib/history';
import { createResource } from '../../state/resource';

export function ProjectHistory({ projectId, refreshKey }: { projectId: number; refreshKey: number }) {
  const history = useMemo(() => createResource(() => projectsApi.history(projectId), [] as ProjectEvent[]), [projectId]);
  const events = history.value.value;
  const error = history.error.value;

  useEffect(() => {
    void history.load();
  }, [history, refreshKey]);

  return (
    <section class="project-history" aria-labelledby="history-title">
      <h2 id="history-title" class="section-title">
        Recent changes
      </h2>
      {error && <p class="notice notice-error">{error}</p>}
      <ol class="history-list" aria-label="Project history">
        {events.map((e) => (
          <li key={e.id}>
            <span class="muted small" title={e.at}>
              {formatDateTime(e.at)}
            </span>{' '}
            <strong>{e.by ?? 'someone'}</strong> {describeEvent(e)}
          </li>
        ))}
      </ol>
    </section>
  );
}
