import { useState } from 'react';
import type { AppInfo, CaseSummary } from '../../../src/contract/api.js';
import { formatDate } from '../lib/format.js';

export function CasesView({
  info,
  recent,
  onCreate,
  onOpen,
}: {
  info?: AppInfo;
  recent: CaseSummary[];
  onCreate(title: string, analyst: string, notes: string): Promise<void>;
  onOpen(id: string): void;
}) {
  const [title, setTitle] = useState('');
  const [analyst, setAnalyst] = useState('');
  const [notes, setNotes] = useState('');
  const casesOff = info && !info.features.cases;
  return (
    <div className="cases-view">
      <section className="card">
        <h2>New case</h2>
        <p className="muted small">
          A case keeps read-only copies of the evidence, every result, your annotations and a tamper-evident custody log.
        </p>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            if (title.trim() && analyst.trim()) void onCreate(title.trim(), analyst.trim(), notes.trim());
          }}
        >
          <label>
            Title
            <input
              value={title}
              onChange={(e) => setTitle(e.target.value)}
              placeholder="e.g. Loan application 2291 — ID selfie"
              aria-label="Case title"
              autoFocus
            />
          </label>
          <label>
            Analyst
            <input
              value={analyst}
              onChange={(e) => setAnalyst(e.target.value)}
              placeholder="Your name as it appears on reports"
              aria-label="Analyst name"
            />
          </label>
          <label>
            Notes
            <textarea
              value={notes}
              onChange={(e) => setNotes(e.target.value)}
              rows={3}
              placeholder="What was received, from whom, and why it is being examined"
              aria-label="Case notes"
            />
          </label>
          <button className="btn primary" type="submit" disabled={!title.trim() || !analyst.trim() || casesOff}>
            Create case
          </button>
          {casesOff && <p className="muted small">The case store is not part of this build yet.</p>}
        </form>
      </section>
      <section className="card grow">
        <h2>Recent cases</h2>
        {recent.length === 0 ? (
          <p className="muted">No cases yet. Create one to start adding evidence.</p>
        ) : (
          <table className="grid-table recent">
            <thead>
              <tr>
                <th>Title</th>
                <th>Analyst</th>
                <th>Evidence</th>
                <th>Created</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {recent.map((c) => (
                <tr key={c.id} onDoubleClick={() => onOpen(c.id)}>
                  <td>{c.title}</td>
                  <td>{c.analyst}</td>
                  <td>{c.evidenceCount}</td>
                  <td>{formatDate(c.created)}</td>
                  <td>
                    <button className="btn small" onClick={() => onOpen(c.id)}>
                      Open
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}
