package browser

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"github.com/chromedp/chromedp"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// longLivedServer serves pages whose scripts never let the network go
// quiet, each the way real sites do it.
func longLivedServer(t *testing.T) *httptest.Server {
	stop := make(chan struct{})
	var mu sync.Mutex
	var hijacked []net.Conn
	page := func(title, script string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, `<!doctype html><title>%s</title><h1>%s</h1><p id="s">waiting</p><script>%s</script>`, title, title, script)
		}
	}
	hold := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		case <-time.After(20 * time.Second):
			fmt.Fprint(w, "{}")
		}
	}
	mux := http.NewServeMux()
	// Long polling: the server holds each request up to 20 s, then the
	// page asks again.
	mux.HandleFunc("/longpoll", page("Inbox", `function poll(){fetch("/poll").then(r=>r.text()).then(()=>poll(), ()=>setTimeout(poll, 1000))} poll();`))
	mux.HandleFunc("/poll", hold)
	// A streaming response read chunk by chunk; its headers come late,
	// with the first chunk, as a buffering server sends them.
	mux.HandleFunc("/stream", page("Live feed", `fetch("/feed").then(async r => { const rd = r.body.getReader(); for (;;) { const {done} = await rd.read(); if (done) break; document.getElementById("s").textContent = "streaming"; } });`))
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
			return
		case <-stop:
			return
		}
		for {
			fmt.Fprint(w, "tick\n")
			w.(http.Flusher).Flush()
			select {
			case <-time.After(100 * time.Millisecond):
			case <-r.Context().Done():
				return
			case <-stop:
				return
			}
		}
	})
	// An event stream whose server sends nothing until its first event.
	mux.HandleFunc("/events", page("Notifications", `new EventSource("/sse");`))
	mux.HandleFunc("/sse", hold)
	// A WebSocket held open.
	mux.HandleFunc("/websocket", page("Chat", `const ws = new WebSocket("ws://" + location.host + "/ws"); ws.onopen = () => document.getElementById("s").textContent = "connected";`))
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		c, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		mu.Lock()
		hijacked = append(hijacked, c)
		mu.Unlock()
		fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", base64.StdEncoding.EncodeToString(sum[:]))
		rw.Flush()
		go func() { _, _ = bufio.NewReader(c).ReadByte() }()
	})
	// Beacons and small fetches every 150 ms, for as long as the page is
	// open, alongside a long poll.
	mux.HandleFunc("/beacons", page("Analytics", `setInterval(() => { navigator.sendBeacon("/b", "x"); fetch("/b", {method: "POST", body: "y"}); }, 150); fetch("/poll");`))
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	ts := httptest.NewServer(mux)
	t.Cleanup(func() {
		close(stop)
		mu.Lock()
		for _, c := range hijacked {
			c.Close()
		}
		mu.Unlock()
		ts.Close()
	})
	return ts
}

// TestLongLivedRequestsDoNotHoldTheLoad: a healthy page whose scripts keep
// a request open has loaded once its document and what it needs arrived;
// it is not a timeout, and not a network error.
func TestLongLivedRequestsDoNotHoldTheLoad(t *testing.T) {
	ts := longLivedServer(t)
	for _, tt := range []struct{ path, title string }{
		{"/longpoll", "Inbox"},
		{"/stream", "Live feed"},
		{"/events", "Notifications"},
		{"/websocket", "Chat"},
		{"/beacons", "Analytics"},
	} {
		t.Run(tt.path[1:], func(t *testing.T) {
			s := newSession(t)
			l, err := s.Navigate(context.Background(), ts.URL+tt.path, LoadOptions{Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if l.TimedOut || l.NetError != "" || l.Status != 200 || l.Title != tt.title {
				t.Errorf("timed out %v, net error %q, status %d, title %q", l.TimedOut, l.NetError, l.Status, l.Title)
			}
		})
	}
}

// TestMaskHidesSecretsBeforeTheScreenshot: a page that echoes a secret it
// was sent shows dots instead in the picture (its text, fields and title
// are masked before the capture).
func TestMaskHidesSecretsBeforeTheScreenshot(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `<!doctype html><title>Hello s3cr3t-pw</title><h1>Signed in with s3cr3t-pw</h1>
<input id="f" value="s3cr3t-pw"><div id="host"></div>
<script>document.getElementById("host").attachShadow({mode: "open"}).innerHTML = "<p>shadow s3cr3t-pw</p>";</script>`)
	}))
	defer ts.Close()
	s := newSession(t)
	l, err := s.Navigate(context.Background(), ts.URL, LoadOptions{Timeout: 10 * time.Second, Screenshot: true, Mask: []string{"s3cr3t-pw"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Screenshot) == 0 {
		t.Fatal("no screenshot")
	}
	shown, err := chromedp.Run(s.ctx, chromedp.Evaluate[string](`document.title + " " + document.body.innerText + " " + document.getElementById("f").value + " " + document.getElementById("host").shadowRoot.textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(shown, "s3cr3t-pw") || !strings.Contains(shown, "Signed in with ••••") {
		t.Errorf("the page as captured: %q", shown)
	}
	// The mask is on the picture, not only on the page after it: the
	// same page captured without a mask looks different.
	plain := newSession(t)
	u, err := plain.Navigate(context.Background(), ts.URL, LoadOptions{Timeout: 10 * time.Second, Screenshot: true})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(u.Screenshot, l.Screenshot) {
		t.Error("the masked screenshot is the same as the unmasked one")
	}
}

// TestDownloadsAreDenied: a page that sends a file as an attachment gets
// nothing saved, in the user's Downloads or anywhere else.
func TestDownloadsAreDenied(t *testing.T) {
	name := fmt.Sprintf("fix401-download-test-%d.txt", time.Now().UnixNano())
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/file" {
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
			w.Header().Set("Content-Type", "application/octet-stream")
			fmt.Fprint(w, "the server chose this file")
			return
		}
		fmt.Fprint(w, `<!doctype html><title>Files</title><a id="a" href="/file">get</a><script>document.getElementById("a").click()</script>`)
	}))
	defer ts.Close()
	// In the default context (diagnose's), where Chromium saves
	// downloads unless told, and in an isolated one (check's).
	for _, isolated := range []bool{false, true} {
		s, err := shared.NewSession(isolated)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{ts.URL + "/", ts.URL + "/file", ts.URL + "/"} {
			l, err := s.Navigate(context.Background(), u, LoadOptions{Timeout: 10 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			// The refused download ends the load: no wait for a load
			// event the page will never fire.
			if l.TimedOut {
				t.Errorf("%s (isolated %v): timed out", u, isolated)
			}
		}
		s.Close()
	}
	home, _ := os.UserHomeDir()
	for _, dir := range []string{filepath.Join(home, "Downloads"), home, shared.dataDir, os.TempDir()} {
		if dir == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			t.Errorf("the download was saved in %s", dir)
		}
	}
}

// TestDialogsAreDismissedAndRecorded: alert, confirm and prompt while the
// page loads, and a beforeunload when the next load leaves it, neither
// block the tab nor go unsaid.
func TestDialogsAreDismissedAndRecorded(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/next" {
			fmt.Fprint(w, `<!doctype html><title>Next</title><h1>Next</h1>`)
			return
		}
		fmt.Fprint(w, `<!doctype html><title>Nagging</title><h1>Nagging</h1><script>
alert("Your session will expire");
document.title = confirm("Stay signed in?") ? "confirmed" : "Nagging";
prompt("Your name?");
window.addEventListener("beforeunload", (e) => { e.preventDefault(); e.returnValue = "unsaved"; });
</script>`)
	}))
	defer ts.Close()
	s := newSession(t)
	l, err := s.Navigate(context.Background(), ts.URL+"/", LoadOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if l.TimedOut || l.Title != "Nagging" {
		t.Errorf("timed out %v, title %q: a dialog blocked the page or was accepted", l.TimedOut, l.Title)
	}
	var got []string
	for _, d := range l.Dialogs {
		got = append(got, d.Type+": "+d.Message)
	}
	if want := "alert: Your session will expire|confirm: Stay signed in?|prompt: Your name?"; strings.Join(got, "|") != want {
		t.Errorf("dialogs %q, want %q", got, want)
	}
	// The page asks "leave?" when left: the next load still happens.
	if _, err := chromedp.Run(s.ctx, chromedp.Evaluate[bool](`document.body.click(), true`)); err != nil {
		t.Fatal(err) // a user gesture, which beforeunload needs
	}
	next, err := s.Navigate(context.Background(), ts.URL+"/next", LoadOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if next.TimedOut || next.Title != "Next" {
		t.Errorf("the next load: timed out %v, title %q", next.TimedOut, next.Title)
	}
}

// TestASpinningPageDoesNotHoldTheTab: a page whose script never yields
// while it loads times out, within its time, is said to have hung, its
// evidence is still read, and the loads after it in the same tab are not
// held by it.
func TestASpinningPageDoesNotHoldTheTab(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/spin" {
			fmt.Fprint(w, `<!doctype html><title>Spin</title><script>for (;;) {}</script>`)
			return
		}
		fmt.Fprint(w, `<!doctype html><title>OK</title><h1>ok</h1>`)
	}))
	defer ts.Close()
	s := newSession(t)
	const timeout = 2 * time.Second
	l, err := s.Navigate(context.Background(), ts.URL+"/spin", LoadOptions{Timeout: timeout, Screenshot: true})
	if err != nil {
		t.Fatal(err)
	}
	// The screenshot of a stopped page is best effort (a busy machine may
	// not paint it in time); how long it took is for a benchmark,
	// not a pass/fail test: what counts is that the load ends
	// and the tab serves the next ones.
	if !l.TimedOut || l.Title != "Spin" || l.Hung == "" {
		t.Errorf("the spinning page: timed out %v, title %q, hung %q", l.TimedOut, l.Title, l.Hung)
	}
	for i := range 2 {
		next, err := s.Navigate(context.Background(), ts.URL+"/ok", LoadOptions{Timeout: 10 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if next.TimedOut || next.Title != "OK" || next.Hung != "" {
			t.Errorf("load %d after it: timed out %v, title %q, hung %q", i+1, next.TimedOut, next.Title, next.Hung)
		}
	}
}

// TestLongTMPDIRLeavesNothing: with a TMPDIR too long for Chromium's
// socket (as macOS's is), nothing is left there or in /tmp after Close.
func TestLongTMPDIRLeavesNothing(t *testing.T) {
	long := filepath.Join(t.TempDir(), strings.Repeat("a-long-folder-name-", 4))
	if err := os.MkdirAll(long, 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", long)
	before, _ := filepath.Glob("/tmp/fix401-*")
	b, err := Launch(context.Background(), Options{ExecPath: shared.Options().ExecPath})
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.NewSession(false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Navigate(context.Background(), "about:blank", LoadOptions{Timeout: 10 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if left, _ := os.ReadDir(long); len(left) > 0 {
		t.Errorf("left in TMPDIR: %v", left)
	}
	// Only this process's: other test binaries and runs on the machine
	// make and remove their own fix401 folders in /tmp meanwhile.
	after, _ := filepath.Glob("/tmp/fix401-*")
	for _, p := range after {
		owner, _ := os.ReadFile(filepath.Join(p, ownerFile))
		if !slices.Contains(before, p) && strings.TrimSpace(string(owner)) == strconv.Itoa(os.Getpid()) {
			t.Errorf("left in /tmp: %s", p)
		}
	}
}
