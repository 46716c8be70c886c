package tftencent

import (
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
)

func TestServices(t *testing.T) {
	cases := []struct {
		proto, port string
		want        string
		err         string
	}{
		{"ALL", "ALL", "all", ""},
		{"", "", "all", ""},
		{"all", "all", "all", ""},
		{"TCP", "80", "tcp/80", ""},
		{"tcp", "80,443", "tcp/80,443", ""},
		{"UDP", "30000-32768", "udp/30000-32768", ""},
		{"TCP", "", "tcp", ""},
		{"TCP", "all", "tcp", ""},
		{"TCP", "22,8000-8010", "tcp/22,8000-8010", ""},
		{"ICMP", "", "icmp", ""},
		{"ICMPv6", "ALL", "icmpv6", ""},
		{"GRE", "", "47", ""},
		{"ALL", "80", "", "the port must be ALL"},
		{"ICMP", "8", "", "only TCP and UDP"},
		{"TCP", "90-80", "", "expected ALL"},
		{"TCP", "70000", "", "expected ALL"},
		{"TCP", "http", "", "expected ALL"},
		{"SCTP", "", "", "expected TCP, UDP"},
	}
	for _, c := range cases {
		got, err := Services(c.proto, c.port)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Services(%q, %q) error %v, want %q", c.proto, c.port, err, c.err)
			}
			continue
		}
		if err != nil || got.String() != c.want {
			t.Errorf("Services(%q, %q) = %s, %v; want %s", c.proto, c.port, got, err, c.want)
		}
	}
}

func TestCIDR(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.0/16":  "10.0.0.0/16",
		"10.0.0.1/16":  "10.0.0.0/16",
		"8.8.8.8":      "8.8.8.8/32",
		"0.0.0.0/0":    "0.0.0.0/0",
		"0.0.0.0/8":    "0.0.0.0/0", // the API's 0.0.0.0/n quirk
		"0.0.0.0":      "0.0.0.0/0",
		"::/0":         "::/0",
		"2001:db8::/1": "::/1",
		" 10.1.0.0/24": "10.1.0.0/24",
	} {
		p, err := CIDR(in)
		if err != nil || p.String() != want {
			t.Errorf("CIDR(%q) = %v, %v; want %s", in, p, err, want)
		}
	}
	for _, bad := range []string{"", "10.0.0.0/33", "office", "fe80::1%eth0", "10.0.0.0-10.0.0.5"} {
		if _, err := CIDR(bad); err == nil {
			t.Errorf("CIDR(%q) accepted", bad)
		}
	}
}

func TestAddressEntry(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.1":              "10.0.0.1/32",
		"10.0.1.0/24":           "10.0.1.0/24",
		"10.0.0.1-10.0.0.2":     "10.0.0.1/32 10.0.0.2/32",
		"10.0.0.0 - 10.0.0.255": "10.0.0.0/24",
		"2001:db8::/32":         "2001:db8::/32",
	} {
		ps, err := AddressEntry(in)
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		if err != nil || strings.Join(got, " ") != want {
			t.Errorf("AddressEntry(%q) = %v, %v; want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"10.0.0.5-10.0.0.1", "office", "10.0.0.1-", ""} {
		if _, err := AddressEntry(bad); err == nil {
			t.Errorf("AddressEntry(%q) accepted", bad)
		}
	}
}

// TestParseLiteRule accepts and refuses what the provider's parseRule
// does, with the documented examples.
func TestParseLiteRule(t *testing.T) {
	ok := []struct {
		in     string
		action model.Action
		peer   string
		svcs   string
	}{
		{"ACCEPT#192.168.1.0/24#80#TCP", model.Accept, "192.168.1.0/24", "tcp/80"},
		{"DROP#8.8.8.8#80,90#UDP", model.Drop, "8.8.8.8/32", "udp/80,90"},
		{"ACCEPT#sg-7ixn3foj#80-90#TCP", model.Accept, "sg-7ixn3foj", "tcp/80-90"},
		{"ACCEPT#0.0.0.0/0##ppm-xxxxxxxx", model.Accept, "0.0.0.0/0", "ppm-xxxxxxxx"},
		{"DROP#0.0.0.0/0#ALL#ALL", model.Drop, "0.0.0.0/0", "all"},
		{"ACCEPT#ipm-abcd1234#ALL#ICMP", model.Accept, "ipm-abcd1234", "icmp"},
		{"ACCEPT#ipmg-abcd1234#53#UDP", model.Accept, "ipmg-abcd1234", "udp/53"},
		{"ACCEPT#10.0.0.0/8#ALL#TCP", model.Accept, "10.0.0.0/8", "tcp"},
		{"ACCEPT#0.0.0.0/16#22#TCP", model.Accept, "0.0.0.0/0", "tcp/22"},
		{"ACCEPT#10.0.0.0/16#ALL#ppmg-abcd1234", model.Accept, "10.0.0.0/16", "ppmg-abcd1234"},
	}
	for _, c := range ok {
		r, err := ParseLiteRule(c.in)
		if err != nil {
			t.Errorf("ParseLiteRule(%q): %v", c.in, err)
			continue
		}
		peer := r.Group + r.AddressSet
		if peer == "" {
			peer = r.Prefix.String()
		}
		svcs := r.ServiceTemplate
		if svcs == "" {
			svcs = r.Services.String()
		}
		if r.Action != c.action || peer != c.peer || svcs != c.svcs {
			t.Errorf("ParseLiteRule(%q) = %v %s %s, want %v %s %s", c.in, r.Action, peer, svcs, c.action, c.peer, c.svcs)
		}
	}
	bad := map[string]string{
		"ACCEPT#10.0.0.0/16#ALL":           "expected ACTION#SOURCE#PORT#PROTOCOL",
		"ACCEPT#10.0.0.0/16#ALL#ALL#x":     "5 field(s)",
		"accept#10.0.0.0/16#ALL#ALL":       "expected ACCEPT or DROP",
		"ALLOW#10.0.0.0/16#ALL#ALL":        "expected ACCEPT or DROP",
		"ACCEPT#10.0.0.0/33#ALL#ALL":       "source",
		"ACCEPT#sg-123#ALL#ALL":            "source", // not sg- and eight characters
		"ACCEPT#office#ALL#ALL":            "source",
		"ACCEPT# 10.0.0.0/16#ALL#ALL":      "source",
		"ACCEPT#10.0.0.0/16#all#ALL":       "port",
		"ACCEPT#10.0.0.0/16#80-90,100#TCP": "port",
		"ACCEPT#10.0.0.0/16##TCP":          "port",
		"ACCEPT#10.0.0.0/16#8080#ALL":      "the port must be ALL",
		"ACCEPT#10.0.0.0/16#8#ICMP":        "the port must be ALL",
		"ACCEPT#10.0.0.0/16#80#tcp":        "protocol",
		"ACCEPT#10.0.0.0/16#ALL#ICMPv6":    "protocol",
		"ACCEPT#10.0.0.0/16#99999#TCP":     "0-65535",
		"ACCEPT#10.0.0.0/16#90-80#TCP":     "0-65535",
	}
	for in, want := range bad {
		_, err := ParseLiteRule(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseLiteRule(%q) error %v, want %q", in, err, want)
		}
	}
}

// FuzzParseLiteRule: any string is a rule or an error, never a panic;
// an accepted rule names exactly one peer and some services.
func FuzzParseLiteRule(f *testing.F) {
	for _, s := range []string{"ACCEPT#192.168.1.0/24#80#TCP", "DROP#8.8.8.8#80,90#UDP", "ACCEPT#sg-7ixn3foj#80-90#TCP",
		"ACCEPT#0.0.0.0/0##ppm-xxxxxxxx", "DROP#0.0.0.0/0#ALL#ALL", "ACCEPT#::/0#ALL#ICMP", "ACCEPT#10.0.0.0/16#8080#ALL", "#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseLiteRule(s)
		if err != nil {
			return
		}
		peers := 0
		for _, set := range []bool{r.Prefix.IsValid(), r.Group != "", r.AddressSet != ""} {
			if set {
				peers++
			}
		}
		if peers != 1 || r.ServiceTemplate == "" && r.Services.IsEmpty() {
			t.Errorf("ParseLiteRule(%q) = %+v", s, r)
		}
	})
}
