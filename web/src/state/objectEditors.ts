// The object editors of one image (boxes, polygons) seen alike by the
// screens that host them (labeling, review): how to make one, read its
// objects, compare them, and turn them into a payload and back. DOM-free.
import type { Signal } from '@preact/signals';
import type { AnnotationPayload, BoxObject, PolygonObject } from '../api/assets';
import { createBoxEditor, sameBoxes, type BoxEditor } from './boxEditor';
import { createPolygonEditor, samePolygons, type PolygonEditor } from './polygonEditor';

export interface ObjectEditorLike<O> {
  load(list: readonly O[]): void;
  newCategory: Signal<number | null>;
}

export interface ObjectEditorSpec<O, E extends ObjectEditorLike<O>> {
  create: (size: { width: number; height: number }, onCommit: (objects: O[]) => void) => E;
  objectsOf: (e: E) => readonly O[];
  same: (a: readonly O[], b: readonly O[]) => boolean;
  /** The objects of a payload of this editor's type, else undefined. */
  payloadOf: (p: AnnotationPayload | null | undefined) => readonly O[] | undefined;
  toPayload: (objects: O[]) => AnnotationPayload;
}

export const BOX_SPEC: ObjectEditorSpec<BoxObject, BoxEditor> = {
  create: ({ width, height }, onCommit) => createBoxEditor({ width, height, onCommit }),
  objectsOf: (e) => e.boxes.value,
  same: sameBoxes,
  payloadOf: (p) => (p?.type === 'boxes' ? p.objects : undefined),
  toPayload: (objects) => ({ type: 'boxes', objects }),
};

export const POLYGON_SPEC: ObjectEditorSpec<PolygonObject, PolygonEditor> = {
  create: ({ width, height }, onCommit) => createPolygonEditor({ width, height, onCommit }),
  objectsOf: (e) => e.objects.value,
  same: samePolygons,
  payloadOf: (p) => (p?.type === 'polygons' ? p.objects : undefined),
  toPayload: (objects) => ({ type: 'polygons', objects }),
};
