package lab

import (
	"html"
	"net/http"
	"strings"
)

// iisError is one of IIS 10's "Detailed Error" pages. Several scenarios
// imitate IIS, each with another sub-status; the layout and most of the
// wording are IIS's own, so that a person who has met the real page
// recognises it and fix401 can read the sub-status from it.
type iisError struct {
	code     string // "401.2"
	summary  string // the line under the heading
	causes   []string
	tries    []string
	module   string
	notify   string
	handler  string
	errCode  string
	logon    string // Logon Method
	user     string // Logon User
	moreInfo string
	kb       []string // Microsoft Knowledge Base article numbers
}

// iisHeaders sets the headers every IIS page of the lab has.
func iisHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Server", "Microsoft-IIS/10.0")
	h.Set("X-Powered-By", "ASP.NET")
}

func iisList(items []string) string {
	var b strings.Builder
	b.WriteString("<ul> ")
	for _, it := range items {
		b.WriteString("\t<li>" + it + "</li> ")
	}
	b.WriteString("</ul>")
	return b.String()
}

// page renders the error for request r, whose URL and physical path the
// page shows as IIS does.
func (e iisError) page(r *http.Request) page {
	host, port := hostPort(r)
	url := "http://" + host + ":" + port + r.URL.Path
	phys := `C:\inetpub\wwwroot` + strings.ReplaceAll(strings.TrimSuffix(r.URL.Path, "/"), "/", `\`)
	var kb strings.Builder
	for _, n := range e.kb {
		kb.WriteString("<li>" + n + "</li>")
	}
	return page{
		Title: "IIS 10.0 Detailed Error - " + e.code + " - Unauthorized",
		CSS:   iisCSS,
		Body: `<div id="content">
<div class="content-container">
  <h3>HTTP Error ` + e.code + ` - Unauthorized</h3>
  <h4>` + e.summary + `</h4>
</div>
<div class="content-container">
 <fieldset><h4>Most likely causes:</h4>
  ` + iisList(e.causes) + `
 </fieldset>
</div>
<div class="content-container">
 <fieldset><h4>Things you can try:</h4>
  ` + iisList(e.tries) + `
 </fieldset>
</div>
<div class="content-container">
 <fieldset><h4>Detailed Error Information:</h4>
  <div id="details-left">
   <table border="0" cellpadding="0" cellspacing="0">
    <tr class="alt"><th>Module</th><td>&nbsp;&nbsp;&nbsp;` + e.module + `</td></tr>
    <tr><th>Notification</th><td>&nbsp;&nbsp;&nbsp;` + e.notify + `</td></tr>
    <tr class="alt"><th>Handler</th><td>&nbsp;&nbsp;&nbsp;` + e.handler + `</td></tr>
    <tr><th>Error Code</th><td>&nbsp;&nbsp;&nbsp;` + e.errCode + `</td></tr>
   </table>
  </div>
  <div id="details-right">
   <table border="0" cellpadding="0" cellspacing="0">
    <tr class="alt"><th>Requested URL</th><td>&nbsp;&nbsp;&nbsp;` + html.EscapeString(url) + `</td></tr>
    <tr><th>Physical Path</th><td>&nbsp;&nbsp;&nbsp;` + html.EscapeString(phys) + `</td></tr>
    <tr class="alt"><th>Logon Method</th><td>&nbsp;&nbsp;&nbsp;` + e.logon + `</td></tr>
    <tr><th>Logon User</th><td>&nbsp;&nbsp;&nbsp;` + e.user + `</td></tr>
   </table>
   <div class="clear"></div>
  </div>
 </fieldset>
</div>
<div class="content-container">
 <fieldset><h4>More Information:</h4>
  ` + e.moreInfo + `
  <p>Microsoft Knowledge Base Articles:</p>
  <ul>` + kb.String() + `</ul>
 </fieldset>
</div>
</div>`,
	}
}

// iis401_2 is what IIS shows when anonymous access is off and the request
// brought no credentials it accepts.
var iis401_2 = iisError{
	code:    "401.2",
	summary: "You are not authorized to view this page due to invalid authentication headers.",
	causes: []string{
		"No authentication protocol (including anonymous) is selected in IIS.",
		"Only integrated authentication is enabled, and a client browser was used that does not support integrated authentication.",
		"Integrated authentication is enabled and the request was sent through a proxy that changed the authentication headers before they reach the Web server.",
		"The Web server is not configured for anonymous access and a required authorization header was not received.",
		`The "configuration/system.webServer/authorization" configuration section may be explicitly denying the user access.`,
	},
	tries: []string{
		"Verify the authentication setting for the resource and then try requesting the resource using that authentication method.",
		"Verify that the client browser supports Integrated authentication.",
		"Verify that the request is not going through a proxy when Integrated authentication is used.",
		`Verify that the user is not explicitly denied access in the "configuration/system.webServer/authorization" configuration section.`,
		"Check the failed request tracing logs for additional information about this error.",
	},
	module:   "IIS Web Core",
	notify:   "AuthenticateRequest",
	handler:  "StaticFile",
	errCode:  "0x80070005",
	logon:    "Not yet determined",
	user:     "Not yet determined",
	moreInfo: "This error occurs when the WWW-Authenticate header sent to the Web server is not supported by the server configuration. Check the authentication method for the resource, and verify which authentication method the client used. The error occurs when the authentication methods are different. To determine which type of authentication the client is using, check the authentication settings for the client.",
	kb:       []string{"907273", "253667"},
}

// iis401_1 is a failed logon: IIS got credentials (or an NTLM exchange)
// and the logon did not succeed.
var iis401_1 = iisError{
	code:    "401.1",
	summary: "You do not have permission to view this directory or page using the credentials that you supplied.",
	causes: []string{
		"The username supplied to IIS is invalid.",
		"The password supplied to IIS was not typed correctly.",
		"Incorrect credentials were cached by the client browser.",
		"IIS could not verify the identity of the username and password provided.",
		"The resource is configured for Anonymous authentication, but the configured anonymous account either has an invalid password or was disabled.",
		"The server is configured to deny login privileges to the authenticating user or the group in which the user is a member.",
		"Invalid Kerberos configuration may be the cause if all of the following are true:\n<ul><li>Integrated authentication was used.</li><li>the application pool identity is a custom account.</li><li>the server is a member of a domain.</li></ul>",
	},
	tries: []string{
		"Verify that the username and password are correct, and are not cached by the client browser.",
		"If using Integrated authentication, verify that the application pool identity has permissions to the resource.",
		"Check the failed request tracing logs for additional information about this error.",
	},
	module:   "WindowsAuthenticationModule",
	notify:   "AuthenticateRequest",
	handler:  "ExtensionlessUrlHandler-Integrated-4.0",
	errCode:  "0xc000006d",
	logon:    "NTLM",
	user:     "Not yet determined",
	moreInfo: "This error occurs when the credentials sent to the Web server could not be verified: the logon failed. Check the username and password, and for Windows authentication the Kerberos or NTLM configuration of the server and the domain.",
	kb:       []string{"907273", "253667"},
}

// iis401_503 is IIS's "IP Address and Domain Restrictions" with its deny
// action set to Unauthorized: the address, not the user, is refused.
var iis401_503 = iisError{
	code:    "401.503",
	summary: "You have been denied access by the IP address restriction configured on this Web server.",
	causes: []string{
		"The IP address of the client is in the deny list of the IP Address and Domain Restrictions feature.",
		"The server allows only listed IP addresses and the client address is not among them.",
		"The request reached the server through a network, VPN or proxy whose address is not allowed.",
	},
	tries: []string{
		"Connect from a network whose address the server allows, for example the company network or its VPN.",
		"Ask the administrator of the Web server to allow your IP address.",
		"Check the failed request tracing logs for additional information about this error.",
	},
	module:   "IpRestrictionModule",
	notify:   "BeginRequest",
	handler:  "ExtensionlessUrlHandler-Integrated-4.0",
	errCode:  "0x80070005",
	logon:    "Not yet determined",
	user:     "Not yet determined",
	moreInfo: "This error occurs when the IP Address and Domain Restrictions feature denies the client address and its deny action is set to Unauthorized. Signing in again does not help: the request must come from an allowed address.",
	kb:       []string{"942045"},
}

// iisCSS is a trimmed copy of the stylesheet IIS embeds in its detailed
// error pages, so that a screenshot of this scenario looks like the real
// thing.
const iisCSS = `body{margin:0;font-size:.7em;font-family:Verdana,Arial,Helvetica,sans-serif;}
code{margin:0;color:#006600;font-size:1.1em;font-weight:bold;}
pre{margin:0;font-size:1.4em;word-wrap:break-word;}
ul,ol{margin:10px 0 10px 5px;}
fieldset{padding:0 15px 10px 15px;word-break:break-all;}
legend{color:#333333;margin:4px 0 8px -12px;font-weight:bold;font-size:1em;}
a:link,a:visited{color:#007EFF;font-weight:bold;}
a:hover{text-decoration:none;}
h1{font-size:2.4em;margin:0;color:#FFF;}
h2{font-size:1.7em;margin:0;color:#CC0000;}
h3{font-size:1.4em;margin:10px 0 0 0;color:#CC0000;}
h4{font-size:1.2em;margin:10px 0 5px 0;}
#content{margin:0 0 0 2%;position:relative;}
.summary-container,.content-container{background:#FFF;width:96%;margin-top:8px;padding:10px;position:relative;}
.content-container p{margin:0 0 10px 0;}
#details-left{width:35%;float:left;margin-right:2%;}
#details-right{width:63%;float:left;overflow:hidden;}
table{margin:4px 0 4px 0;width:100%;border:none;}
td,th{vertical-align:top;padding:3px 0;text-align:left;font-weight:normal;border:none;}
th{width:30%;text-align:right;padding-right:2%;font-weight:bold;}
#details-right th{width:20%;}
.clear{clear:both;}`
