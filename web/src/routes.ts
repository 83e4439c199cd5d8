// Every path of the app, and the query each screen keeps in its URL: built
// and parsed here, so screens never spell a path or read a query themselves.
// DOM-free.
import { ASSET_FILTERS, ASSET_SORTS, QUEUE_MODES, type AssetFilter, type AssetSort, type QueueMode } from './api/assets';
import type { Project } from './api/types';

/** The app's routes, matched in this order (see router/match). */
export const ROUTES = [
  ['setup', '/setup'],
  ['login', '/login'],
  ['projects', '/'],
  ['users', '/users'],
  ['account', '/account'],
  ['project', '/projects/:id'],
  ['projectTab', '/projects/:id/:tab'],
] as const;

export type RouteName = (typeof ROUTES)[number][0];

/** The tabs of a project page, in the order shown. */
export const TAB_KEYS = ['categories', 'assets', 'label', 'review', 'models', 'exports', 'members'] as const;
export type TabKey = (typeof TAB_KEYS)[number];

/** What every project tab's screen is given. */
export interface ProjectTabProps {
  project: Project;
}

export function tabPath(projectId: number, key: TabKey): string {
  return `/projects/${projectId}/${key}`;
}

export function defaultTabPath(projectId: number): string {
  return tabPath(projectId, TAB_KEYS[0]);
}

/** A positive safe integer from a query value, else null. */
function positive(v: string | null): number | null {
  const n = Number(v);
  return v !== null && Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Links from before each status had its own filter name the old groups. */
const OLD_FILTERS: Record<string, AssetFilter> = { in_review: 'labeled', done: 'approved' };

function filterOf(f: string | null, fallback: AssetFilter): AssetFilter {
  if (f !== null && (ASSET_FILTERS as readonly string[]).includes(f)) return f as AssetFilter;
  return (f !== null && OLD_FILTERS[f]) || fallback;
}

export type { QueueMode };

export interface LabelQuery {
  filter: AssetFilter;
  category: number | null;
  asset: number | null;
  queue: QueueMode;
}

/** The labeling screen's queue: ?filter=&category=&asset=&queue=. */
export function parseLabelQuery(search: string): LabelQuery {
  const q = new URLSearchParams(search);
  const f = q.get('filter');
  // Opened on one asset (from a grid) without a filter: the whole project.
  const fallback: AssetFilter = q.get('asset') ? 'all' : 'unlabeled';
  const mode = q.get('queue');
  return {
    filter: filterOf(f, fallback),
    category: positive(q.get('category')),
    asset: positive(q.get('asset')),
    queue: mode !== null && (QUEUE_MODES as readonly string[]).includes(mode) ? (mode as QueueMode) : 'order',
  };
}

export function labelPath(
  projectId: number,
  filter: AssetFilter,
  category: number | null,
  asset: number | null,
  queue: QueueMode = 'order',
): string {
  const q = new URLSearchParams({ filter });
  if (category) q.set('category', String(category));
  if (asset) q.set('asset', String(asset));
  if (queue !== 'order') q.set('queue', queue);
  return `${tabPath(projectId, 'label')}?${q.toString()}`;
}

/** The labeling screen opened on one asset, with the whole project as its queue. */
export function labelAssetPath(projectId: number, assetId: number): string {
  return `${tabPath(projectId, 'label')}?asset=${assetId}`;
}

export interface ReviewQuery {
  filter: AssetFilter;
  category: number | null;
}

/** The review screen's grid: ?filter=&category=. */
export function parseReviewQuery(search: string): ReviewQuery {
  const q = new URLSearchParams(search);
  const f = q.get('filter');
  return { filter: filterOf(f, 'labeled'), category: positive(q.get('category')) };
}

export function reviewPath(projectId: number, filter: AssetFilter, category: number | null): string {
  const q = new URLSearchParams({ filter });
  if (category) q.set('category', String(category));
  return `${tabPath(projectId, 'review')}?${q.toString()}`;
}

/** The categories screen: ?include_deleted=true shows deleted ones. */
export function parseCategoriesQuery(search: string): { includeDeleted: boolean } {
  return { includeDeleted: new URLSearchParams(search).get('include_deleted') === 'true' };
}

export function categoriesPath(projectId: number, includeDeleted = false): string {
  return tabPath(projectId, 'categories') + (includeDeleted ? '?include_deleted=true' : '');
}

export interface AssetsQuery {
  filter: AssetFilter;
  category: number | null;
  /** A video's frames only (the source filter). */
  video: number | null;
  sort: AssetSort;
  /** Text in the file name; "" for none. */
  q: string;
}

const ASSETS_DEFAULT: AssetsQuery = { filter: 'all', category: null, video: null, sort: 'id', q: '' };

/** The asset grid: ?filter=&category=&video=&sort=&q=. Bad values fall back to the defaults. */
export function parseAssetsQuery(search: string): AssetsQuery {
  const q = new URLSearchParams(search);
  const sort = q.get('sort');
  return {
    filter: filterOf(q.get('filter'), 'all'),
    category: positive(q.get('category')),
    video: positive(q.get('video')),
    sort: sort !== null && (ASSET_SORTS as readonly string[]).includes(sort) ? (sort as AssetSort) : 'id',
    q: (q.get('q') ?? '').slice(0, 255),
  };
}

/** The asset grid's path; values left at their defaults stay out of the URL. */
export function assetsPath(projectId: number, query: Partial<AssetsQuery> = {}): string {
  const full = { ...ASSETS_DEFAULT, ...query };
  const q = new URLSearchParams();
  if (full.filter !== 'all') q.set('filter', full.filter);
  if (full.category) q.set('category', String(full.category));
  if (full.video) q.set('video', String(full.video));
  if (full.sort !== 'id') q.set('sort', full.sort);
  if (full.q) q.set('q', full.q);
  const text = q.toString();
  return tabPath(projectId, 'assets') + (text ? `?${text}` : '');
}
