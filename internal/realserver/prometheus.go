package realserver

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// Prometheus is Debian's prometheus server scraping what a test names,
// from a private folder on a free loopback port.
type Prometheus struct {
	Port int
	Dir  string
}

// StartPrometheus starts prometheus with the scrape_configs of config (a
// YAML list, indented as under scrape_configs:).
func StartPrometheus(t testing.TB, scrapeConfigs string) *Prometheus {
	t.Helper()
	Need(t, "prometheus", "prometheus")
	p := &Prometheus{Port: FreePort(t), Dir: t.TempDir()}
	cfg := filepath.Join(p.Dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global:\n  scrape_interval: 2s\n  evaluation_interval: 2s\nscrape_configs:\n"+scrapeConfigs), 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(p.Dir, "prometheus.log")
	exited := start(t, nil, log, program("prometheus"), "--config.file="+cfg,
		"--storage.tsdb.path="+filepath.Join(p.Dir, "data"), fmt.Sprintf("--web.listen-address=127.0.0.1:%d", p.Port))
	waitPort(t, p.Port, exited, "prometheus", log+".out")
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("prometheus log:\n%s", tail(log+".out"))
		}
	})
	return p
}

// URL is the server's address for path.
func (p *Prometheus) URL(path string) string {
	return fmt.Sprintf("http://127.0.0.1:%d%s", p.Port, path)
}
