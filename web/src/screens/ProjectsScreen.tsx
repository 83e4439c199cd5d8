import { useEffect, useState } from 'preact/hooks';
import { projects as projectsApi } from '../api/endpoints';
import { errorMessage } from '../api/errors';
import type { Project, TaskType } from '../api/types';
import { runAction, useConfirmAction } from '../components/ConfirmAction';
import { FormError } from '../components/FormError';
import { Link } from '../components/Link';
import { formatDateTime } from '../lib/format';
import { canManage } from '../lib/roles';
import { TASK_TYPES, TASK_TYPE_LABEL, taskTypeLabel } from '../lib/taskTypes';
import { navigate } from '../router';
import { ProjectProgress } from './ProjectProgress';
import { defaultTabPath } from '../routes';

export function ProjectsScreen() {
  const [list, setList] = useState<Project[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadError, setLoadError] = useState('');
  const [name, setName] = useState('');
  const [taskType, setTaskType] = useState<TaskType>('classification_single');
  const [createError, setCreateError] = useState('');
  const [creating, setCreating] = useState(false);
  // The deleted projects the user may restore (those they manage; all for an admin).
  const [deleted, setDeleted] = useState<Project[]>([]);
  const confirm = useConfirmAction();

  async function loadDeleted() {
    try {
      setDeleted((await projectsApi.list(null, 100, true)).projects);
    } catch {
      setDeleted([]); // the section stays hidden; the main list shows load errors
    }
  }

  function askDelete(p: Project) {
    confirm.ask({
      title: `Delete project “${p.name}”?`,
      body: (
        <p>
          It leaves the project list for everyone. Nothing is removed: its images, labels, members and export
          versions stay, and it can be restored from the Deleted section below.
        </p>
      ),
      confirmLabel: 'Delete project',
      danger: true,
      run: async () => {
        await projectsApi.remove(p.id);
        setList((prev) => prev.filter((x) => x.id !== p.id));
        void loadDeleted();
        return `Project “${p.name}” deleted. Restore it from Deleted projects.`;
      },
    });
  }

  async function restore(p: Project) {
    const ok = await runAction(async () => {
      const back = await projectsApi.restore(p.id);
      setDeleted((prev) => prev.filter((x) => x.id !== p.id));
      setList((prev) => [back, ...prev.filter((x) => x.id !== back.id)].sort((a, b) => b.id - a.id));
      return `Project “${back.name}” restored.`;
    });
    if (!ok) void loadDeleted();
  }

  async function loadPage(after: string | null) {
    setLoading(true);
    setLoadError('');
    try {
      const page = await projectsApi.list(after);
      setList((prev) => (after ? [...prev, ...page.projects] : page.projects));
      setCursor(page.next_cursor);
    } catch (e) {
      setLoadError(errorMessage(e));
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    void loadPage(null);
    void loadDeleted();
  }, []);

  async function onCreate(e: Event) {
    e.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) {
      setCreateError('Give the project a name.');
      return;
    }
    setCreating(true);
    setCreateError('');
    try {
      const p = await projectsApi.create(trimmed, taskType);
      navigate(defaultTabPath(p.id));
    } catch (err) {
      setCreateError(errorMessage(err));
      setCreating(false);
    }
  }

  return (
    <main class="page">
      <div class="page-head">
        <h1 class="page-title">Projects</h1>
      </div>

      <form class="inline-form" onSubmit={onCreate} aria-label="Create project">
        <input
          name="project-name"
          placeholder="New project name"
          aria-label="New project name"
          maxLength={200}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" class="btn btn-primary" disabled={creating}>
          Create project
        </button>
        <label class="small">
          <span class="muted">Task </span>
          <select
            name="task-type"
            aria-label="Task type"
            value={taskType}
            onChange={(e) => setTaskType((e.currentTarget as HTMLSelectElement).value as TaskType)}
          >
            {TASK_TYPES.map((t) => (
              <option key={t} value={t}>
                {TASK_TYPE_LABEL[t]}
              </option>
            ))}
          </select>
        </label>
      </form>
      <FormError message={createError} />

      {loadError && (
        <div class="notice notice-error" role="alert">
          {loadError}{' '}
          <button type="button" class="btn btn-sm" onClick={() => void loadPage(null)}>
            Retry
          </button>
        </div>
      )}

      <table class="table projects-table" aria-label="Projects">
        <thead>
          <tr>
            <th>Name</th>
            <th class="col-progress">Progress</th>
            <th class="col-id">ID</th>
            <th class="col-date">Created</th>
            <th class="col-actions">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.map((p) => (
            <tr key={p.id}>
              <td>
                <Link href={defaultTabPath(p.id)} class="strong-link">
                  {p.name}
                </Link>
                {p.role && p.role !== 'admin' && <span class="badge badge-muted">{p.role}</span>}
                <span class="badge badge-muted" data-task-type={p.task_type}>
                  {taskTypeLabel(p.task_type)}
                </span>
              </td>
              <td class="col-progress">
                <ProjectProgress projectId={p.id} />
              </td>
              <td class="col-id mono">#{p.id}</td>
              <td class="col-date muted" title={p.created_at}>
                {formatDateTime(p.created_at)}
              </td>
              <td class="col-actions">
                {canManage(p) && (
                  <button type="button" class="btn btn-sm btn-danger-ghost" aria-label={`Delete project ${p.name}`} onClick={() => askDelete(p)}>
                    Delete
                  </button>
                )}
              </td>
            </tr>
          ))}
          {!loading && !loadError && list.length === 0 && (
            <tr>
              <td colSpan={5} class="empty">
                No projects yet. Create one above to start defining categories.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {loading && <p class="muted small">Loading…</p>}
      {cursor && !loading && (
        <button type="button" class="btn btn-sm" onClick={() => void loadPage(cursor)}>
          Load more
        </button>
      )}

      {deleted.length > 0 && (
        <section class="deleted-projects" aria-labelledby="deleted-projects-title">
          <h2 id="deleted-projects-title" class="section-title">
            Deleted projects
          </h2>
          <table class="table" aria-label="Deleted projects">
            <tbody>
              {deleted.map((p) => (
                <tr key={p.id} data-deleted-project={p.id}>
                  <td>
                    <span class="muted">{p.name}</span>
                  </td>
                  <td class="col-id mono">#{p.id}</td>
                  <td class="col-date muted" title={p.deleted_at}>
                    deleted {p.deleted_at ? formatDateTime(p.deleted_at) : ''}
                  </td>
                  <td class="col-actions">
                    <button type="button" class="btn btn-sm" aria-label={`Restore project ${p.name}`} onClick={() => void restore(p)}>
                      Restore
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {confirm.dialog}
    </main>
  );
}
