import { link, readFile, unlink, writeFile } from 'node:fs/promises';
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

/**
 * Exclusive lock on a case folder. The lock file is written complete under a temporary name and
 * then hard-linked into place (link fails with EEXIST atomically), so a reader never sees a half
 * written lock. A lock left by a dead process on this host is taken over; one from another host is
 * reported, since we cannot tell whether that process is still running.
 */
export async function acquireCaseLock(dir: string, purpose: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_NAME);
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString(), purpose };
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  await writeFile(tmp, JSON.stringify(me), { flag: 'wx' });
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
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
        await unlink(path).catch(() => undefined); // stale: its process is gone
        continue;
      }
      const who = other ? `process ${other.pid} on ${other.host} (${other.purpose}, since ${other.started})` : 'another process (unreadable lock file)';
      throw new VerilensError(
        'case-locked',
        `case ${dir} is in use by ${who}; wait for it to finish. If that process no longer exists${other && other.host !== me.host ? ' on its machine' : ''}, delete ${path} and retry.`,
      );
    }
    throw new VerilensError('case-locked', `case ${dir}: could not take the lock after 3 attempts (another process keeps taking it)`);
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}
