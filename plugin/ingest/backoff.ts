/**
 * Delay before reconnect attempt `attempt` (0 for the first retry after a
 * failure): exponential from `minMs`, capped at `maxMs`, with "equal jitter"
 * so that cameras that failed together do not retry together. The result lies
 * in [d/2, d] where d = min(maxMs, minMs * 2^attempt).
 */
export function backoffDelayMs(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
