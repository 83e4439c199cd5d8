// The viewer's zoom and pan. DOM-free.

export interface ViewTransform {
  zoom: number;
  x: number;
  y: number;
}

/** The whole image, fitted to the viewer. */
export const FIT: ViewTransform = { zoom: 1, x: 0, y: 0 };

const MAX_ZOOM = 16;

/** The view zoomed by a factor, between fitted (which also recenters) and 16x. */
export function zoomBy(view: ViewTransform, factor: number): ViewTransform {
  const zoom = Math.min(MAX_ZOOM, Math.max(1, view.zoom * factor));
  return zoom === 1 ? FIT : { ...view, zoom };
}
