import { useMemo, useRef, useState, type ReactNode } from 'react';
import type { Bookmark } from '../../../src/contract/api.js';
import { faceScores, scoreLabel, type FaceMark } from '../lib/faces.js';
import { usePanZoom, type View } from '../hooks/use-pan-zoom.js';
import { formatScore } from '../lib/format.js';

export interface Overlays {
  heatmap: boolean;
  blockmap: boolean;
  faces: boolean;
  sideBySide: boolean;
  magnifier: boolean;
  opacity: number;
}

export interface ViewerProps {
  src: string;
  width: number;
  height: number;
  heatmapUrl?: string;
  blockmapUrl?: string;
  faces: FaceMark[];
  bookmarks: Bookmark[];
  overlays: Overlays;
  onImageSize(w: number, h: number): void;
  /** The browser could not decode the image (truncated file, unusual encoding). */
  onImageError?(): void;
  /** A region to outline (the finding the analyst asked to see). */
  highlight?: { x: number; y: number; width: number; height: number } | null;
  /** Lets the toolbar fit/zoom and bookmarks read the visible region. */
  controlRef?: { current: ViewerControl | null };
}

export interface ViewerControl {
  fit(): void;
  /** Zoom and pan so the region fills most of the view. */
  focus(r: { x: number; y: number; width: number; height: number }): void;
  zoom(f: number): void;
  visibleRegion(): { x: number; y: number; width: number; height: number };
}

function Stage({ view, width, height, children }: { view: View; width: number; height: number; children: ReactNode }) {
  return (
    <div className="stage" style={{ width, height, transform: `translate(${view.tx}px, ${view.ty}px) scale(${view.scale})` }}>
      {children}
    </div>
  );
}

function FaceLayer({ faces, width, height, scale }: { faces: FaceMark[]; width: number; height: number; scale: number }) {
  const sw = 2 / scale;
  return (
    <svg className="overlay faces-layer" viewBox={`0 0 ${width} ${height}`} width={width} height={height} data-testid="face-overlay">
      {faces.map((f) => (
        <g key={f.index} className="face-mark" data-face={f.index}>
          <rect x={f.box.x} y={f.box.y} width={f.box.width} height={f.box.height} strokeWidth={sw} />
          {f.landmarks.map((p, i) => (
            <circle key={i} cx={p.x} cy={p.y} r={3 / scale} />
          ))}
          <text x={f.box.x} y={Math.max(12 / scale, f.box.y - 4 / scale)} fontSize={12 / scale}>
            {`#${f.index + 1}` +
              faceScores(f)
                .map(([k, s]) => `  ${scoreLabel(k)} ${formatScore(s)}`)
                .join('')}
          </text>
        </g>
      ))}
    </svg>
  );
}

function BookmarkLayer({ bookmarks, width, height, scale }: { bookmarks: Bookmark[]; width: number; height: number; scale: number }) {
  const withRegion = bookmarks.filter((b) => b.region);
  if (withRegion.length === 0) return null;
  return (
    <svg className="overlay bookmarks-layer" viewBox={`0 0 ${width} ${height}`} width={width} height={height}>
      {withRegion.map((b) => (
        <rect key={b.seq} x={b.region!.x} y={b.region!.y} width={b.region!.width} height={b.region!.height} strokeWidth={1.5 / scale}>
          <title>{b.comment}</title>
        </rect>
      ))}
    </svg>
  );
}

/** Image viewer: wheel zoom at the cursor, drag to pan, optional magnifier, overlays in image pixels. */
export function Viewer(p: ViewerProps) {
  const box = useRef<HTMLDivElement>(null);
  const side = p.overlays.sideBySide && Boolean(p.heatmapUrl);
  const content = useMemo(() => ({ width: p.width, height: p.height }), [p.width, p.height]);
  const pz = usePanZoom(box, content, side ? 2 : 1);
  const [lens, setLens] = useState<{ x: number; y: number; pane: number } | null>(null);

  if (p.controlRef) {
    p.controlRef.current = {
      fit: pz.fit,
      focus: (r) => {
        const el = box.current;
        const cw = (el?.clientWidth ?? 0) / (side ? 2 : 1);
        const ch = el?.clientHeight ?? 0;
        if (!cw || !ch || r.width <= 0 || r.height <= 0) return;
        const scale = Math.min(16, Math.min(cw / r.width, ch / r.height) * 0.6);
        pz.setView({ scale, tx: cw / 2 - (r.x + r.width / 2) * scale, ty: ch / 2 - (r.y + r.height / 2) * scale });
      },
      zoom: pz.zoom,
      visibleRegion: () => {
        const el = box.current;
        const v = pz.view;
        const cw = (el?.clientWidth ?? 0) / (side ? 2 : 1);
        const ch = el?.clientHeight ?? 0;
        const x0 = Math.max(0, -v.tx / v.scale);
        const y0 = Math.max(0, -v.ty / v.scale);
        const x1 = Math.min(p.width, (cw - v.tx) / v.scale);
        const y1 = Math.min(p.height, (ch - v.ty) / v.scale);
        return { x: Math.round(x0), y: Math.round(y0), width: Math.max(1, Math.round(x1 - x0)), height: Math.max(1, Math.round(y1 - y0)) };
      },
    };
  }

  const layers = (withHeat: boolean, heatOpacity: number) => (
    <>
      <img
        className="base"
        src={p.src}
        alt="Evidence"
        draggable={false}
        onLoad={(e) => p.onImageSize(e.currentTarget.naturalWidth, e.currentTarget.naturalHeight)}
        onError={() => p.onImageError?.()}
      />
      {withHeat && p.heatmapUrl && (
        <img
          className="overlay heatmap"
          src={p.heatmapUrl}
          alt="ELA heatmap"
          data-testid="heatmap-overlay"
          draggable={false}
          style={{ opacity: heatOpacity }}
        />
      )}
      {p.overlays.blockmap && p.blockmapUrl && (
        <img className="overlay blockmap" src={p.blockmapUrl} alt="ELA block map" data-testid="blockmap-overlay" draggable={false} />
      )}
      {p.overlays.faces && p.faces.length > 0 && <FaceLayer faces={p.faces} width={p.width} height={p.height} scale={pz.view.scale} />}
      <BookmarkLayer bookmarks={p.bookmarks} width={p.width} height={p.height} scale={pz.view.scale} />
      {p.highlight && (
        <svg
          className="overlay highlight-layer"
          viewBox={`0 0 ${p.width} ${p.height}`}
          width={p.width}
          height={p.height}
          data-testid="highlight"
        >
          <rect x={p.highlight.x} y={p.highlight.y} width={p.highlight.width} height={p.highlight.height} strokeWidth={2 / pz.view.scale} />
        </svg>
      )}
    </>
  );

  const onMove = (e: React.PointerEvent) => {
    pz.handlers.onPointerMove(e);
    if (p.overlays.magnifier) {
      const r = e.currentTarget.getBoundingClientRect();
      setLens({ x: e.clientX - r.left, y: e.clientY - r.top, pane: side ? r.width / 2 : r.width });
    }
  };
  const LENS = 180;
  const MAG = 3;
  const v = pz.view;

  return (
    <div
      className={`viewport ${side ? 'split' : ''} ${p.overlays.magnifier ? 'magnifying' : ''}`}
      ref={box}
      {...pz.handlers}
      onPointerMove={onMove}
      onPointerLeave={() => setLens(null)}
      onDoubleClick={pz.fit}
      data-testid="viewer"
    >
      <div className="pane">
        <Stage view={v} width={p.width} height={p.height}>
          {layers(p.overlays.heatmap && !side, p.overlays.opacity)}
        </Stage>
        {side && <span className="pane-label">Original</span>}
      </div>
      {side && (
        <div className="pane">
          <Stage view={v} width={p.width} height={p.height}>
            {layers(true, 1)}
          </Stage>
          <span className="pane-label">ELA heatmap</span>
        </div>
      )}
      {p.overlays.magnifier && lens && (
        <div className="lens" style={{ left: lens.x - LENS / 2, top: lens.y - LENS / 2, width: LENS, height: LENS }}>
          <div
            className="stage"
            style={{
              width: p.width,
              height: p.height,
              transform: `translate(${LENS / 2 - ((lens.x % lens.pane) - v.tx) * MAG}px, ${LENS / 2 - (lens.y - v.ty) * MAG}px) scale(${v.scale * MAG})`,
            }}
          >
            <img className="base" src={p.src} alt="" draggable={false} />
          </div>
        </div>
      )}
      <span className="zoom-readout">{Math.round(v.scale * 100)}%</span>
    </div>
  );
}
