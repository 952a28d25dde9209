package steps

import (
	"context"
	"fmt"
)

// Reproduce is the baseline: it loads the target twice, because a failure
// that does not repeat (an application pool recycling, a load balancer with
// one bad node) needs a different fix from one that always happens.
type Reproduce struct{}

func (Reproduce) ID() string    { return "reproduce" }
func (Reproduce) Title() string { return "Reproduce" }
func (Reproduce) Help() string {
	return "loads the page twice in a clean browser to see the failure and whether it repeats"
}

// FixedPhrase is empty: reproducing fixes nothing.
func (Reproduce) FixedPhrase() string { return "" }

// ByHand is nil: there is nothing to repeat.
func (Reproduce) ByHand() map[string][]string { return nil }

func (Reproduce) Run(ctx context.Context, env Env) (Outcome, error) {
	first, err := env.Load(ctx, env.Target())
	if err != nil {
		return Outcome{}, err
	}
	if env.Inputs().OneBaselineLoad {
		return Outcome{Action: fmt.Sprintf("Opened %s.", env.Target()), Judged: first,
			Evidence: ReproduceEvidence{Loads: 1}}, nil
	}
	// A reload of a page that redirected (to a login form) would reload the
	// login form itself: load the target again instead, as F5 on the
	// address the person typed does.
	var second *Observation
	if first.Load.Redirected {
		second, err = env.Load(ctx, env.Target())
	} else {
		second, err = env.Reload(ctx)
	}
	if err != nil {
		return Outcome{}, err
	}
	// The failing load is the baseline evidence; with two healthy loads the
	// second is as good as the first.
	judged := first
	if first.OK() && !second.OK() {
		judged = second
	}
	intermittent := first.OK() != second.OK()
	if intermittent {
		env.Logf("the failure did not repeat: load 1 %s, load 2 %s", first.Verdict.Kind, second.Verdict.Kind)
	}
	return Outcome{
		Action:   fmt.Sprintf("Opened %s and reloaded it once.", env.Target()),
		Judged:   judged,
		Evidence: ReproduceEvidence{Loads: 2, Intermittent: &intermittent, Kinds: []string{string(first.Verdict.Kind), string(second.Verdict.Kind)}},
	}, nil
}

// ReproduceEvidence is what reproduce records.
type ReproduceEvidence struct {
	Loads        int      `json:"loads"`
	Intermittent *bool    `json:"intermittent,omitempty"` // the two loads disagreed
	Kinds        []string `json:"kinds,omitempty"`        // each load's verdict
}
