import { randomInt } from "node:crypto";
import type { KeyGenerator } from "../rotation/ports";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Like the key Secrets Manager generates at deploy (40 characters, no punctuation): ~238 bits. */
export const API_KEY_LENGTH = 40;

/**
 * API keys from the OS's CSPRNG. Alphanumeric, so the key survives shells, headers and JSON unquoted, and API
 * Gateway's 20-character minimum is far exceeded. `randomInt` draws without modulo bias.
 */
export const randomApiKeys: KeyGenerator = {
  newKey: () => Array.from({ length: API_KEY_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join(""),
};
