import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const LOCK_FILE = 'shopface.lock';
const heldHere = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the data folder for this process, so that two sidecars (or an
 * analyze run beside a sidecar) never write one store at once. A lock left
 * by a process that no longer runs is taken over. Returns the release
 * function; throws when another running process holds the folder.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(path.resolve(dataDir), LOCK_FILE);
  if (heldHere.has(file)) throw new Error(`data folder ${dataDir} is already open in this process`);
  try {
    writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
      throw new Error(
        `data folder ${dataDir} is in use by process ${holder}; stop that sidecar or analyze run first, ` +
        `or delete ${file} if no such process is a shopface one`,
      );
    }
    writeFileSync(file, `${process.pid}\n`, { mode: 0o600 });
  }
  heldHere.add(file);
  return () => {
    heldHere.delete(file);
    try {
      if (Number.parseInt(readFileSync(file, 'utf8'), 10) === process.pid) unlinkSync(file);
    } catch {
      // Already gone: nothing to release.
    }
  };
}
