package har

import (
	"context"
	"errors"
	"fmt"
	"github.com/fix401/fix401/internal/testbrowser"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fix401/fix401/internal/browser"
)

// TestChromiumDevToolsImportsHAR imports a real run's HAR into Chromium's own
// DevTools, through the code behind the Network panel's "Import HAR file"
// button, and checks that DevTools reads back what we wrote. The schema
// tests say that the file is well-formed; this one says that the person we
// send it to can open it: DevTools' importer throws on dates and numbers it
// cannot parse, reads our _underscore fields, and is what the file is for.
func TestChromiumDevToolsImportsHAR(t *testing.T) {
	base := startLab(t)
	site := cookieSite(t)
	r := &run{t: t, s: newSession(t)}
	// No trailing slash: a 301 hop, then the Basic challenge, which the tab
	// cancels, so that the 401 page and its body are kept.
	if l := r.load(base + "/s/basic"); l.Status != 401 || !l.Redirected {
		t.Fatalf("basic without a slash: status %d, redirected %v", l.Status, l.Redirected)
	}
	// Cookies both ways, an Authorization header, and a Bearer 401 page.
	r.load(site + "/set")
	if l := r.load(site + "/echo"); l.Status != 401 {
		t.Fatalf("echo: status %d", l.Status)
	}
	if l := r.load(refusedURL(t)); l.NetError == "" {
		t.Fatalf("refused: the load did not fail")
	}
	f, data := r.build("devtools-import", Options{Secrets: []string{"wonderland"}})

	res := importInDevTools(t, data)
	for _, e := range res.Errors {
		t.Errorf("DevTools: %s", e)
	}
	if len(res.Requests) != len(f.Log.Entries) {
		t.Fatalf("DevTools imported %d requests from %d entries", len(res.Requests), len(f.Log.Entries))
	}

	// The importer sorts entries by startedDateTime, stably, and ours are in
	// that order already (checkRules): request i is entry i.
	pageOf := map[string]int{} // pageref → DevTools' page load id
	var hops, pages401, failed int
	for i, e := range f.Log.Entries {
		q := res.Requests[i]
		name := fmt.Sprintf("entry %d (%s %s)", i, e.Request.Method, e.Request.URL)
		if q.URL != e.Request.URL || q.Method != e.Request.Method || q.Status != e.Response.Status {
			t.Errorf("%s: DevTools read %s %s, status %d; the HAR says status %d", name, q.Method, q.URL, q.Status, e.Response.Status)
		}
		if e.ResourceType != "" && q.ResourceType != e.ResourceType {
			t.Errorf("%s: _resourceType %q read as %q", name, e.ResourceType, q.ResourceType)
		}
		// "x-unknown" is DevTools' own "no type", which it does not import.
		if mt := e.Response.Content.MimeType; mt != "x-unknown" && q.MimeType != mt {
			t.Errorf("%s: mimeType %q read as %q", name, mt, q.MimeType)
		}
		if q.RequestHeaders != len(e.Request.Headers) || q.ResponseHeaders != len(e.Response.Headers) {
			t.Errorf("%s: %d/%d request/response headers read from %d/%d", name,
				q.RequestHeaders, q.ResponseHeaders, len(e.Request.Headers), len(e.Response.Headers))
		}
		if q.RequestCookies != len(e.Request.Cookies) || q.ResponseCookies != len(e.Response.Cookies) {
			t.Errorf("%s: %d/%d request/response cookies read from %d/%d", name,
				q.RequestCookies, q.ResponseCookies, len(e.Request.Cookies), len(e.Response.Cookies))
		}
		if e.ServerIPAddress != "" && q.RemoteAddress != e.ServerIPAddress+":"+e.Connection {
			t.Errorf("%s: remote address %q, the HAR says %s port %s", name, q.RemoteAddress, e.ServerIPAddress, e.Connection)
		}
		// The Time column and the waterfall come from these two.
		if started, err := time.Parse(time.RFC3339Nano, e.StartedDateTime); err != nil {
			t.Errorf("%s: %v", name, err)
		} else if d := q.Start - float64(started.UnixMilli()); math.Abs(d) > 0.5 {
			t.Errorf("%s: starts at %v ms, the HAR says %s", name, q.Start, e.StartedDateTime)
		}
		if math.Abs(q.Duration-e.Time) > 0.01 {
			t.Errorf("%s: lasts %v ms, the HAR says %v", name, q.Duration, e.Time)
		}
		// Entries of one HAR page make one DevTools page load, and the other
		// way round.
		if id, ok := pageOf[e.Pageref]; !ok {
			for ref, other := range pageOf {
				if other == q.Page {
					t.Errorf("%s: pages %s and %s are one page load in DevTools", name, ref, e.Pageref)
				}
			}
			pageOf[e.Pageref] = q.Page
		} else if id != q.Page {
			t.Errorf("%s: page %s is split across DevTools page loads", name, e.Pageref)
		}
		if q.Page == 0 {
			t.Errorf("%s: no DevTools page load for %s", name, e.Pageref)
		}

		if e.Response.Status > 0 {
			// Both test servers speak HTTP/1.1; DevTools calls it http/1.1.
			if q.Protocol != "http/1.1" {
				t.Errorf("%s: httpVersion %q read as protocol %q", name, e.Response.HTTPVersion, q.Protocol)
			}
			if want := strconv.Itoa(e.Response.Status); q.Shown != want {
				t.Errorf("%s: the Network panel's status cell reads %q, not %s", name, q.Shown, want)
			}
		}
		switch {
		case e.Response.Status >= 300 && e.Response.Status < 400:
			hops++
			if q.Location == "" {
				t.Errorf("%s: a redirect without a Location header in DevTools", name)
			}
		case e.Response.Status == 401 && e.ResourceType == "document":
			pages401++
			if q.WWWAuthenticate == "" {
				t.Errorf("%s: no WWW-Authenticate header in DevTools", name)
			}
			// What the Response tab shows: the page the server sent.
			switch {
			case e.Response.Content.Text == "" || e.Response.Content.Encoding != "":
				t.Errorf("%s: the HAR has no text body (encoding %q)", name, e.Response.Content.Encoding)
			case q.Body == nil:
				t.Errorf("%s: DevTools has no body", name)
			case *q.Body != e.Response.Content.Text:
				t.Errorf("%s: DevTools' body %q differs from the HAR's %q", name, *q.Body, e.Response.Content.Text)
			}
		case e.Response.Error != "":
			failed++
			// DevTools' importer does not read _error (nor its own exports'),
			// so the panel cannot say "(failed)": the row is all there is.
			t.Logf("%s: %s shows in DevTools as status %q", name, e.Response.Error, q.Shown)
		}
	}
	if hops == 0 || pages401 != 2 || failed == 0 {
		t.Errorf("redirect hops %d, 401 pages %d (want 2), failed requests %d", hops, pages401, failed)
	}
}

// devtoolsImport is what DevTools made of a HAR file.
type devtoolsImport struct {
	// Errors are the exceptions thrown and the errors DevTools logged (a
	// file it rejects is only an error message in its console).
	Errors   []string          `json:"errors"`
	Requests []devtoolsRequest `json:"requests"` // DevTools' network log
}

// devtoolsRequest is one imported request, as SDK.NetworkRequest's own
// accessors say it.
type devtoolsRequest struct {
	URL             string  `json:"url"`
	Method          string  `json:"method"`
	Status          int     `json:"status"`
	ResourceType    string  `json:"resourceType"`
	MimeType        string  `json:"mimeType"`
	Protocol        string  `json:"protocol"`
	RemoteAddress   string  `json:"remoteAddress"`
	RequestHeaders  int     `json:"requestHeaders"`
	ResponseHeaders int     `json:"responseHeaders"`
	RequestCookies  int     `json:"requestCookies"`
	ResponseCookies int     `json:"responseCookies"`
	WWWAuthenticate string  `json:"wwwAuthenticate"`
	Location        string  `json:"location"`
	Body            *string `json:"body"`     // nil when DevTools has none
	Start           float64 `json:"start"`    // ms since the epoch
	Duration        float64 `json:"duration"` // ms
	Page            int     `json:"page"`     // its page load's id; 0 for none
	Shown           string  `json:"shown"`    // the status cell of its row in the Network panel
}

// importScript runs in DevTools' own page and does what the Network panel
// does with a file dropped on it or picked with "Import HAR file":
// NetworkLogView.onLoadFromFile reads it, builds HAR.HARFormat.HARRoot from
// it (which throws on what it cannot read), turns its log into requests with
// HAR.Importer.Importer.requestsFromHARLog, and puts them into the
// NetworkLog that the panel shows. The modules are those DevTools itself
// loaded, so they share its state (settings, the network log).
const importScript = `async function (text) {
  const B = "devtools://devtools/bundled/";
  const [main, ui, common, sdk, logs, network] = await Promise.all([
    "entrypoints/main/main.js", "ui/legacy/legacy.js", "core/common/common.js",
    "core/sdk/sdk.js", "models/logs/logs.js", "panels/network/network.js",
  ].map(p => import(B + p)));
  // The panel needs the app's settings and views: wait for it to start, as
  // DevTools' own tests do.
  for (let i = 0; !main.MainImpl.MainImpl.instanceForTest; i++) {
    if (i === 500) throw new Error("DevTools did not start");
    await new Promise(r => setTimeout(r, 20));
  }
  await main.MainImpl.MainImpl.instanceForTest.readyForTest();

  const errors = [];
  addEventListener("error", e => errors.push(String(e.error?.stack ?? e.message)));
  addEventListener("unhandledrejection", e => errors.push(String(e.reason?.stack ?? e.reason)));
  const devtoolsConsole = common.Console.Console.instance();
  const logged = devtoolsConsole.messages().length;

  await ui.ViewManager.ViewManager.instance().showView("network");
  const view = network.NetworkPanel.NetworkPanel.instance().networkLogView;
  await view.onLoadFromFile(new File([text], "fix401.har", {type: "application/json"}));
  // Draw the rows now rather than on the next frame, so that what the
  // panel shows is part of the test and any error in drawing it is caught.
  view.refresh();
  for (const m of devtoolsConsole.messages().slice(logged)) {
    if (m.level === "error") errors.push(m.text);
  }

  const shown = new Map();
  for (const node of view.dataGrid.rootNode().flatChildren()) {
    const cell = node.element().querySelector("td.status-column");
    if (node.request && cell) shown.set(node.request(), cell.innerText.trim());
  }
  const requests = [];
  for (const r of logs.NetworkLog.NetworkLog.instance().requests()) {
    const content = await r.requestContentData();
    requests.push({
      url: r.url(), method: r.requestMethod, status: r.statusCode,
      resourceType: r.resourceType().name(), mimeType: r.mimeType, protocol: r.protocol,
      remoteAddress: r.remoteAddress(),
      requestHeaders: r.requestHeaders().length, responseHeaders: r.responseHeaders.length,
      requestCookies: r.includedRequestCookies().length, responseCookies: r.responseCookies.length,
      wwwAuthenticate: r.responseHeaderValue("WWW-Authenticate"),
      location: r.responseHeaderValue("Location"),
      body: content.error || !content.isTextContent ? null : content.text,
      start: r.startTime * 1000, duration: (r.endTime - r.startTime) * 1000,
      page: sdk.PageLoad.PageLoad.forRequest(r)?.id ?? 0,
      shown: shown.get(r),
    });
  }
  return {errors, requests};
}`

// importInDevTools opens DevTools' frontend, which Chromium bundles, in a
// browser of its own, and imports data there with importScript. The
// browser package only drives pages as the agent does and has no way to run
// a script of ours, hence chromedp here; the browser is the one the shared
// one was started from, with the same switches (the network is closed).
func importInDevTools(t *testing.T, data []byte) *devtoolsImport {
	t.Helper()
	// One folder for the profile and Chromium's temporary files, removed at
	// the end, as browser.Launch does.
	dir, err := os.MkdirTemp("", "fix401-devtools-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeAll(t, dir) })
	profile, tmp := filepath.Join(dir, "profile"), filepath.Join(dir, "t")
	for _, d := range []string{profile, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	bo := browser.Options{ExecPath: testbrowser.Get(t).Options().ExecPath}
	// Chromium's singleton socket lives in TMPDIR, and socket paths are
	// short: keep the system's where ours would be too long (macOS).
	if len(tmp)+len("/org.chromium.Chromium.XXXXXX/SingletonSocket") < 100 {
		bo.Env = []string{"TMPDIR=" + tmp, "TMP=" + tmp, "TEMP=" + tmp}
	}
	opts := browser.Flags(bo, profile)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	// Cleanups run last first: the browser ends (cancelAlloc waits for it)
	// before its folder is removed.
	t.Cleanup(func() { cancel(); cancelAlloc() })
	ctx, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()

	// devtools:// is DevTools' own origin: its modules cannot be imported
	// from a web page, but a tab of the browser can be sent there. The full
	// app, not a bare module, because the panel's import needs its settings.
	const app = "devtools://devtools/bundled/devtools_app.html"
	if err := chromedp.Do(ctx, chromedp.Navigate(app)); err != nil {
		if le := (*chromedp.LoadError)(nil); errors.As(err, &le) {
			t.Skipf("%s has no DevTools frontend to import the HAR in (chrome-headless-shell has none): %v", testbrowser.Get(t).Product(), err)
		}
		t.Fatalf("opening %s: %v", app, err)
	}
	// CallFunctionOn passes the file as an argument, not as source text,
	// and needs an object to call on: the page's global will do.
	global, err := chromedp.Run(ctx, chromedp.Evaluate[*runtime.RemoteObject](`globalThis`))
	if err != nil {
		t.Fatal(err)
	}
	res, err := chromedp.Run(ctx, chromedp.CallFunctionOn[*devtoolsImport](importScript,
		func(p *runtime.CallFunctionOnParams) { p.ObjectID, p.AwaitPromise = global.ObjectID, new(true) },
		string(data)))
	if err != nil {
		t.Fatalf("importing the HAR in DevTools: %v", err)
	}
	return res
}

// removeAll removes dir, trying again for a while: Chromium's helpers can
// outlive the main process by a moment and keep writing into the profile.
func removeAll(t *testing.T, dir string) {
	var err error
	for range 50 {
		if err = os.RemoveAll(dir); err == nil {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("removing %s: %v", dir, err)
}
