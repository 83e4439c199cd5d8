// What a project role may do, as the server decides it (docs/openapi.yaml,
// x-min-role): screens hide what the user cannot do. The server refuses it
// anyway.
import type { Project, Role } from '../api/types';

const RANK: Record<Role, number> = { labeler: 1, reviewer: 2, manager: 3, admin: 4 };

/** Does the user's role in project reach `need`? A project without a role
 * (an older server) allows everything, as before roles existed. */
export function hasRole(project: Pick<Project, 'role'> | null | undefined, need: Role): boolean {
  if (!project?.role) return true;
  return RANK[project.role] >= RANK[need];
}

export const canReview = (p: Pick<Project, 'role'> | null | undefined) => hasRole(p, 'reviewer');
export const canManage = (p: Pick<Project, 'role'> | null | undefined) => hasRole(p, 'manager');
