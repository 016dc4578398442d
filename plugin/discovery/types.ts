/**
 * Contracts of the discovery module: what WS-Discovery finds, what the ONVIF
 * device and media services report, and the camera sources handed to ingest.
 * No type here ever carries a password.
 */

/** Video codec of an ONVIF profile, as the encoder configuration names it. */
export type VideoCodec = 'H264' | 'H265' | 'JPEG' | 'MPEG4' | 'unknown';

/** A stream the sidecar can pull, one per video source of a device. */
export interface CameraSource {
  /** Stable id: the device id, plus `/<video source token>` when the device has several sources. */
  id: string;
  /** Human-readable name (device name from the scopes or the model, and the profile name). */
  name: string;
  /** RTSP URL of the analysis stream, repaired, without credentials. */
  rtspUrl: string;
  /** ONVIF profile token of the analysis stream. */
  profile: string;
  codec: VideoCodec;
  width: number;
  height: number;
  /** RTSP URL of the main (largest) stream for the live view, without credentials. */
  liveViewUrl?: string;
  /** Codec of the live-view stream, when it is known. */
  liveViewCodec?: VideoCodec;
  /** Advice for the live view, e.g. which profile to switch to H.264 when the browser cannot play H.265. */
  liveViewNote?: string;
}

/** Origin of a device entry: the probe or announcement that found it, or an address the user entered. */
export type DiscoverySource = 'multicast' | 'unicast' | 'hello' | 'manual';

/**
 * Reachability mark: `local` when the device's address is inside one of this
 * host's IPv4 subnets, else `unknown` (routed, NAT, or a wrong XAddr). The UI
 * shows the doubt instead of hiding the device.
 */
export type Reachability = 'local' | 'unknown';

/** One WS-Discovery ProbeMatch or Hello, after parsing. */
export interface ProbeMatch {
  /** WS-Addressing endpoint address, normally `urn:uuid:...`; the dedupe key. */
  endpoint: string;
  types: string[];
  scopes: string[];
  xaddrs: string[];
  metadataVersion?: number;
}

/** Device information from `GetDeviceInformation`. */
export interface DeviceInformation {
  manufacturer: string;
  model: string;
  firmwareVersion: string;
  serialNumber: string;
  hardwareId: string;
}

/** One ONVIF media profile with the video fields the sidecar uses. */
export interface MediaProfile {
  token: string;
  name: string;
  /** Media service that listed the profile. */
  service: 'media' | 'media2';
  /** Token of the video source this profile encodes; profiles are grouped by it. */
  videoSourceToken: string;
  codec: VideoCodec;
  width: number;
  height: number;
  frameRate?: number;
}

/** A profile with its stream URI, as the CLI and the API show it. */
export interface ProfileStream extends MediaProfile {
  /** Repaired RTSP URL without credentials, or undefined when GetStreamUri failed for it. */
  rtspUrl?: string;
  /** Reason for the missing URL, when GetStreamUri failed for this profile. */
  error?: string;
}

/** Error codes a camera can end in; the API and the CLI show them as they are. */
export type DiscoveryErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'auth-failed'
  | 'invalid-response'
  | 'soap-fault'
  | 'no-profile'
  | 'no-stream-uri'
  | 'stream-failed'
  | 'invalid-input';

/** A per-camera error: the code for programs and a sentence for people. */
export interface CameraError {
  code: DiscoveryErrorCode;
  message: string;
}

/** A device found by WS-Discovery or added by address, and what inspecting it produced. */
export interface DiscoveredDevice {
  /** The endpoint address (`urn:uuid:...`) or, for a device added by address, `host:port`. */
  id: string;
  /** IP address the device was reached at (the UDP sender, or the host given by the user). */
  address: string;
  /** Device service URL used for SOAP calls, after repair. */
  serviceUrl: string;
  xaddrs: string[];
  scopes: string[];
  types: string[];
  /** Name from the `onvif://www.onvif.org/name/...` scope, URL-decoded. */
  name?: string;
  /** Hardware from the `onvif://www.onvif.org/hardware/...` scope. */
  hardware?: string;
  reachability: Reachability;
  source: DiscoverySource;
  /** Unix time in milliseconds of the last probe match or Hello. */
  lastSeenMs: number;
  info?: DeviceInformation;
  profiles?: ProfileStream[];
  sources?: CameraSource[];
  /** Repairs applied and other facts an installer should know. */
  warnings: string[];
  error?: CameraError;
}

/** Credentials for one device. They are passed in and never stored in a result. */
export interface Credentials {
  username: string;
  password: string;
}

/** The logger shape the module writes to; the project logger (plugin/log/logger.ts) fits it and is the default. */
export interface DiscoveryLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/** Size of the frames the analysis pipeline works on; the sub-stream closest to it is chosen. */
export interface AnalysisSize {
  width: number;
  height: number;
}

export const DEFAULT_ANALYSIS_SIZE: AnalysisSize = { width: 640, height: 360 };

/** Discards every message; for callers that read the warnings from the results instead. */
export const silentLogger: DiscoveryLogger = {
  info: () => undefined,
  warn: () => undefined,
};
