// The forms in which an API may echo back a secret it was sent, so a redactor can remove each: as is, URL-encoded,
// hex, and base64/base64url — also where the secret sits inside a longer encoded blob (a Basic header, a whole
// request encoded at once), at each of the three byte alignments of base64's 3-byte groups.

/** Encoded forms shorter than this are not redacted: they would match everywhere and tell nothing (the secret itself always is). */
const MIN_FORM_LENGTH = 6;

/** The base64 characters that encode only bytes of `bytes` when it starts `offset` bytes into a longer blob. */
function base64Core(bytes: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
  // Character i carries bits [6i, 6i + 6); the secret's bits are [8 offset, 8 (offset + length)).
  return encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
}

/** Every form of `secret` worth redacting, longest first (so a longer form is replaced before a part of it). */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const hex = bytes.toString('hex');
  const cores = [0, 1, 2].map((offset) => base64Core(bytes, offset));
  const forms = [secret, encodeURIComponent(secret), hex, hex.toUpperCase(), ...cores, ...cores.map((core) => core.replace(/\+/g, '-').replace(/\//g, '_'))];
  return [...new Set(forms)].filter((form) => form === secret || form.length >= MIN_FORM_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` with every form of every secret replaced by `[redacted]`. */
export function redactSecretForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) out = out.split(form).join('[redacted]');
  return out;
}
