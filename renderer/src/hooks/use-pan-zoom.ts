import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type PointerEvent as RPointerEvent,
  type RefObject,
  type WheelEvent as RWheelEvent,
} from 'react';

export interface View {
  scale: number;
  tx: number;
  ty: number;
}

const MIN_SCALE = 0.02;
const MAX_SCALE = 32;

/** Fit the content into the box, centred. */
export function fitView(box: { width: number; height: number }, content: { width: number; height: number }): View {
  if (!content.width || !content.height || !box.width || !box.height) return { scale: 1, tx: 0, ty: 0 };
  const scale = Math.min(box.width / content.width, box.height / content.height) * 0.98;
  return { scale, tx: (box.width - content.width * scale) / 2, ty: (box.height - content.height * scale) / 2 };
}

/** Zoom by `factor` keeping the point (px, py) of the box fixed. */
export function zoomAt(v: View, factor: number, px: number, py: number): View {
  const scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, v.scale * factor));
  const k = scale / v.scale;
  return { scale, tx: px - (px - v.tx) * k, ty: py - (py - v.ty) * k };
}

/** Pan and zoom for one viewport (wheel zooms at the cursor, drag pans). */
export function usePanZoom(box: RefObject<HTMLElement | null>, content: { width: number; height: number }, panes = 1) {
  const [view, setView] = useState<View>({ scale: 1, tx: 0, ty: 0 });
  const drag = useRef<{ x: number; y: number; v: View } | null>(null);

  const fit = useCallback(() => {
    const el = box.current;
    if (el) setView(fitView({ width: el.clientWidth / panes, height: el.clientHeight }, content));
  }, [box, content, panes]);

  useEffect(() => {
    fit();
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(() => fit());
    ro.observe(el);
    return () => ro.disconnect();
  }, [fit, box]);

  const zoom = useCallback(
    (factor: number) => {
      const el = box.current;
      setView((v) => zoomAt(v, factor, (el?.clientWidth ?? 0) / panes / 2, (el?.clientHeight ?? 0) / 2));
    },
    [box, panes],
  );

  const onWheel = useCallback(
    (e: RWheelEvent) => {
      const r = (e.currentTarget as HTMLElement).getBoundingClientRect();
      // In split view both panes share one view: zoom at the cursor's position within its pane.
      const paneW = r.width / panes;
      const x = (e.clientX - r.left) % paneW;
      setView((v) => zoomAt(v, Math.exp(-e.deltaY * 0.0015), x, e.clientY - r.top));
    },
    [panes],
  );
  const onPointerDown = useCallback(
    (e: RPointerEvent) => {
      if (e.button !== 0) return;
      (e.currentTarget as HTMLElement).setPointerCapture(e.pointerId);
      drag.current = { x: e.clientX, y: e.clientY, v: view };
    },
    [view],
  );
  const onPointerMove = useCallback((e: RPointerEvent) => {
    const d = drag.current;
    if (d) setView({ ...d.v, tx: d.v.tx + e.clientX - d.x, ty: d.v.ty + e.clientY - d.y });
  }, []);
  const onPointerUp = useCallback(() => {
    drag.current = null;
  }, []);

  return { view, setView, fit, zoom, handlers: { onWheel, onPointerDown, onPointerMove, onPointerUp, onPointerCancel: onPointerUp } };
}
