import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const FORMAT_VERSION = 1;

/** Environment variable that may carry the store key as 64 hex characters or base64 of 32 bytes. */
export const STORE_KEY_ENV = 'SHOPFACE_STORE_KEY';

function decodeKey(text: string, origin: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new Error(`store key from ${origin} must be 32 bytes (64 hex characters or base64); got ${key.length} bytes`);
  }
  return key;
}

/**
 * Loads the per-store AES-256 key: from SHOPFACE_STORE_KEY when set, else
 * from `<dataDir>/store.key`, which is created on first start with mode 0600.
 * An existing key file readable by group or others is rejected.
 */
export function loadStoreKey(dataDir: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env[STORE_KEY_ENV];
  if (fromEnv) return decodeKey(fromEnv, STORE_KEY_ENV);
  const file = path.join(dataDir, 'store.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(KEY_BYTES).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600);
  }
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(`store key file ${file} has mode ${mode.toString(8)}; run: chmod 600 ${file}`);
  }
  return decodeKey(readFileSync(file, 'utf8'), file);
}

/** Encrypts bytes with AES-256-GCM: version byte, 12-byte IV, 16-byte tag, ciphertext. `context` is bound as associated data. */
export function seal(key: Buffer, plaintext: Buffer, context: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, cipher.getAuthTag(), body]);
}

/** Decrypts what seal() wrote; throws when the key, the context or the bytes do not match. */
export function open(key: Buffer, sealed: Buffer, context: string): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) {
    throw new Error('sealed template is truncated or of an unknown format');
  }
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** Seals a list of templates (all of one length) as one blob. */
export function sealTemplates(key: Buffer, templates: Float32Array[], context: string): Buffer {
  const dims = templates[0]?.length ?? 0;
  const header = Buffer.alloc(8);
  header.writeUInt32LE(templates.length, 0);
  header.writeUInt32LE(dims, 4);
  const body = Buffer.alloc(templates.length * dims * 4);
  templates.forEach((t, i) => Buffer.from(t.buffer, t.byteOffset, t.byteLength).copy(body, i * dims * 4));
  return seal(key, Buffer.concat([header, body]), context);
}

/** Opens a blob written by sealTemplates. */
export function openTemplates(key: Buffer, sealed: Buffer, context: string): Float32Array[] {
  const plain = open(key, sealed, context);
  const count = plain.readUInt32LE(0);
  const dims = plain.readUInt32LE(4);
  if (plain.length !== 8 + count * dims * 4) throw new Error('sealed templates have an inconsistent length');
  const templates: Float32Array[] = [];
  for (let i = 0; i < count; i++) {
    const copy = new Uint8Array(plain.subarray(8 + i * dims * 4, 8 + (i + 1) * dims * 4));
    templates.push(new Float32Array(copy.buffer));
  }
  return templates;
}
