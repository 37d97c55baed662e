/** Plain-language text for the error codes the SDK, the server and the browser report. */
const PLAIN: Record<string, string> = {
  'camera-denied': 'Camera and microphone access was denied',
  'no-devices': 'No camera or microphone was found',
  'media-unavailable': 'The camera or microphone could not be started',
  'room-full': 'This room is full',
  unauthorized: 'The server did not accept your credentials',
  forbidden: 'You are not allowed to join this room',
  'server-unreachable': 'The signaling server cannot be reached',
  timeout: 'The signaling server cannot be reached (is it running?)',
  'reconnect-exhausted': 'Gave up reconnecting to the signaling server',
  'token-failed': 'Could not get an access token',
  'connect-failed': 'The signaling server cannot be reached',
  'negotiation-failed': 'Could not set up the media connection with a peer',
  'server-error': 'The signaling server reported an error',
  'outbox-full': 'Too many messages are waiting to be sent',
  'channel-closed': 'The chat connection to that person is closed',
  'unsupported-dialect': 'This signaling dialect is not supported',
  'invalid-config': 'The connection settings are invalid',
  'rate-limited': 'You are sending too fast; slow down',
  'message-too-large': 'That message is too large to send',
  'bad-message': 'The server rejected a malformed message',
  'not-joined': 'You are no longer in the room',
  closed: 'The connection was closed',
};

export function plainError(code: string, fallback?: string): string {
  return PLAIN[code] ?? fallback ?? 'Something went wrong';
}

/**
 * The SDK's own message when it says more than the plain headline: "room \"x\" is full", or which
 * option is invalid and why. Empty when there is none or it only repeats the headline.
 */
export function errorDetail(code: string, message?: string): string {
  const text = message?.trim() ?? '';
  return text && PLAIN[code] && text !== PLAIN[code] ? text : '';
}
