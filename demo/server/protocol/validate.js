// Parses and validates client frames of the `native` v1 dialect (docs/ARCHITECTURE.md#walkthrough-the-native-dialect) with the same limits
// the client core applies (docs/ARCHITECTURE.md#validation-and-limits). Returns values instead of throwing: the connection turns
// every rejection into an error frame and keeps going.

export const LIMITS = Object.freeze({
  maxDepth: 16,
  maxSdpBytes: 32 * 1024,
  maxCandidateBytes: 1024,
  maxNameBytes: 64,
  maxRoomBytes: 64,
  maxUfragBytes: 256,
  maxMidBytes: 256,
});

const PEER_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const DESCRIPTION_TYPES = new Set(['offer', 'answer', 'pranswer', 'rollback']);

export function isPeerId(value) {
  return typeof value === 'string' && PEER_ID.test(value);
}

export function utf8Bytes(text) {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Nesting depth of a JSON text, computed before JSON.parse so a hostile frame of 60 KiB of `[`
 * never reaches the parser. Brackets inside strings do not count.
 */
export function jsonDepth(text) {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) max = depth;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
    }
  }
  return max;
}

const ok = (message) => ({ ok: true, message });
const bad = (reason) => ({ ok: false, code: 'bad-message', reason });

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isSeq(value, min) {
  return Number.isSafeInteger(value) && value >= min;
}

function validName(value) {
  return typeof value === 'string' && utf8Bytes(value) <= LIMITS.maxNameBytes;
}

export function validRoom(value) {
  return typeof value === 'string' && value.length > 0 && utf8Bytes(value) <= LIMITS.maxRoomBytes;
}

function optionalString(value, maxBytes) {
  return value === undefined || value === null || (typeof value === 'string' && utf8Bytes(value) <= maxBytes);
}

function validateDescription(d) {
  if (!isPlainObject(d)) return 'description must be an object';
  if (!DESCRIPTION_TYPES.has(d.type)) return 'description.type must be offer|answer|pranswer|rollback';
  if (typeof d.sdp !== 'string') return 'description.sdp must be a string';
  if (utf8Bytes(d.sdp) > LIMITS.maxSdpBytes) return 'sdp exceeds 32 KiB';
  // A rollback carries no session description; everything else must be one.
  if (!(d.type === 'rollback' && d.sdp === '') && !d.sdp.startsWith('v=0')) return 'sdp must start with v=0';
  return null;
}

function validateCandidate(c) {
  if (c === null) return null; // end of candidates
  if (!isPlainObject(c)) return 'candidate must be an object or null';
  if (typeof c.candidate !== 'string') return 'candidate.candidate must be a string';
  if (utf8Bytes(c.candidate) > LIMITS.maxCandidateBytes) return 'candidate exceeds 1 KiB';
  if (c.candidate !== '' && !c.candidate.startsWith('candidate:')) return 'candidate must start with candidate:';
  if (!optionalString(c.sdpMid, LIMITS.maxMidBytes)) return 'sdpMid must be a string or null';
  const idx = c.sdpMLineIndex;
  if (!(idx === undefined || idx === null || (Number.isInteger(idx) && idx >= 0 && idx <= 65535))) {
    return 'sdpMLineIndex must be a small non-negative integer or null';
  }
  if (!optionalString(c.usernameFragment, LIMITS.maxUfragBytes)) return 'usernameFragment must be a string or null';
  return null;
}

/** Exactly one of `description` / `candidate`: the three canonical payloads (docs/ARCHITECTURE.md#dialects). */
function validateSignalData(data) {
  if (!isPlainObject(data)) return 'data must be an object';
  const hasDescription = Object.hasOwn(data, 'description');
  const hasCandidate = Object.hasOwn(data, 'candidate');
  if (hasDescription === hasCandidate) return 'data must hold exactly one of description, candidate';
  return hasDescription ? validateDescription(data.description) : validateCandidate(data.candidate);
}

/**
 * The relayed copy of a validated `signal.data`: only the canonical fields, so unknown fields
 * (which would otherwise travel and sit in replay queues unvalidated) never leave the server.
 */
export function canonicalSignalData(data) {
  if (Object.hasOwn(data, 'description')) {
    const { type, sdp } = data.description;
    return { description: { type, sdp } };
  }
  const c = data.candidate;
  if (c === null) return { candidate: null };
  const candidate = { candidate: c.candidate };
  for (const key of ['sdpMid', 'sdpMLineIndex', 'usernameFragment']) {
    if (c[key] !== undefined) candidate[key] = c[key];
  }
  return { candidate };
}

// A Map, not an object literal: `type` comes from the network, and a lookup in a plain object
// would find Object.prototype members (`__proto__`, `constructor`, `valueOf`, ...).
const VALIDATORS = new Map(Object.entries({
  join(m) {
    if (!validRoom(m.room)) return 'join.room must be a non-empty string of at most 64 bytes';
    if (!validName(m.name)) return 'join.name must be a string of at most 64 bytes';
    if (m.resume !== undefined && (typeof m.resume !== 'string' || m.resume.length > 1024)) {
      return 'join.resume must be a token string';
    }
    if (m.secret !== undefined && (typeof m.secret !== 'string' || m.secret.length > 256)) {
      return 'join.secret must be a session secret string';
    }
    if (m.lastSeq !== undefined && !isSeq(m.lastSeq, 0)) return 'join.lastSeq must be a non-negative integer';
    return null;
  },
  signal(m) {
    if (!isPeerId(m.to)) return 'signal.to must be a peer id';
    if (!isSeq(m.seq, 1)) return 'signal.seq must be a positive integer';
    return validateSignalData(m.data);
  },
  ack(m) {
    return isSeq(m.seq, 0) ? null : 'ack.seq must be a non-negative integer';
  },
  ping: () => null,
  leave: () => null,
}));

/**
 * @param {string} text a complete text frame
 * @returns {{ok: true, message: object} | {ok: true, message: null, ignoredType: string} |
 *           {ok: false, code: 'bad-message', reason: string}}
 */
export function parseClientFrame(text) {
  if (jsonDepth(text) > LIMITS.maxDepth) return bad('JSON nested deeper than 16');
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return bad('invalid JSON');
  }
  if (!isPlainObject(message)) return bad('frame must be a JSON object');
  if (typeof message.type !== 'string') return bad('frame has no type');
  const validate = VALIDATORS.get(message.type);
  // Forward compatibility: newer clients may send types this server does not know.
  if (!validate) return { ok: true, message: null, ignoredType: message.type };
  const reason = validate(message);
  if (reason) return bad(reason);
  if (message.type === 'signal') message.data = canonicalSignalData(message.data);
  return ok(message);
}
