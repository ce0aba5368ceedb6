/**
 * What a support bundle must never carry: known secret values (the database password, the
 * session secret) wherever they appear, and anything shaped like a secret (private key blocks,
 * passwords in connection strings, bearer tokens, password-like JSON fields). Applied to every
 * file's text before it is archived.
 */
export const REDACTED = '[redacted]';

const PATTERNS: [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted key]'],
  // scheme://user:password@host
  [/([a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+):[^\s@/"']+@/gi, `$1:${REDACTED}@`],
  [/(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  [/("(?:[a-z]*password|[a-z]*secret|token|privateKey|smtpPassword)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, `$1"${REDACTED}"`],
];

export function redactText(text: string, knownSecrets: readonly string[]): string {
  let out = text;
  // longest first, so a secret that contains another is removed whole
  for (const secret of [...knownSecrets].filter((value) => value.length >= 4).sort((a, b) => b.length - a.length))
    out = out.split(secret).join(REDACTED);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}
