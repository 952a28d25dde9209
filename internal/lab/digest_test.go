package lab

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The client side of Digest is written out again here, independently of
// digest.go, so that a shared mistake cannot make both sides agree.

var challengeParam = regexp.MustCompile(`([A-Za-z][A-Za-z0-9*-]*)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))`)

func parseChallenge(t *testing.T, v string) map[string]string {
	t.Helper()
	rest, ok := strings.CutPrefix(v, "Digest ")
	if !ok {
		t.Fatalf("not a Digest challenge: %q", v)
	}
	out := map[string]string{}
	for _, m := range challengeParam.FindAllStringSubmatch(rest, -1) {
		out[strings.ToLower(m[1])] = m[2] + m[3]
	}
	return out
}

func h(alg, s string) string {
	switch strings.TrimSuffix(strings.ToUpper(alg), "-SESS") {
	case "SHA-256":
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	default:
		sum := md5.Sum([]byte(s))
		return hex.EncodeToString(sum[:])
	}
}

type digestReq struct {
	alg        string // "" sends no algorithm parameter (MD5 by default)
	user, pass string
	method     string
	uri        string // the uri parameter; "" means the scenario path
	nonce      string // "" means the challenge's
	opaque     string // "" means the challenge's
	nc         string // "" means 00000001
	cnonce     string
	userhash   bool
	extUser    bool // send username* instead of username
}

func (d digestReq) header(c map[string]string) (hdr, ha1 string) {
	alg := d.alg
	if alg == "" {
		alg = "MD5"
	}
	uri := cmp(d.uri, "/s/digest/")
	nonce := cmp(d.nonce, c["nonce"])
	opaque := cmp(d.opaque, c["opaque"])
	nc := cmp(d.nc, "00000001")
	cnonce := cmp(d.cnonce, "0a4f113b")
	method := cmp(d.method, "GET")

	ha1 = h(alg, d.user+":"+c["realm"]+":"+d.pass)
	if strings.HasSuffix(strings.ToUpper(alg), "-SESS") {
		ha1 = h(alg, ha1+":"+nonce+":"+cnonce)
	}
	ha2 := h(alg, method+":"+uri)
	resp := h(alg, ha1+":"+nonce+":"+nc+":"+cnonce+":auth:"+ha2)

	var b strings.Builder
	switch {
	case d.userhash:
		fmt.Fprintf(&b, `Digest username="%s", userhash=true`, h(alg, d.user+":"+c["realm"]))
	case d.extUser:
		fmt.Fprintf(&b, `Digest username*=UTF-8''%s`, d.user)
	default:
		fmt.Fprintf(&b, `Digest username="%s"`, d.user)
	}
	fmt.Fprintf(&b, `, realm="%s", nonce="%s", uri="%s", response="%s", opaque="%s", qop=auth, nc=%s, cnonce="%s"`,
		c["realm"], nonce, uri, resp, opaque, nc, cnonce)
	if d.alg != "" {
		fmt.Fprintf(&b, ", algorithm=%s", d.alg)
	}
	return b.String(), ha1
}

func cmp(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// challenge fetches a fresh Digest challenge, checking its shape.
func challenge(t *testing.T, base string) map[string]string {
	t.Helper()
	resp, _ := get(t, base+"/s/digest/", nil)
	if resp.StatusCode != 401 {
		t.Fatalf("challenge: status %d", resp.StatusCode)
	}
	v := resp.Header.Values("WWW-Authenticate")
	if len(v) != 2 {
		t.Fatalf("want 2 WWW-Authenticate lines, got %q", v)
	}
	sha, md := parseChallenge(t, v[0]), parseChallenge(t, v[1])
	if sha["algorithm"] != "SHA-256" || md["algorithm"] != "MD5" {
		t.Errorf("algorithms %q, %q; want SHA-256 then MD5", sha["algorithm"], md["algorithm"])
	}
	for _, c := range []map[string]string{sha, md} {
		if c["realm"] != "lab@fix401" || c["qop"] != "auth" || c["nonce"] == "" || c["opaque"] == "" {
			t.Errorf("bad challenge %v", c)
		}
	}
	if sha["nonce"] != md["nonce"] {
		t.Errorf("the two challenges carry different nonces")
	}
	return sha
}

func sendDigest(t *testing.T, base, hdr string) (*http.Response, string) {
	t.Helper()
	return get(t, base+"/s/digest/", map[string]string{"Authorization": hdr})
}

func isStale(t *testing.T, resp *http.Response) bool {
	t.Helper()
	v := resp.Header.Values("WWW-Authenticate")
	if len(v) != 2 {
		t.Fatalf("want 2 WWW-Authenticate lines, got %q", v)
	}
	return parseChallenge(t, v[0])["stale"] == "true" && parseChallenge(t, v[1])["stale"] == "true"
}

// digestLogin is a whole login as a browser does it; safe for concurrent use.
func digestLogin(t *testing.T, base, alg, pass string) int {
	c := challenge(t, base)
	hdr, _ := digestReq{alg: alg, user: labUser, pass: pass}.header(c)
	resp, _ := sendDigest(t, base, hdr)
	return resp.StatusCode
}

func TestDigestSuccess(t *testing.T) {
	_, ts := newTestLab(t)
	tests := map[string]digestReq{
		"SHA-256":          {alg: "SHA-256"},
		"MD5":              {alg: "MD5"},
		"default MD5":      {},
		"lowercase alg":    {alg: "sha-256"},
		"MD5-sess":         {alg: "MD5-sess"},
		"SHA-256-sess":     {alg: "SHA-256-sess"},
		"userhash":         {alg: "SHA-256", userhash: true},
		"extended user":    {alg: "SHA-256", extUser: true},
		"query in the uri": {alg: "MD5", uri: "/s/digest/?tab=1"},
	}
	for name, d := range tests {
		t.Run(name, func(t *testing.T) {
			c := challenge(t, ts.URL)
			d.user, d.pass = labUser, labPassword
			hdr, ha1 := d.header(c)
			url := ts.URL + cmp(d.uri, "/s/digest/")
			resp, body := get(t, url, map[string]string{"Authorization": hdr})
			if resp.StatusCode != 200 {
				t.Fatalf("status %d, want 200\n%s", resp.StatusCode, hdr)
			}
			if !strings.Contains(body, "Signed in as alice") {
				t.Errorf("body: %s", body)
			}
			alg := cmp(d.alg, "MD5")
			uri := cmp(d.uri, "/s/digest/")
			wantAuth := h(alg, ha1+":"+c["nonce"]+":00000001:0a4f113b:auth:"+h(alg, ":"+uri))
			if got := resp.Header.Get("Authentication-Info"); !strings.Contains(got, `rspauth="`+wantAuth+`"`) {
				t.Errorf("Authentication-Info = %q, want rspauth %s", got, wantAuth)
			}
		})
	}
}

func TestDigestFailures(t *testing.T) {
	_, ts := newTestLab(t)
	tests := []struct {
		name   string
		d      digestReq
		status int
		stale  bool
	}{
		{"wrong password", digestReq{alg: "SHA-256", pass: "Wonderland"}, 401, false},
		{"wrong user", digestReq{alg: "MD5", user: "bob"}, 401, false},
		{"unknown algorithm", digestReq{alg: "SHA-512"}, 401, false},
		{"wrong opaque", digestReq{alg: "MD5", opaque: "forged"}, 401, false},
		{"bad nc", digestReq{alg: "MD5", nc: "1"}, 401, false},
		{"unknown nonce, right password", digestReq{alg: "SHA-256", nonce: "made-up"}, 401, true},
		{"unknown nonce, wrong password", digestReq{alg: "SHA-256", nonce: "made-up", pass: "nope"}, 401, false},
		{"uri of another resource", digestReq{alg: "MD5", uri: "/s/basic/"}, 400, false},
		{"wrong method", digestReq{alg: "MD5", method: "POST"}, 401, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := challenge(t, ts.URL)
			d := tt.d
			d.user = cmp(d.user, labUser)
			d.pass = cmp(d.pass, labPassword)
			hdr, _ := d.header(c)
			resp, _ := sendDigest(t, ts.URL, hdr)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == 401 {
				if got := isStale(t, resp); got != tt.stale {
					t.Errorf("stale = %v, want %v", got, tt.stale)
				}
			}
		})
	}

	for _, hdr := range []string{
		`Digest username="alice", realm="lab@fix401"`,
		`Digest username="alice", realm="lab@fix401", realm="other"`,
		`Digest username="alice, realm`,
		`Digest garbage`,
		`Basic YWxpY2U6d29uZGVybGFuZA==`,
	} {
		resp, _ := sendDigest(t, ts.URL, hdr)
		if resp.StatusCode != 401 || isStale(t, resp) {
			t.Errorf("%q: status %d, want a plain 401", hdr, resp.StatusCode)
		}
	}
}

func TestDigestNonceLifecycle(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)}
	l := New()
	l.now = clk.Now // before the server exists, so no handler can race with it
	ts := httptest.NewServer(l.Handler())
	t.Cleanup(ts.Close)
	t.Cleanup(l.Close)

	c := challenge(t, ts.URL)
	d := digestReq{alg: "SHA-256", user: labUser, pass: labPassword}
	first, _ := d.header(c)
	if resp, _ := sendDigest(t, ts.URL, first); resp.StatusCode != 200 {
		t.Fatalf("first use: status %d", resp.StatusCode)
	}
	// A replayed request is refused, but stale=true lets a genuine client
	// retry without asking the person again.
	resp, _ := sendDigest(t, ts.URL, first)
	if resp.StatusCode != 401 || !isStale(t, resp) {
		t.Errorf("replay: status %d, want 401 stale", resp.StatusCode)
	}
	// The next nonce count on the same nonce is fine.
	d.nc = "00000002"
	second, _ := d.header(c)
	if resp, _ := sendDigest(t, ts.URL, second); resp.StatusCode != 200 {
		t.Errorf("nc=2: status %d", resp.StatusCode)
	}

	// An expired nonce is stale.
	d.nc = "00000003"
	third, _ := d.header(c)
	clk.Advance(nonceLifetime + time.Second)
	resp, _ = sendDigest(t, ts.URL, third)
	if resp.StatusCode != 401 || !isStale(t, resp) {
		t.Errorf("expired: status %d, want 401 stale", resp.StatusCode)
	}
	// Retrying with the nonce from the stale challenge works.
	fresh := parseChallenge(t, resp.Header.Values("WWW-Authenticate")[0])
	d.nc = ""
	retry, _ := d.header(fresh)
	if resp, _ := sendDigest(t, ts.URL, retry); resp.StatusCode != 200 {
		t.Errorf("retry after stale: status %d", resp.StatusCode)
	}

	// Reset forgets every nonce: a test replaying the scenario starts over.
	c = challenge(t, ts.URL)
	hdr, _ := d.header(c)
	l.Reset()
	resp, _ = sendDigest(t, ts.URL, hdr)
	if resp.StatusCode != 401 || !isStale(t, resp) {
		t.Errorf("after Reset: status %d, want 401 stale", resp.StatusCode)
	}
}

func TestNonceLimit(t *testing.T) {
	l := New()
	for range maxNonces + 10 {
		l.newNonce()
	}
	l.mu.Lock()
	size := len(l.digest.nonces)
	l.mu.Unlock()
	if size > maxNonces {
		t.Errorf("%d nonces kept, limit %d", size, maxNonces)
	}
}

func TestParseAuthParams(t *testing.T) {
	got, err := parseAuthParams(` username="a\"b, c" ,, realm=lab , nc=00000001,qop="auth",Algorithm=SHA-256 `)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"username": `a"b, c`, "realm": "lab", "nc": "00000001", "qop": "auth", "algorithm": "SHA-256"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for _, bad := range []string{`a`, `a=`, `=b`, `a="b`, `a=b c=d`, `a=b, a=c`, `a b=c`} {
		if _, err := parseAuthParams(bad); err == nil {
			t.Errorf("parseAuthParams(%q) succeeded", bad)
		}
	}
	if got, err := parseAuthParams(""); err != nil || len(got) != 0 {
		t.Errorf("empty: %v, %v", got, err)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}
