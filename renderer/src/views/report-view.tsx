import { useEffect, useState } from 'react';
import type { AppInfo, CaseView, ReportExport, ReportVerification, SignerInfo } from '../../../src/contract/api.js';
import { api, newJobId } from '../bridge.js';

export function ReportView({
  info,
  c,
  track,
  done,
}: {
  info?: AppInfo;
  c?: CaseView;
  track(jobId: string, title: string): void;
  done(jobId: string): void;
}) {
  const [signer, setSigner] = useState<SignerInfo | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [exported, setExported] = useState<ReportExport | null>(null);
  const [verification, setVerification] = useState<ReportVerification | null>(null);
  const [error, setError] = useState<string>();
  const reportsOff = info && !info.features.reports;
  useEffect(() => {
    api('getSigner').then(setSigner, () => undefined);
  }, [exported]);
  const fail = (e: unknown) => setError(e instanceof Error ? e.message : String(e));

  return (
    <div className="split-view">
      <section className="card grow">
        <h2>Export a signed report</h2>
        {reportsOff && <p className="muted">Signed reports are not part of this build yet.</p>}
        {!c && <p className="muted">Open a case first.</p>}
        {c && (
          <>
            <p className="muted small">
              The report (PDF for people, JSON for machines) covers every evidence file, result, annotation and the custody log of “
              {c.title}”. It is signed with your analyst key; anyone with your public key can check that nothing in it was changed.
            </p>
            <p>
              Signer:{' '}
              {signer ? (
                <>
                  <strong>{signer.analyst}</strong> · fingerprint <code data-testid="signer-fingerprint">{signer.short}</code>
                </>
              ) : (
                <span className="muted">a key is created for {c.analyst} on the first export</span>
              )}
            </p>
            <form
              className="row inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                setError(undefined);
                const jobId = newJobId('report');
                track(jobId, 'Exporting signed report');
                api('exportReport', c.id, jobId, passphrase)
                  .then((r) => r && setExported(r), fail)
                  .finally(() => done(jobId));
              }}
            >
              <input
                type="password"
                value={passphrase}
                onChange={(e) => setPassphrase(e.target.value)}
                placeholder="Key passphrase"
                aria-label="Key passphrase"
                autoComplete="off"
              />
              <button className="btn primary" type="submit" disabled={reportsOff || !passphrase} data-testid="export-report">
                Export signed report…
              </button>
            </form>
          </>
        )}
        {exported && (
          <div className="result-box ok" data-testid="export-result">
            <strong>Report written:</strong> {exported.fileName}
            <div className="muted small">
              SHA-256 <code>{exported.sha256}</code> · signed by {exported.signer.analyst} ({exported.signer.short})
            </div>
            {exported.files.length > 0 && <div className="muted small">With: {exported.files.join(', ')}</div>}
          </div>
        )}
        {error && <p className="error-box">{error}</p>}
      </section>
      <section className="card grow">
        <h2>Verify a report</h2>
        <p className="muted small">
          Checks the signature, the PDF digest and the signer against your trusted keys. An unknown signer is reported as such, never as
          valid.
        </p>
        <button
          className="btn"
          disabled={reportsOff}
          data-testid="verify-report"
          onClick={() => {
            setError(undefined);
            api('verifyReportFromDialog').then(setVerification, fail);
          }}
        >
          Choose report to verify…
        </button>
        {verification && (
          <div className={`result-box ${verification.valid ? 'ok' : 'bad'}`} data-testid="verify-result">
            <div className="verdict-line">
              {verification.valid ? 'VALID' : 'INVALID'} — {verification.fileName}
            </div>
            {verification.signer && (
              <div className="small">
                Signed by {verification.signer.analyst} · fingerprint <code>{verification.signer.short}</code> ·{' '}
                {verification.signer.trusted ? 'trusted key' : 'key NOT in your trust store'}
              </div>
            )}
            <ul className="checks">
              {verification.checks.map((ch) => (
                <li key={ch.name} className={ch.ok ? 'ok' : 'bad'}>
                  {ch.ok ? '✓' : '✗'} {ch.name}: <span className="muted">{ch.detail}</span>
                </li>
              ))}
            </ul>
            {verification.reasons.map((r) => (
              <p key={r} className="small">
                {r}
              </p>
            ))}
          </div>
        )}
      </section>
    </div>
  );
}
