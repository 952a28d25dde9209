package testhar

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/fix401/fix401/internal/browser"
	"github.com/fix401/fix401/internal/testbrowser"
)

// DevToolsImport is what DevTools made of a HAR file.
type DevToolsImport struct {
	// Errors are the exceptions thrown and the errors DevTools logged (a
	// file it rejects is only an error message in its console).
	Errors   []string          `json:"errors"`
	Requests []DevToolsRequest `json:"requests"` // DevTools' network log
}

// DevToolsRequest is one imported request, as SDK.NetworkRequest's own
// accessors say it.
type DevToolsRequest struct {
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

// ImportIntoDevTools opens DevTools' frontend, which Chromium bundles, in a
// browser of its own, and imports data there with importScript. The
// browser package only drives pages as the agent does and has no way to run
// a script of ours, hence chromedp here; the browser is the one the shared
// one was started from, with the same switches (the network is closed).
func ImportIntoDevTools(t testing.TB, data []byte) *DevToolsImport {
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
	res, err := chromedp.Run(ctx, chromedp.CallFunctionOn[*DevToolsImport](importScript,
		func(p *runtime.CallFunctionOnParams) { p.ObjectID, p.AwaitPromise = global.ObjectID, new(true) },
		string(data)))
	if err != nil {
		t.Fatalf("importing the HAR in DevTools: %v", err)
	}
	return res
}
