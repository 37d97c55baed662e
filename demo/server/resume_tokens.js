// Resume tokens: HMAC-SHA256 over {room, id, name, sub, sid, sh, exp, iat, iss}, base64url. They carry
// everything needed to re-create a peer, so a restarted server holding the same key keeps the
// client's id without any stored session state (docs/ARCHITECTURE.md, "Resume").
//
// A token alone resumes nothing. It is bound to
// - the authenticated subject (`sub`, the JWT's subject; null when auth is off): another user who
//   obtains it is refused;
// - a per-session secret the server hands out once, in the first welcome of a session, and never
//   puts in the token (`sh` is its SHA-256): the client presents both, so a token that leaks on
//   its own (a log, a crash report, a screenshot of client.stats) is useless;
// - the session (`sid`): `leave` revokes it, and a token of an older session of the same id
//   cannot take over a newer one.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const DEFAULT_RESUME_TTL_MS = 24 * 60 * 60 * 1000;
/** Revoked sessions remembered until their tokens expire; past this the oldest are forgotten. */
export const DEFAULT_MAX_REVOKED = 100_000;

const b64url = (buf) => Buffer.from(buf).toString('base64url');
export const hashSecret = (secret) => createHash('sha256').update(secret, 'utf8').digest('base64url');

/** A fresh per-session secret and session id, for a new session's first welcome. */
export function newSession() {
  return { sid: b64url(randomBytes(12)), secret: b64url(randomBytes(24)) };
}

export class ResumeTokens {
  constructor(key, { ttlMs = DEFAULT_RESUME_TTL_MS, maxRevoked = DEFAULT_MAX_REVOKED, now = Date.now } = {}) {
    this.key = key;
    this.ttlMs = ttlMs;
    this.maxRevoked = maxRevoked;
    this.now = now;
    this.revoked = new Map(); // sid -> exp (ms); insertion order = oldest first
    // Which process issued a token (`iss`): one from another process holding the same key (an
    // earlier one before a restart, or another instance the client failed over from) re-creates
    // its session; one of ours whose session is gone had its grace period expire. A start time
    // cannot tell these apart once two instances run side by side.
    this.instance = b64url(randomBytes(9));
  }

  /** True when `claims` (from verify) were issued by this process, not by another (a restart, another instance). */
  issuedHere(claims) {
    return claims.iss === this.instance;
  }

  /** @param session {sid, secret} from newSession(), or {sid, sh} of a verified token. */
  issue({ room, id, name, sub = null, session }) {
    const exp = Math.floor((this.now() + this.ttlMs) / 1000);
    const sh = session.sh ?? hashSecret(session.secret);
    const body = b64url(
      JSON.stringify({ room, id, name, sub, sid: session.sid, sh, exp, iat: this.now(), iss: this.instance }),
    );
    return `${body}.${this.#mac(body)}`;
  }

  /**
   * @param presented {secret, sub}: the session secret the client sent beside the token, and the
   *   subject of the connection's access token (null without auth).
   * @returns {{ok: true, claims: {room, id, name, sub, sid, sh, exp, iat, iss}} | {ok: false, reason: string}}
   */
  verify(token, { secret, sub = null }) {
    const claims = this.#open(token);
    if (!claims) return { ok: false, reason: 'invalid or expired resume token' };
    if (claims.sub !== (sub ?? null)) return { ok: false, reason: 'resume token belongs to another user' };
    const given = Buffer.from(typeof secret === 'string' ? hashSecret(secret) : '', 'utf8');
    const expected = Buffer.from(claims.sh, 'utf8');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'resume token without its session secret' };
    }
    if (this.isRevoked(claims.sid)) return { ok: false, reason: 'resume token revoked by leave' };
    return { ok: true, claims };
  }

  /** `leave`: no token of this session resumes again. */
  revoke(sid, expSeconds = Math.floor((this.now() + this.ttlMs) / 1000)) {
    this.#prune();
    this.revoked.delete(sid);
    this.revoked.set(sid, expSeconds * 1000);
    while (this.revoked.size > this.maxRevoked) this.revoked.delete(this.revoked.keys().next().value);
  }

  isRevoked(sid) {
    const exp = this.revoked.get(sid);
    return exp !== undefined && exp > this.now();
  }

  #prune() {
    const t = this.now();
    for (const [sid, exp] of this.revoked) {
      if (exp > t) break; // roughly in expiry order: every sid gets the same ttl
      this.revoked.delete(sid);
    }
  }

  #open(token) {
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
    const { room, id, name, sub, sid, sh, exp, iat, iss } = claims;
    if (typeof room !== 'string' || typeof id !== 'string' || typeof name !== 'string') return null;
    if (typeof sid !== 'string' || typeof sh !== 'string' || !(sub === null || typeof sub === 'string')) return null;
    if (!Number.isFinite(exp) || exp * 1000 <= this.now()) return null;
    return { room, id, name, sub, sid, sh, exp, iat, iss: typeof iss === 'string' ? iss : null };
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
