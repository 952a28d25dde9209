package browser

import (
	"context"
	"errors"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// A page whose script never yields (an endless loop, during its load or
// after it) holds its renderer's main thread: nothing asked of the page
// (reading its DOM, a screenshot, the next navigation, which cannot
// commit in that renderer) is ever answered. Everything fix401 asks of a
// page is therefore bounded, and a page found stuck is stopped: its
// scripts are turned off and the running one is interrupted
// (Runtime.terminateExecution, which V8 honours even in a busy loop), so
// that its evidence can be read; then its renderer is ended (Page.crash),
// so that nothing of it can hold the tab for the steps that follow. The
// tab, its browser context (cookies, cache) and its history stay: the
// next navigation, or a reload of the page, starts a new renderer.

// errPageGone is returned for what needs the page while the tab has none:
// its renderer was ended (a stuck page, or a crash) and no page has
// loaded since.
var errPageGone = errors.New("the page is gone (its renderer was stopped after the page hung, or crashed)")

// Bounds for talking to a page. A page that answers at all answers in
// milliseconds; these are generous so that a busy machine is not taken
// for a stuck page.
const (
	// pageAnswer bounds one request to the page outside a load (its
	// links, clearing its sessionStorage), and how long a loaded page's
	// DOM read may wait for the page's script to yield.
	pageAnswer = 5 * time.Second
	// stuckAnswer is how long a page whose load timed out has to answer
	// a trivial evaluation before it is taken for stuck: it had the whole
	// load to yield already.
	stuckAnswer = time.Second
	// evidenceGrace is the budget for reading a page's evidence once its
	// load's own time is up (a timed-out load still deserves it), and for
	// each command that stops a stuck page.
	evidenceGrace = 2 * time.Second
)

// pageGone reports whether the tab has no live page.
func (s *Session) pageGone() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gone
}

// crashedCh is closed when the tab's current renderer goes away.
func (s *Session) crashedCh() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.crashed
}

// onCrash notes that the tab's renderer went away (ended by fix401 or
// crashed): until a page commits again, the page answers nothing, and
// chromedp would wait for ever for it.
func (s *Session) onCrash() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gone = true
	select {
	case <-s.crashed:
	default:
		close(s.crashed)
	}
}

// onCommit notes that a main-frame document committed: the tab has a
// live page again.
func (s *Session) onCommit() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gone {
		s.gone = false
		s.crashed = make(chan struct{})
	}
}

// onPage runs a on the page with ctx, which also ends when the page's
// renderer goes away: a command on a tab without a page is never
// answered. It returns errPageGone when the tab has no page.
func onPage[T any](s *Session, ctx context.Context, a chromedp.Action[T]) (T, error) {
	var zero T
	if s.pageGone() {
		return zero, errPageGone
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	crashed := s.crashedCh()
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-crashed:
			cancel()
		case <-stop:
		}
	}()
	v, err := chromedp.Run(ctx, a)
	if err != nil && s.pageGone() {
		return zero, errPageGone
	}
	return v, err
}

// answers reports whether the page answers a trivial evaluation within d:
// false means its main thread is held. Any other failure (a page being
// replaced, or gone) is no sign of that.
func (s *Session) answers(d time.Duration) bool {
	ctx, cancel := context.WithTimeout(s.ctx, d)
	defer cancel()
	_, err := onPage(s, ctx, chromedp.Evaluate[int](`1`))
	return !errors.Is(err, context.DeadlineExceeded)
}

// interrupt ends the script that holds the page's main thread and keeps
// the page's scripts from running again, so that the page answers; the
// page is to be ended (endPage) once read.
func (s *Session) interrupt() {
	if s.pageGone() {
		return
	}
	ctx, cancel := context.WithTimeout(s.ctx, evidenceGrace)
	defer cancel()
	// Scripts are turned off first: the page's timer (setInterval) would
	// otherwise start its loop again before the page is read. Both
	// commands reach a busy page: Chrome runs them on an interrupt.
	_, _ = chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
	_, _ = chromedp.Call(ctx, cdpruntime.TerminateExecution, cdp.Empty{})
}

// endPage ends the tab's renderer, and waits until the browser says it
// has gone: Page.crash is never answered. The tab stays, with its
// browser context and history; its next navigation or reload starts a
// new renderer. It reports whether the renderer went.
func (s *Session) endPage() bool {
	if s.pageGone() {
		return true
	}
	crashed := s.crashedCh()
	ctx, cancel := context.WithTimeout(s.ctx, evidenceGrace)
	defer cancel()
	// Scripts back on first: the setting is the tab's, and would
	// otherwise carry over to the next page's renderer.
	_, _ = chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: false})
	go func() { _, _ = chromedp.Call(ctx, page.Crash, cdp.Empty{}) }()
	select {
	case <-crashed:
		return true
	case <-ctx.Done():
		return false
	}
}

// unstick stops a page found stuck outside a load and says so in an error:
// the caller's request to it was not answered.
func (s *Session) unstick(what string) error {
	s.interrupt()
	if !s.endPage() {
		return errors.New(what + ": the page did not answer (its script never yielded); fix401 stopped its script, but the page did not close in time")
	}
	return errors.New(what + ": the page did not answer (its script never yielded); fix401 stopped it")
}

// pageCall runs a on the page, bounded by pageAnswer; a page that does not
// answer in time is stopped (see unstick), so that the run goes on.
func pageCall[T any](s *Session, ctx context.Context, what string, a chromedp.Action[T]) (T, error) {
	bctx, cancel := s.within(ctx, pageAnswer)
	defer cancel()
	v, err := onPage(s, bctx, a)
	if err != nil && ctx.Err() == nil && s.ctx.Err() == nil && errors.Is(bctx.Err(), context.DeadlineExceeded) {
		return v, s.unstick(what)
	}
	return v, err
}
