package browser

import (
	"github.com/fix401/fix401/internal/sso"
)

// SignInFlow is what the load's document hops say about a single
// sign-on: the provider it went to, whether it ended there, a loop, the
// provider's errors. ok is false when the load spoke no sign-in protocol.
func (l *Load) SignInFlow() (sso.Flow, bool) {
	if l == nil || len(l.Chain) == 0 {
		return sso.Flow{}, false
	}
	hops := make([]sso.Hop, 0, len(l.Chain))
	for _, q := range l.Chain {
		hops = append(hops, sso.Hop{URL: q.URL, Method: q.Method, Status: q.Status, Failed: q.Failed, Msg: q.SSO})
	}
	if l.NetError != "" && len(hops) > 0 && hops[len(hops)-1].Failed == "" {
		hops[len(hops)-1].Failed = l.NetError
	}
	return sso.Analyze(hops)
}
