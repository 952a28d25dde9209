// Package har writes network.har: every request a run made, as an HTTP
// Archive 1.2 file that Chrome DevTools (Network panel, "Import HAR file")
// and other HAR viewers open.
//
// The file is sanitized by default because of where it goes. A technician
// attaches the report folder to a ticket, and from there it is read by
// people and systems that must never see the user's credentials: the site
// owner, a vendor's support desk, a ticket archive kept for years. Yet a
// 401 run is exactly the run whose requests carry secrets (the password
// fix401 answered a Basic challenge with, session cookies, OAuth codes and
// tokens in query strings and fragments), and a raw HAR would hand them
// all over. DevTools' own "sanitized" export drops Cookie, Set-Cookie and
// Authorization altogether; fix401 cannot, because whether a cookie or an
// Authorization header was sent is often the diagnosis. So names, schemes
// and attributes stay and only values become [redacted]: "Authorization:
// Basic [redacted]", "Cookie: sid=[redacted]", "?code=[redacted]".
//
// Structure alone is not enough, because a secret can turn up anywhere (an
// error page that echoes the session id, a Referer, a page title with a
// URL): every string of the file is scrubbed at the end, of the literal
// secrets the caller named and of those seen in the run's own credentials,
// in their plain, escaped and base64 forms.
package har
