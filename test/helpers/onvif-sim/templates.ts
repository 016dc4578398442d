/**
 * SOAP reply bodies of the ONVIF device simulator, written for this project.
 * They follow the shapes that the agsh/onvif v0.x test fixtures record for
 * real cameras: SOAP 1.2, prefixes declared on the envelope, Media1 elements
 * in `tt:`, Media2 configurations in `tr2:`.
 */

export const SIM_NS = {
  env: 'http://www.w3.org/2003/05/soap-envelope',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tr2: 'http://www.onvif.org/ver20/media/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsd: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
} as const;

/** Prefixes for the envelope, discovery and addressing namespaces; `odd` uses the unusual ones some firmwares pick. */
export type PrefixStyle = 'usual' | 'odd';

function prefixes(style: PrefixStyle): { env: string; wsa: string; wsd: string } {
  return style === 'odd'
    ? { env: 'SOAP-ENV', wsa: 'a', wsd: 'd' }
    : { env: 'env', wsa: 'wsa', wsd: 'wsd' };
}

export function envelope(body: string, style: PrefixStyle = 'usual'): string {
  const { env } = prefixes(style);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${env}:Envelope xmlns:${env}="${SIM_NS.env}" xmlns:tds="${SIM_NS.tds}" xmlns:tt="${SIM_NS.tt}" ` +
    `xmlns:trt="${SIM_NS.trt}" xmlns:tr2="${SIM_NS.tr2}" xmlns:ter="${SIM_NS.ter}">\n` +
    `<${env}:Header/>\n<${env}:Body>${body}</${env}:Body>\n</${env}:Envelope>\n`
  );
}

/** Builds a SOAP 1.2 fault envelope with a subcode, e.g. `ter:InvalidArgs` or `ter:NotAuthorized`. */
export function fault(
  code: 'Sender' | 'Receiver',
  subcode: string,
  reason: string,
  style: PrefixStyle = 'usual',
): string {
  const { env } = prefixes(style);
  return envelope(
    `<${env}:Fault><${env}:Code><${env}:Value>${env}:${code}</${env}:Value>` +
      `<${env}:Subcode><${env}:Value>ter:${subcode}</${env}:Value></${env}:Subcode></${env}:Code>` +
      `<${env}:Reason><${env}:Text xml:lang="en">${reason}</${env}:Text></${env}:Reason></${env}:Fault>`,
    style,
  );
}

export function systemDateAndTime(cameraTime: Date): string {
  return (
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>` +
    `<tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>` +
    `<tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone>` +
    `<tt:UTCDateTime><tt:Time><tt:Hour>${cameraTime.getUTCHours()}</tt:Hour><tt:Minute>${cameraTime.getUTCMinutes()}</tt:Minute>` +
    `<tt:Second>${cameraTime.getUTCSeconds()}</tt:Second></tt:Time><tt:Date><tt:Year>${cameraTime.getUTCFullYear()}</tt:Year>` +
    `<tt:Month>${cameraTime.getUTCMonth() + 1}</tt:Month><tt:Day>${cameraTime.getUTCDate()}</tt:Day></tt:Date></tt:UTCDateTime>` +
    `</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
  );
}

export function deviceInformation(model: string): string {
  return (
    `<tds:GetDeviceInformationResponse><tds:Manufacturer>SimVision</tds:Manufacturer><tds:Model>${model}</tds:Model>` +
    `<tds:FirmwareVersion>V5.7.3 build 240101</tds:FirmwareVersion><tds:SerialNumber>SV0001234567</tds:SerialNumber>` +
    `<tds:HardwareId>88</tds:HardwareId></tds:GetDeviceInformationResponse>`
  );
}

export function services(base: string, media2: boolean): string {
  const service = (ns: string, path: string, major: number, minor: number): string =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${base}${path}</tds:XAddr>` +
    `<tds:Version><tt:Major>${major}</tt:Major><tt:Minor>${minor}</tt:Minor></tds:Version></tds:Service>`;
  return (
    `<tds:GetServicesResponse>` +
    service(SIM_NS.tds, '/onvif/device_service', 17, 12) +
    service(SIM_NS.trt, '/onvif/media_service', 17, 12) +
    (media2 ? service(SIM_NS.tr2, '/onvif/media2_service', 17, 12) : '') +
    service('http://www.onvif.org/ver10/events/wsdl', '/onvif/event_service', 17, 12) +
    `</tds:GetServicesResponse>`
  );
}

export function capabilities(base: string): string {
  return (
    `<tds:GetCapabilitiesResponse><tds:Capabilities>` +
    `<tt:Device><tt:XAddr>${base}/onvif/device_service</tt:XAddr></tt:Device>` +
    `<tt:Events><tt:XAddr>${base}/onvif/event_service</tt:XAddr><tt:WSPullPointSupport>true</tt:WSPullPointSupport></tt:Events>` +
    `<tt:Media><tt:XAddr>${base}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
    `<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>` +
    `</tds:Capabilities></tds:GetCapabilitiesResponse>`
  );
}

export function networkProtocols(httpPort: number, rtspPort: number): string {
  const protocol = (name: string, enabled: boolean, port: number): string =>
    `<tds:NetworkProtocols><tt:Name>${name}</tt:Name><tt:Enabled>${enabled}</tt:Enabled><tt:Port>${port}</tt:Port></tds:NetworkProtocols>`;
  return `<tds:GetNetworkProtocolsResponse>${protocol('HTTP', true, httpPort)}${protocol('HTTPS', false, 443)}${protocol('RTSP', true, rtspPort)}</tds:GetNetworkProtocolsResponse>`;
}

/** One simulated profile. */
export interface SimProfile {
  token: string;
  name: string;
  encoding: 'H264' | 'H265';
  width: number;
  height: number;
  /** Path and query of its RTSP stream, e.g. `/cam_sub?channel=1&subtype=1`. */
  streamPath: string;
}

export function media1Profiles(profiles: SimProfile[]): string {
  const profile = (item: SimProfile): string =>
    `<trt:Profiles token="${item.token}" fixed="true"><tt:Name>${item.name}</tt:Name>` +
    `<tt:VideoSourceConfiguration token="VideoSourceConfig_1"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>${profiles.length}</tt:UseCount>` +
    `<tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="2560" height="1440"/></tt:VideoSourceConfiguration>` +
    `<tt:VideoEncoderConfiguration token="VideoEncoder_${item.token}"><tt:Name>VideoEncoder</tt:Name><tt:UseCount>1</tt:UseCount>` +
    `<tt:Encoding>${item.encoding}</tt:Encoding><tt:Resolution><tt:Width>${item.width}</tt:Width><tt:Height>${item.height}</tt:Height></tt:Resolution>` +
    `<tt:Quality>3</tt:Quality><tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval>` +
    `<tt:BitrateLimit>2048</tt:BitrateLimit></tt:RateControl><tt:SessionTimeout>PT5S</tt:SessionTimeout></tt:VideoEncoderConfiguration>` +
    `</trt:Profiles>`;
  return `<trt:GetProfilesResponse>${profiles.map(profile).join('')}</trt:GetProfilesResponse>`;
}

export function media2Profiles(profiles: SimProfile[]): string {
  const profile = (item: SimProfile): string =>
    `<tr2:Profiles token="${item.token}" fixed="true"><tr2:Name>${item.name}</tr2:Name><tr2:Configurations>` +
    `<tr2:VideoSource token="VideoSourceConfig_1"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>${profiles.length}</tt:UseCount>` +
    `<tt:SourceToken>VideoSource_1</tt:SourceToken><tt:Bounds x="0" y="0" width="2560" height="1440"/></tr2:VideoSource>` +
    `<tr2:VideoEncoder token="VideoEncoder_${item.token}" GovLength="50" Profile="Main"><tt:Name>VideoEncoder</tt:Name><tt:UseCount>1</tt:UseCount>` +
    `<tt:Encoding>${item.encoding}</tt:Encoding><tt:Resolution><tt:Width>${item.width}</tt:Width><tt:Height>${item.height}</tt:Height></tt:Resolution>` +
    `<tt:RateControl ConstantBitRate="false"><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:BitrateLimit>2048</tt:BitrateLimit></tt:RateControl>` +
    `<tt:Quality>3</tt:Quality></tr2:VideoEncoder></tr2:Configurations></tr2:Profiles>`;
  return `<tr2:GetProfilesResponse>${profiles.map(profile).join('')}</tr2:GetProfilesResponse>`;
}

export function videoSources(): string {
  return (
    `<trt:GetVideoSourcesResponse><trt:VideoSources token="VideoSource_1"><tt:Framerate>25</tt:Framerate>` +
    `<tt:Resolution><tt:Width>2560</tt:Width><tt:Height>1440</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`
  );
}

export function media1StreamUri(uri: string): string {
  return (
    `<trt:GetStreamUriResponse><trt:MediaUri><tt:Uri>${escapeText(uri)}</tt:Uri><tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>` +
    `<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT60S</tt:Timeout></trt:MediaUri></trt:GetStreamUriResponse>`
  );
}

export function media2StreamUri(uri: string): string {
  return `<tr2:GetStreamUriResponse><tr2:Uri>${escapeText(uri)}</tr2:Uri></tr2:GetStreamUriResponse>`;
}

export interface ProbeMatchFields {
  relatesTo: string;
  endpoint: string;
  xaddrs: string;
  scopes: string;
  messageId: string;
}

export function probeMatches(fields: ProbeMatchFields, style: PrefixStyle = 'usual'): string {
  const { env, wsa, wsd } = prefixes(style);
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<${env}:Envelope xmlns:${env}="${SIM_NS.env}" xmlns:${wsa}="${SIM_NS.wsa}" xmlns:${wsd}="${SIM_NS.wsd}" xmlns:dn="${SIM_NS.dn}" xmlns:tds="${SIM_NS.tds}">` +
    `<${env}:Header><${wsa}:MessageID>${fields.messageId}</${wsa}:MessageID><${wsa}:RelatesTo>${fields.relatesTo}</${wsa}:RelatesTo>` +
    `<${wsa}:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</${wsa}:To>` +
    `<${wsa}:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</${wsa}:Action>` +
    `<${wsd}:AppSequence InstanceId="1700000000" MessageNumber="3"/></${env}:Header>` +
    `<${env}:Body><${wsd}:ProbeMatches><${wsd}:ProbeMatch><${wsa}:EndpointReference><${wsa}:Address>${fields.endpoint}</${wsa}:Address></${wsa}:EndpointReference>` +
    `<${wsd}:Types>dn:NetworkVideoTransmitter tds:Device</${wsd}:Types><${wsd}:Scopes>${fields.scopes}</${wsd}:Scopes>` +
    `<${wsd}:XAddrs>${fields.xaddrs}</${wsd}:XAddrs><${wsd}:MetadataVersion>1</${wsd}:MetadataVersion></${wsd}:ProbeMatch></${wsd}:ProbeMatches></${env}:Body></${env}:Envelope>`
  );
}

export function announcement(
  kind: 'Hello' | 'Bye',
  fields: Omit<ProbeMatchFields, 'relatesTo'>,
  style: PrefixStyle = 'usual',
): string {
  const { env, wsa, wsd } = prefixes(style);
  const details =
    kind === 'Hello'
      ? `<${wsd}:Types>dn:NetworkVideoTransmitter</${wsd}:Types><${wsd}:Scopes>${fields.scopes}</${wsd}:Scopes><${wsd}:XAddrs>${fields.xaddrs}</${wsd}:XAddrs><${wsd}:MetadataVersion>1</${wsd}:MetadataVersion>`
      : '';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<${env}:Envelope xmlns:${env}="${SIM_NS.env}" xmlns:${wsa}="${SIM_NS.wsa}" xmlns:${wsd}="${SIM_NS.wsd}" xmlns:dn="${SIM_NS.dn}">` +
    `<${env}:Header><${wsa}:MessageID>${fields.messageId}</${wsa}:MessageID><${wsa}:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</${wsa}:To>` +
    `<${wsa}:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/${kind}</${wsa}:Action></${env}:Header>` +
    `<${env}:Body><${wsd}:${kind}><${wsa}:EndpointReference><${wsa}:Address>${fields.endpoint}</${wsa}:Address></${wsa}:EndpointReference>` +
    `${details}</${wsd}:${kind}></${env}:Body></${env}:Envelope>`
  );
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
