// Typed wrappers, one per endpoint the web app uses.
import { request } from './client';
import type { ApiToken, AuthStatus, Category, Member, MemberRole, Project, ProjectEvent, TaskType, User } from './types';

const V1 = '/api/v1';

export const auth = {
  status: () => request<AuthStatus>('GET', `${V1}/auth/status`),
  setup: (name: string, password: string) =>
    request<{ user: User }>('POST', `${V1}/auth/setup`, { body: { name, password } }).then((r) => r.user),
  login: (name: string, password: string) =>
    request<{ user: User }>('POST', `${V1}/auth/login`, { body: { name, password } }).then((r) => r.user),
  /** Ends this session; with everywhere, every session and API token of the signed-in user. */
  logout: (everywhere = false) => request<undefined>('POST', `${V1}/auth/logout`, { query: { all: everywhere } }),
  me: () => request<User>('GET', `${V1}/me`),
  /** A new API token for the signed-in user; the server shows the secret only this once. */
  createToken: (name: string | null, expiresAt: string | null) =>
    request<ApiToken & { token: string }>('POST', `${V1}/me/tokens`, {
      body: name ? { name, expires_at: expiresAt } : { expires_at: expiresAt },
    }),
  tokens: () => request<{ tokens: ApiToken[] }>('GET', `${V1}/me/tokens`).then((r) => r.tokens),
  revokeToken: (id: number) => request<undefined>('DELETE', `${V1}/me/tokens/${id}`),
};

export const users = {
  list: () => request<{ users: User[] }>('GET', `${V1}/users`).then((r) => r.users),
  create: (name: string, password: string, isAdmin: boolean) =>
    request<User>('POST', `${V1}/users`, { body: { name, password, is_admin: isAdmin } }),
  setDisabled: (id: number, disabled: boolean) =>
    request<User>('PATCH', `${V1}/users/${id}`, { body: { disabled } }),
  /** Disables a user (they are never removed); restore enables them again. */
  remove: (id: number) => request<User>('DELETE', `${V1}/users/${id}`),
  restore: (id: number) => request<User>('POST', `${V1}/users/${id}/restore`),
};

export const projects = {
  list: (cursor?: string | null, limit = 100, deleted = false) =>
    request<{ projects: Project[]; next_cursor: string | null }>('GET', `${V1}/projects`, {
      query: { limit, cursor, deleted: deleted || undefined },
    }),
  /** Soft delete: the project leaves the lists until restored; nothing under it is removed. */
  remove: (id: number) => request<undefined>('DELETE', `${V1}/projects/${id}`),
  restore: (id: number) => request<Project>('POST', `${V1}/projects/${id}/restore`),
  get: (id: number) => request<Project>('GET', `${V1}/projects/${id}`),
  create: (name: string, taskType: TaskType = 'classification_single') =>
    request<Project>('POST', `${V1}/projects`, { body: { name, task_type: taskType } }),
  /** Renames a project or changes its settings. */
  update: (id: number, patch: { name?: string; settings?: { review_own_labels: boolean } }) =>
    request<Project>('PATCH', `${V1}/projects/${id}`, { body: patch }),
  history: (id: number, limit = 50) =>
    request<{ history: ProjectEvent[]; next_cursor: string | null }>('GET', `${V1}/projects/${id}/history`, {
      query: { limit },
    }).then((r) => r.history),
};

export const members = {
  list: (projectId: number) =>
    request<{ members: Member[] }>('GET', `${V1}/projects/${projectId}/members`).then((r) => r.members),
  add: (projectId: number, name: string, role: MemberRole) =>
    request<Member>('POST', `${V1}/projects/${projectId}/members`, { body: { name, role } }),
  setRole: (projectId: number, userId: number, role: MemberRole) =>
    request<Member>('PUT', `${V1}/projects/${projectId}/members/${userId}`, { body: { role } }),
  remove: (projectId: number, userId: number) =>
    request<undefined>('DELETE', `${V1}/projects/${projectId}/members/${userId}`),
};

export const categories = {
  list: (projectId: number, includeDeleted = false) =>
    request<{ categories: Category[] }>('GET', `${V1}/projects/${projectId}/categories`, {
      query: { include_deleted: includeDeleted },
    }).then((r) => r.categories),
  create: (projectId: number, name: string) =>
    request<Category>('POST', `${V1}/projects/${projectId}/categories`, { body: { name } }),
  update: (projectId: number, id: number, patch: { name?: string; state?: 'active' | 'disabled' }) =>
    request<Category>('PATCH', `${V1}/projects/${projectId}/categories/${id}`, { body: patch }),
  remove: (projectId: number, id: number) =>
    request<Category>('DELETE', `${V1}/projects/${projectId}/categories/${id}`),
  /** Brings a deleted category back with its id, last in the display order. */
  restore: (projectId: number, id: number) =>
    request<Category>('POST', `${V1}/projects/${projectId}/categories/${id}/restore`),
  reorder: (projectId: number, order: number[]) =>
    request<{ categories: Category[] }>('PUT', `${V1}/projects/${projectId}/categories/order`, {
      body: { order },
    }).then((r) => r.categories),
};
