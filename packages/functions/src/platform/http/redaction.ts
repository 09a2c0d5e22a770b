/*
 * The API key must never reach a log line or the history, even when a client pastes it where it does not belong
 * (the path, x-cbm-actor). Logs never read headers or bodies; these helpers scrub the few request strings they do
 * keep.
 */

/** Secrets shorter than this are not scrubbed: they would match ordinary text (the API key is far longer). */
const MIN_SECRET_LENGTH = 8;

/** `text` with every occurrence of `secret` replaced by `marker`. */
export function redactSecret(text: string, secret: string | undefined, marker = "[redacted]"): string {
  if (!secret || secret.length < MIN_SECRET_LENGTH || !text.includes(secret)) return text;
  return text.split(secret).join(marker);
}

export interface SecretRedactor {
  /** Called with each API key the secret source returns. */
  remember(secret: string): void;
  /** `text` with every remembered key replaced. */
  redact(text: string): string;
}

/** Remembers the last few API keys (the current one and the one before a rotation) for scrubbing. */
export function createSecretRedactor(keep = 2): SecretRedactor {
  const secrets: string[] = [];
  return {
    remember(secret) {
      if (secrets.includes(secret)) return;
      secrets.unshift(secret);
      secrets.length = Math.min(secrets.length, keep);
    },
    redact: (text) => secrets.reduce((t, s) => redactSecret(t, s), text),
  };
}
