package reports

// Browsers are the browsers the fix is explained for, in the order the
// renderers show them.
var Browsers = []string{"Chrome", "Edge", "Firefox", "Safari"}

// The OS flush is the same advice in every browser's column, because Chrome,
// Edge and Firefox keep their own host cache on top of the system's.
const flushOS = "Flush the system DNS cache: Windows `ipconfig /flushdns`; macOS `sudo dscacheutil -flushcache; sudo killall -HUP mDNSResponder`; Linux `resolvectl flush-caches`"

// instructions are kept as data, not prose in a template, so that the HTML
// and Markdown reports give the reader exactly the same words. Menu paths are
// those of current desktop releases; text in backticks is something to type.
var instructions = map[string]map[string][]string{
	"url-check": {
		"Chrome": {
			"Open the corrected URL shown in this report, pasted exactly into the address bar",
			"Fix bookmarks that point to the old address (Ctrl+Shift+O, Cmd+Option+B on Mac)",
			"Remove the wrong address from the suggestions: highlight it in the address bar and press Shift+Delete (Shift+Fn+Delete on Mac)",
		},
		"Edge": {
			"Open the corrected URL shown in this report, pasted exactly into the address bar",
			"Fix favorites that point to the old address (Ctrl+Shift+O)",
			"Remove the wrong address from the suggestions: highlight it in the address bar and press Shift+Delete",
		},
		"Firefox": {
			"Open the corrected URL shown in this report, pasted exactly into the address bar",
			"Fix bookmarks that point to the old address (Ctrl+Shift+O, Cmd+Shift+O on Mac)",
			"Remove the wrong address from the suggestions: highlight it in the address bar and press Shift+Delete (Shift+Fn+Delete on Mac)",
		},
		"Safari": {
			"Open the corrected URL shown in this report, pasted exactly into the address bar",
			"Fix bookmarks that point to the old address (Bookmarks > Edit Bookmarks, Option+Cmd+B)",
			"Remove the wrong address from History > Show All History so it stops being suggested",
		},
	},
	"reload": {
		"Chrome": {
			"Press F5 or Ctrl+R (Cmd+R on Mac)",
			"If the page asked to wait (a rate limit), wait that long before reloading",
		},
		"Edge": {
			"Press F5 or Ctrl+R",
			"If the page asked to wait (a rate limit), wait that long before reloading",
		},
		"Firefox": {
			"Press F5 or Ctrl+R (Cmd+R on Mac)",
			"If the page asked to wait (a rate limit), wait that long before reloading",
		},
		"Safari": {
			"Press Cmd+R, or click the reload arrow in the address bar",
			"If the page asked to wait (a rate limit), wait that long before reloading",
		},
	},
	"clear-cache": {
		"Chrome": {
			"Settings > Privacy and security > Delete browsing data (shortcut Ctrl+Shift+Delete, Cmd+Shift+Delete on Mac)",
			"Time range: All time",
			"Tick only \"Cached images and files\", then Delete data",
			"Reload the page",
		},
		"Edge": {
			"Settings > Privacy, search, and services > Delete browsing data > Choose what to clear (shortcut Ctrl+Shift+Delete)",
			"Time range: All time",
			"Tick only \"Cached images and files\", then Clear now",
			"Reload the page",
		},
		"Firefox": {
			"Settings > Privacy & Security > Cookies and Site Data > Clear Data… (shortcut Ctrl+Shift+Delete, Cmd+Shift+Delete on Mac)",
			"Time range: Everything",
			"Tick only \"Temporary cached files and pages\" (\"Cached Web Content\" in older versions), then Clear",
			"Reload the page",
		},
		"Safari": {
			"Safari > Settings > Advanced: tick \"Show features for web developers\" (\"Show Develop menu\" in older versions)",
			"Develop > Empty Caches (Option+Cmd+E)",
			"Reload the page",
		},
	},
	"clear-cookies": {
		"Chrome": {
			"Open the site, click the icon left of the address (View site information)",
			"Cookies and site data > Manage on-device site data",
			"Delete every entry shown (trash icons), then reload the page",
			"Or open `chrome://settings/content/all`, search the site, Delete data",
		},
		"Edge": {
			"Settings > Cookies and site permissions > Manage and delete cookies and site data > See all cookies and site data",
			"Search for the site's host name",
			"Remove every entry shown (trash icon), then reload the page",
		},
		"Firefox": {
			"Open the site, click the padlock left of the address",
			"Clear cookies and site data… > Remove",
			"Reload the page",
		},
		"Safari": {
			"Safari > Settings > Privacy > Manage Website Data…",
			"Search for the site's host name, select it, Remove, Done",
			"Reload the page",
		},
	},
	"fresh-profile": {
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
	},
	"dns-flush": {
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
	},
	"relogin": {
		"Chrome": {
			"Sign out of the site, or close every Chrome window (that forgets a browser sign-in prompt's password)",
			"Open the page again and sign in with the right account",
			"If Chrome fills in a wrong password: Settings > Autofill and passwords > Google Password Manager, search the site, delete the entry",
		},
		"Edge": {
			"Sign out of the site, or close every Edge window (that forgets a browser sign-in prompt's password)",
			"Open the page again and sign in with the right account",
			"If Edge fills in a wrong password: Settings > Profiles > Passwords, search the site, delete the entry",
		},
		"Firefox": {
			"Sign out of the site, or quit Firefox (that forgets a browser sign-in prompt's password)",
			"Open the page again and sign in with the right account",
			"If Firefox fills in a wrong password: open `about:logins`, search the site, Remove",
		},
		"Safari": {
			"Sign out of the site, or quit Safari (Cmd+Q)",
			"Open the page again and sign in with the right account",
			"If Safari fills in a wrong password: Safari > Settings > Passwords (the Passwords app on macOS 15), search the site, delete the entry",
		},
	},
	"via-proxy": {
		"Chrome": {
			"Connect the company VPN (or disconnect it if it was on), or try another network such as a phone hotspot",
			"Chrome uses the system proxy: Settings > System > Open your computer's proxy settings",
			"Reload the page",
		},
		"Edge": {
			"Connect the company VPN (or disconnect it if it was on), or try another network such as a phone hotspot",
			"Edge uses the system proxy: Settings > System and performance > Open your computer's proxy settings",
			"Reload the page",
		},
		"Firefox": {
			"Connect the company VPN (or disconnect it if it was on), or try another network such as a phone hotspot",
			"Check the proxy: Settings > General > Network Settings > Settings…",
			"Reload the page",
		},
		"Safari": {
			"Connect the company VPN (or disconnect it if it was on), or try another network such as a phone hotspot",
			"Safari uses the system proxy: System Settings > Network > (the network) > Details > Proxies",
			"Reload the page",
		},
	},
}

// Instructions returns, for the step that fixed the page, what the reader
// should do in each of Browsers, as short steps. It returns nil for steps
// that have nothing a person can repeat (reproduce, unknown ids). The
// result is a copy: callers may change it.
func Instructions(stepID string) map[string][]string {
	src, ok := instructions[stepID]
	if !ok {
		return nil
	}
	out := make(map[string][]string, len(src))
	for b, steps := range src {
		out[b] = append([]string(nil), steps...)
	}
	return out
}
