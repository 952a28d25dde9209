package judge

import (
	"reflect"
	"testing"
)

func TestFromHTML(t *testing.T) {
	src := `<!DOCTYPE html>
<html><head>
<title>
  Access   Denied
</title>
<style>h1{color:red} .x{content:"Sign in"}</style>
<script>var title = "<h1>Not a heading</h1>";</script>
</head>
<body>
<svg><title>icon tooltip</title><text>logo</text></svg>
<nav><a href="/">Home</a> <a href="/login">Sign in</a></nav>
<h1>You are <em>not</em> authorized</h1>
<h4>Not collected</h4>
<div hidden><h2>Hidden heading</h2><p>hidden text</p><input type=password></div>
<h2 style="display: none">Invisible</h2>
<section><h2>Why?</h2><p>Your account lacks<br>the Reports role.</p></section>
<h3>  Contact
    support </h3>
<noscript><p>Enable JavaScript</p></noscript>
<template><h1>Template</h1></template>
<script>document.write("script text")</script>
<p>Line&nbsp;one</p><p>Line two</p>
</body></html>`
	p := FromHTML(src)
	if p.Title != "Access Denied" {
		t.Errorf("Title = %q", p.Title)
	}
	wantHeads := []string{"You are not authorized", "Why?", "Contact support"}
	if !reflect.DeepEqual(p.Headings, wantHeads) {
		t.Errorf("Headings = %q, want %q", p.Headings, wantHeads)
	}
	wantText := "logo\nHome Sign in\nYou are not authorized\nNot collected\nWhy?\nYour account lacks\nthe Reports role.\nContact support\nLine one\nLine two"
	if p.Text != wantText {
		t.Errorf("Text =\n%s\nwant\n%s", p.Text, wantText)
	}
	// The password field in the hidden block still counts: sign-in forms
	// often reveal it only on their second step.
	if !p.HasPasswordField {
		t.Error("HasPasswordField = false")
	}

	for _, c := range []struct {
		src  string
		want bool
	}{
		{`<form><input type="PASSWORD" name=p></form>`, true},
		{`<input type=" password ">`, true},
		{`<input type=text name=password>`, false},
		{`<p>Enter your password</p>`, false},
	} {
		if got := FromHTML(c.src).HasPasswordField; got != c.want {
			t.Errorf("HasPasswordField(%s) = %v", c.src, got)
		}
	}

	// Plain text (Express's res.sendStatus) and fragments without head or
	// body still give their text.
	if p := FromHTML("Unauthorized"); p.Text != "Unauthorized" || p.Title != "" || p.Headings != nil {
		t.Errorf("plain text: %+v", p)
	}
	if p := FromHTML("<h3>HTTP Error 401.3 - Unauthorized</h3>\n<h4>Details</h4>"); !reflect.DeepEqual(p.Headings, []string{"HTTP Error 401.3 - Unauthorized"}) {
		t.Errorf("fragment headings: %q", p.Headings)
	}
	if p := FromHTML(""); p.Title != "" || p.Text != "" || len(p.Headings) != 0 || p.HasPasswordField {
		t.Errorf("empty: %+v", p)
	}
	// Only the first title counts, as in document.title.
	if p := FromHTML("<title>One</title><title>Two</title>"); p.Title != "One" {
		t.Errorf("two titles: %q", p.Title)
	}
}
