// Shapes returned by the Tessera HTTP API (see docs/api-notes.md).

export interface User {
  id: number;
  name: string;
  is_admin: boolean;
  created_at: string;
}

export type TaskType = 'classification_single';

export interface Project {
  id: number;
  name: string;
  task_type: TaskType;
  schema_version: string;
  created_at: string;
  updated_at: string;
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

