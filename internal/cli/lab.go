package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/cookiefile"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/fix401/fix401/agent"
	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/lab"
	"github.com/fix401/fix401/reports"
	"github.com/fix401/fix401/steps"
)

func newLabCmd(io *IO) *cobra.Command {
	var addr string
	c := &cobra.Command{
		Use:   "lab",
		Short: "Serve the built-in practice scenarios (a broken site for every remedy) on loopback",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			ln, err := lab.Listen(addr)
			if err != nil {
				hint := ""
				if errors.Is(err, syscall.EADDRINUSE) {
					hint = "something (another lab?) already listens there: stop it, or give another port with --addr 127.0.0.1:PORT"
				}
				return &ExitError{Code: ExitUsage, Err: err, Hint: hint}
			}
			l := lab.New()
			base := "http://" + ln.Addr().String()
			fmt.Fprintf(io.Out, "fix401 lab on %s/ (Ctrl-C to stop)\n", base)
			// The stale-dns scenario's old server, where 127.0.0.2 exists.
			old, oldErr := lab.ListenOldServer(ln.Addr())
			// The proxy of the scenarios that need --proxy, on a port of its own.
			pln, perr := lab.Listen("127.0.0.1:0")
			proxyURL := ""
			if perr == nil {
				proxyURL = "http://" + pln.Addr().String()
				go func() { _ = lab.ServeProxy(c.Context(), pln, lab.NewProxy()) }()
			}
			for _, s := range lab.Scenarios() {
				fmt.Fprintf(io.Out, "  %-14s %s\n", s.ID, s.Target(base))
				if s.Options.NeedsProxy {
					note := "give --proxy " + proxyURL + " (the lab's proxy)"
					if perr != nil {
						note = "unavailable: " + perr.Error()
					}
					fmt.Fprintf(io.Out, "  %-14s (%s)\n", "", note)
				}
				if s.Options.StaleDNS {
					note := "needs a resolver that maps " + lab.StaleDNSHost + " to " + lab.OldServerIP + " (the old server) until you flush it; `fix401 demo` sets one up"
					if oldErr != nil {
						note = "unavailable: " + oldErr.Error()
					}
					fmt.Fprintf(io.Out, "  %-14s (%s)\n", "", note)
				}
			}
			if oldErr == nil {
				go func() { _ = lab.ServeOldServer(c.Context(), old) }()
			}
			return lab.Serve(c.Context(), ln, l)
		},
	}
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8401", "loopback address to listen on")
	return c
}

// DemoOptions are the flags of `fix401 demo`.
type DemoOptions struct {
	BrowserOptions
	Out         string
	Concurrency int
}

func newDemoCmd(io *IO) *cobra.Command {
	o := &DemoOptions{}
	c := &cobra.Command{
		Use:   "demo",
		Short: "Start the lab in-process and diagnose every scenario: the one-command tour",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return runDemo(c.Context(), io, o)
		},
	}
	o.register(c)
	c.Flags().StringVar(&o.Out, "out", "fix401-demo", "folder for one report folder per scenario")
	c.Flags().IntVar(&o.Concurrency, "concurrency", 4, "scenarios diagnosed at once, each in its own browser context")
	return c
}

func runDemo(ctx context.Context, io *IO, o *DemoOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	if o.Concurrency < 1 {
		return usageErr("--concurrency must be at least 1")
	}
	if err := checkOutDir(o.Out); err != nil {
		return err
	}
	log := o.logger(io)
	ctx, cancel := o.runContext(ctx)
	defer cancel()

	ln, err := lab.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	l := lab.New()
	labCtx, stopLab := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	go func() { served <- lab.Serve(labCtx, ln, l) }()
	defer func() { stopLab(); <-served }()
	base := "http://" + ln.Addr().String()

	// The proxy the via-proxy scenario needs: it reaches the lab from
	// another loopback address.
	pln, err := lab.Listen("127.0.0.1:0")
	if err != nil {
		return err
	}
	proxy := lab.NewProxy()
	proxied := make(chan error, 1)
	go func() { proxied <- lab.ServeProxy(labCtx, pln, proxy) }()
	defer func() { stopLab(); <-proxied }()
	proxyURL := "http://" + pln.Addr().String()

	b, err := o.launch(ctx, io, log, browser.Options{})
	if err != nil {
		return err
	}
	defer b.Close()
	fmt.Fprintf(io.Out, "fix401 demo: lab on %s/, %s\n", base, b.Product())

	// The stale-dns scenario needs the old server and a browser whose
	// resolver still names it; where that cannot be set up, it is skipped
	// with the reason.
	dns, dnsErr := setUpStaleDNS(labCtx, ln.Addr())
	if dns != nil {
		defer dns.close()
	}

	scen := lab.Scenarios()
	type result struct {
		rep  *reports.Report
		err  error
		skip error // the scenario cannot be set up here
	}
	results := make([]chan result, len(scen))
	sem := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i, s := range scen {
		results[i] = make(chan result, 1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			timeout := o.Timeout
			if s.Hangs {
				timeout = min(timeout, 2*time.Second) // the point is made in two seconds
			}
			in := steps.Inputs{User: s.Options.User, Password: s.Options.Password,
				BearerToken: s.Options.BearerToken, LoginURL: s.LoginTarget(base)}
			if s.Options.BearerToken != "" {
				in.BearerEnv = "LAB_TOKEN"
			}
			if s.Options.NeedsProxy {
				in.Proxy = proxyURL
			}
			sb := b
			if s.Options.StaleDNS {
				if dnsErr != nil {
					results[i] <- result{skip: dnsErr}
					return
				}
				// A browser of its own: the resolver is the process's.
				dnsOpts := b.Options()
				dnsOpts.Env = dns.Env
				own, err := browser.Launch(ctx, dnsOpts)
				if err != nil {
					results[i] <- result{err: err}
					return
				}
				defer own.Close()
				sb = own
				in.DNSFlushCommand = dns.FlushCommand
			}
			// The user's browser state the scenario starts from.
			var cookies []browser.Cookie
			if txt := s.CookiesFile("127.0.0.1"); txt != "" {
				var err error
				if cookies, err = cookiefile.Parse([]byte(txt)); err != nil {
					results[i] <- result{err: err}
					return
				}
			}
			secrets := []string{s.Options.Password, s.Options.BearerToken}
			res, err := agent.Diagnose(ctx, agent.Config{
				URL: s.Target(base), Browser: sb, Isolated: true, Timeout: timeout, MaxWait: 5 * time.Second,
				Screenshots: true, Version: Version(), Log: log.With().Str("scenario", s.ID).Logger(),
				Inputs: in, Secrets: secrets, Cookies: cookies,
			})
			if err == nil {
				err = writeReplacing(filepath.Join(o.Out, s.ID), res, b.Product(), nil)
			}
			if err != nil {
				results[i] <- result{err: err}
				return
			}
			results[i] <- result{rep: res.Report}
		}()
	}
	color := o.color(io, io.OutTTY)
	failed, skipped := 0, 0
	for i, s := range scen {
		r := <-results[i]
		if r.skip != nil {
			skipped++
			fmt.Fprintf(io.Out, "  %s %-14s skipped: %v\n", mark(reports.Skipped, color), s.ID, r.skip)
			continue
		}
		if r.err != nil {
			failed++
			fmt.Fprintf(io.Out, "  %s %-14s error: %v\n", mark(reports.StepError, color), s.ID, r.err)
			continue
		}
		got := r.rep.Diagnosis.Kind
		fixed := ""
		if r.rep.FixedBy != nil {
			fixed = *r.rep.FixedBy
		}
		findings := r.rep.Diagnosis.FindingIDs()
		// The whole outcome is graded: a scenario that must stay
		// unresolved but was "fixed" is as wrong as a missed fix.
		diff := s.Grade(string(r.rep.Outcome), got, fixed, findings)
		res := reports.StepFixed
		if diff != "" {
			res = reports.StillFailing
			failed++
		}
		line := fmt.Sprintf("%-19s %s", kindShort(got), verdict(r.rep))
		if len(findings) > 0 {
			line += " · " + strings.Join(findings, ", ")
		}
		if diff != "" {
			line += "  (" + diff + ")"
		}
		fmt.Fprintf(io.Out, "  %s %-14s %s\n", mark(res, color), s.ID, line)
		fmt.Fprintf(io.Out, "    %-14s report: %s\n", "", filepath.Join(o.Out, s.ID, "report.html"))
	}
	wg.Wait()
	if ctx.Err() != nil {
		return &ExitError{Code: ExitInterrupted, Err: context.Cause(ctx)}
	}
	ran := len(scen) - skipped
	fmt.Fprintf(io.Out, "%d of %d scenarios diagnosed as expected", ran-failed, ran)
	if skipped > 0 {
		fmt.Fprintf(io.Out, " (%d skipped)", skipped)
	}
	fmt.Fprintf(io.Out, "; reports in %s\n", o.Out)
	if failed > 0 {
		return silentExit(ExitInternal)
	}
	return nil
}

// staleDNSSetUp is what the demo's stale-dns scenario runs with: the old
// server, and the resolver its browser is started with.
type staleDNSSetUp struct {
	*lab.StaleDNS
	dir    string
	cancel context.CancelFunc
	served chan error
}

func setUpStaleDNS(ctx context.Context, labAddr net.Addr) (*staleDNSSetUp, error) {
	dir, err := os.MkdirTemp("", "fix401-dns-")
	if err != nil {
		return nil, err
	}
	r, err := lab.NewStaleDNS(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ln, err := lab.ListenOldServer(labAddr)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	d := &staleDNSSetUp{StaleDNS: r, dir: dir, served: make(chan error, 1)}
	ctx, d.cancel = context.WithCancel(ctx)
	go func() { d.served <- lab.ServeOldServer(ctx, ln) }()
	return d, nil
}

// close is for after the scenario's browsers closed.
func (d *staleDNSSetUp) close() {
	d.Reap()
	d.cancel()
	<-d.served
	os.RemoveAll(d.dir)
}
