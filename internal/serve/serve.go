// Package serve is fix401's Prometheus exporter: blackbox_exporter's
// /probe?target= contract, with a real browser behind each probe and the
// reasons a sign-in broke as labels (DESIGN.md, `fix401 serve`).
package serve

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/rs/zerolog"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/check"
	"github.com/fix401/fix401/internal/redact"
	"github.com/fix401/fix401/reports"
)

// Options configure a Server.
type Options struct {
	Config *check.Config
	// Launch starts the shared browser; it is called again when the
	// browser has gone (crashed, killed).
	Launch      func(context.Context) (*browser.Browser, error)
	Concurrency int // probes at once (default 4)
	// Queue is how many probes may wait for a slot; one more is refused
	// at once ("queue full").
	Queue int
	// Out keeps the report folders of failed probes, the last Keep per
	// target ("" keeps none).
	Out     string
	Keep    int
	Version string
	Log     zerolog.Logger
	Now     func() time.Time
}

// Server answers /probe, /metrics, /-/healthy, /-/ready and /.
type Server struct {
	o     Options
	slots chan struct{} // Concurrency of them
	queue chan struct{} // Concurrency+Queue of them: a probe takes one to wait

	mu       sync.Mutex
	b        *browser.Browser
	launched bool
	recent   []record // newest last, at most maxRecent

	reg      *prometheus.Registry
	probes   *prometheus.CounterVec
	waiting  prometheus.Gauge
	inFlight prometheus.Gauge
	restarts prometheus.Counter
}

// record is one probe for the index page.
type record struct {
	At       time.Time
	Target   string // redacted
	What     string // module or check
	Success  bool
	Kind     string
	Reason   string
	Seconds  float64
	Report   string // the report folder, relative to Out; "" when none
	Findings []string
}

const maxRecent = 100

// scrapeMargin is what a probe leaves of Prometheus' scrape timeout for
// the answer to travel back.
const scrapeMargin = 500 * time.Millisecond

// New returns a server; Start launches its browser.
func New(o Options) *Server {
	if o.Concurrency < 1 {
		o.Concurrency = 4
	}
	if o.Queue < 0 {
		o.Queue = 0
	}
	if o.Keep < 1 {
		o.Keep = 5
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Server{o: o, slots: make(chan struct{}, o.Concurrency), queue: make(chan struct{}, o.Concurrency+o.Queue),
		reg: prometheus.NewRegistry()}
	s.probes = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fix401_probes_total",
		Help: "Probes answered, by result: success, failure, or error (the probe could not say)."}, []string{"result"})
	s.waiting = prometheus.NewGauge(prometheus.GaugeOpts{Name: "fix401_probe_queue_depth", Help: "Probes waiting for a slot."})
	s.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "fix401_probes_in_flight", Help: "Probes running."})
	s.restarts = prometheus.NewCounter(prometheus.CounterOpts{Name: "fix401_browser_restarts_total",
		Help: "Times the shared browser had gone (crashed, killed) and was started again."})
	s.reg.MustRegister(s.probes, s.waiting, s.inFlight, s.restarts,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{"success", "failure", "error"} {
		s.probes.WithLabelValues(r)
	}
	return s
}

// inFlightNow is how many probes hold a slot.
func (s *Server) inFlightNow() int { return len(s.slots) }

// Start launches the shared browser.
func (s *Server) Start(ctx context.Context) error {
	_, err := s.browser(ctx)
	return err
}

// Close closes the browser.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b == nil {
		return nil
	}
	err := s.b.Close()
	s.b = nil
	return err
}

// browser returns the shared browser, starting it again when it has gone.
func (s *Server) browser(ctx context.Context) (*browser.Browser, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.b != nil && !s.b.Closed() {
		return s.b, nil
	}
	if s.b != nil {
		s.b.Close()
		s.b = nil
		s.restarts.Inc()
		s.o.Log.Warn().Msg("the browser had gone: starting it again")
	}
	b, err := s.o.Launch(ctx)
	if err != nil {
		return nil, err
	}
	s.b, s.launched = b, true
	return b, nil
}

// Handler routes the exporter's endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/probe", s.probe)
	mux.Handle("/metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/-/healthy", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "Healthy") })
	mux.HandleFunc("/-/ready", func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		ready := s.b != nil && !s.b.Closed()
		s.mu.Unlock()
		if !ready {
			http.Error(w, "not ready: the browser is not running", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "Ready")
	})
	if s.o.Out != "" {
		mux.Handle("/reports/", http.StripPrefix("/reports/", http.FileServer(http.Dir(s.o.Out))))
	}
	mux.HandleFunc("/{$}", s.index)
	return mux
}

// badRequest answers 400 with one line.
func badRequest(w http.ResponseWriter, format string, a ...any) {
	http.Error(w, fmt.Sprintf(format, a...), http.StatusBadRequest)
}

// probeTimeout is the time a probe may take: Prometheus' scrape timeout
// less a margin, or 15 s without one (a person's curl).
func probeTimeout(r *http.Request) (time.Duration, error) {
	v := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds")
	if v == "" {
		return 15 * time.Second, nil
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil || secs <= 0 {
		return 0, fmt.Errorf("X-Prometheus-Scrape-Timeout-Seconds %q is not a number of seconds", v)
	}
	d := time.Duration(secs * float64(time.Second))
	if d > 2*scrapeMargin {
		d -= scrapeMargin
	} else {
		d /= 2
	}
	return d, nil
}

func (s *Server) probe(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	target, name, module := q.Get("target"), q.Get("check"), q.Get("module")
	var c check.Check
	var what string
	switch {
	case target != "" && name != "":
		badRequest(w, "give target= or check=, not both")
		return
	case name != "":
		i := slices.IndexFunc(s.o.Config.Checks, func(c check.Check) bool { return strings.EqualFold(c.Name, name) })
		if i < 0 {
			badRequest(w, "unknown check %q (the config's checks: %s)", name, strings.Join(checkNames(s.o.Config), ", "))
			return
		}
		c, what = s.o.Config.Checks[i], "check "+s.o.Config.Checks[i].Name
	case target != "":
		u, err := check.NormalizeURL(target)
		if err != nil {
			badRequest(w, "target %q: %v", redact.URL(target), err)
			return
		}
		if p, err := url.Parse(u); err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			badRequest(w, "target %q: want an http or https URL", redact.URL(target))
			return
		}
		var ok bool
		if c, ok = s.o.Config.Probe(module, u); !ok {
			badRequest(w, "unknown module %q (modules: %s)", module, strings.Join(s.o.Config.ModuleNames(), ", "))
			return
		}
		if module == "" {
			module = "defaults"
		}
		what = "module " + module
	default:
		badRequest(w, "missing target= (or check=NAME)")
		return
	}
	timeout, err := probeTimeout(r)
	if err != nil {
		badRequest(w, "%v", err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	start := s.o.Now()
	res, reason := s.run(ctx, c)
	res.DurationMS = max(res.DurationMS, time.Since(start).Milliseconds())
	if res.Result != check.Pass && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		reason = fmt.Sprintf("the probe did not finish within its time (%s: the scrape timeout less a margin)", timeout.Round(time.Millisecond))
		res.Result = check.Error
	}
	s.answer(w, r, c, what, res, reason, start)
}

// run runs the check in a slot of its own, within ctx. reason is why it
// could not run at all ("" when it ran).
func (s *Server) run(ctx context.Context, c check.Check) (check.Result, string) {
	select {
	case s.queue <- struct{}{}:
	default:
		return check.Result{Result: check.Error}, "queue full: " + strconv.Itoa(cap(s.queue)) + " probes are running or waiting"
	}
	defer func() { <-s.queue }()
	s.waiting.Inc()
	select {
	case s.slots <- struct{}{}:
		s.waiting.Dec()
	case <-ctx.Done():
		s.waiting.Dec()
		return check.Result{Result: check.Error}, "no probe slot came free before the scrape timeout"
	}
	defer func() { <-s.slots }()
	s.inFlight.Inc()
	defer s.inFlight.Dec()
	b, err := s.browser(ctx)
	if err != nil {
		return check.Result{Result: check.Error}, "the browser could not start: " + err.Error()
	}
	// A probe is the first load's verdict unless its check asks for
	// more: a walk can outlast a scrape.
	if len(c.Steps) == 0 && !c.Diagnose {
		c.Steps = []string{"reproduce"}
	}
	out := ""
	if s.o.Out != "" {
		// One folder per probe, named by the time, under the target's.
		out = filepath.Join(s.o.Out, folderOf(c))
		c.Name = s.o.Now().UTC().Format("20060102T150405.000Z")
	}
	res := check.Run(ctx, []check.Check{c}, check.Options{Browser: b, Concurrency: 1, Out: out, Version: s.o.Version,
		Now: s.o.Now, Log: s.o.Log, Timeout: c.Timeout})[0]
	if res.Result == check.Error && b.Closed() {
		// The browser went during the probe: the next probe gets a new one.
		res.Reason = "the browser stopped during the probe (it is started again for the next)"
	}
	if res.ReportDir != "" {
		s.prune(out)
	}
	return res, ""
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// folderOf names a probe's target as a folder: its host and path.
func folderOf(c check.Check) string {
	u, err := url.Parse(c.URL)
	if err != nil {
		return "target"
	}
	name := strings.Trim(unsafeChars.ReplaceAllString(u.Host+redact.Path(u.EscapedPath()), "_"), "_.")
	if len(name) > 80 {
		name = name[:80]
	}
	if name == "" {
		name = "target"
	}
	return name
}

// probeFolder is a folder serve made for one probe.
var probeFolder = regexp.MustCompile(`^\d{8}T\d{6}\.\d{3}Z$`)

// prune keeps the newest Keep probe folders in dir: only the ones serve
// made (named by their time, holding a report.json).
func (s *Server) prune(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var mine []string
	for _, e := range entries {
		if e.IsDir() && probeFolder.MatchString(e.Name()) {
			if _, err := os.Stat(filepath.Join(dir, e.Name(), "report.json")); err == nil {
				mine = append(mine, e.Name())
			}
		}
	}
	slices.Sort(mine)
	for len(mine) > s.o.Keep {
		os.RemoveAll(filepath.Join(dir, mine[0]))
		mine = mine[1:]
	}
}

func checkNames(cfg *check.Config) []string {
	var out []string
	for _, c := range cfg.Checks {
		out = append(out, c.Name)
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// answer writes the probe's metrics (or, with debug=true, its story).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, c check.Check, what string, res check.Result, reason string, start time.Time) {
	success := res.Result == check.Pass
	if reason == "" {
		reason = res.Reason
	}
	result := "failure"
	switch {
	case success:
		result = "success"
	case res.Result == check.Error || res.Result == check.Skipped:
		result = "error"
	}
	s.probes.WithLabelValues(result).Inc()
	rec := record{At: start, Target: c.ShownURL(), What: what, Success: success, Kind: res.Kind, Reason: reason,
		Seconds: res.Duration().Seconds(), Findings: res.Findings}
	if res.ReportDir != "" && s.o.Out != "" {
		if rel, err := filepath.Rel(s.o.Out, res.ReportDir); err == nil {
			rec.Report = filepath.ToSlash(rel)
		}
	}
	s.mu.Lock()
	s.recent = append(s.recent, rec)
	if len(s.recent) > maxRecent {
		s.recent = s.recent[len(s.recent)-maxRecent:]
	}
	s.mu.Unlock()
	s.o.Log.Info().Str("target", rec.Target).Str("what", what).Str("result", result).Str("kind", res.Kind).
		Strs("findings", res.Findings).Float64("seconds", rec.Seconds).Msg("probe")

	if r.URL.Query().Get("debug") == "true" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "probe of %s (%s): %s\n", rec.Target, what, result)
		if res.Kind != "" {
			// The id is the metric's label; the words are for the person.
			fmt.Fprintf(w, "kind: %s (%s)\n", res.Kind, reports.KindPhrase(res.Kind))
		}
		if reason != "" {
			fmt.Fprintf(w, "reason: %s\n", reason)
		}
		if res.Summary != "" {
			fmt.Fprintf(w, "diagnosis: %s\n", res.Summary)
		}
		if res.Report != nil {
			// In the order of res.Findings (causes, warnings, notices),
			// each with its own title: an id may come more than once (a
			// token_expired per token).
			for _, f := range res.Report.Diagnosis.Ordered() {
				fmt.Fprintf(w, "finding: %s (%s)\n", f.ID, f.Title)
			}
		} else {
			for _, f := range res.Findings {
				fmt.Fprintf(w, "finding: %s\n", f)
			}
		}
		if res.Report != nil {
			for _, l := range res.Report.Log {
				fmt.Fprintf(w, "log: [%s] %s\n", l.Step, l.Message)
			}
		}
		if rec.Report != "" {
			fmt.Fprintf(w, "report: /reports/%s/report.html\n", rec.Report)
		}
		return
	}

	reg := prometheus.NewRegistry()
	gauge := func(name, help string, v float64) {
		g := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
		g.Set(v)
		reg.MustRegister(g)
	}
	gauge("probe_success", "Whether the probe passed (the check's expectation held).", b2f(success))
	gauge("probe_duration_seconds", "How long the probe took.", res.Duration().Seconds())
	gauge("probe_http_status_code", "The page's HTTP status (0: no answer).", float64(res.Status))
	if !res.CertExpires.IsZero() {
		gauge("probe_ssl_earliest_cert_expiry", "Unix time at which the page's https certificate expires.", float64(res.CertExpires.Unix()))
	}
	if !success {
		info := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fix401_probe_failure_info",
			Help: "Why the probe failed: the failure's kind and each finding's id (finding is empty without one)."}, []string{"kind", "finding"})
		kind := res.Kind
		if kind == "" {
			kind = string(res.Result)
		}
		if len(res.Findings) == 0 {
			info.WithLabelValues(kind, "").Set(1)
		}
		for _, f := range res.Findings {
			info.WithLabelValues(kind, f).Set(1)
		}
		reg.MustRegister(info)
	}
	if res.FixedBy != "" {
		fixed := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "fix401_probe_fixed_by", Help: "The remedy that fixed the page."}, []string{"step"})
		fixed.WithLabelValues(res.FixedBy).Set(1)
		reg.MustRegister(fixed)
	}
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

var indexPage = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>fix401 exporter</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:72rem}table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}.ok{color:#176b2c}.bad{color:#a31b1b}code{font-size:.85rem}</style></head>
<body><h1>fix401 exporter</h1>
<p><a href="/metrics">Metrics</a> · probe with <code>/probe?target=URL[&amp;module=NAME]</code> or <code>/probe?check=NAME</code>, add <code>&amp;debug=true</code> for the story.
Modules: {{range $i, $m := .Modules}}{{if $i}}, {{end}}<code>{{$m}}</code>{{end}}.{{with .Checks}} Checks: {{range $i, $c := .}}{{if $i}}, {{end}}<a href="/probe?check={{$c}}&amp;debug=true">{{$c}}</a>{{end}}.{{end}}</p>
<h2>Recent probes</h2>
{{if .Recent}}<table><tr><th>When (UTC)</th><th>Target</th><th>With</th><th>Result</th><th>Why</th><th>Seconds</th><th>Report</th></tr>
{{range .Recent}}<tr><td>{{.At.UTC.Format "2006-01-02 15:04:05"}}</td><td><code>{{.Target}}</code></td><td>{{.What}}</td>
<td class="{{if .Success}}ok{{else}}bad{{end}}">{{if .Success}}success{{else}}failure{{end}}</td>
<td>{{.Kind}}{{range .Findings}} <code>{{.}}</code>{{end}}{{with .Reason}}<br>{{.}}{{end}}</td><td>{{printf "%.2f" .Seconds}}</td>
<td>{{with .Report}}<a href="/reports/{{.}}/report.html">report</a>{{end}}</td></tr>
{{end}}</table>{{else}}<p>None yet.</p>{{end}}
</body></html>
`))

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	recent := slices.Clone(s.recent)
	s.mu.Unlock()
	slices.Reverse(recent)
	var checks []string
	for _, c := range s.o.Config.Checks {
		checks = append(checks, c.Name)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := indexPage.Execute(w, map[string]any{"Recent": recent, "Modules": s.o.Config.ModuleNames(), "Checks": checks}); err != nil {
		s.o.Log.Debug().Err(err).Msg("index page")
	}
}

// ErrNoConfig is a serve without --config.
var ErrNoConfig = errors.New("serve needs --config FILE (the modules and checks to probe with)")
