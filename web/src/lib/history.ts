// A project's history entry (GET /api/v1/projects/{id}/history) as one
// sentence for people. DOM-free; the screen renders it as text.
import type { ProjectEvent } from '../api/types';

export type { ProjectEvent };

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const q = (v: unknown) => `“${str(v)}”`;

export function describeEvent(e: ProjectEvent): string {
  const d = e.detail;
  switch (e.action) {
    case 'project.create':
      return `created the project ${q(d.name)}`;
    case 'project.rename':
      return `renamed the project from ${q(d.from)} to ${q(d.to)}`;
    case 'project.settings':
      return d.review_own_labels === false
        ? 'stopped reviewers approving their own labels'
        : 'let reviewers approve their own labels';
    case 'category.create':
      return `added category ${q(d.name)} (#${str(d.category_id)})`;
    case 'category.rename':
      return `renamed category #${str(d.category_id)} from ${q(d.from)} to ${q(d.to)}`;
    case 'category.state':
      return `${d.to === 'disabled' ? 'disabled' : 'enabled'} category ${q(d.name)} (#${str(d.category_id)})`;
    case 'category.delete':
      return `deleted category ${q(d.name)} (#${str(d.category_id)})`;
    case 'category.reorder':
      return 'reordered the categories';
    case 'member.add':
      return `added ${str(d.name)} as ${str(d.role)}`;
    case 'member.role':
      return `made ${str(d.name)} a ${str(d.to)} (was ${str(d.from)})`;
    case 'member.remove':
      return `removed ${str(d.name)} (${str(d.role)})`;
    default:
      return e.action;
  }
}
