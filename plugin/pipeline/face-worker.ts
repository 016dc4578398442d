import { OrtRunner, type ModelRole } from '../inference/session';
import { serveTasks } from '../inference/serve';
import { analyzeFrame, type FrameAnalysisOptions, type FrameTask } from './analyze-frame';
import type { FrameFaces } from '../core/types';

/** Start-up data of each face worker. */
export interface FaceWorkerData {
  models: Partial<Record<ModelRole, string>>;
  options: FrameAnalysisOptions;
}

interface State {
  runner: OrtRunner;
  options: FrameAnalysisOptions;
}

serveTasks<FaceWorkerData, State, FrameTask, FrameFaces>(
  async (data) => ({ runner: await OrtRunner.open(data.models), options: data.options }),
  async (state, task) => {
    const result = await analyzeFrame(state.runner, task, state.options);
    return { result };
  },
);
