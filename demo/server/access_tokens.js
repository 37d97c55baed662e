// HS256 access tokens (claims: sub, name, rooms). Checked at the WebSocket upgrade and on the plain
// GET probe the browser client makes after a refused upgrade, so both answer the same status.
import { jwtVerify } from 'jose';

/**
 * @returns {Promise<{status: 200, claims: object|null} | {status: 401|403, reason: string}>}
 *   claims is null when the server runs without a secret (open access).
 */
export async function authorize({ secretKey, token, room }) {
  if (!secretKey) return { status: 200, claims: null };
  if (!token) return { status: 401, reason: 'missing access token' };
  let claims;
  try {
    ({ payload: claims } = await jwtVerify(token, secretKey, { algorithms: ['HS256'], requiredClaims: ['exp'] }));
  } catch {
    // The reason never includes the token itself: tokens are not logged anywhere.
    return { status: 401, reason: 'invalid access token' };
  }
  // A token without `exp` would be valid forever: requiredClaims refuses it above.
  // Without a room in the query the join frame is checked against the claims instead.
  if (room !== null && !roomGranted(claims, room)) return { status: 403, reason: 'room not granted' };
  return { status: 200, claims };
}

export function roomGranted(claims, room) {
  if (!claims) return true;
  const rooms = claims.rooms;
  return Array.isArray(rooms) && (rooms.includes('*') || rooms.includes(room));
}

export function secretKeyFrom(secret) {
  return secret ? new TextEncoder().encode(secret) : null;
}
