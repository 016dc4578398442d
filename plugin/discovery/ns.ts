/** XML namespace URIs used by WS-Discovery and the ONVIF device and media services. */
export const NS = {
  soap12: 'http://www.w3.org/2003/05/soap-envelope',
  soap11: 'http://schemas.xmlsoap.org/soap/envelope/',
  wsa: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  wsd: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  tt: 'http://www.onvif.org/ver10/schema',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tr2: 'http://www.onvif.org/ver20/media/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
} as const;

export const WSD_ACTION = {
  probe: 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe',
  probeMatches: 'http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches',
  hello: 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Hello',
  bye: 'http://schemas.xmlsoap.org/ws/2005/04/discovery/Bye',
} as const;

/** The WS-Discovery multicast group and port (IPv4). */
export const WSD_MULTICAST_ADDRESS = '239.255.255.250';
export const WSD_PORT = 3702;
