import * as ort from 'onnxruntime-node';

/** A dense float32 tensor passed to or returned by a model. */
export interface Tensor {
  data: Float32Array;
  dims: number[];
}

/** The models the pipeline runs, by role (see models/models.json). */
export type ModelRole = 'detector' | 'embedder' | 'ageGender';

/** Runs a model by role. The only contract pipeline stages use to reach onnxruntime. */
export interface ModelRunner {
  run(role: ModelRole, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>>;
}

/**
 * onnxruntime sessions for the models of one thread. One intra-op thread per
 * session: on small CPUs a second thread competes with the JavaScript pre- and
 * post-processing, so parallelism comes from worker threads instead.
 */
export class OrtRunner implements ModelRunner {
  private constructor(private readonly sessions: Map<ModelRole, ort.InferenceSession>) {}

  static async open(files: Partial<Record<ModelRole, string>>, intraOpThreads = 1): Promise<OrtRunner> {
    const sessions = new Map<ModelRole, ort.InferenceSession>();
    for (const [role, file] of Object.entries(files) as [ModelRole, string][]) {
      const session = await ort.InferenceSession.create(file, {
        intraOpNumThreads: intraOpThreads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
      });
      sessions.set(role, session);
    }
    return new OrtRunner(sessions);
  }

  has(role: ModelRole): boolean {
    return this.sessions.has(role);
  }

  async run(role: ModelRole, inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const session = this.sessions.get(role);
    if (!session) throw new Error(`model "${role}" is not loaded in this runner`);
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(inputs)) {
      feeds[name] = new ort.Tensor('float32', tensor.data, tensor.dims);
    }
    const results = await session.run(feeds);
    const outputs: Record<string, Tensor> = {};
    for (const [name, value] of Object.entries(results)) {
      outputs[name] = { data: value.data as Float32Array, dims: [...value.dims] };
    }
    return outputs;
  }

  async close(): Promise<void> {
    for (const session of this.sessions.values()) await session.release();
    this.sessions.clear();
  }
}
