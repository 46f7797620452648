import { useEffect, useMemo, useState } from 'react';
import type { CaseView, EvidenceEntry } from '../../../src/contract/api.js';
import { Viewer, type Overlays, type ViewerControl } from '../components/viewer.js';
import { usePicture, type Picture } from '../hooks/use-blob-url.js';
import { api } from '../bridge.js';
import { artifactOf } from '../lib/artifacts.js';
import { facesAt, videoFacts } from '../lib/video.js';

/** Frames are decoded on demand; a small cache keeps scrubbing back and forth cheap. */
const frameCache = new Map<string, Promise<Picture>>();
function loadFrame(caseId: string, sha: string, t: number): Promise<Picture> {
  const key = `${caseId}:${sha}:${t.toFixed(1)}`;
  let p = frameCache.get(key);
  if (!p) {
    p = api('getVideoFrame', caseId, sha, t).then((b) => {
      const bin = atob(b.base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      return {
        url: URL.createObjectURL(new Blob([bytes], { type: b.mime })),
        ...(b.width ? { width: b.width } : {}),
        ...(b.height ? { height: b.height } : {}),
      };
    });
    p.catch(() => frameCache.delete(key));
    frameCache.set(key, p);
    if (frameCache.size > 120) {
      const first = frameCache.keys().next().value;
      if (first !== undefined) {
        void frameCache
          .get(first)
          ?.then((x) => URL.revokeObjectURL(x.url))
          .catch(() => undefined);
        frameCache.delete(first);
      }
    }
  }
  return p;
}

/** Video evidence: the frame at the cursor (zoom, pan, face boxes of the nearest sample), a scrubber over the score timeline. */
export function VideoView({
  c,
  entry,
  overlays,
  controlRef,
}: {
  c: CaseView;
  entry: EvidenceEntry;
  overlays: Overlays;
  controlRef: { current: ViewerControl | null };
}) {
  const facts = useMemo(() => videoFacts(entry.analysis?.analyzers ?? {}), [entry]);
  const [t, setT] = useState(0);
  const [frame, setFrame] = useState<{ t: number; pic: Picture } | null>(null);
  const [error, setError] = useState<string>();
  const timeline = usePicture(c.id, 'artifact', artifactOf(entry, 'video-faces', 'timeline')).picture;
  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      loadFrame(c.id, entry.sha256, t).then(
        (pic) => live && (setFrame({ t, pic }), setError(undefined)),
        (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
      );
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [c.id, entry.sha256, t]);
  const w = frame?.pic.width ?? 0;
  const h = frame?.pic.height ?? 0;
  const faces = frame ? facesAt(facts, frame.t, { width: w, height: h }) : [];
  const step = facts.samples.length > 1 ? Math.max(0.04, (facts.samples[1]!.t - facts.samples[0]!.t) / 2) : 0.1;
  return (
    <>
      {frame && w > 0 ? (
        <Viewer
          src={frame.pic.url}
          width={w}
          height={h}
          faces={faces}
          bookmarks={[]}
          overlays={{ ...overlays, heatmap: false, blockmap: false, sideBySide: false }}
          onImageSize={() => undefined}
          controlRef={controlRef}
        />
      ) : (
        <div className="viewport empty-state">{error ? `Cannot show a frame: ${error}` : 'Decoding the first frame…'}</div>
      )}
      <div className="scrubber" data-testid="video-scrubber">
        {timeline && <img className="timeline" src={timeline.url} alt="Per-frame scores of the main face over time" />}
        <div className="row">
          <span className="mono small">{t.toFixed(2)} s</span>
          <input
            type="range"
            min={0}
            max={Math.max(0.1, facts.duration)}
            step={step}
            value={t}
            onChange={(e) => setT(Number(e.target.value))}
            aria-label="Video position"
            className="grow"
            disabled={facts.duration <= 0}
          />
          <span className="mono small muted">{facts.duration > 0 ? `${facts.duration.toFixed(2)} s` : 'run the analysis to scrub'}</span>
        </div>
        {error && frame && <p className="muted small">{error}</p>}
      </div>
    </>
  );
}
