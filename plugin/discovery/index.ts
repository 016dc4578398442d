/** Public API of the discovery module: WS-Discovery, ONVIF inspection, stream-URI repair and the device directory. */
export { inspectDevice, type InspectOptions, type Inspection } from './camera';
export { DeviceDirectory, type ConnectionTestResult, type DirectoryOptions } from './directory';
export {
  deviceFromAddress,
  discoverCameras,
  inspectInto,
  type DiscoverOptions,
  type DiscoverResult,
} from './discover';
export { DiscoveryError } from './errors';
export { checkStream, type StreamCheckOptions } from './stream-check';
export { redactUrl, repairStreamUri, withCredentials } from './stream-uri';
export { parseTargets } from './targets';
export * from './types';
export { listenForAnnouncements, probe, type ProbeOptions, type ProbeResult } from './ws-discovery';
