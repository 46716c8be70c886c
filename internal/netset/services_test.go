package netset_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/clusterwall/clusterwall/internal/netset"
)

func pt(proto uint8, v uint16) netset.Service { return netset.Service{Proto: proto, Value: v} }

func icmpVal(typ, code int) uint16 { return uint16(typ<<8 | code) }

func TestServiceConstructors(t *testing.T) {
	const gre = 47
	cases := []struct {
		name   string
		s      netset.Services
		in     []netset.Service
		out    []netset.Service
		str    string
		protos []uint8
	}{
		{"all", netset.AllServices(), []netset.Service{pt(0, 0), pt(netset.TCP, 0), pt(255, 65535)}, nil, "all", nil},
		{"tcp", netset.Protocol(netset.TCP), []netset.Service{pt(netset.TCP, 0), pt(netset.TCP, 65535)},
			[]netset.Service{pt(netset.UDP, 0), pt(netset.TCP-1, 65535), pt(netset.TCP+1, 0)}, "tcp", []uint8{netset.TCP}},
		{"ports", netset.Ports(netset.TCP, 80, 90), []netset.Service{pt(netset.TCP, 80), pt(netset.TCP, 90)},
			[]netset.Service{pt(netset.TCP, 79), pt(netset.TCP, 91), pt(netset.UDP, 80)}, "tcp/80-90", []uint8{netset.TCP}},
		{"one port", netset.Ports(netset.UDP, 53, 53), []netset.Service{pt(netset.UDP, 53)}, []netset.Service{pt(netset.UDP, 54)}, "udp/53", nil},
		{"every port", netset.Ports(netset.UDP, 0, 65535), []netset.Service{pt(netset.UDP, 0)}, nil, "udp", nil},
		{"empty port range", netset.Ports(netset.TCP, 5, 4), nil, []netset.Service{pt(netset.TCP, 4), pt(netset.TCP, 5)}, "none", nil},
		{"ports of a protocol without ports", netset.Ports(gre, 1, 2), []netset.Service{pt(gre, 0), pt(gre, 65535)}, nil, "47", []uint8{gre}},
		{"sctp has ports", netset.Ports(132, 1, 2), []netset.Service{pt(132, 1)}, []netset.Service{pt(132, 3)}, "132/1-2", nil},
		{"icmp type", netset.ICMPType(netset.ICMP, 8, -1), []netset.Service{pt(netset.ICMP, icmpVal(8, 0)), pt(netset.ICMP, icmpVal(8, 255))},
			[]netset.Service{pt(netset.ICMP, icmpVal(7, 255)), pt(netset.ICMP, icmpVal(9, 0))}, "icmp/8", nil},
		{"icmp type and code", netset.ICMPType(netset.ICMP, 3, 4), []netset.Service{pt(netset.ICMP, icmpVal(3, 4))},
			[]netset.Service{pt(netset.ICMP, icmpVal(3, 3)), pt(netset.ICMP, icmpVal(3, 5))}, "icmp/3:4", nil},
		{"every icmp type", netset.ICMPType(netset.ICMP, -1, 0), []netset.Service{pt(netset.ICMP, 0), pt(netset.ICMP, 65535)}, nil, "icmp", nil},
		{"out-of-range type", netset.ICMPType(netset.ICMPv6, 256, 0), []netset.Service{pt(netset.ICMPv6, 0)}, nil, "icmpv6", nil},
		{"out-of-range code", netset.ICMPType(netset.ICMPv6, 128, 300), []netset.Service{pt(netset.ICMPv6, icmpVal(128, 7))}, nil, "icmpv6/128", nil},
		{"point", netset.Point(pt(netset.TCP, 443)), []netset.Service{pt(netset.TCP, 443)}, []netset.Service{pt(netset.TCP, 444)}, "tcp/443", nil},
		{"empty", netset.Services{}, nil, []netset.Service{pt(0, 0)}, "none", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range c.in {
				if !c.s.Contains(p) {
					t.Errorf("does not contain %+v", p)
				}
			}
			for _, p := range c.out {
				if c.s.Contains(p) {
					t.Errorf("contains %+v", p)
				}
			}
			if got := c.s.String(); got != c.str {
				t.Errorf("String() = %q, want %q", got, c.str)
			}
			if c.protos != nil && !slices.Equal(c.s.Protocols(), c.protos) {
				t.Errorf("Protocols() = %v, want %v", c.s.Protocols(), c.protos)
			}
		})
	}
}

func TestServiceAlgebra(t *testing.T) {
	web := netset.Ports(netset.TCP, 80, 80).Union(netset.Ports(netset.TCP, 443, 443))
	dns := netset.Ports(netset.UDP, 53, 53).Union(netset.Ports(netset.TCP, 53, 53))
	if got := web.Union(dns).String(); got != "tcp/53,80,443 udp/53" {
		t.Errorf("union = %s", got)
	}
	if got := web.Intersect(netset.Ports(netset.TCP, 0, 100)).String(); got != "tcp/80" {
		t.Errorf("intersect = %s", got)
	}
	if got := netset.Protocol(netset.TCP).Minus(netset.Ports(netset.TCP, 22, 22)).String(); got != "tcp/0-21,23-65535" {
		t.Errorf("minus = %s", got)
	}
	if !web.Overlaps(netset.Protocol(netset.TCP)) || web.Overlaps(netset.Protocol(netset.UDP)) {
		t.Error("Overlaps")
	}
	if !netset.Protocol(netset.TCP).ContainsAll(web) || web.ContainsAll(netset.Protocol(netset.TCP)) {
		t.Error("ContainsAll")
	}
	if !netset.AllServices().IsAll() || netset.Protocol(0).IsAll() || netset.AllServices().Minus(netset.Point(pt(9, 9))).IsAll() {
		t.Error("IsAll")
	}
	if !(netset.Services{}).IsEmpty() || web.IsEmpty() || !web.Minus(web).IsEmpty() {
		t.Error("IsEmpty")
	}
	if !web.Equal(netset.Ports(netset.TCP, 443, 443).Union(netset.Ports(netset.TCP, 80, 80))) || web.Equal(dns) {
		t.Error("Equal")
	}
	if got := web.Union(dns).First(); got != pt(netset.TCP, 53) {
		t.Errorf("First = %+v", got)
	}
	if got := web.Union(dns).Protocols(); !slices.Equal(got, []uint8{netset.TCP, netset.UDP}) {
		t.Errorf("Protocols = %v", got)
	}
	if got := netset.AllServices().Protocols(); len(got) != 256 || got[0] != 0 || got[255] != 255 {
		t.Errorf("Protocols of all = %d protocols", len(got))
	}
	if got := web.Values(netset.TCP); !got.Equal(netset.Ranges{{Lo: 80, Hi: 80}, {Lo: 443, Hi: 443}}) {
		t.Errorf("Values(tcp) = %v", got)
	}
	if got := web.Values(netset.UDP); len(got) != 0 {
		t.Errorf("Values(udp) = %v", got)
	}
	if got := netset.ServicesOf(web.Ranges()); !got.Equal(web) {
		t.Errorf("ServicesOf(Ranges) = %v", got)
	}
	// ServicesOf normalises.
	rs := web.Ranges()
	if got := netset.ServicesOf(netset.Ranges{rs[1], rs[0], rs[1]}); !got.Equal(web) {
		t.Errorf("ServicesOf(unsorted) = %v", got)
	}
}

func TestProtocolHelpers(t *testing.T) {
	for p, want := range map[uint8]bool{netset.TCP: true, netset.UDP: true, 132: true, 136: true, netset.ICMP: false, 47: false, 0: false} {
		if netset.HasPorts(p) != want {
			t.Errorf("HasPorts(%d) = %v", p, !want)
		}
	}
	for p, want := range map[uint8]bool{netset.ICMP: true, netset.ICMPv6: true, netset.TCP: false, 2: false} {
		if netset.IsICMP(p) != want {
			t.Errorf("IsICMP(%d) = %v", p, !want)
		}
	}
	for p, want := range map[uint8]string{6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6", 47: "47", 0: "0", 255: "255"} {
		if got := netset.ProtocolName(p); got != want {
			t.Errorf("ProtocolName(%d) = %q, want %q", p, got, want)
		}
	}
}

func TestParts(t *testing.T) {
	cases := []struct {
		s    netset.Services
		want []netset.ProtoPorts
	}{
		{netset.AllServices(), []netset.ProtoPorts{{Protocol: "all", Ports: "all"}}},
		{netset.Services{}, nil},
		{netset.Ports(netset.TCP, 443, 443).Union(netset.Ports(netset.TCP, 10250, 10250)).Union(netset.Ports(netset.UDP, 53, 53)),
			[]netset.ProtoPorts{{Protocol: "tcp", Ports: "443,10250"}, {Protocol: "udp", Ports: "53"}}},
		{netset.Ports(netset.TCP, 1025, 65535), []netset.ProtoPorts{{Protocol: "tcp", Ports: "1025-65535"}}},
		{netset.Protocol(netset.TCP).Union(netset.Protocol(50)), []netset.ProtoPorts{{Protocol: "tcp", Ports: "all"}, {Protocol: "50", Ports: "all"}}},
		{netset.ICMPType(netset.ICMP, 0, -1).Union(netset.ICMPType(netset.ICMP, 8, -1)), []netset.ProtoPorts{{Protocol: "icmp", Ports: "0,8"}}},
		{netset.ICMPType(netset.ICMP, 3, 4), []netset.ProtoPorts{{Protocol: "icmp", Ports: "3:4"}}},
		{netset.ICMPType(netset.ICMP, 0, -1).Union(netset.ICMPType(netset.ICMP, 1, -1)), []netset.ProtoPorts{{Protocol: "icmp", Ports: "0-1"}}},
		{netset.ServicesOf(netset.Ranges{{Lo: 1<<16 | 3<<8 | 200, Hi: 1<<16 | 5<<8}}), []netset.ProtoPorts{{Protocol: "icmp", Ports: "3:200-5:0"}}},
	}
	for _, c := range cases {
		if got := c.s.Parts(); !slices.Equal(got, c.want) {
			t.Errorf("%v.Parts() = %v, want %v", c.s, got, c.want)
		}
		var back netset.Services
		for _, p := range c.s.Parts() {
			back = back.Union(p.Services())
		}
		if !back.Equal(c.s) {
			t.Errorf("the parts of %v read back as %v", c.s, back)
		}
	}
}

func TestString(t *testing.T) {
	cases := []struct {
		s    netset.Services
		want string
	}{
		{netset.AllServices(), "all"},
		{netset.Services{}, "none"},
		{netset.Ports(netset.TCP, 443, 443), "tcp/443"},
		{netset.Ports(netset.TCP, 443, 443).Union(netset.Ports(netset.TCP, 10250, 10250)).Union(netset.Ports(netset.UDP, 53, 53)), "tcp/443,10250 udp/53"},
		{netset.ICMPType(netset.ICMP, 8, -1), "icmp/8"},
		{netset.Protocol(netset.ICMP), "icmp"},
		{netset.Protocol(netset.ICMPv6).Union(netset.Ports(netset.TCP, 22, 22)).Union(netset.Protocol(netset.ICMP)), "icmp tcp/22 icmpv6"},
		{netset.Protocol(47), "47"},
		{netset.Ports(netset.TCP, 30000, 32767).Union(netset.Ports(netset.TCP, 22, 22)), "tcp/22,30000-32767"},
	}
	for _, c := range cases {
		if got := c.s.String(); got != c.want {
			t.Errorf("String() = %q, want %q", got, c.want)
		}
	}
}

func TestParseProtocol(t *testing.T) {
	good := []struct {
		in    string
		proto uint8
		all   bool
	}{
		{"tcp", netset.TCP, false}, {"TCP", netset.TCP, false}, {" udp ", netset.UDP, false},
		{"icmp", netset.ICMP, false}, {"icmpv6", netset.ICMPv6, false}, {"icmp6", netset.ICMPv6, false}, {"ipv6-icmp", netset.ICMPv6, false},
		{"gre", 47, false}, {"esp", 50, false}, {"ah", 51, false}, {"sctp", 132, false},
		{"all", 0, true}, {"ALL", 0, true}, {"any", 0, true}, {"*", 0, true}, {"-1", 0, true},
		{"6", netset.TCP, false}, {"0", 0, false}, {"255", 255, false},
	}
	for _, c := range good {
		p, all, err := netset.ParseProtocol(c.in)
		if err != nil || p != c.proto || all != c.all {
			t.Errorf("ParseProtocol(%q) = %d, %v, %v; want %d, %v", c.in, p, all, err, c.proto, c.all)
		}
	}
	for _, in := range []string{"", "256", "-2", "tcpp", "tcp/80", "6.0", "0x6"} {
		_, _, err := netset.ParseProtocol(in)
		if err == nil {
			t.Errorf("ParseProtocol(%q) succeeded", in)
			continue
		}
		want := `unknown protocol "` + in + `": want tcp, udp, icmp, icmpv6, all, -1 or a number 0-255`
		if err.Error() != want {
			t.Errorf("ParseProtocol(%q) error %q, want %q", in, err, want)
		}
	}
}

func TestParseServices(t *testing.T) {
	good := []struct {
		in   string
		want netset.Services
	}{
		{"tcp/10250", netset.Ports(netset.TCP, 10250, 10250)},
		{"udp/53", netset.Ports(netset.UDP, 53, 53)},
		{"tcp/80,443", netset.Ports(netset.TCP, 80, 80).Union(netset.Ports(netset.TCP, 443, 443))},
		{"tcp/80, 443", netset.Ports(netset.TCP, 80, 80).Union(netset.Ports(netset.TCP, 443, 443))},
		{"tcp/30000-32767", netset.Ports(netset.TCP, 30000, 32767)},
		{"tcp", netset.Protocol(netset.TCP)},
		{"tcp/all", netset.Protocol(netset.TCP)},
		{"icmp", netset.Protocol(netset.ICMP)},
		{"icmp/8", netset.ICMPType(netset.ICMP, 8, -1)},
		{"icmp/3:4", netset.ICMPType(netset.ICMP, 3, 4)},
		{"icmpv6/128", netset.ICMPType(netset.ICMPv6, 128, -1)},
		{"all", netset.AllServices()},
		{"-1", netset.AllServices()},
		{"all/all", netset.AllServices()},
		{"47", netset.Protocol(47)},
		{"tcp/443 udp/53", netset.Ports(netset.TCP, 443, 443).Union(netset.Ports(netset.UDP, 53, 53))},
		{"tcp/443,udp/53", netset.Ports(netset.TCP, 443, 443).Union(netset.Ports(netset.UDP, 53, 53))},
		{"sctp/5000", netset.Ports(132, 5000, 5000)},
		{"TCP/22", netset.Ports(netset.TCP, 22, 22)},
		// What String prints reads back.
		{"tcp/22,30000-32767", netset.Ports(netset.TCP, 22, 22).Union(netset.Ports(netset.TCP, 30000, 32767))},
		{"icmp/0,8", netset.ICMPType(netset.ICMP, 0, -1).Union(netset.ICMPType(netset.ICMP, 8, -1))},
		{"icmp/0-8", netset.ServicesOf(netset.Ranges{{Lo: 1 << 16, Hi: 1<<16 | 8<<8 | 0xFF}})},
		{"icmp/3:4,3:9", netset.ICMPType(netset.ICMP, 3, 4).Union(netset.ICMPType(netset.ICMP, 3, 9))},
		{"icmp/3:200-5:0", netset.ServicesOf(netset.Ranges{{Lo: 1<<16 | 3<<8 | 200, Hi: 1<<16 | 5<<8}})},
		{"tcp/80 47", netset.Ports(netset.TCP, 80, 80).Union(netset.Protocol(47))},
		{"icmp 2", netset.Protocol(netset.ICMP).Union(netset.Protocol(2))},
	}
	for _, c := range good {
		got, err := netset.ParseServices(c.in)
		if err != nil {
			t.Errorf("ParseServices(%q): %v", c.in, err)
			continue
		}
		if !got.Equal(c.want) {
			t.Errorf("ParseServices(%q) = %v, want %v", c.in, got, c.want)
		}
	}
	bad := []struct{ in, err string }{
		{"", `"": want PROTO/PORT such as tcp/443, udp/53, icmp or all`},
		{" , ", `" , ": want PROTO/PORT such as tcp/443, udp/53, icmp or all`},
		{"foo/80", `unknown protocol "foo": want tcp, udp, icmp, icmpv6, all, -1 or a number 0-255`},
		{"tcp/", `"tcp/": port "" is not a number 0-65535`},
		{"tcp/65536", `"tcp/65536": port "65536" is not a number 0-65535`},
		{"tcp/-1", `"tcp/-1": port "" is not a number 0-65535`},
		{"tcp/90-80", `"tcp/90-80": port range 90-80 ends before it starts`},
		{"tcp/80-", `"tcp/80-": port "" is not a number 0-65535`},
		{"udp/x", `"udp/x": port "x" is not a number 0-65535`},
		{"icmp/256", `"icmp/256": ICMP type "256" is not a number 0-255`},
		{"icmp/8:", `"icmp/8:": ICMP code "" is not a number 0-255`},
		{"icmp/8:256", `"icmp/8:256": ICMP code "256" is not a number 0-255`},
		{"icmp/x", `"icmp/x": ICMP type "x" is not a number 0-255`},
		{"icmp/9-8", `"icmp/9-8": ICMP range 9-8 ends before it starts`},
		{"gre/1", `"gre/1": protocol 47 has no ports`},
		{"all/80", `"all/80": protocol all takes no port`},
		{"tcp/80 443", `unknown protocol "443": want tcp, udp, icmp, icmpv6, all, -1 or a number 0-255`},
	}
	for _, c := range bad {
		got, err := netset.ParseServices(c.in)
		if err == nil {
			t.Errorf("ParseServices(%q) = %v, want an error", c.in, got)
			continue
		}
		if err.Error() != c.err {
			t.Errorf("ParseServices(%q) error %q, want %q", c.in, err, c.err)
		}
	}
}

// randomServices builds a set from the constructors.
func randomServices(r *rand.Rand) netset.Services {
	var s netset.Services
	for range 1 + r.IntN(4) {
		protos := []uint8{netset.TCP, netset.UDP, netset.ICMP, netset.ICMPv6, 47, 132, 0}
		p := protos[r.IntN(len(protos))]
		switch r.IntN(8) {
		case 0:
			s = s.Union(netset.Protocol(p))
		case 1:
			if r.IntN(20) == 0 {
				s = s.Union(netset.AllServices())
			}
		case 2:
			s = s.Union(netset.ICMPType([]uint8{netset.ICMP, netset.ICMPv6}[r.IntN(2)], r.IntN(10)-1, r.IntN(6)-1))
		default:
			lo := uint16(r.IntN(70000))
			s = s.Union(netset.Ports(p, lo, lo+uint16(r.IntN(5))))
		}
		if r.IntN(6) == 0 {
			s = s.Minus(netset.Ports(netset.TCP, 22, 22))
		}
	}
	return s
}

// TestStringParses: whatever String prints (but "none"), ParseServices
// reads back as the same set.
func TestStringParses(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		s := randomServices(r)
		str := s.String()
		if s.IsEmpty() {
			if str != "none" {
				t.Fatalf("empty set prints %q", str)
			}
			continue
		}
		got, err := netset.ParseServices(str)
		if err != nil {
			t.Fatalf("ParseServices(%q): %v", str, err)
		}
		if !got.Equal(s) {
			t.Fatalf("ParseServices(%q) = %v", str, got)
		}
		// Each part reads back on its own, as checks rebuild them.
		var union netset.Services
		for _, p := range s.Parts() {
			text := p.Protocol + "/" + p.Ports
			part, err := netset.ParseServices(text)
			if err != nil {
				t.Fatalf("ParseServices(%q) of a part of %q: %v", text, str, err)
			}
			union = union.Union(part)
		}
		if !union.Equal(s) {
			t.Fatalf("parts of %q read back as %v", str, union)
		}
		if strings.Contains(str, "  ") || strings.HasPrefix(str, " ") {
			t.Fatalf("String() = %q has stray spaces", str)
		}
	}
}
