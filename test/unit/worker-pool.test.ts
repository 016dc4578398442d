import path from 'node:path';
import { WorkerPool } from '../../plugin/inference/pool';

const WORKER = path.join(__dirname, '..', 'fixtures', 'echo-worker.ts');

interface Task {
  value: number;
  fail?: boolean;
  crash?: boolean;
  delayMs?: number;
}

describe('WorkerPool', () => {
  let pool: WorkerPool<Task, { value: number; thread: number }>;
  afterEach(async () => {
    await pool?.close();
  });

  test('runs tasks on every worker and returns their results', async () => {
    pool = new WorkerPool(WORKER, { factor: 3 }, 2);
    await pool.ready();
    const results = await Promise.all([1, 2, 3, 4].map((value) => pool.run({ value, delayMs: 50 })));
    expect(results.map((r) => r.value)).toEqual([3, 6, 9, 12]);
    expect(new Set(results.map((r) => r.thread)).size).toBe(2);
  }, 30000);

  test('rejects a failed task with its message and carries on', async () => {
    pool = new WorkerPool(WORKER, { factor: 2 }, 1);
    await expect(pool.run({ value: 1, fail: true })).rejects.toThrow('task 1 failed on purpose');
    expect((await pool.run({ value: 5 })).value).toBe(10);
  }, 30000);

  test('replaces a worker that exits and fails only its task', async () => {
    pool = new WorkerPool(WORKER, { factor: 2 }, 1);
    await pool.ready();
    await expect(pool.run({ value: 1, crash: true })).rejects.toThrow(/exited with code 3/);
    expect((await pool.run({ value: 7 })).value).toBe(14);
  }, 30000);

  test('rejects tasks after close', async () => {
    pool = new WorkerPool(WORKER, { factor: 2 }, 1);
    await pool.close();
    await expect(pool.run({ value: 1 })).rejects.toThrow('worker pool is closed');
  }, 30000);
});
