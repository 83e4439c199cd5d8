// A manager's view of the project's recent changes: who, when, what.
import { useEffect, useState } from 'preact/hooks';
import { projects as projectsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import type { ProjectEvent } from '../../api/types';
import { formatDateTime } from '../../lib/format';
import { describeEvent } from '../../lib/history';

export function ProjectHistory({ projectId, refreshKey }: { projectId: number; refreshKey: number }) {
  const [events, setEvents] = useState<ProjectEvent[]>([]);
  const [error, setError] = useState('');

  useEffect(() => {
    projectsApi
      .history(projectId)
      .then(setEvents)
      .catch((e: unknown) => setError(errorMessage(e)));
  }, [projectId, refreshKey]);

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
