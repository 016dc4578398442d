import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { MIGRATIONS } from './migrations';

export type SqlValue = string | number | bigint | Buffer | null;

/**
 * A promise wrapper over one sqlite3 connection. The database runs in WAL
 * mode with a busy timeout, so readers (the API) do not block the pipeline's
 * writes. A process crash keeps every committed transaction; with
 * synchronous=NORMAL a power loss may drop the last ones but not corrupt the file.
 */
export class Database {
  private constructor(private readonly db: sqlite3.Database, readonly file: string) {}

  static async open(file: string, options: { busyTimeoutMs?: number } = {}): Promise<Database> {
    if (file !== ':memory:') {
      mkdirSync(path.dirname(file), { recursive: true });
      // Visits and demographics are personal data: owner-only, like the key. SQLite gives its -wal and -shm files the same mode.
      if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600 });
    }
    const raw = await new Promise<sqlite3.Database>((resolve, reject) => {
      const db = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(db)));
    });
    raw.configure('busyTimeout', options.busyTimeoutMs ?? 5000);
    const db = new Database(raw, file);
    await db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
    await db.migrate();
    return db;
  }

  exec(sql: string): Promise<void> {
    return new Promise((resolve, reject) => this.db.exec(sql, (error) => (error ? reject(error) : resolve())));
  }

  run(sql: string, params: SqlValue[] = []): Promise<{ changes: number; lastID: number }> {
    return new Promise((resolve, reject) => {
      this.db.run(sql, params, function (this: sqlite3.RunResult, error: Error | null) {
        if (error) reject(error);
        else resolve({ changes: this.changes, lastID: this.lastID });
      });
    });
  }

  get<T>(sql: string, params: SqlValue[] = []): Promise<T | undefined> {
    return new Promise((resolve, reject) =>
      this.db.get(sql, params, (error, row) => (error ? reject(error) : resolve(row as T | undefined))),
    );
  }

  all<T>(sql: string, params: SqlValue[] = []): Promise<T[]> {
    return new Promise((resolve, reject) =>
      this.db.all(sql, params, (error, rows) => (error ? reject(error) : resolve(rows as T[]))),
    );
  }

  /**
   * Runs `work` inside one IMMEDIATE transaction. Transactions on this
   * connection run one after another; a statement issued outside
   * transaction() while one is open becomes part of it, so writers use this.
   */
  async transaction<T>(work: () => Promise<T>): Promise<T> {
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      await this.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        await this.exec('COMMIT');
        return result;
      } catch (error) {
        await this.exec('ROLLBACK');
        throw error;
      }
    } finally {
      release();
    }
  }

  private queue: Promise<void> = Promise.resolve();

  async schemaVersion(): Promise<number> {
    const row = await this.get<{ user_version: number }>('PRAGMA user_version');
    return row?.user_version ?? 0;
  }

  private async migrate(): Promise<void> {
    const current = await this.schemaVersion();
    for (let version = current; version < MIGRATIONS.length; version++) {
      await this.transaction(async () => {
        await this.exec(MIGRATIONS[version]);
        await this.exec(`PRAGMA user_version = ${version + 1}`);
      });
    }
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.db.close((error) => (error ? reject(error) : resolve())));
  }
}
