// Package judge decides what kind of failure a page load is: a real 401, a
// proxy's 407, a "soft" 401, a 401 on a request the page made, some other
// error status, a network error, or nothing wrong at all.
//
// The status code of the document alone cannot answer that, for three
// reasons seen again and again on real sites:
//
//   - Many applications render their denial as an ordinary page and answer
//     200: a single-page app that draws "Access denied" itself, a portal that
//     shows "Zugriff verweigert", a site that redirects to its sign-in form.
//     To a person these are plainly "you are not let in"; to the status code
//     they are success. Only the words on the page (its title and main
//     heading, in whatever language the site speaks) give them away.
//   - The document can be healthy while the page is not: the shell loads with
//     200 and the script that fetches the user's data gets the 401. The
//     failing request is the thing to troubleshoot, not the page.
//   - Chrome does not always show the 401 at all. When it cannot answer an
//     authentication challenge it may replace the load with a net error such
//     as ERR_INVALID_AUTH_CREDENTIALS, and a 407 usually becomes
//     ERR_TUNNEL_CONNECTION_FAILED or a proxy auth error.
//
// The opposite mistake matters as much: a tool that calls every page with a
// "Sign in" link a login wall, or every article about 401 errors a 401, is
// not worth running. So the wording is matched as whole phrases in the
// title and the main headings only, never anywhere in the body text, and a
// sign-in page counts only when the browser was sent there by a redirect.
// When the server did answer with an error status, that status wins: the
// words can add colour to the reason but never change the kind.
//
// IIS adds one more layer: its 401 pages name a sub-status (401.1 to 401.5,
// 401.501 to 401.504) that says which part of the server refused, which is
// usually the whole diagnosis. IISSubstatus and IISMeaning read and explain
// it.
package judge
