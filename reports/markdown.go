package reports

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Markdown renders the report as GitHub-flavored Markdown for pasting into a
// ticket (Jira, ServiceNow, Zendesk, GitHub issues): the same sections as the
// HTML, no raw HTML, and every string from the report escaped so that a page
// title cannot turn into markup in someone's tracker.
func Markdown(r *Report) []byte {
	v := newView(r, nil)
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("# %s %s: %s\n\n", toneMark(v.Tone), mdText(v.Badge), mdText(r.Target.URL))
	p("**%s**\n\n", mdText(v.Verdict))
	if r.Diagnosis.Summary != "" {
		p("%s\n\n", mdBlock(r.Diagnosis.Summary))
	}
	p("- **URL:** %s\n", mdCode(r.Target.URL))
	if r.Target.FinalURL != "" && r.Target.FinalURL != r.Target.URL {
		p("- **Failing load ended at:** %s\n", mdCode(r.Target.FinalURL))
	}
	if r.Target.CorrectedURL != nil {
		p("- **Corrected URL:** %s\n", mdCode(*r.Target.CorrectedURL))
	}
	p("- **When:** %s · **Took:** %s · **Tool:** %s %s\n\n", v.When, v.Duration, mdText(r.Tool.Name), mdText(r.Tool.Version))

	if r.Outcome == Fixed {
		p("## Do this in the user's browser\n\n")
		if v.FixID == "url-check" && r.Target.CorrectedURL != nil {
			p("**Use this URL:** %s\n\n", mdCode(*r.Target.CorrectedURL))
		}
		if v.Fix != nil && v.Fix.Action != "" {
			p("**What fixed it here:** %s\n\n", mdText(v.Fix.Action))
		}
		for _, bf := range v.Browsers {
			p("**%s**\n\n", mdText(bf.Name))
			for i, s := range bf.Steps {
				p("%d. %s\n", i+1, mdRich(s))
			}
			p("\n")
		}
	} else {
		if r.Outcome == Healthy {
			p("## What to check on the user's side\n\n")
		} else {
			p("## What to do next\n\n")
		}
		for i, s := range r.Diagnosis.NextSteps {
			p("%d. %s\n", i+1, mdBlock(s))
		}
		if len(r.Diagnosis.NextSteps) == 0 {
			p("No next steps were suggested.\n")
		}
		p("\n")
		if c := r.Diagnosis.Contact; c != nil {
			p("**Escalate to the site owner:**\n\n")
			for _, l := range contactLines(c) {
				p("- %s %s\n", l.K+":", mdCode(l.V))
			}
			if r.Artifacts.Contact != "" {
				p("- A ready-to-send message: %s\n", mdCode(r.Artifacts.Contact))
			}
			p("\n")
		}
	}

	if len(v.Findings) > 0 {
		p("## What fix401 found\n\n")
		for _, f := range v.Findings {
			p("- **%s:** %s %s\n", f.Label, mdText(f.F.Title), mdCode(f.F.ID))
			if f.F.Detail != "" {
				p("  %s\n", mdText(f.F.Detail))
			}
			if len(f.Evidence) > 0 {
				var ev []string
				for _, e := range f.Evidence {
					ev = append(ev, e.K+": "+mdCode(e.V))
				}
				p("  - Evidence: %s\n", strings.Join(ev, " · "))
			}
		}
		p("\n")
	}

	p("## Steps\n\n")
	p("| | Step | Result | Load | Time |\n| --- | --- | --- | --- | ---: |\n")
	for _, s := range v.Steps {
		name := mdCell(s.Name)
		if !strings.EqualFold(s.Name, s.S.ID) {
			name += " " + mdCodeCell(s.S.ID)
		}
		label := s.Label
		if s.Fixing {
			label = "**fixed** ← the fix"
		}
		took := formatMS(s.S.DurationMS)
		if s.S.Result == Skipped {
			took = "–"
		}
		load := "–" // nothing loaded: skipped, an error, or url-check (its candidates are in its evidence)
		if s.Load != "" {
			load = mdCell(s.Load)
		}
		p("| %s | %s | %s | %s | %s |\n", s.Mark, name, label, load, took)
	}
	p("\n")
	// A reason is said once: after six remedies the same sentence six
	// times hides the one step whose result differs.
	lastReason := ""
	for _, s := range v.Steps {
		var parts []string
		if s.S.Action != "" {
			parts = append(parts, mdText(s.S.Action))
		}
		if s.S.SkipReason != nil {
			parts = append(parts, "Skipped: "+mdText(*s.S.SkipReason))
		}
		if s.S.Error != "" {
			parts = append(parts, "Error: "+mdText(s.S.Error))
		}
		if s.Reason != "" && s.Reason != lastReason {
			parts = append(parts, "Result: "+mdText(sentence(s.Reason)))
			lastReason = s.Reason
		}
		if len(parts) == 0 && len(s.Evidence) == 0 {
			continue
		}
		p("- **%s:** %s\n", mdText(s.Name), strings.Join(parts, " "))
		if len(s.Evidence) > 0 {
			var ev []string
			for _, e := range s.Evidence {
				ev = append(ev, mdCode(e.K)+" "+mdText(strings.ReplaceAll(e.V, "\n", "; ")))
			}
			p("  - Evidence: %s\n", strings.Join(ev, " · "))
		}
	}
	p("\n")

	if v.Before != nil {
		p("## Screenshots\n\nIn the report folder:\n\n")
		for _, sh := range []*shot{v.Before, v.After} {
			if sh != nil {
				p("- **%s:** %s (%s · %s)\n", sh.Label, mdCode(sh.Path), mdText(sh.Step), mdText(sh.Load))
			}
		}
		p("\n")
	}

	d := r.Diagnosis
	if v.Diag.Any {
		p("## What the server said\n\n")
		if len(d.HeaderLines) > 0 {
			var lines []string
			for _, l := range d.HeaderLines {
				lines = append(lines, d.Header+": "+l)
			}
			p("%s\n", mdFence(lines))
		}
		switch {
		case d.HeaderValid != nil && *d.HeaderValid:
			p("The header is well formed (RFC 9110 §11).\n\n")
		case d.HeaderValid != nil:
			p("**The header is malformed")
			if d.HeaderError != nil {
				p(": %s", mdText(*d.HeaderError))
			}
			p(".**\n\n")
		case d.HeaderError != nil:
			p("**%s**\n\n", mdText(*d.HeaderError))
		}
		if d.IISSubstatus != nil {
			p("- **IIS sub-status:** %s\n", mdText(iisLine(*d.IISSubstatus, d.IISMeaning)))
		}
		if d.BearerError != nil {
			p("- **Bearer error:** %s", mdCode(*d.BearerError))
			if d.BearerDesc != nil {
				p(" — %s", mdText(*d.BearerDesc))
			}
			p("\n")
		}
		if d.RetryAfterS != nil {
			p("- **Retry-After:** %d s\n", *d.RetryAfterS)
		}
		if d.Intermittent {
			p("- **Intermittent:** the failure did not repeat on every load\n")
		}
		if d.IISSubstatus != nil || d.BearerError != nil || d.RetryAfterS != nil || d.Intermittent {
			p("\n")
		}
		if v.Diag.Table() {
			cols := []string{"Scheme"}
			for _, c := range []struct {
				on   bool
				name string
			}{{v.Diag.Realm, "Realm"}, {v.Diag.Params, "Other parameters"}, {v.Diag.Token68, "token68"}} {
				if c.on {
					cols = append(cols, c.name)
				}
			}
			p("| %s |\n|%s\n", strings.Join(cols, " | "), strings.Repeat(" --- |", len(cols)))
			for _, c := range v.Diag.Challenges {
				row := []string{mdCell(c.Scheme)}
				if v.Diag.Realm {
					row = append(row, mdCell(c.Realm))
				}
				if v.Diag.Params {
					row = append(row, mdCodeCell(c.Params))
				}
				if v.Diag.Token68 {
					row = append(row, mdCodeCell(c.Token68))
				}
				p("| %s |\n", strings.Join(row, " | "))
			}
			p("\n")
		}
		for _, e := range d.Explanations {
			p("- %s\n", mdBlock(e))
		}
		for _, w := range d.Warnings {
			p("- ⚠ %s\n", mdText(w))
		}
		if len(d.Explanations)+len(d.Warnings) > 0 {
			p("\n")
		}
	}

	if len(v.SignIns) > 0 {
		p("## Sign-in redirects\n\nEach page the browser was sent to, in order; addresses without their parameters, cookies by name only.\n\n")
		for _, si := range v.SignIns {
			p("**%s**\n\n| # | Side | Request | Answer | Protocol | Cookies |\n| ---: | --- | --- | --- | --- | --- |\n", mdText(si.Title))
			for i, h := range si.Hops {
				var cookies []string
				if len(h.CookiesSet) > 0 {
					cookies = append(cookies, "sets "+strings.Join(h.CookiesSet, ", "))
				}
				if len(h.CookiesRefused) > 0 {
					cookies = append(cookies, "refused "+strings.Join(h.CookiesRefused, "; "))
				}
				p("| %d | %s | %s | %s | %s | %s |\n", i+1, mdCell(h.Side), mdCodeCell(strings.TrimSpace(h.Method+" "+h.Host+h.Path)), mdCell(h.HopStatus()),
					mdCell(h.Message), mdCell(strings.Join(cookies, "; ")))
			}
			p("\n")
		}
	}
	if len(v.Failing) > 0 {
		p("## Failing requests\n\n| URL | Method | Status | Type | Seen in |\n| --- | --- | ---: | --- | --- |\n")
		for _, f := range v.Failing {
			p("| %s | %s | %d | %s | %s |\n", mdCodeCell(f.URL), mdCell(f.Method), f.Status, mdCell(f.Type), mdCell(strings.Join(f.Seen, ", ")))
		}
		p("\n")
	}

	p("## Environment\n\n")
	for _, e := range v.Env {
		p("- **%s:** %s\n", e.K, mdText(e.V))
	}
	p("\n")

	if len(r.Log) > 0 {
		p("## Log\n\n")
		lines := make([]string, len(r.Log))
		for i, l := range r.Log {
			lines[i] = logLine(l)
		}
		p("%s\n", mdFence(lines))
	}
	p("---\nWritten by %s %s (%s).\n", mdText(r.Tool.Name), mdText(r.Tool.Version), r.Schema)
	return b.Bytes()
}

func toneMark(tone string) string {
	switch tone {
	case "good":
		return "✅"
	case "bad":
		return "❌"
	case "warn":
		return "⚠️"
	}
	return "ℹ️"
}

func contactLines(c *Contact) []pair {
	var out []pair
	if c.Page != "" {
		out = append(out, pair{"Contact page", c.Page})
	}
	for _, e := range c.Emails {
		out = append(out, pair{"Security contact (for security reports)", e})
	}
	if c.SecurityTxt != "" && len(out) == 0 && c.Webmaster == "" {
		// Only where nothing else was found: it is where the site says
		// whom to tell, not an address to send to.
		out = append(out, pair{"Security contacts, if the site publishes them (for security reports)", c.SecurityTxt})
	}
	if c.Webmaster != "" {
		out = append(out, pair{"Webmaster", c.Webmaster})
	}
	return out
}

func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

var (
	entityRE    = regexp.MustCompile(`^&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);`)
	orderedRE   = regexp.MustCompile(`^[0-9]+[.)]`)
	spaceRunsRE = regexp.MustCompile(`[\r\n\t]+`)
)

// mdText escapes untrusted text for the middle of a Markdown line or a
// table cell. It escapes only what Markdown would act on there, so that the
// raw text a tracker shows unrendered stays readable: underscores inside
// words (as in invalid_token) are left alone, since GFM does not emphasise
// them, and so is ">", which cannot close a tag once "<" is escaped.
func mdText(s string) string {
	s = spaceRunsRE.ReplaceAllString(s, " ")
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '\\', '`', '*', '[', ']', '<', '|', '~':
			b.WriteRune('\\')
		case '_':
			if i == 0 || i == len(rs)-1 || !isWord(rs[i-1]) || !isWord(rs[i+1]) {
				b.WriteRune('\\')
			}
		case '&':
			if entityRE.MatchString(string(rs[i:])) {
				b.WriteRune('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdBlock is mdText for text that starts a paragraph or a list item, where
// a leading "#", ">", "-" or "1." would start a heading, quote or list.
func mdBlock(s string) string {
	out := mdText(s)
	if out != "" && strings.ContainsRune("#>-+=", rune(out[0])) {
		return "\\" + out
	}
	if m := orderedRE.FindString(out); m != "" {
		return m[:len(m)-1] + "\\" + out[len(m)-1:]
	}
	return out
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// mdCell is mdText for a table cell; mdText already escapes the pipe, which
// GFM requires even inside a cell's code span.
func mdCell(s string) string {
	if s == "" {
		return " "
	}
	return mdText(s)
}

// mdCode puts s in a code span whose fence is longer than any run of
// backticks inside it, as CommonMark prescribes.
func mdCode(s string) string {
	s = spaceRunsRE.ReplaceAllString(s, " ")
	if s == "" {
		return ""
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdCodeCell is a code span inside a table row, where GFM splits cells at
// every unescaped pipe, code span or not.
func mdCodeCell(s string) string {
	if s == "" {
		return " "
	}
	return strings.ReplaceAll(mdCode(s), "|", `\|`)
}

// mdFence is a fenced code block that no line inside can close early.
func mdFence(lines []string) string {
	n := 3
	for _, l := range lines {
		n = max(n, longestRun(l, '`')+1)
	}
	fence := strings.Repeat("`", n)
	var b strings.Builder
	b.WriteString(fence + "text\n")
	for _, l := range lines {
		b.WriteString(spaceRunsRE.ReplaceAllString(l, " ") + "\n")
	}
	b.WriteString(fence + "\n")
	return b.String()
}

func longestRun(s string, c rune) int {
	best, cur := 0, 0
	for _, r := range s {
		if r == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// mdRich renders trusted instruction text, keeping its `code` parts as code.
func mdRich(s string) string {
	var b strings.Builder
	for i, seg := range segments(s) {
		if i%2 == 1 {
			b.WriteString(mdCode(seg))
		} else {
			b.WriteString(mdText(seg))
		}
	}
	return b.String()
}
