package serve

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fix401/fix401/internal/realserver"
)

// TestScrapedByPrometheus: Debian's real prometheus scrapes fix401's
// /probe with the relabelling blackbox_exporter documents, and reads
// probe_success and the failure's reason back through its HTTP API.
func TestScrapedByPrometheus(t *testing.T) {
	web := site(t)
	_, hs := newServer(t, fmt.Sprintf(probesYAML, web.URL), Options{})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(hs.URL, "http://"))
	prom := realserver.StartPrometheus(t, fmt.Sprintf(`  - job_name: fix401
    metrics_path: /probe
    scrape_interval: 5s
    scrape_timeout: 5s
    static_configs:
      - targets: [%q, %q]
    relabel_configs:
      - source_labels: [__address__]
        target_label: __param_target
      - source_labels: [__param_target]
        target_label: instance
      - target_label: __address__
        replacement: 127.0.0.1:%s
`, web.URL+"/ok", web.URL+"/bare401", port))

	query := func(q string) map[string]string {
		resp, err := http.Get(prom.URL("/api/v1/query?query=" + url.QueryEscape(q)))
		if err != nil {
			return nil
		}
		defer resp.Body.Close()
		var r struct {
			Data struct {
				Result []struct {
					Metric map[string]string `json:"metric"`
					Value  []any             `json:"value"`
				} `json:"result"`
			} `json:"data"`
		}
		if json.NewDecoder(resp.Body).Decode(&r) != nil {
			return nil
		}
		out := map[string]string{}
		for _, s := range r.Data.Result {
			if len(s.Value) == 2 {
				out[s.Metric["instance"]+" "+s.Metric["finding"]] = fmt.Sprint(s.Value[1])
			}
		}
		return out
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		success := query("probe_success")
		reasons := query(`fix401_probe_failure_info{kind="http_401"}`)
		if success[web.URL+"/ok "] == "1" && success[web.URL+"/bare401 "] == "0" && reasons[web.URL+"/bare401 no_challenge"] == "1" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("prometheus has probe_success %v and failure info %v", success, reasons)
		}
		time.Sleep(500 * time.Millisecond)
	}
}
