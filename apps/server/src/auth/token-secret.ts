import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every token starts with this, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = 'dlk_';
const SECRET_BYTES = 32;
const ID_BYTES = 8;
const TOKEN_PATTERN = /^dlk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** A freshly made token: the string shown once, its id, and the hash that is all the lake keeps. */
export interface NewSecret {
  token: string;
  id: string;
  secretSha256: string;
}

/**
 * `dlk_<id>_<secret>`: a 16-hex-digit id (what logs, the audit log and `token list` show) and 32
 * random bytes in base64url. Only the secret's SHA-256 is stored. A plain hash is enough here, and
 * right: the secret is 256 random bits, so no dictionary or brute force applies (that is what slow
 * password hashes defend against), and checking a token costs one fast hash per request.
 */
export function newSecret(): NewSecret {
  const id = randomBytes(ID_BYTES).toString('hex');
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { token: `${TOKEN_PREFIX}${id}_${secret}`, id, secretSha256: hashSecret(secret) };
}

/** The id and secret of a well-formed token, or undefined. */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1] as string, secret: match[2] as string } : undefined;
}

export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** Stored hashes as bytes, decoded once per token record rather than on every request. */
const storedDigests = new Map<string, Buffer>();
const MAX_STORED_DIGESTS = 10_000;

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(secret: string, storedSha256: string): boolean {
  // The one-shot hash: this runs on every request, and createHash's object costs more than the hashing.
  const presented = hash('sha256', secret, 'buffer') as unknown as Buffer;
  let stored = storedDigests.get(storedSha256);
  if (!stored) {
    if (storedDigests.size >= MAX_STORED_DIGESTS) storedDigests.clear();
    stored = Buffer.from(storedSha256, 'hex');
    storedDigests.set(storedSha256, stored);
  }
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}
