import { useCallback, useEffect, useState } from 'react';
import { api, onApiEvent } from '../bridge.js';

export interface JobState {
  jobId: string;
  title: string;
  fraction: number;
  label: string;
  cancelling: boolean;
}

/** Running long operations, fed by progress events; each can be cancelled. */
export function useJobs(): {
  jobs: JobState[];
  begin(jobId: string, title: string): void;
  end(jobId: string): void;
  cancel(jobId: string): void;
  cancelAll(): void;
} {
  const [jobs, setJobs] = useState<JobState[]>([]);
  useEffect(
    () =>
      onApiEvent((e) => {
        if (e.type === 'progress') {
          setJobs((js) => js.map((j) => (j.jobId === e.jobId ? { ...j, fraction: Math.max(j.fraction, e.fraction), label: e.label } : j)));
        } else if (e.type === 'job-finished') {
          setJobs((js) => js.filter((j) => j.jobId !== e.jobId));
        }
      }),
    [],
  );
  const begin = useCallback((jobId: string, title: string) => {
    setJobs((js) => [...js, { jobId, title, fraction: 0, label: 'Starting…', cancelling: false }]);
  }, []);
  const end = useCallback((jobId: string) => setJobs((js) => js.filter((j) => j.jobId !== jobId)), []);
  const cancel = useCallback((jobId: string) => {
    setJobs((js) => js.map((j) => (j.jobId === jobId ? { ...j, cancelling: true, label: 'Cancelling…' } : j)));
    void api('cancelJob', jobId).catch(() => undefined);
  }, []);
  const cancelAll = useCallback(() => {
    setJobs((js) => {
      for (const j of js) void api('cancelJob', j.jobId).catch(() => undefined);
      return js.map((j) => ({ ...j, cancelling: true, label: 'Cancelling…' }));
    });
  }, []);
  return { jobs, begin, end, cancel, cancelAll };
}
