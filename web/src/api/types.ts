// Shapes returned by the Tessera HTTP API (see docs/api-notes.md).

export interface User {
  id: number;
  name: string;
  is_admin: boolean;
  /** Disabled accounts cannot log in; their sessions and tokens have ended. */
  disabled?: boolean;
  created_at: string;
}

/** An API token as listed: never its secret. */
export interface ApiToken {
  id: number;
  name: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  expired: boolean;
  /** The token this request was made with. */
  current: boolean;
}

/** A project role; `admin` is a server administrator, above every role. */
export type Role = 'labeler' | 'reviewer' | 'manager' | 'admin';
export type MemberRole = Exclude<Role, 'admin'>;

/** One entry of a project's history: who changed what, and when. */
export interface ProjectEvent {
  id: number;
  action: string;
  by: string | null;
  at: string;
  detail: Record<string, unknown>;
}

export interface Member {
  user_id: number;
  name: string;
  role: MemberRole;
  disabled: boolean;
  added_at: string;
}

export type TaskType = 'classification_single' | 'classification_multi' | 'detection' | 'segmentation';

export interface Project {
  id: number;
  name: string;
  task_type: TaskType;
  schema_version: string;
  settings?: { review_own_labels: boolean };
  /** The signed-in user's role in this project. */
  role?: Role;
  created_at: string;
  updated_at: string;
  /** Only in the list of deleted projects. */
  deleted_at?: string;
}

export type CategoryState = 'active' | 'disabled' | 'deleted';

export interface Category {
  id: number;
  name: string;
  display_order: number;
  state: CategoryState;
  created_at?: string;
  updated_at?: string;
}

export interface AuthStatus {
  needs_setup: boolean;
  /** The user of the session cookie, or null when there is no valid session. */
  user?: User | null;
}

