import { useEffect } from 'preact/hooks';
import { projects as projectsApi } from '../../api/endpoints';
import type { Project } from '../../api/types';
import { Link } from '../../components/Link';
import { useResource } from '../../state/resource';
import { ProjectTitle } from './ProjectTitle';
import { tabPath } from '../../routes';
import { PROJECT_TABS, findTab } from './tabs';
import { taskTypeLabel } from '../../lib/taskTypes';

export function ProjectScreen({ projectId, tab }: { projectId: number; tab: string }) {
  const loaded = useResource<Project | null>(() => projectsApi.get(projectId), null, [projectId]);
  const project = loaded.value.value;
  const error = loaded.error.value;


  const active = findTab(tab);

  useEffect(() => {
    if (project) document.title = `${project.name} · ${active?.label ?? 'Project'} · Tessera`;
  }, [project, active]);

  if (error) {
    return (
      <main class="page">
        <p class="crumbs">
          <Link href="/">Projects</Link>
        </p>
        <div class="notice notice-error" role="alert">
          {error}
        </div>
      </main>
    );
  }

  const Screen = active?.component;
  return (
    <main class={active?.wide ? 'page page-wide' : 'page'}>
      <div class="project-head">
        <p class="crumbs">
          <Link href="/">Projects</Link>
          <span class="crumb-sep" aria-hidden="true">
            /
          </span>
        </p>
        {project ? <ProjectTitle project={project} onRenamed={loaded.set} /> : <h1 class="page-title">{'\u00a0'}</h1>}
        {project && (
          <span class="muted small project-meta" data-task-type={project.task_type}>
            {taskTypeLabel(project.task_type)} · schema {project.schema_version}
          </span>
        )}
      </div>
      <nav class="tabs" aria-label="Project sections">
        {PROJECT_TABS.map((t) => (
          <Link
            key={t.key}
            href={tabPath(projectId, t.key)}
            class={t.key === active?.key ? 'tab tab-active' : 'tab'}
            aria-current={t.key === active?.key ? 'page' : undefined}
          >
            {t.label}
          </Link>
        ))}
      </nav>
      {!active && <div class="notice">This project has no “{tab}” section.</div>}
      {project && Screen && <Screen project={project} />}
    </main>
  );
}
