// Package browser is the only place in fix401 that speaks the Chrome DevTools
// Protocol. It starts (or attaches to) one Chromium per run, opens sessions
// (tabs) in it, loads pages while recording every network event, and answers
// HTTP auth challenges so that a 401 page renders with its real status and
// headers instead of headless Chrome's bare ERR_INVALID_AUTH_CREDENTIALS.
//
// Nothing here judges a load: a Load is raw evidence (statuses, headers,
// text, a screenshot), and the agent decides what it means.
package browser
