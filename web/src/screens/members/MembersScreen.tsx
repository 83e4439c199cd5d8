// The Members tab: who is in the project and with which role. A manager
// adds someone by name, changes roles, removes members, and decides whether
// reviewers may approve their own labels. Others see the list only.
import { useState } from 'preact/hooks';
import { members as membersApi, projects as projectsApi } from '../../api/endpoints';
import { errorMessage } from '../../api/errors';
import type { Member, MemberRole } from '../../api/types';
import { FormError } from '../../components/FormError';
import { formatDateTime } from '../../lib/format';
import { canManage } from '../../lib/roles';
import { useResource } from '../../state/resource';
import { user as me } from '../../state/session';
import { showToast } from '../../state/toasts';
import type { ProjectTabProps } from '../../routes';
import { ProjectHistory } from './ProjectHistory';
import './members.css';

const ROLES: readonly { role: MemberRole; label: string; what: string }[] = [
  { role: 'labeler', label: 'Labeler', what: 'labels images' },
  { role: 'reviewer', label: 'Reviewer', what: 'also approves and bulk-edits' },
  { role: 'manager', label: 'Manager', what: 'also edits categories, uploads, exports and members' },
];

function RoleSelect(props: { value: MemberRole; label: string; disabled?: boolean; onChange: (r: MemberRole) => void }) {
  return (
    <select
      aria-label={props.label}
      value={props.value}
      disabled={props.disabled}
      onChange={(e) => props.onChange(e.currentTarget.value as MemberRole)}
    >
      {ROLES.map((r) => (
        <option key={r.role} value={r.role}>
          {r.label}
        </option>
      ))}
    </select>
  );
}

export function MembersScreen({ project }: ProjectTabProps) {
  const pid = project.id;
  const manage = canManage(project);
  const members = useResource(() => membersApi.list(pid), [] as Member[], [pid]);
  const list = members.value.value;
  const setList = members.set;
  const [name, setName] = useState('');
  const [role, setRole] = useState<MemberRole>('labeler');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [reviewOwn, setReviewOwn] = useState(project.settings?.review_own_labels ?? true);
  const [changes, setChanges] = useState(0);


  function upsert(m: Member) {
    setList((prev) => [...prev.filter((x) => x.user_id !== m.user_id), m].sort((a, b) => a.name.localeCompare(b.name)));
  }

  async function run(what: () => Promise<void>) {
    setBusy(true);
    setError('');
    try {
      await what();
      setChanges((n) => n + 1);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  function onAdd(e: Event) {
    e.preventDefault();
    if (!name.trim()) {
      setError('Type the name of the user to add.');
      return;
    }
    void run(async () => {
      const m = await membersApi.add(pid, name.trim(), role);
      upsert(m);
      setName('');
      showToast(`${m.name} is now a ${m.role} in this project.`);
    });
  }

  const onRole = (m: Member, r: MemberRole) =>
    run(async () => {
      upsert(await membersApi.setRole(pid, m.user_id, r));
      showToast(`${m.name} is now a ${r}.`);
    });

  const onRemove = (m: Member) =>
    run(async () => {
      await membersApi.remove(pid, m.user_id);
      setList((prev) => prev.filter((x) => x.user_id !== m.user_id));
      showToast(`${m.name} was removed from the project.`);
    });

  const onReviewOwn = (value: boolean) =>
    run(async () => {
      const p = await projectsApi.update(pid, { settings: { review_own_labels: value } });
      setReviewOwn(p.settings?.review_own_labels ?? value);
    });

  return (
    <section class="members" aria-label="Members">
      {manage && (
        <form class="inline-form" onSubmit={onAdd} aria-label="Add member">
          <input
            name="member-name"
            placeholder="User name"
            aria-label="User name"
            autoComplete="off"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          <RoleSelect value={role} label="Role for the new member" onChange={setRole} />
          <button type="submit" class="btn btn-primary" disabled={busy}>
            Add member
          </button>
        </form>
      )}
      <FormError message={error || members.error.value} />

      <table class="table" aria-label="Project members">
        <thead>
          <tr>
            <th>Name</th>
            <th>Role</th>
            <th class="col-date">Added</th>
            {manage && (
              <th>
                <span class="sr-only">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {list.map((m) => (
            <tr key={m.user_id} data-member={m.name}>
              <td>
                {m.name}
                {m.user_id === me.value?.id && <span class="badge badge-muted">you</span>}
                {m.disabled && <span class="badge badge-deleted">disabled</span>}
              </td>
              <td>
                {manage ? (
                  <RoleSelect
                    value={m.role}
                    label={`Role of ${m.name}`}
                    disabled={busy}
                    onChange={(r) => void onRole(m, r)}
                  />
                ) : (
                  m.role
                )}
              </td>
              <td class="col-date muted" title={m.added_at}>
                {formatDateTime(m.added_at)}
              </td>
              {manage && (
                <td>
                  <button
                    type="button"
                    class="btn btn-sm btn-danger-ghost"
                    aria-label={`Remove ${m.name}`}
                    disabled={busy}
                    onClick={() => void onRemove(m)}
                  >
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>

      <div class="help muted small">
        <ul>
          {ROLES.map((r) => (
            <li key={r.role}>
              <strong>{r.label}</strong>: {r.what}.
            </li>
          ))}
        </ul>
        <p>Administrators see and do everything in every project.</p>
      </div>

      {manage && (
        <label class="check">
          <input
            type="checkbox"
            name="review-own-labels"
            checked={reviewOwn}
            disabled={busy}
            onChange={(e) => void onReviewOwn(e.currentTarget.checked)}
          />
          Reviewers may approve labels they set themselves
        </label>
      )}
      {manage && <ProjectHistory projectId={pid} refreshKey={changes} />}
    </section>
  );
}
