import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DiscoveryError } from './errors';

/**
 * Namespace-aware, hardened XML reading for SOAP and WS-Discovery replies.
 *
 * Safety rules, each checked before parsing:
 * - a document type declaration (`<!DOCTYPE`) or an entity declaration is
 *   rejected, so no entity is ever declared and none can expand (billion
 *   laughs) or load an external resource (XXE). SOAP 1.2 itself forbids a DTD
 *   in a message;
 * - the text must be at most `maxBytes` long and well formed (the validator
 *   catches truncation);
 * - only the five predefined entities and numeric character references are
 *   decoded, by this module, after parsing.
 */

/** One element with its namespace resolved from the `xmlns` declarations in scope. */
export interface XmlElement {
  /** Namespace URI; `''` for no namespace, `undeclared:<prefix>` for an undeclared prefix. */
  ns: string;
  /** Local name without the prefix. */
  local: string;
  /** Attributes by local name (namespace declarations left out). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element, entities decoded. */
  text: string;
}

export const DEFAULT_MAX_XML_BYTES = 2 * 1024 * 1024;

/** Deepest element nesting accepted; real ONVIF replies stay under 20 levels. */
const MAX_DEPTH = 64;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: false,
});

type OrderedNode = Record<string, unknown>;

/** Parses `text` into an element tree, or throws a `DiscoveryError` ('invalid-response') saying why. */
export function parseXml(text: string, maxBytes = DEFAULT_MAX_XML_BYTES): XmlElement {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  checkXmlText(body, maxBytes);
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(body) as OrderedNode[];
  } catch (error) {
    throw invalid(`XML could not be parsed: ${(error as Error).message}`);
  }
  const roots = nodes.filter((node) => elementName(node) !== undefined);
  if (roots.length !== 1) {
    throw invalid(`XML must have exactly one root element, found ${roots.length}`);
  }
  return toElement(roots[0], new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]), 0);
}

function checkXmlText(text: string, maxBytes: number): void {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw invalid(`XML reply is larger than the limit of ${maxBytes} bytes`);
  }
  if (text.trim() === '') {
    throw invalid('reply is empty where XML was expected');
  }
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw invalid(
      'XML reply contains a DOCTYPE or ENTITY declaration, which SOAP forbids; it was not parsed',
    );
  }
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    const unclosed = /^Invalid '\[([\s\S]*)\]' found/.exec(msg);
    if (unclosed !== null) {
      const names = unclosed[1].replace(/["\s]/g, '').split(',').join(', ');
      throw invalid(`XML ends before closing ${names}; the reply is probably truncated`);
    }
    throw invalid(`XML is not well formed (line ${line}, column ${col}): ${msg}`);
  }
}

function elementName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@' && !key.startsWith('#'));
}

function toElement(node: OrderedNode, scope: Map<string, string>, depth: number): XmlElement {
  if (depth > MAX_DEPTH) {
    throw invalid(`XML nesting is deeper than ${MAX_DEPTH} levels`);
  }
  const name = elementName(node) as string;
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const innerScope = declareNamespaces(scope, rawAttrs);
  const element: XmlElement = {
    ns: resolvePrefix(innerScope, prefixOf(name)),
    local: localOf(name),
    attrs: plainAttributes(rawAttrs),
    children: [],
    text: '',
  };
  for (const child of node[name] as OrderedNode[]) {
    appendChild(element, child, innerScope, depth);
  }
  return element;
}

function appendChild(
  parent: XmlElement,
  child: OrderedNode,
  scope: Map<string, string>,
  depth: number,
): void {
  if (typeof child['#text'] === 'string') {
    parent.text += decodeEntities(child['#text']);
    return;
  }
  if (Array.isArray(child['#cdata'])) {
    for (const part of child['#cdata'] as OrderedNode[]) {
      parent.text += typeof part['#text'] === 'string' ? part['#text'] : '';
    }
    return;
  }
  if (elementName(child) !== undefined) {
    parent.children.push(toElement(child, scope, depth + 1));
  }
}

function declareNamespaces(
  scope: Map<string, string>,
  attrs: Record<string, string>,
): Map<string, string> {
  const declared = Object.keys(attrs).filter((key) => key === 'xmlns' || key.startsWith('xmlns:'));
  if (declared.length === 0) {
    return scope;
  }
  const inner = new Map(scope);
  for (const key of declared) {
    inner.set(key === 'xmlns' ? '' : key.slice(6), decodeEntities(attrs[key]));
  }
  return inner;
}

function resolvePrefix(scope: Map<string, string>, prefix: string): string {
  const uri = scope.get(prefix);
  if (uri !== undefined) {
    return uri;
  }
  return prefix === '' ? '' : `undeclared:${prefix}`;
}

function plainAttributes(attrs: Record<string, string>): Record<string, string> {
  const plain: Record<string, string> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (key !== 'xmlns' && !key.startsWith('xmlns:')) {
      plain[localOf(key)] = decodeEntities(String(value));
    }
  }
  return plain;
}

function prefixOf(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? '' : name.slice(0, colon);
}

function localOf(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', apos: "'", quot: '"' };

/** Decodes the predefined entities and character references in one pass, so `&amp;lt;` stays `&lt;`. */
export function decodeEntities(text: string): string {
  return text.replace(
    /&(lt|gt|amp|apos|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/g,
    (match, name: string) => {
      if (name[0] !== '#') {
        return PREDEFINED[name];
      }
      const code = name[1] === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    },
  );
}

/** Escapes text for an XML element or attribute value. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => ESCAPES[char]);
}

const ESCAPES: Record<string, string> = {
  '<': '&lt;',
  '>': '&gt;',
  '&': '&amp;',
  "'": '&apos;',
  '"': '&quot;',
};

/** Returns the first child with this local name (and namespace, when given). */
export function child(
  element: XmlElement | undefined,
  local: string,
  ns?: string,
): XmlElement | undefined {
  return element?.children.find(
    (item) => item.local === local && (ns === undefined || item.ns === ns),
  );
}

/** Returns all children with this local name (and namespace, when given). */
export function children(
  element: XmlElement | undefined,
  local: string,
  ns?: string,
): XmlElement[] {
  return (
    element?.children.filter(
      (item) => item.local === local && (ns === undefined || item.ns === ns),
    ) ?? []
  );
}

/** Follows a path of local names from `element`; undefined when a step is missing. */
export function path(element: XmlElement | undefined, ...locals: string[]): XmlElement | undefined {
  let current = element;
  for (const local of locals) {
    current = child(current, local);
  }
  return current;
}

/** Trimmed text at a path of local names, or undefined when the element is missing. */
export function textAt(element: XmlElement | undefined, ...locals: string[]): string | undefined {
  const found = path(element, ...locals);
  return found === undefined ? undefined : found.text.trim();
}

function invalid(message: string): DiscoveryError {
  return new DiscoveryError('invalid-response', message);
}
