import type { JobState } from '../hooks/use-jobs.js';

export function JobBars({ jobs, onCancel }: { jobs: JobState[]; onCancel(jobId: string): void }) {
  if (jobs.length === 0) return null;
  return (
    <div className="jobs" role="status" aria-live="polite">
      {jobs.map((j) => (
        <div className="job" key={j.jobId} data-job={j.jobId}>
          <span className="job-title">{j.title}</span>
          <div className="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(j.fraction * 100)}>
            <div className="bar-fill" style={{ width: `${Math.round(j.fraction * 100)}%` }} />
          </div>
          <span className="job-label">{j.label}</span>
          <button className="btn small" onClick={() => onCancel(j.jobId)} disabled={j.cancelling} title="Cancel (Esc)">
            Cancel
          </button>
        </div>
      ))}
    </div>
  );
}
