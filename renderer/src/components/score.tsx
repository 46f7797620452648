import type { ScoreInfo } from '../../../src/contract/results.js';
import { formatScore } from '../lib/format.js';

/** A score with its threshold marked, and what the number means. */
export function ScoreBar({ score, info }: { score: number; info?: ScoreInfo }) {
  const pct = Math.round(score * 100);
  const over = info?.threshold !== undefined && score >= info.threshold;
  return (
    <div className="score">
      <div className="score-row">
        <span className="score-value" data-testid="score">
          {formatScore(score)}
        </span>
        <div className="score-track" title="0 = no sign of manipulation, 1 = strong sign">
          <div className={`score-fill ${over ? 'over' : ''}`} style={{ width: `${pct}%` }} />
          {info?.threshold !== undefined && (
            <div
              className="score-threshold"
              style={{ left: `${Math.round(info.threshold * 100)}%` }}
              title={`threshold ${info.threshold}`}
            />
          )}
        </div>
        {info && <span className={`strength strength-${info.strength}`}>{info.strength} signal</span>}
      </div>
      {info && (
        <p className="score-limits small">
          <strong>Limits:</strong> {info.limits}
        </p>
      )}
      {info && (
        <details className="score-details">
          <summary>How this score was made and calibrated</summary>
          <dl className="score-info">
            <dt>Method</dt>
            <dd>{info.method}</dd>
            <dt>Measured on</dt>
            <dd>{info.measuredOn}</dd>
            {info.threshold !== undefined && (
              <>
                <dt>Threshold</dt>
                <dd>
                  Scores at or above {info.threshold} count as suspicious{over ? ' — this one is above it.' : ' — this one is below it.'}
                </dd>
              </>
            )}
          </dl>
        </details>
      )}
    </div>
  );
}
