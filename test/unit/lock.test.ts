import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lockDataDir } from '../../plugin/store/lock';

describe('data folder lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('one holder at a time in a process', () => {
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(/already open in this process/);
    release();
    expect(existsSync(path.join(dir, 'shopface.lock'))).toBe(false);
    lockDataDir(dir)();
  });

  test('rejects a folder held by another running process', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      writeFileSync(path.join(dir, 'shopface.lock'), `${child.pid}\n`);
      expect(() => lockDataDir(dir)).toThrow(new RegExp(`in use by process ${child.pid}`));
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('takes over a lock left by a dead process', async () => {
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((resolve) => child.once('exit', resolve));
    writeFileSync(path.join(dir, 'shopface.lock'), `${child.pid}\n`);
    const release = lockDataDir(dir);
    expect(readFileSync(path.join(dir, 'shopface.lock'), 'utf8').trim()).toBe(String(process.pid));
    release();
  });
});
