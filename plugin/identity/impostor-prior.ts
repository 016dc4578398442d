import type { ImpostorModel } from './threshold';

/**
 * Impostor cosine scores of the embedder (faceplugin fr_feature, YuNet
 * landmarks, 5-point similarity alignment) between different people,
 * measured by `npm run eval` (docs/accuracy.md): 823 998 pairs of
 * identity-verification photos and adult UTKFace chips, mean 0.015.
 * The real tail is heavier than a normal one (sample sd 0.099), so sd is
 * the tail-equivalent 0.117. With it, calibratedThreshold returns the
 * thresholds at which a stranger matched 1 % of the time in galleries of
 * 1 000 and 10 000 (0.509 and 0.570). The gallery starts from this and
 * refines it with its own visitors.
 */
export const IMPOSTOR_PRIOR: ImpostorModel = { mean: 0.015, sd: 0.117, pairs: 823998 };
