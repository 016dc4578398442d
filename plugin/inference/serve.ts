import { parentPort, workerData } from 'node:worker_threads';

/**
 * Serves WorkerPool tasks inside a worker thread: runs `setup` once with the
 * pool's workerData, reports ready (or the start-up error), then replies
 * to each task with `handle`'s result and the buffers to transfer back.
 */
export function serveTasks<TData, TState, TTask, TResult>(
  setup: (data: TData) => Promise<TState>,
  handle: (state: TState, task: TTask) => Promise<{ result: TResult; transfer?: ArrayBuffer[] }>,
): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks must run inside a worker thread');
  const data = (workerData as { data: TData }).data;
  setup(data).then(
    (state) => {
      port.on('message', (message: { type: string; id: number; task: TTask }) => {
        if (message.type !== 'task') return;
        handle(state, message.task).then(
          ({ result, transfer }) => port.postMessage({ type: 'result', id: message.id, result }, transfer ?? []),
          (error: Error) => port.postMessage({ type: 'error', id: message.id, error: error.message }),
        );
      });
      port.postMessage({ type: 'ready' });
    },
    (error: Error) => port.postMessage({ type: 'start-error', error: error.message }),
  );
}
