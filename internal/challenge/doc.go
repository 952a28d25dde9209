// Package challenge parses HTTP authentication challenges (RFC 9110 §11):
// the values of WWW-Authenticate and Proxy-Authenticate header fields.
//
// A 401 is diagnosed from what the server offered, so the parser keeps every
// challenge as evidence rather than picking the "best" one the way a browser
// does: a Basic challenge next to a Negotiate one, or a Bearer error code
// behind an unknown scheme, is often the whole explanation. For the same
// reason a malformed header is not thrown away: the challenges read before
// the syntax error are still returned, together with an error that says
// where the value breaks, because a browser that is lenient about that
// error may behave differently from one that is strict.
//
// Syntax follows RFC 9110 exactly (errors); scheme-specific rules from RFC
// 7617 (Basic), RFC 7616 (Digest) and RFC 6750 (Bearer) are only warnings,
// because browsers accept those deviations and the header still works.
package challenge
