import type { ModelRole, ModelRunner, Tensor } from '../../plugin/inference/session';

/** Wraps a ModelRunner and adds up the milliseconds each model's run() takes (onnxruntime's session.run plus tensor wrapping). */
export class TimingRunner implements ModelRunner {
  readonly ms: Record<ModelRole, number> = { detector: 0, embedder: 0, ageGender: 0 };
  readonly runs: Record<ModelRole, number> = { detector: 0, embedder: 0, ageGender: 0 };

  constructor(private readonly inner: ModelRunner) {}

  async run(role: ModelRole, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const start = process.hrtime.bigint();
    try {
      return await this.inner.run(role, inputs);
    } finally {
      this.ms[role] += Number(process.hrtime.bigint() - start) / 1e6;
      this.runs[role]++;
    }
  }

  reset(): void {
    for (const role of Object.keys(this.ms) as ModelRole[]) {
      this.ms[role] = 0;
      this.runs[role] = 0;
    }
  }
}

export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}
