import http from 'node:http';
import https from 'node:https';
import { DigestSession, parseDigestChallenge, usernameTokenHeader } from './auth';
import { DiscoveryError } from './errors';
import { NS } from './ns';
import { redactUrl } from './stream-uri';
import type { Credentials } from './types';
import { DEFAULT_MAX_XML_BYTES, child, children, parseXml, textAt, type XmlElement } from './xml';

/** A SOAP operation: its service namespace and its name. */
export interface SoapOperation {
  ns: string;
  name: string;
}

export interface SoapClientOptions {
  credentials?: Credentials;
  /** Per-request time limit in milliseconds. */
  timeoutMs?: number;
  /** Largest reply body accepted, in bytes. */
  maxBytes?: number;
}

interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Raw header names and values in order, so repeated WWW-Authenticate headers stay apart. */
  rawHeaders: string[];
  body: string;
}

/** Decoded SOAP fault: the code chain (local names, e.g. Sender, InvalidArgs) and the reason text. */
export interface SoapFault {
  codes: string[];
  reason: string;
}

/**
 * SOAP 1.2 over HTTP for one device. It authenticates with a WS-UsernameToken
 * built on the camera's clock (see `clockOffsetMs`), and switches to HTTP
 * Digest when the camera responds 401 with a Digest challenge.
 */
export class SoapClient {
  /** Camera clock minus local clock, in milliseconds; set from GetSystemDateAndTime. */
  clockOffsetMs = 0;
  private digest?: DigestSession;
  private readonly timeoutMs: number;
  private readonly maxBytes: number;

  constructor(private readonly options: SoapClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  }

  /**
   * Sends `bodyXml` (the operation element) to `url` and returns the
   * `<name>Response` element. Throws a `DiscoveryError` on a transport error,
   * an auth failure, a SOAP fault or an unexpected reply.
   */
  async call(
    url: string,
    operation: SoapOperation,
    bodyXml: string,
    authenticate = true,
  ): Promise<XmlElement> {
    const withAuth = authenticate && this.options.credentials !== undefined;
    let reply = await this.post(
      url,
      operation,
      this.envelope(bodyXml, withAuth && !this.digest),
      withAuth,
    );
    if (reply.status === 401 && withAuth) {
      reply = await this.retryWithDigest(url, operation, bodyXml, reply);
    }
    if (reply.status === 401) {
      throw authFailed(
        operation,
        withAuth
          ? 'the camera rejected the credentials (HTTP 401)'
          : 'the camera requires credentials (HTTP 401)',
      );
    }
    return this.readResponse(reply, operation);
  }

  private async retryWithDigest(
    url: string,
    operation: SoapOperation,
    bodyXml: string,
    reply: HttpReply,
  ): Promise<HttpReply> {
    const challenge = parseDigestChallenge(headerValues(reply.rawHeaders, 'www-authenticate'));
    if (challenge === undefined || this.options.credentials === undefined) {
      return reply;
    }
    this.digest = new DigestSession(this.options.credentials, challenge);
    return this.post(url, operation, this.envelope(bodyXml, false), true);
  }

  private envelope(bodyXml: string, withToken: boolean): string {
    const header =
      withToken && this.options.credentials
        ? usernameTokenHeader(this.options.credentials, this.clockOffsetMs)
        : '';
    return `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap12}"><s:Header>${header}</s:Header><s:Body>${bodyXml}</s:Body></s:Envelope>`;
  }

  private readResponse(reply: HttpReply, operation: SoapOperation): XmlElement {
    const contentType = String(reply.headers['content-type'] ?? '');
    if (
      reply.status >= 300 &&
      !/xml/i.test(contentType) &&
      !reply.body.trimStart().startsWith('<')
    ) {
      throw new DiscoveryError(
        'invalid-response',
        `${operation.name} failed with HTTP ${reply.status} and no SOAP body`,
      );
    }
    const body = soapBody(parseReply(reply.body, this.maxBytes, operation), operation);
    const fault = child(body, 'Fault');
    if (fault !== undefined) {
      throw faultError(operation, readFault(fault));
    }
    if (reply.status >= 300) {
      throw new DiscoveryError(
        'invalid-response',
        `${operation.name} failed with HTTP ${reply.status}`,
      );
    }
    return responseElement(body, operation);
  }

  private post(
    url: string,
    operation: SoapOperation,
    envelope: string,
    withAuth: boolean,
  ): Promise<HttpReply> {
    const target = parseServiceUrl(url);
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': `application/soap+xml; charset=utf-8; action="${operation.ns}/${operation.name}"`,
      'Content-Length': Buffer.byteLength(envelope),
    };
    if (withAuth && this.digest) {
      headers.Authorization = this.digest.authorization(
        'POST',
        `${target.pathname}${target.search}`,
      );
    }
    return sendHttp(target, headers, envelope, this.timeoutMs, this.maxBytes, operation);
  }
}

function sendHttp(
  target: URL,
  headers: http.OutgoingHttpHeaders,
  body: string,
  timeoutMs: number,
  maxBytes: number,
  operation: SoapOperation,
): Promise<HttpReply> {
  const transport = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.request(
      target,
      { method: 'POST', headers, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            request.destroy(
              new DiscoveryError(
                'invalid-response',
                `${operation.name} reply is larger than the limit of ${maxBytes} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            rawHeaders: response.rawHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', (error) => reject(transportError(error, target, operation)));
      },
    );
    request.on('timeout', () =>
      request.destroy(
        new DiscoveryError(
          'timeout',
          `${operation.name} to ${redactUrl(target.href)} timed out after ${timeoutMs} ms; check that the address is an ONVIF device service`,
        ),
      ),
    );
    request.on('error', (error) => reject(transportError(error, target, operation)));
    request.end(body);
  });
}

function parseServiceUrl(url: string): URL {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new DiscoveryError(
      'invalid-input',
      `device service URL "${redactUrl(url)}" is not a valid URL`,
    );
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    throw new DiscoveryError(
      'invalid-input',
      `device service URL "${redactUrl(url)}" must use http or https`,
    );
  }
  return target;
}

function transportError(error: Error, target: URL, operation: SoapOperation): DiscoveryError {
  if (error instanceof DiscoveryError) {
    return error;
  }
  const code = (error as NodeJS.ErrnoException).code ?? error.message;
  return new DiscoveryError(
    'unreachable',
    `${operation.name} could not reach ${target.protocol}//${target.host}: ${code}; check the address, the port and that ONVIF is enabled`,
  );
}

function parseReply(text: string, maxBytes: number, operation: SoapOperation): XmlElement {
  try {
    return parseXml(text, maxBytes);
  } catch (error) {
    if (error instanceof DiscoveryError) {
      throw new DiscoveryError(error.code, `${operation.name} reply: ${error.message}`);
    }
    throw error;
  }
}

function soapBody(envelope: XmlElement, operation: SoapOperation): XmlElement {
  if (envelope.local !== 'Envelope' || (envelope.ns !== NS.soap12 && envelope.ns !== NS.soap11)) {
    throw new DiscoveryError(
      'invalid-response',
      `${operation.name} reply is not a SOAP envelope: root element is {${envelope.ns}}${envelope.local}`,
    );
  }
  const body = child(envelope, 'Body', envelope.ns);
  if (body === undefined) {
    throw new DiscoveryError('invalid-response', `${operation.name} reply has no SOAP Body`);
  }
  return body;
}

function responseElement(body: XmlElement, operation: SoapOperation): XmlElement {
  const expected = `${operation.name}Response`;
  const found = body.children[0];
  if (found === undefined) {
    throw new DiscoveryError(
      'invalid-response',
      `${operation.name} reply has an empty SOAP Body; expected ${expected}`,
    );
  }
  if (found.local !== expected || found.ns !== operation.ns) {
    throw new DiscoveryError(
      'invalid-response',
      `${operation.name} reply contains {${found.ns}}${found.local}; expected ${expected} in namespace ${operation.ns}`,
    );
  }
  return found;
}

/** Reads a SOAP 1.2 fault (Code/Value, nested Subcode/Value, Reason/Text) or a SOAP 1.1 fault (faultcode, faultstring). */
export function readFault(fault: XmlElement): SoapFault {
  const codes: string[] = [];
  let code = child(fault, 'Code');
  while (code !== undefined) {
    const value = textAt(code, 'Value');
    if (value) {
      codes.push(localPart(value));
    }
    code = child(code, 'Subcode');
  }
  const soap11Code = textAt(fault, 'faultcode');
  if (soap11Code) {
    codes.push(localPart(soap11Code));
  }
  const reasons = children(child(fault, 'Reason'), 'Text').map((text) => text.text.trim());
  const reason = reasons.find((text) => text !== '') ?? textAt(fault, 'faultstring') ?? '';
  return { codes, reason: reason.slice(0, 300) };
}

function faultError(operation: SoapOperation, fault: SoapFault): DiscoveryError {
  const described = `${operation.name} returned SOAP fault ${fault.codes.join('/') || '(no code)'}${fault.reason ? `: ${fault.reason}` : ''}`;
  if (fault.codes.includes('NotAuthorized') || fault.codes.includes('FailedAuthentication')) {
    return authFailed(
      operation,
      `${described}; check the user name and password, and the camera clock`,
    );
  }
  return new DiscoveryError('soap-fault', described);
}

function authFailed(operation: SoapOperation, detail: string): DiscoveryError {
  return new DiscoveryError('auth-failed', `${operation.name}: ${detail}`);
}

function localPart(qname: string): string {
  return qname.trim().slice(qname.trim().indexOf(':') + 1);
}

function headerValues(rawHeaders: string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i].toLowerCase() === name) {
      values.push(rawHeaders[i + 1]);
    }
  }
  return values;
}
