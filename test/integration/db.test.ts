import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Database } from '../../plugin/store/db';
import { MIGRATIONS } from '../../plugin/store/migrations';

const WRITER = `
  const { Database } = require(${JSON.stringify(path.join(__dirname, '../../plugin/store/db'))});
  (async () => {
    const db = await Database.open(process.argv[1]);
    process.stdout.write('ready\\n');
    for (let i = 0; ; i++) {
      await db.transaction(async () => {
        for (let k = 0; k < 50; k++) {
          await db.run('INSERT INTO occupancy (store_id, camera_id, t, count) VALUES (?, ?, ?, ?)', ['s', 'c' + i, k, 1]);
        }
      });
    }
  })();
`;

describe('SQLite store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-db-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('opens in WAL mode with every migration applied', async () => {
    const db = await Database.open(path.join(dir, 'a.sqlite'));
    const mode = await db.get<{ journal_mode: string }>('PRAGMA journal_mode');
    expect(mode!.journal_mode).toBe('wal');
    expect(await db.schemaVersion()).toBe(MIGRATIONS.length);
    await db.close();
  });

  test('a failed transaction leaves nothing behind', async () => {
    const db = await Database.open(path.join(dir, 'b.sqlite'));
    await expect(db.transaction(async () => {
      await db.run('INSERT INTO occupancy (store_id, camera_id, t, count) VALUES (?, ?, ?, ?)', ['s', 'c', 1, 1]);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await db.all('SELECT * FROM occupancy')).toEqual([]);
    await db.close();
  });

  test('a writer killed mid-transaction leaves a consistent database', async () => {
    const file = path.join(dir, 'c.sqlite');
    const child = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', WRITER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const db = await Database.open(file);
    const check = await db.get<{ integrity_check: string }>('PRAGMA integrity_check');
    expect(check!.integrity_check).toBe('ok');
    const rows = await db.all<{ camera_id: string; n: number }>('SELECT camera_id, COUNT(*) AS n FROM occupancy GROUP BY camera_id');
    expect(rows.length).toBeGreaterThan(0);
    // Every transaction wrote 50 rows: a partial one would show up as a smaller group.
    for (const row of rows) expect(row.n).toBe(50);
    await db.close();
  }, 30000);
});

describe('SQLite file permissions', () => {
  test('a new database file is owner-only', async () => {
    const { statSync } = await import('node:fs');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shopface-mode-'));
    try {
      const db = await Database.open(path.join(dir, 'm.sqlite'));
      await db.run('INSERT INTO occupancy (store_id, camera_id, t, count) VALUES (?, ?, ?, ?)', ['s', 'c', 1, 1]);
      expect(statSync(path.join(dir, 'm.sqlite')).mode & 0o777).toBe(0o600);
      expect(statSync(path.join(dir, 'm.sqlite-wal')).mode & 0o777).toBe(0o600);
      await db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
