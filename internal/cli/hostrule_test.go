package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHostRulePinsAName: --host-rule makes a name resolve where the
// technician says, as Chrome's --host-resolver-rules does.
func TestHostRulePinsAName(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<!doctype html><title>%s</title>", r.Host)
	}))
	defer ts.Close()
	port := ts.URL[strings.LastIndex(ts.URL, ":")+1:]
	var stdout, stderr bytes.Buffer
	io := &IO{In: &bytes.Buffer{}, Out: &stdout, ErrOut: &stderr, Getenv: os.Getenv}
	code := Run(context.Background(), []string{"diagnose", "-q", "--json", "--steps", "reproduce",
		"--host-rule", "MAP intranet.fix401.test 127.0.0.1", "--out", filepath.Join(t.TempDir(), "out"),
		"http://intranet.fix401.test:" + port + "/"}, io)
	if code != ExitOK || !strings.Contains(stdout.String(), `"title": "intranet.fix401.test:`+port) {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
