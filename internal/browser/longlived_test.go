package browser

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
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
