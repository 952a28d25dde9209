package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"github.com/spf13/cobra"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/serve"
)

// ServeOptions are serve's flags.
type ServeOptions struct {
	BrowserOptions
	Config      string
	Listen      string
	WebConfig   string
	Concurrency int
	Queue       int
	Keep        int
	Out         string
}

const serveLong = `Run fix401 as a Prometheus exporter, in the style of blackbox_exporter:
each scrape of /probe runs a real browser against a page and answers
metrics, with the reason a sign-in broke as labels.

  /probe?target=URL[&module=NAME]   probe a URL with a module of the config
                                    ("defaults" when none is named)
  /probe?check=NAME                 run a check of the config
  ...&debug=true                    the probe's story as text instead
  /metrics                          the exporter's own metrics
  /-/healthy, /-/ready              liveness and readiness
  /                                 recent probes, with links to the reports
                                    of failed ones (with --out)

Probe metrics: probe_success, probe_duration_seconds, probe_http_status_code,
fix401_probe_failure_info{kind,finding} and fix401_probe_fixed_by{step}.
A probe ends within the scrape timeout Prometheus sends
(X-Prometheus-Scrape-Timeout-Seconds) less half a second, answering
probe_success 0 with the reason rather than failing the scrape. A probe is
the first load's verdict unless its module or check names steps or says
diagnose: true.

The config is check's (see fix401 check --help) plus an optional modules:
map, each module a check's keys without name and url:

  defaults:
    timeout: 10s
  modules:
    intranet:
      user: probe
      password_env: PROBE_PASSWORD
      steps: [reproduce, relogin]
  checks:
    - name: reports
      url: https://intranet.example/reports/

--web.config.file takes the exporter-toolkit web configuration every
official exporter takes (TLS, basic auth on the exporter).`

func newServeCmd(streams *IO) *cobra.Command {
	o := &ServeOptions{}
	o.shellFirst = true
	c := &cobra.Command{
		Use:   "serve --config FILE",
		Short: "Prometheus exporter: probe pages in a real browser on each scrape",
		Long:  serveLong,
		Example: `  fix401 serve --config probes.yaml --listen 127.0.0.1:9401
  curl '127.0.0.1:9401/probe?target=https://intranet.example/&debug=true'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runServe(c.Context(), streams, o)
		},
	}
	o.register(c)
	f := c.Flags()
	f.StringVar(&o.Config, "config", "", "the modules and checks file, YAML or JSON (required)")
	_ = c.MarkFlagFilename("config", "yaml", "yml", "json")
	f.StringVar(&o.Listen, "listen", "127.0.0.1:9401", "address to listen on")
	f.StringVar(&o.WebConfig, "web.config.file", "", "exporter-toolkit web configuration (TLS, basic auth)")
	f.IntVar(&o.Concurrency, "concurrency", 4, "probes run at once, each in its own browser context")
	f.IntVar(&o.Queue, "queue", 16, "probes that may wait for a slot; more are answered at once with probe_success 0 (queue full)")
	f.IntVar(&o.Keep, "keep", 5, "report folders of failed probes kept per target (with --out)")
	f.StringVar(&o.Out, "out", "", "folder for the report folders of failed probes (none kept without it)")
	return c
}

func runServe(ctx context.Context, streams *IO, o *ServeOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.Config == "" {
		return &ExitError{Code: ExitUsage, Err: serve.ErrNoConfig, Hint: "see 'fix401 serve --help' for the file format"}
	}
	switch {
	case o.Concurrency < 1:
		return usageErr("--concurrency must be at least 1, got %d", o.Concurrency)
	case o.Queue < 0:
		return usageErr("--queue must not be negative, got %d", o.Queue)
	case o.Keep < 1:
		return usageErr("--keep must be at least 1, got %d", o.Keep)
	}
	if o.WebConfig != "" {
		if err := web.Validate(o.WebConfig); err != nil {
			return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--web.config.file %s: %w", o.WebConfig, err)}
		}
	}
	cfg, err := loadConfig(streams, o.Config, "not serving")
	if err != nil {
		return err
	}
	if o.Out != "" {
		if err := checkOutDir(o.Out); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", o.Listen)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--listen %s: %w", o.Listen, err)}
	}
	log := o.logger(streams)
	secrets := slices.Clone(cfg.Expanded)
	for _, c := range cfg.Checks {
		secrets = append(secrets, c.Secrets()...)
	}
	for _, m := range cfg.Modules {
		secrets = append(secrets, m.Secrets()...)
	}
	srv := serve.New(serve.Options{
		Config: cfg, Concurrency: o.Concurrency, Queue: o.Queue, Keep: o.Keep, Out: o.Out, Version: Version(), Log: log,
		Launch: func(ctx context.Context) (*browser.Browser, error) {
			return o.launch(context.WithoutCancel(ctx), streams, log, browser.Options{Secrets: secrets})
		},
	})
	if err := srv.Start(ctx); err != nil {
		ln.Close()
		return err
	}
	defer srv.Close()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	flags := &web.FlagConfig{WebListenAddresses: &[]string{o.Listen}, WebSystemdSocket: new(false), WebConfigFile: &o.WebConfig}
	done := make(chan error, 1)
	go func() {
		done <- web.Serve(ln, hs, flags, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}()
	log.Info().Str("listen", ln.Addr().String()).Int("concurrency", o.Concurrency).Strs("modules", cfg.ModuleNames()).Msg("serving")
	fmt.Fprintf(streams.ErrOut, "fix401: serving on http://%s (probe: /probe?target=URL)\n", ln.Addr())
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
		return context.Cause(ctx)
	}
}
