package lab

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"strings"
	"sync"
	"time"
)

// proxySource is the address the Proxy connects from. Any loopback address
// other than 127.0.0.1 will do: to the lab it is "another network".
var proxySource = net.IPv4(127, 0, 0, 2)

// Proxy is a forward HTTP proxy for the ip-blocked scenario: it forwards
// requests to loopback servers only, connecting from 127.0.0.2 instead of
// 127.0.0.1, so that the lab sees another client address — what "try
// another network or a VPN" changes. It handles absolute-form requests
// (plain HTTP) and CONNECT tunnels, and adds no X-Forwarded-For: a VPN does
// not say where the traffic came from.
//
// 127.0.0.2 answers on Linux and Windows out of the box; on macOS only
// 127.0.0.1 does until an alias is added (sudo ifconfig lo0 alias
// 127.0.0.2 up), and the proxy then answers 502 saying so.
type Proxy struct {
	rp     *httputil.ReverseProxy
	tr     *http.Transport
	dialer net.Dialer

	mu      sync.Mutex
	tunnels map[net.Conn]struct{}
	closed  bool
}

// NewProxy returns a Proxy ready to serve.
func NewProxy() *Proxy {
	p := &Proxy{
		dialer:  net.Dialer{Timeout: 10 * time.Second},
		tunnels: make(map[net.Conn]struct{}),
	}
	p.tr = &http.Transport{
		Proxy:                 nil, // never chain to the environment's proxy
		DialContext:           p.dial,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
	}
	p.rp = &httputil.ReverseProxy{
		// The request is in absolute form already: it says where to go.
		// Rewrite (unlike Director) adds no X-Forwarded-* headers.
		Rewrite:   func(pr *httputil.ProxyRequest) { pr.Out.Host = pr.In.Host },
		Transport: p.tr,
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			proxyError(w, http.StatusBadGateway, "The proxy could not reach "+r.Host+": "+err.Error())
		},
	}
	return p
}

// dial connects to a loopback address from 127.0.0.2 (IPv6 targets, which
// are not 127.0.0.1 anyway, from wherever the system picks).
func (p *Proxy) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !isLoopbackHost(host) {
		return nil, fmt.Errorf("the lab proxy only forwards to loopback, not %s", host)
	}
	d := p.dialer
	if ip := net.ParseIP(host); ip == nil || ip.To4() != nil {
		d.LocalAddr = &net.TCPAddr{IP: proxySource}
	}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil && d.LocalAddr != nil && strings.Contains(err.Error(), "assign requested address") {
		// EADDRNOTAVAIL, spelled the same on Linux and macOS.
		return nil, fmt.Errorf("%w (this system has no %s; on macOS: sudo ifconfig lo0 alias %[2]s up)", err, proxySource)
	}
	return c, err
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	if !r.URL.IsAbs() || r.URL.Host == "" {
		proxyError(w, http.StatusBadRequest, "This is the fix401 lab's proxy: send it requests in absolute form (GET http://host/path), as a browser configured to use a proxy does.")
		return
	}
	if r.URL.Scheme != "http" {
		proxyError(w, http.StatusBadRequest, "The lab proxy forwards http:// URLs; use CONNECT for https.")
		return
	}
	if !isLoopbackHost(r.URL.Hostname()) {
		proxyError(w, http.StatusForbidden, "The lab proxy only forwards to loopback addresses.")
		return
	}
	p.rp.ServeHTTP(w, r)
}

// tunnel answers CONNECT host:port with a raw TCP tunnel.
func (p *Proxy) tunnel(w http.ResponseWriter, r *http.Request) {
	host, _, err := net.SplitHostPort(r.Host)
	if err != nil {
		proxyError(w, http.StatusBadRequest, "CONNECT needs host:port.")
		return
	}
	if !isLoopbackHost(host) {
		proxyError(w, http.StatusForbidden, "The lab proxy only forwards to loopback addresses.")
		return
	}
	up, err := p.dial(r.Context(), "tcp", r.Host)
	if err != nil {
		proxyError(w, http.StatusBadGateway, "The proxy could not reach "+r.Host+": "+err.Error())
		return
	}
	down, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		proxyError(w, http.StatusInternalServerError, "The proxy cannot tunnel on this connection.")
		return
	}
	if !p.track(up, down) {
		up.Close()
		down.Close()
		return
	}
	defer p.untrack(up, down)
	if _, err := io.WriteString(down, "HTTP/1.1 200 Connection Established\r\n\r\n"); err != nil {
		return
	}
	done := make(chan struct{}, 2)
	go func() {
		// brw may hold bytes the client sent right after its CONNECT.
		_, _ = io.Copy(up, brw.Reader)
		closeWrite(up)
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(down, up)
		closeWrite(down)
		done <- struct{}{}
	}()
	<-done
	<-done
}

func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
		return
	}
	_ = c.Close()
}

func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	for _, c := range conns {
		p.tunnels[c] = struct{}{}
	}
	return true
}

func (p *Proxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		delete(p.tunnels, c)
		c.Close()
	}
}

// Close ends open tunnels and idle upstream connections. An http.Server's
// Shutdown does neither: tunnels are hijacked connections.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	for c := range p.tunnels {
		c.Close()
	}
	p.mu.Unlock()
	p.tr.CloseIdleConnections()
}

func proxyError(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Cache-Control", "no-store")
	writeBody(w, status, "text/plain; charset=utf-8", text+"\n")
}

// ServeProxy serves p on ln (see Listen) until ctx is done, then shuts
// down, as Serve does for the lab. It returns nil on a clean shutdown.
func ServeProxy(ctx context.Context, ln net.Listener, p *Proxy) error {
	return serve(ctx, ln, p, p.Close, "lab proxy")
}
