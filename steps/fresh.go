package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/fix401/fix401/internal/oscmd"
)

// FreshProfile is "try another browser or a private window": a new process
// with an empty profile has no extensions, no saved HTTP auth, no HSTS and
// no open connections — what survives clearing the cache and site data.
type FreshProfile struct{}

func (FreshProfile) ID() string    { return "fresh-profile" }
func (FreshProfile) Title() string { return "Fresh browser profile" }
func (FreshProfile) Help() string {
	return "opens the page in a brand-new browser process with an empty profile: no extensions, saved HTTP auth, HSTS or open connections"
}

// FixedOnUserSide: the fix is the user's to make, not the site owner's.
func (FreshProfile) FixedOnUserSide() bool { return true }

// FixedPhrase names the step as the object of "fixed by".
func (FreshProfile) FixedPhrase() string { return "a fresh browser profile" }

// ByHand is what a person does in each browser to repeat the step.
func (FreshProfile) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			"Test in a new Incognito window (Ctrl+Shift+N, Cmd+Shift+N on Mac) or a Guest window: no extensions, no saved sign-ins",
			"If it loads there, turn off extensions one by one at `chrome://extensions` to find the culprit",
			"Or add a new profile (profile icon > Add) and use that one",
		},
		"Edge": {
			"Test in a new InPrivate window (Ctrl+Shift+N): no extensions, no saved sign-ins",
			"If it loads there, turn off extensions one by one at `edge://extensions` to find the culprit",
			"Or add a new profile (profile icon > Add profile) and use that one",
		},
		"Firefox": {
			"Test in a new Private Window (Ctrl+Shift+P, Cmd+Shift+P on Mac)",
			"If it loads there, try Help > Troubleshoot Mode, then turn off add-ons one by one at `about:addons`",
			"Or create a new profile at `about:profiles` and use that one",
		},
		"Safari": {
			"Test in a new Private Window (Shift+Cmd+N)",
			"If it loads there, turn off extensions one by one in Safari > Settings > Extensions",
			"Or create a new profile in Safari > Settings > Profiles (Safari 17 and later)",
		},
	}
}

func (FreshProfile) Run(ctx context.Context, env Env) (Outcome, error) {
	how, err := env.NewBrowser(ctx)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Action: "Opened the page in " + how + "."}, nil
}

// The OS flush is the same advice in every browser's column, because Chrome,
// Edge and Firefox keep their own host cache on top of the system's.
const flushOS = "Flush the system DNS cache: Windows `ipconfig /flushdns`; macOS `sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder`; Linux `resolvectl flush-caches`"

// DNSFlush is "flush DNS": a name that still resolves to an old server
// answers with that server's 401. It runs the OS's flush, then starts a new
// browser so Chrome's own host cache goes too.
type DNSFlush struct{}

func (DNSFlush) ID() string    { return "dns-flush" }
func (DNSFlush) Title() string { return "Flush DNS" }
func (DNSFlush) Help() string {
	return "flushes the OS resolver cache (ipconfig /flushdns, dscacheutil + mDNSResponder, resolvectl/systemd-resolve/nscd) and restarts the browser so its host cache goes too"
}

// FixedOnUserSide: the fix is the user's to make, not the site owner's.
func (DNSFlush) FixedOnUserSide() bool { return true }

// FixedPhrase names the step as the object of "fixed by".
func (DNSFlush) FixedPhrase() string { return "flushing the DNS cache" }

// ByHand is what a person does in each browser to repeat the step.
func (DNSFlush) ByHand() map[string][]string {
	return map[string][]string{
		"Chrome": {
			flushOS,
			"Open `chrome://net-internals/#dns` and click \"Clear host cache\"",
			"Reload the page",
		},
		"Edge": {
			flushOS,
			"Open `edge://net-internals/#dns` and click \"Clear host cache\"",
			"Reload the page",
		},
		"Firefox": {
			flushOS,
			"Open `about:networking#dns` and click \"Clear DNS Cache\"",
			"Reload the page",
		},
		"Safari": {
			"Flush the system DNS cache: `sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder` in Terminal",
			"Quit Safari (Cmd+Q) and open it again",
			"Reload the page",
		},
	}
}

func (DNSFlush) Run(ctx context.Context, env Env) (Outcome, error) {
	in := env.Inputs()
	var ev DNSFlushEvidence
	if b := env.Baseline(); b != nil && b.Load.RemoteIP != "" {
		ev.IPBefore = b.Load.RemoteIP
	}
	var argvs [][]string
	var shown string
	needsAdmin := false
	switch {
	case in.DNSFlushCommand != "":
		argvs, shown = [][]string{oscmd.Shell(in.GOOS, in.DNSFlushCommand)}, in.DNSFlushCommand
	default:
		f, ok := oscmd.DNSFlush(in.GOOS, in.Runner)
		if ok {
			argvs, shown, needsAdmin = f.Commands, f.String(), f.NeedsAdmin
		}
	}
	action := ""
	switch {
	case len(argvs) == 0:
		action = "This machine keeps no DNS cache to flush (no systemd-resolved or nscd)"
	case needsAdmin && !in.Runner.Privileged():
		return Outcome{
			Skip:     fmt.Sprintf("flushing DNS needs administrator rights: run `%s` yourself, then run fix401 again", shown),
			Action:   "Would run: " + shown,
			Evidence: DNSFlushEvidence{Command: &shown},
		}, nil
	default:
		ev.Command = &shown
		for _, argv := range argvs {
			out, err := in.Runner.Run(ctx, argv)
			ev.ExitStatus = new(0)
			if out != "" {
				ev.Output = truncate(out, 500)
			}
			if err != nil {
				ev.ExitStatus = new(oscmd.ExitCode(err))
				if oscmd.PermissionDenied(out, err) {
					return Outcome{
						Skip:     fmt.Sprintf("`%s` was refused for lack of rights: run it as an administrator, then run fix401 again", shown),
						Action:   "Tried: " + shown,
						Evidence: ev,
					}, nil
				}
				if errors.Is(ctx.Err(), context.Canceled) {
					return Outcome{}, ctx.Err()
				}
				return Outcome{Evidence: ev}, fmt.Errorf("%s failed: %v: %s", strings.Join(argv, " "), err, truncate(out, 200))
			}
		}
		action = "Flushed the DNS cache (" + shown + ")"
	}
	how, err := env.NewBrowser(ctx)
	if err != nil {
		return Outcome{Evidence: ev}, err
	}
	obs, err := env.Load(ctx, env.Target())
	if err != nil {
		return Outcome{Evidence: ev}, err
	}
	if obs.Load.RemoteIP != "" {
		ev.IPAfter = obs.Load.RemoteIP
	}
	return Outcome{
		Action:   action + ", and opened the page in " + how + " so that Chrome's own host cache is empty too.",
		Judged:   obs,
		Evidence: ev,
	}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// DNSFlushEvidence is what dns-flush records.
type DNSFlushEvidence struct {
	IPBefore   string  `json:"ip_before,omitempty"` // where the name led before
	Command    *string `json:"command"`             // the flush run; null: nothing to flush
	ExitStatus *int    `json:"exit_status,omitempty"`
	Output     string  `json:"output,omitempty"` // what the command said, cut
	IPAfter    string  `json:"ip_after,omitempty"`
}
