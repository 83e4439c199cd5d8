// One project's progress in the projects table: a two-tone bar (labeled,
// approved) and a line of counts, loaded on its own so the table shows at once.
import { labeling } from '../api/labeling';
import { projectProgress, type Progress } from '../lib/progress';
import { useResource } from '../state/resource';

export function ProjectProgress({ projectId }: { projectId: number }) {
  const progress = useResource<Progress | null>(() => labeling.stats(projectId).then((s) => projectProgress(s.counts)), null, [projectId]);
  const p = progress.value.value;
  const failed = progress.error.value !== '';


  if (failed) return <span class="muted small">–</span>;
  if (!p) return <span class="muted small">…</span>;
  return (
    <span class="proj-progress" data-testid={`progress-${projectId}`}>
      <span class="proj-bar" aria-hidden="true">
        <span class="proj-bar-labeled" style={{ width: `${100 * p.labeledFraction}%` }} />
        <span class="proj-bar-approved" style={{ width: `${100 * p.approvedFraction}%` }} />
      </span>
      <span class="muted small">{p.text}</span>
    </span>
  );
}
