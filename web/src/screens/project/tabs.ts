// The screen and label of each project tab (routes.ts lists their keys, in
// the order shown). Add a key there and a row here, and the tab appears in
// the tab bar with its route /projects/:id/<key>.
import type { ComponentType } from 'preact';
import { TAB_KEYS, type ProjectTabProps, type TabKey } from '../../routes';
import { AssetsScreen } from '../assets/AssetsScreen';
import { CategoriesScreen } from '../categories/CategoriesScreen';
import { ExportsScreen } from '../exports/ExportsScreen';
import { LabelScreen } from '../label/LabelScreen';
import { MembersScreen } from '../members/MembersScreen';
import { ModelsScreen } from '../models/ModelsScreen';
import { ReviewScreen } from '../review/ReviewScreen';

export interface ProjectTab {
  key: TabKey;
  label: string;
  component: ComponentType<ProjectTabProps>;
  /** Use the window's width (grids and the viewer), not the reading column. */
  wide?: boolean;
}

const TABS: Record<TabKey, Omit<ProjectTab, 'key'>> = {
  categories: { label: 'Categories', component: CategoriesScreen },
  assets: { label: 'Assets', component: AssetsScreen, wide: true },
  label: { label: 'Label', component: LabelScreen, wide: true },
  review: { label: 'Review', component: ReviewScreen, wide: true },
  models: { label: 'Models', component: ModelsScreen },
  exports: { label: 'Exports', component: ExportsScreen },
  members: { label: 'Members', component: MembersScreen },
};

export const PROJECT_TABS: readonly ProjectTab[] = TAB_KEYS.map((key) => ({ key, ...TABS[key] }));

export function findTab(key: string | undefined): ProjectTab | undefined {
  return PROJECT_TABS.find((t) => t.key === key);
}
