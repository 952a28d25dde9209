package cli

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fix401/fix401/internal/realserver"
)

// TestNoSecretReachesAnyOutput plants every kind of secret a run handles,
// runs diagnose with debug logs, and greps everything it wrote for them.
func TestNoSecretReachesAnyOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	realserver.Need(t, "tesseract-ocr", "tesseract") // reads the screenshots back
	const (
		user      = "alice"
		password  = "PASSWORD-s3cr3t-777"
		cookieVal = "COOKIE-s3cr3t-888"
		bearer    = "BEARER-s3cr3t-999"
		queryTok  = "QUERY-s3cr3t-555"
		serverCk  = "SETCOOKIE-s3cr3t-444"
		envParam  = "ENVPARAM-s3cr3t-333"              // a ${VAR} in a check's URL
		verifier  = "VERIFIER-s3cr3t-222"              // behind a ";"
		keyShaped = "Kx8vQ2mZp7s3cr3tRtY3nL9wB4cF6hJ1" // a key's shape under an innocent name
		stored    = "STORED-s3cr3t-1234567890abcdef"   // kept in localStorage by the page
	)
	mux := http.NewServeMux()
	// Pages that echo what they were sent, as careless error pages do: the
	// cookies in the 401 page's title, text and an alert from the first
	// load on, the Authorization header after sign-in.
	echo := func(v string) string { return html.EscapeString(v) }
	mux.HandleFunc("/basic", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "srv_session", Value: serverCk, Path: "/"})
		if u, p, ok := r.BasicAuth(); ok && u == user && p == password {
			fmt.Fprintf(w, "<!doctype html><title>In as %s</title><h1>Welcome</h1><p>You sent %s</p>", echo(r.Header.Get("Authorization")), echo(r.Header.Get("Authorization")))
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="secret test"`)
		w.WriteHeader(401)
		c := echo(r.Header.Get("Cookie"))
		fmt.Fprintf(w, "<!doctype html><title>401 for %s</title><h1>Unauthorized: %s</h1><p>You asked for %s</p><script>alert(%q)</script>", c, c, echo(r.URL.RawQuery), r.Header.Get("Cookie"))
	})
	mux.HandleFunc("/api", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "srv_session", Value: serverCk, Path: "/"})
		if r.Header.Get("Authorization") == "Bearer "+bearer {
			fmt.Fprint(w, "<!doctype html><title>API</title><h1>Token accepted</h1>")
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.WriteHeader(401)
		// A single-page app's token, kept in storage and shown.
		fmt.Fprintf(w, `<!doctype html><title>API</title><h1>Session</h1><h1 id=t></h1><script>
localStorage.setItem("tok", %q);
document.title = "token " + localStorage.getItem("tok");
document.getElementById("t").textContent = "Stored: " + localStorage.getItem("tok");
</script>`, stored)
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	dir := t.TempDir()
	bin := filepath.Join(dir, "fix401")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/fix401/fix401/cmd/fix401").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	host := strings.TrimPrefix(ts.URL, "http://")
	cookies := filepath.Join(dir, "cookies.txt")
	os.WriteFile(cookies, []byte(fmt.Sprintf("%s\tFALSE\t/\tFALSE\t0\tuser_session\t%s\n", strings.Split(host, ":")[0], cookieVal)), 0o600)

	// A check whose URL takes a parameter from the environment under a
	// name no list knows: the variable's value is a secret all the same.
	config := filepath.Join(dir, "checks.yaml")
	os.WriteFile(config, []byte("checks:\n  - name: api\n    url: "+ts.URL+"/api?q=${API_PARAM}&page=2\n    bearer_token_env: API_TOKEN\n"), 0o600)

	runs := []struct {
		name string
		args []string
		env  []string
		want int
	}{
		{"password", []string{"diagnose", "--skip", "fresh-profile,dns-flush", "--user", user, "--cookies", cookies, ts.URL + "/basic?access_token=" + queryTok + "&page=2;code_verifier=" + verifier + "&foo=" + keyShaped},
			[]string{"FIX401_PASSWORD=" + password}, ExitFixed},
		{"bearer", []string{"diagnose", "--skip", "fresh-profile,dns-flush", "--bearer-token-env", "API_TOKEN", "--cookies", cookies, ts.URL + "/api?token=" + queryTok},
			[]string{"API_TOKEN=" + bearer}, ExitFixed},
		{"check", []string{"check", "--config", config},
			[]string{"API_TOKEN=" + bearer, "API_PARAM=" + envParam}, ExitCheckFailed}, // fixed by relogin, not healthy
	}
	secrets := []string{password, cookieVal, bearer, queryTok, serverCk, envParam, verifier, keyShaped, stored,
		base64.StdEncoding.EncodeToString([]byte(user + ":" + password)),
		base64.RawURLEncoding.EncodeToString([]byte(user + ":" + password))}
	for _, run := range runs {
		t.Run(run.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+run.name)
			args := append([]string{run.args[0], "--log-level", "debug", "--out", out}, run.args[1:]...)
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), run.env...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Run()
			if code := cmd.ProcessState.ExitCode(); code != run.want {
				t.Fatalf("exit %d, want %d\n%s", code, run.want, stderr.String())
			}
			texts := map[string][]byte{"stdout": stdout.Bytes(), "stderr": stderr.Bytes()}
			filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() {
					texts[p], _ = os.ReadFile(p)
				}
				return nil
			})
			if len(texts) < 7 {
				t.Fatalf("only %d outputs to check", len(texts))
			}
			for name, data := range texts {
				for _, s := range secrets {
					if bytes.Contains(data, []byte(s)) {
						t.Errorf("%s contains the secret %q", name, s)
					}
				}
			}
			// What the screenshots show, read back with OCR: the pages echo
			// the secrets, and what they show must be masked too. The lines
			// that echo them are read (the control), the secrets are not.
			shots, _ := filepath.Glob(filepath.Join(out, "screenshots", "*.png"))
			more, _ := filepath.Glob(filepath.Join(out, "*", "screenshots", "*.png")) // check: a folder per check
			shots = append(shots, more...)
			if len(shots) == 0 {
				t.Fatal("no screenshots to read")
			}
			read := ""
			for _, shot := range shots {
				txt, err := exec.Command("tesseract", shot, "stdout").Output()
				if err != nil {
					t.Fatalf("tesseract %s: %v", shot, err)
				}
				read += string(txt)
				if low := strings.ToLower(string(txt)); strings.Contains(low, "s3cr3t") || strings.Contains(low, "ywxpy2u6") {
					t.Errorf("screenshot %s shows a secret: %q", filepath.Base(shot), txt)
				}
			}
			if run.name == "password" && (!strings.Contains(read, "You sent Basic") || !strings.Contains(read, "user_session=") || !strings.Contains(read, "verifier=")) {
				t.Errorf("OCR did not read the lines that echo the secrets, so it proves nothing: %q", read)
			}
			if run.name == "bearer" && !strings.Contains(read, "Stored") {
				t.Errorf("OCR did not read the line that shows the stored token, so it proves nothing: %q", read)
			}
			rep := string(texts[filepath.Join(out, "report.json")])
			if run.name == "check" {
				rep = string(texts[filepath.Join(out, "api", "report.json")])
			}
			if !strings.Contains(rep, "token=[redacted]") && !strings.Contains(rep, "q=[redacted]&page=2") {
				t.Errorf("the report's URL lost its shape: %s", rep[:400])
			}
		})
	}
}
