// The tabs of a project page, in the order shown. Add a tab here (key, label,
// screen) and it appears in the tab bar and gets its route
// /projects/:id/<key>. Only list tabs whose screens exist.
import type { ComponentType } from 'preact';
import type { Project } from '../../api/types';
import { AssetsScreen } from '../assets/AssetsScreen';
import { CategoriesScreen } from '../categories/CategoriesScreen';
import { ExportsScreen } from '../exports/ExportsScreen';
import { LabelScreen } from '../label/LabelScreen';
import { MembersScreen } from '../members/MembersScreen';
import { ReviewScreen } from '../review/ReviewScreen';

export interface ProjectTabProps {
  project: Project;
}

export interface ProjectTab {
  key: string;
  label: string;
  component: ComponentType<ProjectTabProps>;
  /** Use the window's width (grids and the viewer), not the reading column. */
  wide?: boolean;
}

export const PROJECT_TABS: readonly ProjectTab[] = [
  { key: 'categories', label: 'Categories', component: CategoriesScreen },
  { key: 'assets', label: 'Assets', component: AssetsScreen, wide: true },
  { key: 'label', label: 'Label', component: LabelScreen, wide: true },
  { key: 'review', label: 'Review', component: ReviewScreen, wide: true },
  { key: 'exports', label: 'Exports', component: ExportsScreen },
  { key: 'members', label: 'Members', component: MembersScreen },
];

export function tabPath(projectId: number, key: string): string {
  return `/projects/${projectId}/${key}`;
}

export function defaultTabPath(projectId: number): string {
  return tabPath(projectId, PROJECT_TABS[0]?.key ?? 'categories');
}

export function findTab(key: string | undefined): ProjectTab | undefined {
  return PROJECT_TABS.find((t) => t.key === key);
}
