import type { ImpostorModel } from './threshold';

/**
 * Impostor cosine scores of the embedder (faceplugin fr_feature, YuNet
 * landmarks, 5-point similarity alignment) between different people,
 * measured offline by `npm run eval` on the identity-verification set.
 * The gallery starts from this and refines it with its own visitors.
 */
export const IMPOSTOR_PRIOR: ImpostorModel = { mean: 0.008, sd: 0.101, pairs: 1500 };
