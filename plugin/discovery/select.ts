import type { AnalysisSize, CameraSource, ProfileStream, VideoCodec } from './types';

/** Profile choice: the analysis stream and the live-view stream of each video source. */

const CODEC_RANK: Record<VideoCodec, number> = { H264: 0, H265: 1, JPEG: 2, MPEG4: 3, unknown: 4 };

/** Distance of a profile from the analysis size: the absolute log of the pixel-count ratio, so 2x too big equals 2x too small. */
function sizeDistance(profile: ProfileStream, target: AnalysisSize): number {
  return Math.abs(Math.log((profile.width * profile.height) / (target.width * target.height)));
}

/** Picks the profile closest to the analysis size; ties go to the more widely decodable codec. */
export function pickAnalysisProfile(
  profiles: ProfileStream[],
  target: AnalysisSize,
): ProfileStream {
  return [...profiles].sort(
    (a, b) =>
      sizeDistance(a, target) - sizeDistance(b, target) ||
      CODEC_RANK[a.codec] - CODEC_RANK[b.codec],
  )[0];
}

/** Picks the largest profile (the main stream) for the live view; ties go to H.264. */
export function pickLiveProfile(profiles: ProfileStream[]): ProfileStream {
  return [...profiles].sort(
    (a, b) => b.width * b.height - a.width * a.height || CODEC_RANK[a.codec] - CODEC_RANK[b.codec],
  )[0];
}

/** Advice for the live view when its stream is H.265, which many browsers cannot play. */
export function liveViewNote(live: ProfileStream, group: ProfileStream[]): string | undefined {
  if (live.codec !== 'H265') {
    return undefined;
  }
  const h264 = group.find((profile) => profile.codec === 'H264');
  if (h264 !== undefined) {
    return (
      `The main stream (profile "${live.name}", token ${live.token}) is H.265, which many browsers cannot play. ` +
      `If the live view stays black, switch that profile to H.264 in the camera's settings, or use H.264 profile "${h264.name}" (token ${h264.token}).`
    );
  }
  return (
    `Every profile of this camera is H.265; analysis works, but many browsers cannot play H.265. ` +
    `If the live view stays black, switch profile "${live.name}" (token ${live.token}) to H.264 in the camera's settings.`
  );
}

/**
 * Builds one camera source per video source token from the profiles that
 * have a stream URL: the analysis stream closest to `target` and the largest
 * stream for the live view.
 */
export function buildSources(
  deviceId: string,
  deviceName: string,
  profiles: ProfileStream[],
  target: AnalysisSize,
): CameraSource[] {
  const groups = new Map<string, ProfileStream[]>();
  for (const profile of profiles.filter((item) => item.rtspUrl !== undefined)) {
    groups.set(profile.videoSourceToken, [
      ...(groups.get(profile.videoSourceToken) ?? []),
      profile,
    ]);
  }
  const several = groups.size > 1;
  return [...groups.entries()].map(([sourceToken, group]) => {
    const analysis = pickAnalysisProfile(group, target);
    const live = pickLiveProfile(group);
    return {
      id: several ? `${deviceId}/${sourceToken}` : deviceId,
      name: several ? `${deviceName} (${sourceToken})` : deviceName,
      rtspUrl: analysis.rtspUrl as string,
      profile: analysis.token,
      codec: analysis.codec,
      width: analysis.width,
      height: analysis.height,
      liveViewUrl: live.rtspUrl,
      liveViewCodec: live.codec,
      liveViewNote: liveViewNote(live, group),
    };
  });
}
