/** Credential removal for everything the API sends, from the project-wide rules in plugin/log/redact.ts. */
export { redactText, redactUrl } from '../log/redact';
