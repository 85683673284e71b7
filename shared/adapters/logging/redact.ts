import { escapeLogText } from '../notifiers/plainText';

/**
 * The last line of defence for "secrets stay secret": every log line and every CLI output goes
 * through a redactor that masks the configured secret values exactly, plus token-shaped patterns.
 * Code is written not to put secrets in messages at all; this catches what slips through.
 */
const PATTERNS: [RegExp, string][] = [
  [/(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, '$1[redacted]'],
  [/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, '[redacted-token]'],
  [/([?&](?:sig|code|token|key)=)[^&\s"']+/gi, '$1[redacted]'],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, 'whsec_[redacted]'],
  [/(AccountKey=)[^;"'\s]+/gi, '$1[redacted]'],
  [/(SharedAccessSignature=)[^;"'\s]+/gi, '$1[redacted]'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, '[redacted-private-key]'],
  [/-----BEGIN CERTIFICATE-----[\s\S]*?(-----END CERTIFICATE-----|$)/g, '[certificate]'],
];

export type Redactor = (text: string) => string;

export function createRedactor(secrets: readonly (string | undefined)[] = []): Redactor {
  // Longest first, so a secret that contains another is masked whole.
  const exact = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6))].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const secret of exact) out = out.split(secret).join('[redacted]');
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  };
}

/** Redacts a properties bag for structured logs (values are stringified and kept on one line). */
export function redactProperties(properties: Record<string, unknown> | undefined, redact: Redactor): Record<string, string> | undefined {
  if (!properties) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(properties)) out[k] = escapeLogText(redact(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)));
  return out;
}
