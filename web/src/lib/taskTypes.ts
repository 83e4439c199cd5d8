// The task types a project is created with, and how the app names them.
import type { TaskType } from '../api/types';

export const TASK_TYPES: readonly TaskType[] = ['classification_single', 'classification_multi', 'detection', 'segmentation'];

export const TASK_TYPE_LABEL: Record<TaskType, string> = {
  classification_single: 'Single-label classification',
  classification_multi: 'Multi-label classification',
  detection: 'Bounding boxes (detection)',
  segmentation: 'Polygons (segmentation)',
};

/** The name of a task type, or the type itself when this app does not know it. */
export function taskTypeLabel(t: string): string {
  return (TASK_TYPE_LABEL as Record<string, string>)[t] ?? t;
}
