import { open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Atomic write: temp file in the same folder, fsync, rename over the target. */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
  const fh = await open(tmp, 'wx', mode);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * fsync a directory so that a rename or a newly created file inside it survives a crash.
 * Some platforms (Windows) cannot open directories; there the rename itself is the best we have.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, 'r');
  } catch {
    return;
  }
  try {
    await fh.sync();
  } catch {
    /* EINVAL/EISDIR on platforms without directory fsync */
  } finally {
    await fh.close();
  }
}

/** Atomic and durable: temp file, fsync, rename, then fsync the folder so the rename is on disk. */
export async function writeFileDurable(path: string, data: Uint8Array | string): Promise<void> {
  await writeFileAtomic(path, data);
  await fsyncDir(dirname(path));
}

/** Append bytes and fsync before returning: once this resolves, the data is on disk. */
export async function appendDurable(path: string, data: string): Promise<void> {
  const fh = await open(path, 'a', 0o644);
  try {
    await fh.appendFile(data, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}
