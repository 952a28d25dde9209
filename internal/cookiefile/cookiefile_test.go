package cookiefile

import (
	"strings"
	"testing"
)

func TestNetscape(t *testing.T) {
	got, err := Parse([]byte("# Netscape HTTP Cookie File\n\n.example.com\tTRUE\t/\tTRUE\t1893456000\tsid\tabc\n#HttpOnly_intranet.example\tFALSE\t/app\tFALSE\t0\ttok\txyz\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "sid" || !got[0].Secure || got[0].Expires.Year() != 2030 ||
		!got[1].HTTPOnly || got[1].Domain != "intranet.example" || !got[1].Expires.IsZero() {
		t.Errorf("got %+v", got)
	}
}

func TestJSON(t *testing.T) {
	got, err := Parse([]byte(`[{"domain":".example.com","expirationDate":1893456000.5,"hostOnly":false,"httpOnly":true,"name":"sid","path":"/","sameSite":"no_restriction","secure":true,"session":false,"value":"abc"}]`))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].SameSite != "None" || !got[0].HTTPOnly || got[0].Expires.Unix() != 1893456000 {
		t.Errorf("got %+v", got)
	}
}

func TestErrors(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "empty",
		"a\tb\n":             "line 1: want 7",
		"[{\"name\":\"x\"}]": "name and domain",
		"{nope":              "not a cookie JSON export",
		"# only comments\n":  "no cookies",
	} {
		if _, err := Parse([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", in, err, want)
		}
	}
}
