package lab

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"hash"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The Digest scenario verifies responses for real (RFC 7616) so that a
// relogin step can prove the browser's Digest implementation works end to
// end, rather than merely that some Authorization header was sent.

const (
	digestRealm = "lab@fix401"
	// nonceLifetime is long enough for a person typing a password and
	// short enough that tests of stale nonces stay meaningful.
	nonceLifetime = 5 * time.Minute
	// maxNonces bounds memory when a client keeps fetching challenges.
	maxNonces = 1024
)

// digestAlgorithms lists the challenges in the order they are sent:
// strongest first, because clients that understand several pick the first.
var digestAlgorithms = []string{"SHA-256", "MD5"}

type digestState struct {
	opaque string
	nonces map[string]*nonceInfo
}

type nonceInfo struct {
	issued time.Time
	seen   map[string]bool // nonce-count values already used, to refuse replays
}

type digestVerdict int

const (
	digestMissing    digestVerdict = iota // no Digest credentials at all
	digestBad                             // malformed, or wrong user/password
	digestStale                           // right password, but the nonce is unknown, expired or replayed
	digestBadRequest                      // the uri parameter names another resource
	digestOK
)

type digestResult struct {
	verdict   digestVerdict
	algorithm string // as the client named it, e.g. "SHA-256"
	authInfo  string // Authentication-Info value for a successful request
}

func (l *Lab) newNonce() string {
	n := randomToken(24)
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	nonces := l.digest.nonces
	if len(nonces) >= maxNonces {
		var oldest string
		for k, v := range nonces {
			if now.Sub(v.issued) > nonceLifetime {
				delete(nonces, k)
			} else if oldest == "" || v.issued.Before(nonces[oldest].issued) {
				oldest = k
			}
		}
		if len(nonces) >= maxNonces {
			delete(nonces, oldest)
		}
	}
	nonces[n] = &nonceInfo{issued: now, seen: make(map[string]bool)}
	return n
}

// digestChallenge adds one WWW-Authenticate line per algorithm, sharing one
// nonce as in the RFC 7616 example.
func (l *Lab) digestChallenge(w http.ResponseWriter, stale bool) {
	nonce := l.newNonce()
	for _, alg := range digestAlgorithms {
		v := `Digest realm="` + digestRealm + `", qop="auth", algorithm=` + alg +
			`, nonce="` + nonce + `", opaque="` + l.digest.opaque + `"`
		if stale {
			v += ", stale=true"
		}
		w.Header().Add("WWW-Authenticate", v)
	}
}

func digestHash(alg string) (newHash func() hash.Hash, sess bool, ok bool) {
	base, sess := strings.CutSuffix(strings.ToUpper(alg), "-SESS")
	switch base {
	case "MD5":
		return md5.New, sess, true
	case "SHA-256":
		return sha256.New, sess, true
	}
	return nil, false, false
}

func hexHash(newHash func() hash.Hash, parts ...string) string {
	h := newHash()
	h.Write([]byte(strings.Join(parts, ":")))
	return hex.EncodeToString(h.Sum(nil))
}

// checkDigest verifies the request's Authorization: Digest header. The
// password is checked before the nonce on purpose: stale=true tells the
// client it may retry silently, which is only true when the password was
// right.
func (l *Lab) checkDigest(r *http.Request) digestResult {
	scheme, rest, _ := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	if !strings.EqualFold(scheme, "Digest") {
		return digestResult{verdict: digestMissing}
	}
	bad := digestResult{verdict: digestBad}
	p, err := parseAuthParams(rest)
	if err != nil {
		return bad
	}
	alg := p["algorithm"]
	if alg == "" {
		alg = "MD5" // RFC 7616 section 3.4: the default
	}
	newHash, sess, ok := digestHash(alg)
	if !ok {
		return bad
	}
	nonce, nc, cnonce, uri := p["nonce"], p["nc"], p["cnonce"], p["uri"]
	if p["realm"] != digestRealm || p["qop"] != "auth" || nonce == "" || cnonce == "" || uri == "" || !isNonceCount(nc) {
		return bad
	}
	if subtle.ConstantTimeCompare([]byte(p["opaque"]), []byte(l.digest.opaque)) != 1 {
		return bad
	}
	if uri != r.RequestURI && uri != r.URL.RequestURI() {
		// RFC 7616 section 3.4.6 asks for 400: the credentials may be
		// fine, they are just for another resource.
		return digestResult{verdict: digestBadRequest}
	}

	username, ok := digestUsername(p)
	if !ok {
		return bad
	}
	wantUser := labUser
	if strings.EqualFold(p["userhash"], "true") {
		wantUser = hexHash(newHash, labUser, digestRealm)
	}
	if subtle.ConstantTimeCompare([]byte(username), []byte(wantUser)) != 1 {
		return bad
	}

	ha1 := hexHash(newHash, labUser, digestRealm, labPassword)
	if sess {
		ha1 = hexHash(newHash, ha1, nonce, cnonce)
	}
	ha2 := hexHash(newHash, r.Method, uri)
	want := hexHash(newHash, ha1, nonce, nc, cnonce, "auth", ha2)
	if subtle.ConstantTimeCompare([]byte(strings.ToLower(p["response"])), []byte(want)) != 1 {
		return bad
	}

	if !l.useNonce(nonce, strings.ToLower(nc)) {
		return digestResult{verdict: digestStale}
	}
	rspauth := hexHash(newHash, ha1, nonce, nc, cnonce, "auth", hexHash(newHash, "", uri))
	return digestResult{
		verdict:   digestOK,
		algorithm: alg,
		authInfo:  `rspauth="` + rspauth + `", qop=auth, nc=` + nc + `, cnonce="` + quoteEscape(cnonce) + `"`,
	}
}

// useNonce records one use of (nonce, nc) and reports whether it was fresh.
func (l *Lab) useNonce(nonce, nc string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	info := l.digest.nonces[nonce]
	if info == nil {
		return false
	}
	if now.Sub(info.issued) > nonceLifetime {
		delete(l.digest.nonces, nonce)
		return false
	}
	if info.seen[nc] {
		return false
	}
	info.seen[nc] = true
	return true
}

func isNonceCount(nc string) bool {
	if len(nc) != 8 {
		return false
	}
	_, err := hex.DecodeString(nc)
	return err == nil
}

// digestUsername returns the username, decoding the RFC 5987 form
// (the username* parameter) that RFC 7616 uses for names outside ASCII.
func digestUsername(p map[string]string) (string, bool) {
	u, plain := p["username"]
	ext, extended := p["username*"]
	switch {
	case plain && !extended:
		return u, true
	case extended && !plain:
		charset, rest, ok := strings.Cut(ext, "'")
		if !ok || !strings.EqualFold(charset, "UTF-8") {
			return "", false
		}
		_, enc, ok := strings.Cut(rest, "'")
		if !ok {
			return "", false
		}
		s, err := url.PathUnescape(enc)
		return s, err == nil
	}
	return "", false
}

func quoteEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)
}

var errAuthParams = errors.New("malformed auth-param list")

// parseAuthParams parses a comma-separated list of name=value pairs, values
// being tokens or quoted strings (RFC 9110 section 11.2). Names are
// lower-cased; a repeated name is an error because it would make the
// verification ambiguous.
func parseAuthParams(s string) (map[string]string, error) {
	out := make(map[string]string)
	i := 0
	skipSpace := func() {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
	}
	for {
		skipSpace()
		for i < len(s) && s[i] == ',' { // empty list elements are allowed
			i++
			skipSpace()
		}
		if i >= len(s) {
			return out, nil
		}
		start := i
		for i < len(s) && isTokenChar(s[i]) {
			i++
		}
		name := strings.ToLower(s[start:i])
		skipSpace()
		if name == "" || i >= len(s) || s[i] != '=' {
			return nil, errAuthParams
		}
		i++
		skipSpace()
		var val string
		if i < len(s) && s[i] == '"' {
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				c := s[i]
				i++
				if c == '\\' && i < len(s) {
					b.WriteByte(s[i])
					i++
					continue
				}
				if c == '"' {
					closed = true
					break
				}
				b.WriteByte(c)
			}
			if !closed {
				return nil, errAuthParams
			}
			val = b.String()
		} else {
			start := i
			for i < len(s) && isTokenChar(s[i]) {
				i++
			}
			if start == i {
				return nil, errAuthParams
			}
			val = s[start:i]
		}
		if _, dup := out[name]; dup {
			return nil, errAuthParams
		}
		out[name] = val
		skipSpace()
		if i < len(s) && s[i] != ',' {
			return nil, errAuthParams
		}
	}
}

func isTokenChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
