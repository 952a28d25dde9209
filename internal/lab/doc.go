// Package lab is fix401's built-in practice site: a loopback HTTP server
// with one page per kind of failure fix401 has to recognise.
//
// It exists because the interesting failures are hard to come by on demand.
// A real 401 depends on somebody else's server, credentials and cache; a
// soft 401 (a 200 page that says "access denied") or a 401 on a background
// fetch only shows up on particular sites. The lab reproduces each of them
// deterministically, on the user's own machine, so that `fix401 lab` lets a
// person try the tool without pointing it at production, `fix401 demo` has
// something safe to troubleshoot, and integration tests can drive a real
// Chromium against known answers. Each Scenario therefore records what the
// diagnosis should be; a mismatch is a bug in fix401, not in the lab.
//
// Some scenarios are each fixed by exactly one of fix401's remedies, given
// the order fix401 tries them in and the browser state they leave behind
// (see remedies.go); Scenario.FixedBy names the step and Scenario.Options
// says what a run needs to get there (credentials, a URL with a typo, a
// proxy). Proxy is the "other network" for the one fixed by a proxy.
//
// The lab listens only on loopback: some pages deliberately hang, send
// misleading headers or accept well-known credentials, which must never be
// reachable from another host.
package lab
