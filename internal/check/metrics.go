package check

import (
	"bytes"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/fix401/fix401/reports"
)

// Metrics renders the summary in the Prometheus text format. The metrics
// are built with client_golang in a registry of their own (no Go runtime
// or process metrics: node_exporter's textfile collector would publish them
// as if they were the node's), so names, help, types, label escaping and
// ordering are client_golang's, not a hand-written format.
func (s *Summary) Metrics() ([]byte, error) {
	labels := []string{"check", "url"}
	success := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fix401_check_success",
		Help: "Whether the check passed: 1 passed, 0 failed or could not finish.",
	}, labels)
	duration := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fix401_check_duration_seconds",
		Help: "How long the check took, diagnosis included.",
	}, labels)
	status := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fix401_check_status_code",
		Help: "HTTP status of the check's first load; 0 when no response came.",
	}, labels)
	fixedBy := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fix401_check_fixed_by",
		Help: "1 for the remedy step that made the check's page load; absent when none did.",
	}, []string{"check", "url", "step"})
	failure := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fix401_check_failure_info",
		Help: "Why a check did not pass: the failure's kind and each finding's id (finding is empty without one); absent for a check that passed.",
	}, []string{"check", "kind", "finding"})
	certExpiry := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "fix401_check_ssl_earliest_cert_expiry",
		Help: "Unix time at which the https certificate of the check's page expires; absent for http.",
	}, labels)
	timestamp := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "fix401_run_timestamp_seconds",
		Help: "Unix time at which the check run finished; alert when it gets old.",
	})

	reg := prometheus.NewRegistry()
	for _, c := range []prometheus.Collector{success, duration, status, fixedBy, failure, certExpiry, timestamp} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, r := range s.Checks {
		// r.URL is already redacted: labels end up in dashboards and alerts.
		ok := 0.0
		if r.Result == Pass {
			ok = 1
		}
		success.WithLabelValues(r.Name, r.URL).Set(ok)
		duration.WithLabelValues(r.Name, r.URL).Set(float64(r.DurationMS) / 1000)
		status.WithLabelValues(r.Name, r.URL).Set(float64(r.Status))
		if r.FixedBy != "" {
			fixedBy.WithLabelValues(r.Name, r.URL, r.FixedBy).Set(1)
		}
		if !r.CertExpires.IsZero() {
			certExpiry.WithLabelValues(r.Name, r.URL).Set(float64(r.CertExpires.Unix()))
		}
		if r.Result != Pass {
			// So that an alert can say "Kerberos ticket expired" rather
			// than "check failed".
			kind := r.Kind
			if kind == "" {
				kind = string(r.Result)
			}
			if len(r.Findings) == 0 {
				failure.WithLabelValues(r.Name, kind, "").Set(1)
			}
			for _, f := range r.Findings {
				failure.WithLabelValues(r.Name, kind, f).Set(1)
			}
		}
	}
	timestamp.Set(float64(s.FinishedAt.UnixMilli()) / 1000)

	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			return nil, fmt.Errorf("metric %s: %w", mf.GetName(), err)
		}
	}
	return buf.Bytes(), nil
}

// WriteMetrics writes the metrics to path atomically: node_exporter reads
// the textfile directory at any moment and must never see half a file.
// The temporary file starts with a dot and does not end in .prom, so the
// collector ignores it even while it exists.
func (s *Summary) WriteMetrics(path string) error {
	data, err := s.Metrics()
	if err != nil {
		return err
	}
	return reports.WriteFileAtomic(path, data, 0o644)
}

// WriteJUnit writes the JUnit XML to path atomically, so that a CI job that
// collects it after a timeout gets the old file or the new one, never half.
func (s *Summary) WriteJUnit(path, hostname string) error {
	data, err := s.JUnit(hostname)
	if err != nil {
		return err
	}
	return reports.WriteFileAtomic(path, data, 0o644)
}
