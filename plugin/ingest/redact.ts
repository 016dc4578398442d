/**
 * Credential removal for ingest, from the project-wide rules in
 * plugin/log/redact.ts. Here `redactUrl` works on free text such as ffmpeg's
 * stderr lines, which can echo the stream URL.
 */
export { credentialSecrets, redactSecrets, redactText as redactUrl } from '../log/redact';
