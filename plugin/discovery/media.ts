import { DiscoveryError, toCameraError } from './errors';
import { NS } from './ns';
import type { SoapClient } from './soap';
import type { MediaProfile, VideoCodec } from './types';
import { child, children, escapeXml, path, textAt, type XmlElement } from './xml';

/** ONVIF Media (ver10, Profile S) and Media2 (ver20, Profile T) calls. */

const MAX_DIMENSION = 16384;

/** Lists the video profiles from Media1 GetProfiles; profiles without a video encoder are left out. */
export async function getMedia1Profiles(
  client: SoapClient,
  url: string,
  warnings: string[],
): Promise<MediaProfile[]> {
  const response = await client.call(
    url,
    { ns: NS.trt, name: 'GetProfiles' },
    `<GetProfiles xmlns="${NS.trt}"/>`,
  );
  return readProfiles(response, 'media', warnings, (profile) => ({
    sourceToken: textAt(profile, 'VideoSourceConfiguration', 'SourceToken'),
    encoder: child(profile, 'VideoEncoderConfiguration'),
  }));
}

/** Lists the video profiles from Media2 GetProfiles (Type All). */
export async function getMedia2Profiles(
  client: SoapClient,
  url: string,
  warnings: string[],
): Promise<MediaProfile[]> {
  const response = await client.call(
    url,
    { ns: NS.tr2, name: 'GetProfiles' },
    `<GetProfiles xmlns="${NS.tr2}"><Type>All</Type></GetProfiles>`,
  );
  return readProfiles(response, 'media2', warnings, (profile) => ({
    sourceToken: textAt(profile, 'Configurations', 'VideoSource', 'SourceToken'),
    encoder: path(profile, 'Configurations', 'VideoEncoder'),
  }));
}

type VideoParts = (profile: XmlElement) => { sourceToken?: string; encoder?: XmlElement };

function readProfiles(
  response: XmlElement,
  service: MediaProfile['service'],
  warnings: string[],
  parts: VideoParts,
): MediaProfile[] {
  const profiles: MediaProfile[] = [];
  for (const element of children(response, 'Profiles')) {
    const { sourceToken, encoder } = parts(element);
    if (encoder === undefined) {
      continue;
    }
    try {
      profiles.push(readProfile(element, encoder, sourceToken, service));
    } catch (error) {
      warnings.push(toCameraError(error).message);
    }
  }
  return profiles;
}

function readProfile(
  element: XmlElement,
  encoder: XmlElement,
  sourceToken: string | undefined,
  service: MediaProfile['service'],
): MediaProfile {
  const token = element.attrs.token?.trim();
  if (!token || token.length > 64) {
    throw new DiscoveryError(
      'invalid-response',
      `${service} GetProfiles lists a profile whose token "${(token ?? '').slice(0, 70)}" is missing or longer than 64 characters; it was skipped`,
    );
  }
  // Media1 carries FrameRateLimit as an element, Media2 as an attribute of RateControl.
  const frameRate = Number(
    textAt(encoder, 'RateControl', 'FrameRateLimit') ??
      child(encoder, 'RateControl')?.attrs.FrameRateLimit,
  );
  return {
    token,
    name: (textAt(element, 'Name') ?? token).slice(0, 100),
    service,
    videoSourceToken: sourceToken || 'default',
    codec: parseCodec(textAt(encoder, 'Encoding') ?? ''),
    width: readDimension(encoder, 'Width', token),
    height: readDimension(encoder, 'Height', token),
    frameRate: Number.isFinite(frameRate) && frameRate > 0 ? frameRate : undefined,
  };
}

function readDimension(encoder: XmlElement, name: 'Width' | 'Height', token: string): number {
  const text = textAt(encoder, 'Resolution', name);
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > MAX_DIMENSION) {
    throw new DiscoveryError(
      'invalid-response',
      `profile ${token} has Resolution/${name} "${(text ?? 'missing').slice(0, 40)}"; expected an integer 1-${MAX_DIMENSION}; the profile was skipped`,
    );
  }
  return value;
}

/** Maps ONVIF encoding names (Media1 `H264`, Media2 `H265`, vendor `H.265`, `HEVC`...) to a codec. */
export function parseCodec(encoding: string): VideoCodec {
  const name = encoding.toUpperCase().replace(/[.\s_-]/g, '');
  if (name === 'H264' || name === 'AVC') {
    return 'H264';
  }
  if (name === 'H265' || name === 'HEVC') {
    return 'H265';
  }
  if (name === 'JPEG' || name === 'MJPEG') {
    return 'JPEG';
  }
  return name === 'MPEG4' || name === 'MPV4ES' ? 'MPEG4' : 'unknown';
}

/** One shape of the GetStreamUri request; cameras differ in which they accept. */
interface StreamUriForm {
  label: string;
  service: 'media' | 'media2';
  body(token: string): string;
  read(response: XmlElement): string | undefined;
}

const MEDIA2_FORM: StreamUriForm = {
  label: 'Media2 RtspUnicast',
  service: 'media2',
  body: (token) =>
    `<GetStreamUri xmlns="${NS.tr2}"><Protocol>RtspUnicast</Protocol><ProfileToken>${token}</ProfileToken></GetStreamUri>`,
  read: (response) => textAt(response, 'Uri'),
};

const MEDIA1_TRANSPORT_FORM: StreamUriForm = {
  label: 'Media1 with Transport RTSP',
  service: 'media',
  body: (token) =>
    `<GetStreamUri xmlns="${NS.trt}"><StreamSetup><Stream xmlns="${NS.tt}">RTP-Unicast</Stream>` +
    `<Transport xmlns="${NS.tt}"><Protocol>RTSP</Protocol></Transport></StreamSetup><ProfileToken>${token}</ProfileToken></GetStreamUri>`,
  read: (response) => textAt(response, 'MediaUri', 'Uri'),
};

const MEDIA1_BARE_FORM: StreamUriForm = {
  label: 'Media1 without Transport',
  service: 'media',
  body: (token) =>
    `<GetStreamUri xmlns="${NS.trt}"><StreamSetup><Stream xmlns="${NS.tt}">RTP-Unicast</Stream></StreamSetup>` +
    `<ProfileToken>${token}</ProfileToken></GetStreamUri>`,
  read: (response) => textAt(response, 'MediaUri', 'Uri'),
};

/**
 * Gets a profile's stream URI, trying each request form in turn: the profile's
 * own service first, then the other forms. A SOAP fault or an unusable reply
 * moves on to the next form. An auth failure or a transport error stops at
 * once, because another form cannot fix it.
 */
export async function getStreamUri(
  client: SoapClient,
  services: { media?: string; media2?: string },
  profile: MediaProfile,
): Promise<string> {
  const forms =
    profile.service === 'media2'
      ? [MEDIA2_FORM, MEDIA1_TRANSPORT_FORM, MEDIA1_BARE_FORM]
      : [MEDIA1_TRANSPORT_FORM, MEDIA1_BARE_FORM, MEDIA2_FORM];
  const failures: string[] = [];
  for (const form of forms) {
    const url = services[form.service];
    if (url === undefined) {
      continue;
    }
    try {
      return await tryForm(client, url, form, profile.token);
    } catch (error) {
      const failure = toCameraError(error);
      if (
        failure.code !== 'soap-fault' &&
        failure.code !== 'invalid-response' &&
        failure.code !== 'no-stream-uri'
      ) {
        throw error;
      }
      failures.push(`${form.label}: ${failure.message}`);
    }
  }
  throw new DiscoveryError(
    'no-stream-uri',
    `GetStreamUri failed in every request form (${failures.join('; ')})`,
  );
}

async function tryForm(
  client: SoapClient,
  url: string,
  form: StreamUriForm,
  token: string,
): Promise<string> {
  const operation = { ns: form.service === 'media2' ? NS.tr2 : NS.trt, name: 'GetStreamUri' };
  const response = await client.call(url, operation, form.body(escapeXml(token)));
  const uri = form.read(response);
  if (!uri) {
    throw new DiscoveryError('no-stream-uri', `GetStreamUri reply has no Uri`);
  }
  return uri;
}
