// Package cookiefile reads the user's exported cookies — the Netscape
// cookies.txt that curl and browser extensions write, or the JSON of the
// common cookie-editor extensions — as the starting state of a diagnosis.
package cookiefile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/fix401/fix401/internal/browser"
)

// Parse reads either format, told apart by the first non-space byte.
func Parse(data []byte) ([]browser.Cookie, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("the file is empty")
	}
	if trimmed[0] == '[' || trimmed[0] == '{' {
		return parseJSON(trimmed)
	}
	return parseNetscape(data)
}

// parseNetscape reads cookies.txt: seven tab-separated fields a line;
// "#HttpOnly_" prefixes an HttpOnly cookie's domain.
func parseNetscape(data []byte) ([]browser.Cookie, error) {
	var out []browser.Cookie
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		httpOnly := false
		if rest, ok := strings.CutPrefix(line, "#HttpOnly_"); ok {
			line, httpOnly = rest, true
		}
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 7 {
			return nil, fmt.Errorf("line %d: want 7 tab-separated fields (Netscape cookies.txt), got %d", n, len(f))
		}
		c := browser.Cookie{Domain: f[0], Path: f[2], Secure: strings.EqualFold(f[3], "TRUE"), HTTPOnly: httpOnly, Name: f[5], Value: f[6]}
		exp, err := strconv.ParseInt(f[4], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: expiry %q is not a number", n, f[4])
		}
		if exp > 0 {
			c.Expires = time.Unix(exp, 0)
		}
		if c.Name == "" {
			return nil, fmt.Errorf("line %d: cookie without a name", n)
		}
		out = append(out, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errors.New("no cookies in the file")
	}
	return out, nil
}

// jsonCookie is the shape of Cookie-Editor, EditThisCookie and Chrome's
// own chrome.cookies API objects.
type jsonCookie struct {
	Name           string   `json:"name"`
	Value          string   `json:"value"`
	Domain         string   `json:"domain"`
	Path           string   `json:"path"`
	Secure         bool     `json:"secure"`
	HTTPOnly       bool     `json:"httpOnly"`
	SameSite       string   `json:"sameSite"`
	ExpirationDate *float64 `json:"expirationDate"`
	Expires        any      `json:"expires"`
	HostOnly       bool     `json:"hostOnly"`
}

func parseJSON(data []byte) ([]browser.Cookie, error) {
	var list []jsonCookie
	if data[0] == '{' {
		// Some exports wrap the list: {"cookies": [...]}.
		var wrap struct {
			Cookies []jsonCookie `json:"cookies"`
		}
		if err := json.Unmarshal(data, &wrap); err != nil {
			return nil, fmt.Errorf("not a cookie JSON export: %v", err)
		}
		list = wrap.Cookies
	} else if err := json.Unmarshal(data, &list); err != nil {
		return nil, fmt.Errorf("not a cookie JSON export: %v", err)
	}
	var out []browser.Cookie
	for i, j := range list {
		if j.Name == "" || j.Domain == "" {
			return nil, fmt.Errorf("cookie %d: name and domain are required", i+1)
		}
		c := browser.Cookie{Name: j.Name, Value: j.Value, Domain: j.Domain, Path: j.Path, Secure: j.Secure, HTTPOnly: j.HTTPOnly}
		switch strings.ToLower(j.SameSite) {
		case "strict":
			c.SameSite = "Strict"
		case "lax":
			c.SameSite = "Lax"
		case "none", "no_restriction":
			c.SameSite = "None"
		}
		if j.ExpirationDate != nil && *j.ExpirationDate > 0 {
			sec, frac := math.Modf(*j.ExpirationDate)
			c.Expires = time.Unix(int64(sec), int64(frac*1e9))
		} else if e, ok := j.Expires.(float64); ok && e > 0 {
			c.Expires = time.Unix(int64(e), 0)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no cookies in the file")
	}
	return out, nil
}
