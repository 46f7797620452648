import { randomBytes } from 'node:crypto';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { VerilensError } from '../util/errors.js';

export interface LockInfo {
  pid: number;
  host: string;
  started: string;
  purpose: string;
}

export const LOCK_NAME = 'case.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Remove a stale lock, but only the one we judged stale: contenders serialise through a
 * `case.lock.break` marker and re-read the lock under it, so a fresh lock that another contender
 * took in the meantime is never deleted. A marker left by a breaker that crashed is cleared after 10 s.
 * Returns false when another contender is breaking it (try again shortly).
 */
async function breakStaleLock(path: string, staleText: string): Promise<boolean> {
  const marker = `${path}.break`;
  const tmp = `${marker}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, `${process.pid}`, { flag: 'wx' });
  try {
    try {
      await link(tmp, marker);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const st = await stat(marker).catch(() => null);
      if (st && Date.now() - st.mtimeMs > 10_000) await unlink(marker).catch(() => undefined);
      return false;
    }
    try {
      const now = await readFile(path, 'utf8').catch(() => null);
      if (now === staleText) await unlink(path).catch(() => undefined);
    } finally {
      await unlink(marker).catch(() => undefined);
    }
    return true;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Exclusive lock on a case folder. The lock file is written complete under a temporary name and
 * then hard-linked into place (link fails with EEXIST atomically), so a reader never sees a half
 * written lock. A lock left by a dead process on this host is taken over; one from another host is
 * reported, since we cannot tell whether that process is still running.
 */
export async function acquireCaseLock(dir: string, purpose: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_NAME);
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), purpose };
  // Unique per attempt: two sessions in one process (the app's engine host) may contend in the same millisecond.
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(me), { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await link(tmp, path);
        return async () => {
          await unlink(path).catch(() => undefined);
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw new VerilensError('case-lock', `${dir}: cannot create the case lock (${(err as Error).message})`);
        }
      }
      const text = await readFile(path, 'utf8').catch(() => null);
      if (text === null) continue; // released between our attempts
      let other: LockInfo | null = null;
      try {
        other = JSON.parse(text) as LockInfo;
      } catch {
        other = null;
      }
      if (other && other.host === me.host && typeof other.pid === 'number' && !alive(other.pid)) {
        // Stale: its process is gone. Never a bare unlink: another contender may already hold a fresh lock.
        if (!(await breakStaleLock(path, text))) await sleep(5 + Math.random() * 10);
        continue;
      }
      const who = other ? `process ${other.pid} on ${other.host} (${other.purpose}, since ${other.started})` : 'another process (unreadable lock file)';
      throw new VerilensError(
        'case-locked',
        `case ${dir} is in use by ${who}; wait for it to finish. If that process no longer exists${other && other.host !== me.host ? ' on its machine' : ''}, delete ${path} and retry.`,
      );
    }
    throw new VerilensError('case-locked', `case ${dir}: could not take the lock after 100 attempts (another process keeps taking it)`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
