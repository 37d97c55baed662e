// Resume tokens: HMAC-SHA256 over {room, id, name, exp, iat}, base64url. They carry everything needed to
// re-create a peer, so a restarted server holding the same key keeps the client's id without any
// stored session state (issue 4, "Resume after a server restart").
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const DEFAULT_RESUME_TTL_MS = 24 * 60 * 60 * 1000;

const b64url = (buf) => Buffer.from(buf).toString('base64url');

export class ResumeTokens {
  constructor(key, { ttlMs = DEFAULT_RESUME_TTL_MS, now = Date.now } = {}) {
    this.key = key;
    this.ttlMs = ttlMs;
    this.now = now;
    // Tokens issued before this instant come from an earlier process (a restart).
    this.bornAt = now();
  }

  /** True when `claims` (from verify) were issued by this process, not by one before a restart. */
  issuedHere(claims) {
    return Number.isFinite(claims.iat) && claims.iat >= this.bornAt;
  }

  issue({ room, id, name }) {
    const exp = Math.floor((this.now() + this.ttlMs) / 1000);
    const body = b64url(JSON.stringify({ room, id, name, exp, iat: this.now() }));
    return `${body}.${this.#mac(body)}`;
  }

  /** @returns {{room, id, name, exp} | null} */
  verify(token) {
    if (typeof token !== 'string') return null;
    const dot = token.indexOf('.');
    if (dot <= 0) return null;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(body), 'base64url');
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return null;
    let claims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof claims !== 'object' || claims === null) return null;
    const { room, id, name, exp, iat } = claims;
    if (typeof room !== 'string' || typeof id !== 'string' || typeof name !== 'string') return null;
    if (!Number.isFinite(exp) || exp * 1000 <= this.now()) return null;
    return { room, id, name, exp, iat };
  }

  #mac(body) {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}

/**
 * The explicit secret wins; otherwise a random key is created once and kept in `keyFile`, so that
 * restarting the demo server with no flags still resumes every session.
 */
export function loadResumeKey({ resumeSecret, keyFile }) {
  if (resumeSecret) return Buffer.from(resumeSecret, 'utf8');
  try {
    const stored = readFileSync(keyFile, 'utf8').trim();
    if (stored.length >= 32) return Buffer.from(stored, 'base64url');
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const key = randomBytes(32);
  mkdirSync(dirname(keyFile), { recursive: true });
  writeFileSync(keyFile, b64url(key) + '\n', { mode: 0o600 });
  return key;
}
