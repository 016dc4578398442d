import { Worker, type TransferListItem } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import path from 'node:path';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  busy: boolean;
  pending: Map<number, Pending>;
  ready: Promise<void>;
}

interface Queued {
  message: unknown;
  transfer: TransferListItem[];
  pending: Pending;
}

const ENTRY = path.join(__dirname, 'worker-entry.js');

/** Default number of inference workers: one per core, at most 4. */
export function defaultWorkerCount(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * A fixed pool of worker threads, each running `module` (a TypeScript or
 * JavaScript file that calls serveTasks()). A task goes to an idle worker or
 * waits in a FIFO queue; callers bound how many they submit, so the queue
 * stays short. A worker that dies fails its task and is replaced.
 */
export class WorkerPool<TTask, TResult> {
  private readonly slots: Slot[] = [];
  private readonly queue: Queued[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly module: string, private readonly workerData: unknown, size: number) {
    for (let i = 0; i < Math.max(1, size); i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** Resolves once every worker has loaded its models; rejects with the first start-up error. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.ready));
  }

  run(task: TTask, transfer: TransferListItem[] = []): Promise<TResult> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    return new Promise<TResult>((resolve, reject) => {
      const pending = { resolve: resolve as (value: unknown) => void, reject };
      const idle = this.slots.find((slot) => !slot.busy);
      if (idle) this.dispatch(idle, { message: task, transfer, pending });
      else this.queue.push({ message: task, transfer, pending });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const item of this.queue.splice(0)) item.pending.reject(new Error('worker pool is closed'));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(ENTRY, { workerData: { module: this.module, data: this.workerData } });
    const slot: Slot = { worker, busy: true, pending: new Map(), ready: Promise.resolve() };
    slot.ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (message: { type: string; error?: string }) => {
        if (message.type === 'ready') {
          slot.busy = false;
          this.drain(slot);
          resolve();
        } else reject(new Error(`inference worker failed to start: ${message.error}`));
      });
    });
    slot.ready.catch(() => undefined);
    worker.on('message', (message: { type: string; id?: number; result?: unknown; error?: string }) => {
      if (message.type !== 'result' && message.type !== 'error') return;
      const pending = slot.pending.get(message.id!);
      slot.pending.delete(message.id!);
      slot.busy = false;
      if (message.type === 'result') pending?.resolve(message.result);
      else pending?.reject(new Error(message.error));
      this.drain(slot);
    });
    worker.on('error', (error) => this.replace(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.replace(slot, new Error(`inference worker exited with code ${code}`));
    });
    return slot;
  }

  private replace(slot: Slot, error: Error): void {
    for (const pending of slot.pending.values()) pending.reject(error);
    slot.pending.clear();
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.slots[index] = this.spawn();
  }

  private drain(slot: Slot): void {
    const next = this.queue.shift();
    if (next) this.dispatch(slot, next);
  }

  private dispatch(slot: Slot, item: Queued): void {
    const id = this.nextId++;
    slot.busy = true;
    slot.pending.set(id, item.pending);
    slot.worker.postMessage({ type: 'task', id, task: item.message }, item.transfer);
  }
}
