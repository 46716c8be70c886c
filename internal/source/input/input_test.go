package input

import (
	"net/netip"
	"testing"
)

func TestParsePrefix(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.0/16":  "10.0.0.0/16",
		"10.0.0.5/16":  "10.0.0.0/16",
		" 10.0.0.5 ":   "10.0.0.5/32",
		"2600::1":      "2600::1/128",
		"2600::1/56":   "2600::/56",
		"0.0.0.0/0":    "0.0.0.0/0",
		"fe80::1%eth0": "",
		"10.0.0.0/33":  "",
		"office":       "",
		"":             "",
	} {
		p, ok := ParsePrefix(in)
		switch {
		case want == "" && ok:
			t.Errorf("ParsePrefix(%q) = %v, want an error", in, p)
		case want != "" && (!ok || p != netip.MustParsePrefix(want)):
			t.Errorf("ParsePrefix(%q) = %v, %v, want %s", in, p, ok, want)
		}
	}
}
