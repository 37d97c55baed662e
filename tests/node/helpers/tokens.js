// HS256 access tokens for the reference server's --secret mode.
import { SignJWT } from 'jose';

export const TEST_SECRET = 'client-test-secret';

export function makeToken({ sub = 'user', name = 'user', rooms = ['*'], secret = TEST_SECRET } = {}) {
  return new SignJWT({ name, rooms })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(secret));
}
