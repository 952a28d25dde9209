package reports

import (
	"bytes"
	"embed"
	"encoding/base64"
	"html/template"
	"reflect"
	"strings"
)

//go:embed templates/report.html.tmpl
var templateFS embed.FS

// htmlTemplate is parsed once; a broken template is a build-time mistake,
// so it panics at start-up rather than on the first report.
var htmlTemplate = template.Must(template.New("report.html.tmpl").Funcs(template.FuncMap{
	"rich":    richHTML,
	"img":     imgURL,
	"deref":   deref,
	"join":    strings.Join,
	"eqFold":  strings.EqualFold,
	"logLine": logLine,
	"ms":      formatMS,
}).ParseFS(templateFS, "templates/report.html.tmpl"))

// HTML renders the report as one self-contained page: styles inline, the
// before and after screenshots inlined from files (keyed by the relative
// paths in Load.Screenshot), and a Content-Security-Policy that lets the
// page fetch nothing, so opening a report attached to a ticket contacts no
// server. Every string from the report is escaped: page titles, headers and
// URLs come from the site under diagnosis and are not to be trusted.
func HTML(r *Report, files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := htmlTemplate.Execute(&buf, newView(r, files)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// richHTML renders trusted instruction text, showing `quoted` parts as code
// and menu paths with a narrow arrow, which wraps better in the narrow
// browser columns. Each part is still escaped, so this is the only markup
// it adds.
func richHTML(s string) template.HTML {
	var b strings.Builder
	for i, seg := range segments(s) {
		if i%2 == 1 {
			// Long addresses such as chrome://settings/content/all break
			// after a slash rather than mid-word in the narrow columns.
			b.WriteString("<code>" + strings.ReplaceAll(template.HTMLEscapeString(seg), "/", "/<wbr>") + "</code>")
		} else {
			b.WriteString(strings.ReplaceAll(template.HTMLEscapeString(seg), " &gt; ", "\u00a0› "))
		}
	}
	return template.HTML(b.String())
}

// imgURL is the only URL the template does not check itself: a data: URI
// built here from bytes whose media type was sniffed as an image.
func imgURL(sh *shot) template.URL {
	if sh == nil || sh.Type == "" {
		return ""
	}
	return template.URL("data:" + sh.Type + ";base64," + base64.StdEncoding.EncodeToString(sh.Data))
}

// deref lets the template print the schema's nullable fields.
func deref(p any) any {
	v := reflect.ValueOf(p)
	if v.Kind() != reflect.Pointer {
		return p
	}
	if v.IsNil() {
		return ""
	}
	return v.Elem().Interface()
}
