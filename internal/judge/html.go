package judge

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// FromHTML reads a Page's Title, Headings, Text and HasPasswordField out of
// raw HTML, the way the browser layer reads them from the live DOM. It is
// what tests feed real server pages through, and the fallback when the DOM
// cannot be read (a crashed renderer, a page that never became readable).
// Text approximates document.body.innerText: visible text only, with line
// breaks around blocks; scripts, styles and hidden elements are skipped.
func FromHTML(src string) Page {
	var p Page
	doc, err := html.Parse(strings.NewReader(src))
	if err != nil {
		// html.Parse only fails on reader errors, which a strings.Reader
		// never returns; keep the raw text rather than nothing.
		p.Text = strings.TrimSpace(src)
		return p
	}
	w := &walker{}
	w.walk(doc, false)
	p.Title = clean(w.title)
	p.Headings = w.headings
	p.Text = w.text()
	p.HasPasswordField = w.password
	return p
}

type walker struct {
	title     string
	haveTitle bool
	headings  []string
	password  bool
	lines     []string
	line      strings.Builder
}

func (w *walker) walk(n *html.Node, inBody bool) {
	switch n.Type {
	case html.TextNode:
		if inBody {
			w.line.WriteString(n.Data)
		}
		return
	case html.ElementNode:
		if n.Namespace != "" {
			// SVG and MathML: their <title> and <desc> are tooltips and
			// descriptions, neither the page's title nor visible text.
			switch strings.ToLower(n.Data) {
			case "title", "desc", "style", "script":
				return
			}
			if inBody {
				w.children(n, inBody)
			}
			return
		}
		switch n.DataAtom {
		case atom.Title:
			if !w.haveTitle {
				w.title, w.haveTitle = textOf(n), true
			}
			return
		case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Head:
			if n.DataAtom == atom.Head {
				w.children(n, false)
			}
			return
		case atom.Input:
			if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "password") {
				w.password = true
			}
			return
		case atom.Body:
			inBody = true
		case atom.H1, atom.H2, atom.H3:
			if inBody && !hidden(n) {
				if h := clean(textOf(n)); h != "" {
					w.headings = append(w.headings, h)
				}
			}
		case atom.Br:
			w.breakLine()
			return
		}
		if hidden(n) {
			// A hidden password field is still a password field (sign-in
			// forms reveal it on the next step); hidden text is not text.
			w.findPassword(n)
			return
		}
		block := blockElements[n.DataAtom]
		if block {
			w.breakLine()
		}
		w.children(n, inBody)
		if block {
			w.breakLine()
		}
		return
	}
	w.children(n, inBody)
}

func (w *walker) children(n *html.Node, inBody bool) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, inBody)
	}
}

func (w *walker) findPassword(n *html.Node) {
	if n.Type == html.ElementNode && n.DataAtom == atom.Input && strings.EqualFold(strings.TrimSpace(attr(n, "type")), "password") {
		w.password = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.findPassword(c)
	}
}

func (w *walker) breakLine() {
	if s := clean(w.line.String()); s != "" {
		w.lines = append(w.lines, s)
	}
	w.line.Reset()
}

func (w *walker) text() string {
	w.breakLine()
	return strings.Join(w.lines, "\n")
}

// textOf is the text content of n, as in the DOM's textContent.
func textOf(n *html.Node) string {
	var b strings.Builder
	var rec func(*html.Node)
	rec = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			return
		}
		if n.Type == html.ElementNode && (n.DataAtom == atom.Script || n.DataAtom == atom.Style) {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && c.DataAtom == atom.Br {
				b.WriteByte(' ')
			}
			rec(c)
		}
	}
	rec(n)
	return b.String()
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, name) {
			return a.Val
		}
	}
	return ""
}

// hidden is the part of CSS visibility that can be seen without a layout
// engine: the hidden attribute and inline display:none.
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "style":
			s := strings.ReplaceAll(strings.ToLower(a.Val), " ", "")
			if strings.Contains(s, "display:none") || strings.Contains(s, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

var blockElements = map[atom.Atom]bool{
	atom.Address: true, atom.Article: true, atom.Aside: true, atom.Blockquote: true, atom.Center: true,
	atom.Dd: true, atom.Details: true, atom.Dialog: true, atom.Div: true, atom.Dl: true, atom.Dt: true,
	atom.Fieldset: true, atom.Figcaption: true, atom.Figure: true, atom.Footer: true, atom.Form: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Header: true, atom.Hr: true, atom.Li: true, atom.Main: true, atom.Nav: true, atom.Ol: true,
	atom.P: true, atom.Pre: true, atom.Section: true, atom.Summary: true, atom.Table: true,
	atom.Tr: true, atom.Td: true, atom.Th: true, atom.Ul: true, atom.Body: true, atom.Html: true,
	atom.Caption: true, atom.Legend: true, atom.Option: true,
}
