package harsanitize

import (
	"bufio"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
)

// genHAR writes a HAR of about size bytes to w, shaped like a long
// DevTools recording of a signed-in app: a session cookie that rotates
// now and then, bearer JWTs, cache-busting query values, HTML and JSON
// bodies (some base64) that echo a secret now and then, and the custom
// fields Chrome writes. It returns the number of entries.
func genHAR(w io.Writer, size int) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	rnd := rand.New(rand.NewPCG(1, 2))
	alnum := func(n int) string {
		const a = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		b := make([]byte, n)
		for i := range b {
			b[i] = a[rnd.IntN(len(a))]
		}
		return string(b)
	}
	jwtFor := func(i int) string {
		h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
		c := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"user%d","exp":%d}`, i, 1767225600+i)))
		return h + "." + c + "." + alnum(43)
	}
	filler := make([]byte, 0, 2048)
	for len(filler) < 2000 {
		filler = append(filler, "Lorem ipsum dolor sit amet, reports for the quarter. "...)
	}
	n := 0
	written := 0
	count := func(s string) {
		written += len(s)
		bw.WriteString(s)
	}
	count(`{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[{"startedDateTime":"2026-01-01T09:00:00.000Z","id":"page_1","title":"https://app.example/","pageTimings":{"onContentLoad":1,"onLoad":2}}],"entries":[`)
	var session, jwt string
	for written < size {
		if n%200 == 0 {
			session, jwt = alnum(32), jwtFor(n)
		}
		if n > 0 {
			count(",")
		}
		body := fmt.Sprintf(`<html><body><p>%s</p><p>session %s</p><input type="hidden" name="csrf_token" value="%s"></body></html>`, filler, session, alnum(24))
		encoding := ""
		mime := "text/html"
		if n%3 == 1 {
			body = fmt.Sprintf(`{"access_token":"%s","expires_in":3600,"items":[%q,%q]}`, alnum(40), filler[:800], filler[800:1600])
			mime = "application/json"
		}
		if n%5 == 2 {
			body = base64.StdEncoding.EncodeToString([]byte(body))
			encoding = `,"encoding":"base64"`
		}
		v := alnum(24)
		count(fmt.Sprintf(`{"_initiator":{"type":"other"},"_priority":"High","_resourceType":"document","cache":{},"connection":"%d","pageref":"page_1",`+
			`"request":{"method":"GET","url":"https://app.example/r/%d?v=%s&page=2","httpVersion":"http/1.1","headers":[`+
			`{"name":"Cookie","value":"sid=%s; theme=dark"},{"name":"Authorization","value":"Bearer %s"},{"name":"Accept","value":"text/html"},`+
			`{"name":"Referer","value":"https://app.example/start?code=%s"}],"queryString":[{"name":"v","value":"%s"},{"name":"page","value":"2"}],`+
			`"cookies":[{"name":"sid","value":"%s"},{"name":"theme","value":"dark"}],"headersSize":-1,"bodySize":0},`+
			`"response":{"status":200,"statusText":"OK","httpVersion":"http/1.1","headers":[{"name":"Content-Type","value":"%s"},{"name":"Set-Cookie","value":"sid=%s; Path=/; HttpOnly"}],`+
			`"cookies":[{"name":"sid","value":"%s","path":"/","httpOnly":true}],"content":{"size":%d,"mimeType":"%s","text":%q%s},"redirectURL":"","headersSize":-1,"bodySize":-1,"_transferSize":%d},`+
			`"serverIPAddress":"192.0.2.1","startedDateTime":"2026-01-01T09:00:00.000Z","time":12.5,"timings":{"blocked":1,"dns":-1,"ssl":-1,"connect":-1,"send":0.1,"wait":10,"receive":1.4,"_blocked_queueing":0.5}}`,
			n, n, v, session, jwt, alnum(20), v, session, mime, session, session, len(body), mime, body, encoding, len(body)))
		n++
	}
	count(`]}}`)
	return n, bw.Flush()
}
