/** Synthetic shop-entrance clips with exact ground truth, for tests, benchmarks and the demo. */
export type {
  ClipPerson, ClipTruth, FaceBox, FaceFraming, Gender, TruthVisitor, VideoCodec, VisitorKind, WalkDirection,
} from './types';
export { planShopScenario, type ShopScenario, type ShopScenarioOptions } from './scenario';
export { renderClip, countOccupancy, type RenderOptions } from './render';
export { makeDemoClip, planDemoPeople } from './demo';
export { schedulePeople, type CastMember, type ScheduleOptions } from './schedule';
export { placeFace, type FacePlacement } from './motion';
export { decodeClip, probeClip, type ClipInfo, type DecodedClip } from './ffmpeg';
export { LANES, SMALL_LANE, NORMAL_LANES } from './lanes';
export { SeededRandom } from './random';
