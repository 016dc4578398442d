import { randomUUID } from 'node:crypto';
import { DiscoveryError } from './errors';
import { NS, WSD_ACTION } from './ns';
import type { ProbeMatch } from './types';
import { child, children, parseXml, textAt, type XmlElement } from './xml';

/** Device types a probe can ask for, with the namespace their prefix needs. */
export const PROBE_TYPES = {
  'dn:NetworkVideoTransmitter': { prefix: 'dn', ns: NS.dn },
  'tds:Device': { prefix: 'tds', ns: NS.tds },
} as const;

export type ProbeType = keyof typeof PROBE_TYPES;

/** WS-Discovery 1.1 namespace, which a few newer devices use in replies. */
const WSD_11 = 'http://docs.oasis-open.org/ws-dd/ns/discovery/2009/01';

/** Largest WS-Discovery datagram accepted, in bytes (a UDP datagram is at most 65507 bytes on IPv4). */
export const MAX_DATAGRAM_BYTES = 65_507;

const MAX_XADDRS = 16;
const MAX_SCOPES = 64;

export function newMessageId(): string {
  return `urn:uuid:${randomUUID()}`;
}

/**
 * Builds a Probe as one compact line of XML. Every prefix it uses is declared
 * on the envelope, including the prefix inside the `Types` QName.
 */
export function buildProbe(
  messageId: string,
  type: ProbeType = 'dn:NetworkVideoTransmitter',
): string {
  const { prefix, ns } = PROBE_TYPES[type];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<s:Envelope xmlns:s="${NS.soap12}" xmlns:a="${NS.wsa}" xmlns:d="${NS.wsd}" xmlns:${prefix}="${ns}">` +
    `<s:Header><a:MessageID>${messageId}</a:MessageID>` +
    `<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>` +
    `<a:Action s:mustUnderstand="1">${WSD_ACTION.probe}</a:Action></s:Header>` +
    `<s:Body><d:Probe><d:Types>${type}</d:Types><d:Scopes/></d:Probe></s:Body></s:Envelope>`
  );
}

/** A parsed WS-Discovery datagram that the client acts on. */
export type DiscoveryMessage =
  | { kind: 'probe-matches'; relatesTo: string; matches: ProbeMatch[] }
  | { kind: 'hello'; match: ProbeMatch }
  | { kind: 'bye'; endpoint: string }
  | { kind: 'probe'; messageId: string; types: string[] };

/** Parses a datagram into a discovery message, or throws a `DiscoveryError` naming what is wrong. */
export function parseDiscoveryMessage(datagram: string): DiscoveryMessage {
  const envelope = parseXml(datagram, MAX_DATAGRAM_BYTES);
  if (envelope.local !== 'Envelope' || (envelope.ns !== NS.soap12 && envelope.ns !== NS.soap11)) {
    throw invalid(
      `datagram is not a SOAP envelope: root element is {${envelope.ns}}${envelope.local}`,
    );
  }
  const header = child(envelope, 'Header', envelope.ns);
  const payload = child(envelope, 'Body', envelope.ns)?.children[0];
  if (payload === undefined) {
    throw invalid('datagram has no SOAP Body content');
  }
  if (payload.ns !== NS.wsd && payload.ns !== WSD_11) {
    throw invalid(
      `datagram body {${payload.ns}}${payload.local} is not in the WS-Discovery namespace ${NS.wsd}`,
    );
  }
  return readPayload(payload, header);
}

function readPayload(payload: XmlElement, header: XmlElement | undefined): DiscoveryMessage {
  switch (payload.local) {
    case 'ProbeMatches':
      return readProbeMatches(payload, header);
    case 'Hello':
      return { kind: 'hello', match: readMatch(payload) };
    case 'Bye':
      return { kind: 'bye', endpoint: readEndpoint(payload) };
    case 'Probe':
      return {
        kind: 'probe',
        messageId: textAt(header, 'MessageID') ?? '',
        types: splitList(textAt(payload, 'Types')),
      };
    default:
      throw invalid(`datagram body ${payload.local} is not a ProbeMatches, Hello, Bye or Probe`);
  }
}

function readProbeMatches(payload: XmlElement, header: XmlElement | undefined): DiscoveryMessage {
  const relatesTo = textAt(header, 'RelatesTo');
  if (!relatesTo) {
    throw invalid('ProbeMatches has no RelatesTo header, so it cannot be matched to a probe');
  }
  const matches = children(payload, 'ProbeMatch').map(readMatch);
  if (matches.length === 0) {
    throw invalid('ProbeMatches contains no ProbeMatch');
  }
  return { kind: 'probe-matches', relatesTo, matches };
}

function readMatch(element: XmlElement): ProbeMatch {
  const xaddrs = splitList(textAt(element, 'XAddrs')).filter(isHttpUrl);
  const version = Number(textAt(element, 'MetadataVersion'));
  return {
    endpoint: readEndpoint(element),
    types: splitList(textAt(element, 'Types')).slice(0, 16),
    scopes: splitList(textAt(element, 'Scopes')).slice(0, MAX_SCOPES),
    xaddrs: xaddrs.slice(0, MAX_XADDRS),
    metadataVersion: Number.isInteger(version) && version >= 0 ? version : undefined,
  };
}

function readEndpoint(element: XmlElement): string {
  const endpoint = textAt(element, 'EndpointReference', 'Address');
  if (!endpoint) {
    throw invalid(`${element.local} has no EndpointReference/Address`);
  }
  if (endpoint.length > 512 || /\s/.test(endpoint)) {
    throw invalid(
      `${element.local} EndpointReference/Address "${endpoint.slice(0, 80)}" is not a valid URI`,
    );
  }
  return endpoint;
}

function splitList(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((item) => item !== '');
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Reads the URL-decoded value of an `onvif://www.onvif.org/<kind>/<value>` scope. */
export function scopeValue(scopes: string[], kind: string): string | undefined {
  const prefix = `onvif://www.onvif.org/${kind}/`;
  const scope = scopes.find((item) => item.startsWith(prefix));
  if (scope === undefined) {
    return undefined;
  }
  try {
    return decodeURIComponent(scope.slice(prefix.length)).slice(0, 200);
  } catch {
    return scope.slice(prefix.length).slice(0, 200);
  }
}

function invalid(message: string): DiscoveryError {
  return new DiscoveryError('invalid-response', message);
}
