package realserver

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// NTLM is a web server that signs users in with raw NTLM (WWW-Authenticate:
// NTLM), the way IIS does, and leaves every NTLMSSP decision to Samba's
// ntlm_auth (Debian's winbind package): it only relays the handshake's
// messages, per connection as NTLM is. ntlm_auth checks the NTLMv2 answer
// against the one user and password it is started with, without a domain.
type NTLM struct {
	*httptest.Server
	mu      sync.Mutex
	helpers map[string]*ntlmHelper
	argv    []string
}

type ntlmHelper struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

type connKey struct{}

// StartNTLM serves page to user (in domain) once ntlm_auth accepts the
// handshake.
func StartNTLM(t testing.TB, domain, user, password, page string) *NTLM {
	t.Helper()
	Need(t, "winbind", "ntlm_auth")
	n := &NTLM{helpers: map[string]*ntlmHelper{}, argv: []string{"ntlm_auth", "--helper-protocol=squid-2.5-ntlmssp",
		"--domain=" + domain, "--username=" + user, "--password=" + password}}
	n.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.serve(t, w, r, page)
	}))
	n.Server.Config.ConnContext = func(ctx context.Context, c net.Conn) context.Context {
		return context.WithValue(ctx, connKey{}, c.RemoteAddr().String())
	}
	n.Server.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateClosed || s == http.StateHijacked {
			n.drop(c.RemoteAddr().String())
		}
	}
	n.Start()
	t.Cleanup(func() {
		n.Close()
		n.mu.Lock()
		defer n.mu.Unlock()
		for k := range n.helpers {
			n.dropLocked(k)
		}
	})
	return n
}

func (n *NTLM) challenge(w http.ResponseWriter, token, body string) {
	v := "NTLM"
	if token != "" {
		v += " " + token
	}
	w.Header().Set("WWW-Authenticate", v)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusUnauthorized)
	fmt.Fprint(w, "<!doctype html><title>401 - Unauthorized</title><h1>401 - Unauthorized: Access is denied due to invalid credentials.</h1>"+body)
}

func (n *NTLM) serve(t testing.TB, w http.ResponseWriter, r *http.Request, page string) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "NTLM ")
	if !ok {
		n.challenge(w, "", "")
		return
	}
	raw, err := base64.StdEncoding.DecodeString(tok)
	if err != nil || len(raw) < 12 {
		n.challenge(w, "", "")
		return
	}
	conn, _ := r.Context().Value(connKey{}).(string)
	h, err := n.helper(conn)
	if err != nil {
		t.Errorf("ntlm_auth: %v", err)
		n.challenge(w, "", "")
		return
	}
	switch raw[8] { // the NTLMSSP message type
	case 1: // NEGOTIATE: ntlm_auth answers with the CHALLENGE
		ans := h.ask("YR " + tok)
		if c, ok := strings.CutPrefix(ans, "TT "); ok {
			n.challenge(w, c, "")
			return
		}
		n.challenge(w, "", "")
	case 3: // AUTHENTICATE: ntlm_auth checks the NTLMv2 answer
		if ans := h.ask("KK " + tok); strings.HasPrefix(ans, "AF ") {
			fmt.Fprint(w, page)
			return
		}
		n.challenge(w, "", "")
	default:
		n.challenge(w, "", "")
	}
}

func (n *NTLM) helper(conn string) (*ntlmHelper, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if h := n.helpers[conn]; h != nil {
		return h, nil
	}
	cmd := exec.Command(n.argv[0], n.argv[1:]...)
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	h := &ntlmHelper{cmd: cmd, in: in, out: bufio.NewReader(out)}
	n.helpers[conn] = h
	return h, nil
}

func (h *ntlmHelper) ask(line string) string {
	if _, err := io.WriteString(h.in, line+"\n"); err != nil {
		return ""
	}
	s, _ := h.out.ReadString('\n')
	return strings.TrimSpace(s)
}

func (n *NTLM) drop(conn string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.dropLocked(conn)
}

func (n *NTLM) dropLocked(conn string) {
	if h := n.helpers[conn]; h != nil {
		h.in.Close()
		h.cmd.Wait()
		delete(n.helpers, conn)
	}
}
