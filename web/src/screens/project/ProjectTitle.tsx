// The project's name as the page title, renamed in place: the Rename button
// (or a double click) turns it into a field; Enter saves, Escape cancels.
import { useEffect, useRef, useState } from 'preact/hooks';
import { projects as projectsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import type { Project } from '../../api/types';
import { FormError } from '../../components/FormError';
import { canManage } from '../../lib/roles';

export function ProjectTitle({ project, onRenamed }: { project: Project; onRenamed: (p: Project) => void }) {
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState(project.name);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);

  const start = () => {
    setValue(project.name);
    setError('');
    setEditing(true);
  };

  async function save() {
    const name = value.trim();
    if (!name) {
      setError('Give the project a name.');
      return;
    }
    if (name === project.name) {
      setEditing(false);
      return;
    }
    setBusy(true);
    try {
      onRenamed(await projectsApi.update(project.id, { name }));
      setEditing(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const manage = canManage(project);
  if (!editing || !manage) {
    return (
      <>
        <h1 class="page-title" onDblClick={manage ? start : undefined}>
          {project.name}
          <span class="title-id mono">#{project.id}</span>
        </h1>
        {manage && (
          <button type="button" class="btn btn-ghost btn-sm title-rename" onClick={start}>
            Rename
          </button>
        )}
      </>
    );
  }
  return (
    <div class="title-edit">
      <input
        ref={input}
        class="title-input"
        aria-label="Project name"
        maxLength={200}
        value={value}
        disabled={busy}
        onInput={(e) => {
          setValue(e.currentTarget.value);
          setError('');
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            setEditing(false);
          }
        }}
      />
      <button type="button" class="btn btn-primary btn-sm" onClick={() => void save()} disabled={busy}>
        Save
      </button>
      <button type="button" class="btn btn-ghost btn-sm" onClick={() => setEditing(false)} disabled={busy}>
        Cancel
      </button>
      <FormError message={error} />
    </div>
  );
}
