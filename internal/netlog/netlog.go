// Package netlog reads what Chromium's network log (--log-net-log) says
// about HTTP authentication: which scheme the browser chose, whether it was
// allowed to use the machine's own credentials, the service name (SPN) it
// asked a ticket for, and the security library's own error ("Ticket
// expired", "Server … not found in Kerberos database"). A Negotiate 401
// looks the same whatever went wrong; only this log tells the causes apart.
package netlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Attempt is one authentication exchange of the browser (one Chromium
// HTTP_AUTH_CONTROLLER): a challenge, the handler chosen for it, and what
// became of the token.
type Attempt struct {
	URL    string // the request that met the challenge
	Target string // "server" or "proxy"
	Origin string
	Scheme string // lower case, as Chromium names it: negotiate, ntlm, basic, digest
	// DefaultCredentials says whether the browser was allowed to use the
	// machine's own sign-in (Chrome's AuthServerAllowlist) for Negotiate or
	// NTLM; nil when the log does not say.
	DefaultCredentials *bool
	// HandlerError is the net error that kept a handler from being made
	// for the scheme (ERR_UNSUPPORTED_AUTH_SCHEME when not allowed).
	HandlerError string
	SPN          string // the service the browser asked a ticket for, "HTTP@host"
	Client       string // the principal whose ticket was used, when a context was made
	Service      string // the service principal the library resolved
	TokenMade    bool   // a token was generated (and sent)
	// Tokens counts the tokens the browser made in this exchange: NTLM
	// makes two (NEGOTIATE, then AUTHENTICATE once the server sent its
	// CHALLENGE); one and a refusal means the server did not take the first.
	Tokens int
	// Results are the browser's verdicts on the server's later challenges
	// in this exchange: "accept" (a next round), "reject" (refused).
	Results    []string
	TokenError string // the net error of a token that could not be made
	// Library holds the security library's messages of its last failure,
	// minor (the specific one) first.
	Library []string
}

// Failed reports whether the attempt ended without a token to send.
func (a Attempt) Failed() bool { return !a.TokenMade && (a.TokenError != "" || a.HandlerError != "") }

// event is one line of the log.
type event struct {
	Type   int `json:"type"`
	Phase  int `json:"phase"`
	Source struct {
		ID   int `json:"id"`
		Type int `json:"type"`
	} `json:"source"`
	Params json.RawMessage `json:"params"`
}

// constants are the log's own name tables.
type constants struct {
	EventTypes map[string]int `json:"logEventTypes"`
	NetErrors  map[string]int `json:"netError"`
}

// Log is a network log file being written by a running browser. Chromium
// writes the constants on the first line and then one event per line, so
// a prefix of the file can be read at any time; events still in
// Chromium's write queue are not there yet (see Read).
type Log struct {
	path   string
	types  map[int]string
	errors map[int]string
}

// Open reads the log's constants. The file must exist and hold its first
// line (Chromium writes it at start).
func Open(path string) (*Log, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	line, err := r.ReadBytes('\n')
	if err != nil {
		return nil, fmt.Errorf("network log %s: no constants yet", path)
	}
	var head struct {
		Constants constants `json:"constants"`
	}
	line = bytes.TrimSuffix(bytes.TrimSpace(line), []byte(","))
	if err := json.Unmarshal(append(line, '}'), &head); err != nil || len(head.Constants.EventTypes) == 0 {
		return nil, fmt.Errorf("network log %s: unreadable constants", path)
	}
	l := &Log{path: path, types: map[int]string{}, errors: map[int]string{}}
	for k, v := range head.Constants.EventTypes {
		l.types[v] = k
	}
	for k, v := range head.Constants.NetErrors {
		l.errors[v] = k
	}
	return l, nil
}

// Size is the log's length now: Read from it gets only later events.
func (l *Log) Size() int64 {
	fi, err := os.Stat(l.path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Read returns the authentication attempts logged from offset on, in the
// order they began. A line cut short at the end (Chromium is writing it)
// is left for the next read.
func (l *Log) Read(offset int64) ([]Attempt, error) {
	f, err := os.Open(l.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, err
	}
	byID := map[int]*Attempt{}
	var order []*Attempt
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			break // a partial line: not complete yet
		}
		if err != nil {
			return nil, err
		}
		line = bytes.TrimSuffix(bytes.TrimSpace(line), []byte(","))
		if len(line) == 0 || line[0] != '{' || !l.mayBeAuth(line) {
			continue
		}
		var e event
		if json.Unmarshal(line, &e) != nil {
			continue
		}
		name := l.types[e.Type]
		if !strings.HasPrefix(name, "AUTH_") {
			continue
		}
		a := byID[e.Source.ID]
		if a == nil {
			if name != "AUTH_CONTROLLER" {
				continue // a controller that began before offset
			}
			a = &Attempt{}
			byID[e.Source.ID] = a
			order = append(order, a)
		}
		if name == "AUTH_HANDLER_CREATE_RESULT" && a.Scheme != "" && !strings.EqualFold(a.Scheme, schemeOf(e.Params)) {
			// The browser moved on to another scheme (Negotiate failed,
			// NTLM next): a new exchange, counted on its own.
			a = &Attempt{URL: a.URL, Target: a.Target}
			byID[e.Source.ID] = a
			order = append(order, a)
		}
		l.apply(a, name, e)
	}
	out := make([]Attempt, 0, len(order))
	for _, a := range order {
		out = append(out, *a)
	}
	return out, nil
}

// schemeOf is the scheme an AUTH_HANDLER_CREATE_RESULT names.
func schemeOf(params json.RawMessage) string {
	var p struct {
		Scheme string `json:"scheme"`
	}
	_ = json.Unmarshal(params, &p)
	return p.Scheme
}

// mayBeAuth tells, without decoding the line, whether an event can be an
// auth event: every load reads the log, and most of its lines are not.
// Chromium writes an event's keys in order, the event's own "type" last.
func (l *Log) mayBeAuth(line []byte) bool {
	i := bytes.LastIndex(line, []byte(`"type":`))
	if i < 0 {
		return false
	}
	rest := line[i+len(`"type":`):]
	end := bytes.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end <= 0 {
		return true // not the expected shape: let the decoder decide
	}
	n, err := strconv.Atoi(string(rest[:end]))
	return err != nil || strings.HasPrefix(l.types[n], "AUTH_")
}

// params are the fields of the auth events that matter here.
type params struct {
	URL           string          `json:"url"`
	Target        string          `json:"target"`
	Origin        string          `json:"origin"`
	Scheme        string          `json:"scheme"`
	AllowsDefault *bool           `json:"allows_default_credentials"`
	NetError      int             `json:"net_error"`
	SPN           string          `json:"spn"`
	RawStatus     json.RawMessage `json:"status"`
	RawContext    json.RawMessage `json:"context"`
}

type gssStatus struct {
	Major struct {
		Message []string `json:"message"`
	} `json:"major_status"`
	Minor struct {
		Message []string `json:"message"`
	} `json:"minor_status"`
}

func (l *Log) apply(a *Attempt, name string, e event) {
	var p params
	if len(e.Params) > 0 {
		_ = json.Unmarshal(e.Params, &p)
	}
	switch name {
	case "AUTH_CONTROLLER":
		if e.Phase == 1 {
			a.URL, a.Target = p.URL, p.Target
		}
	case "AUTH_HANDLER_CREATE_RESULT":
		a.Scheme, a.Origin = p.Scheme, p.Origin
		if p.AllowsDefault != nil {
			a.DefaultCredentials = p.AllowsDefault
		}
		a.HandlerError = l.netError(p.NetError)
	case "AUTH_HANDLER_INIT":
		if p.AllowsDefault != nil {
			a.DefaultCredentials = p.AllowsDefault
		}
	case "AUTH_LIBRARY_IMPORT_NAME":
		if p.SPN != "" {
			a.SPN = p.SPN
		}
	case "AUTH_LIBRARY_INIT_SEC_CTX":
		if len(p.RawStatus) > 0 {
			var s gssStatus
			if json.Unmarshal(p.RawStatus, &s) == nil {
				a.Library = clean(append(append([]string{}, s.Minor.Message...), s.Major.Message...))
			}
		}
		if len(p.RawContext) > 0 {
			var c struct {
				Source struct{ Name string } `json:"source"`
				Target struct{ Name string } `json:"target"`
			}
			if json.Unmarshal(p.RawContext, &c) == nil {
				a.Client, a.Service = c.Source.Name, c.Target.Name
			}
		}
	case "AUTH_HANDLE_CHALLENGE":
		var r struct {
			Result string `json:"authorization_result"`
		}
		if len(e.Params) > 0 && json.Unmarshal(e.Params, &r) == nil && r.Result != "" {
			a.Results = append(a.Results, r.Result)
		}
	case "AUTH_GENERATE_TOKEN":
		// The controller's own event names the request; the handler's,
		// nested in it, does not: one token, counted once.
		if e.Phase == 1 && bytes.Contains(e.Params, []byte("source_dependency")) {
			a.Tokens++
		}
		if e.Phase == 2 {
			if p.NetError != 0 {
				a.TokenError = l.netError(p.NetError)
			} else {
				a.TokenMade, a.TokenError = true, ""
			}
		}
	}
}

// netError names a net error code as Chromium does (ERR_…).
func (l *Log) netError(code int) string {
	if code == 0 {
		return ""
	}
	if n, ok := l.errors[code]; ok {
		return n
	}
	return fmt.Sprintf("net error %d", code)
}

// clean drops empty messages and the NUL that GSSAPI leaves on some.
func clean(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		m = strings.TrimSpace(strings.TrimRight(m, "\x00"))
		if m != "" && m != "Unknown error" {
			out = append(out, m)
		}
	}
	return out
}
