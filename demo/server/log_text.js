// Values from the network go into log lines through `quote`: a room named "r1\nleave room=x" must
// not forge a second line. Control characters, quotes and backslashes are escaped (JSON rules,
// plus U+2028/U+2029), and long values are cut so one frame cannot flood the log.
const MAX_LOGGED_CHARS = 200;

export function quote(value) {
  let text = String(value);
  if (text.length > MAX_LOGGED_CHARS) text = `${text.slice(0, MAX_LOGGED_CHARS)}…`;
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
