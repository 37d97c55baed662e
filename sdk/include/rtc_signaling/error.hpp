// Stable error codes. Users switch on these strings; never rename one.
#pragma once

#include <string>

namespace rtc_signaling {

namespace errc {
// Fatal: the session ends in `closed`.
inline constexpr const char* unauthorized = "unauthorized";        // HTTP 401 / bad token
inline constexpr const char* forbidden = "forbidden";              // HTTP 403 / room not granted
inline constexpr const char* room_full = "room-full";              // server refused: room at capacity
inline constexpr const char* timeout = "timeout";                  // never joined within connect_timeout_ms
inline constexpr const char* reconnect_exhausted = "reconnect-exhausted";  // max_attempts reached
inline constexpr const char* invalid_config = "invalid-config";    // Config failed validation
inline constexpr const char* server_closed = "server-closed";      // server ended the session, no reconnect
inline constexpr const char* not_found = "not-found";              // dyson: no such chat room (HTTP 404)
// Non-fatal: the offending frame/operation is dropped; state stays consistent.
inline constexpr const char* message_too_large = "message-too-large";
inline constexpr const char* bad_message = "bad-message";
inline constexpr const char* outbox_full = "outbox-full";
// The server announced a peer beyond Limits::max_peers; it is ignored (not the fatal room-full,
// which is the server refusing *us*). Reported once until the roster has room again.
inline constexpr const char* roster_full = "roster-full";
inline constexpr const char* server_error = "server-error";        // non-fatal error frame from server
inline constexpr const char* negotiation_failed = "negotiation-failed";  // a browser operation failed
inline constexpr const char* token_failed = "token-failed";        // the token provider failed
// An attempt's socket never opened; the message says why as far as the probe can tell (no HTTP
// answer: refused, unknown host or TLS; an HTTP status such as 404). The attempt is retried.
inline constexpr const char* connect_failed = "connect-failed";
// Answers to the app's hub invocations (output::HubResult), never session errors.
inline constexpr const char* hub_error = "hub-error";              // the hub's Completion error
inline constexpr const char* not_open = "not-open";                // not in the room right now
inline constexpr const char* unsupported_dialect = "unsupported-dialect";
inline constexpr const char* invalid_data = "invalid-data";
}  // namespace errc

}  // namespace rtc_signaling
