package tftencent

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"

	"github.com/clusterwall/clusterwall/internal/source/input"
)

// The small syntaxes of Tencent Cloud security group rules, exported for
// other Tencent readers: protocols and ports ("TCP" with "80", "80,443",
// "80-90" or "ALL"), CIDR blocks with the API's 0.0.0.0/n quirk, address
// template entries, and the lite-rule string "ACTION#SOURCE#PORT#PROTOCOL".

// Services reads a rule's protocol and port as the API and the provider's
// tencentcloud_security_group_rule_set write them, in any case: protocol
// TCP, UDP, ICMP, ICMPv6, GRE or ALL ("" is ALL); port "ALL" ("" is ALL),
// "80", "80,443" or "80-90". Only TCP and UDP rules have ports; the API
// refuses a port with any other protocol.
func Services(protocol, port string) (netset.Services, error) {
	protocol, port = strings.TrimSpace(protocol), strings.TrimSpace(port)
	allPorts := port == "" || strings.EqualFold(port, "all")
	if protocol == "" || strings.EqualFold(protocol, "all") {
		if !allPorts {
			return netset.Services{}, fmt.Errorf("port %q with protocol ALL: the port must be ALL", port)
		}
		return netset.AllServices(), nil
	}
	var p uint8
	switch strings.ToUpper(protocol) {
	case "TCP":
		p = netset.TCP
	case "UDP":
		p = netset.UDP
	case "ICMP":
		p = netset.ICMP
	case "ICMPV6":
		p = netset.ICMPv6
	case "GRE":
		p = 47
	default:
		return netset.Services{}, fmt.Errorf("protocol %q: expected TCP, UDP, ICMP, ICMPv6, GRE or ALL", protocol)
	}
	if allPorts {
		return netset.Protocol(p), nil
	}
	if !netset.HasPorts(p) {
		return netset.Services{}, fmt.Errorf("port %q with protocol %s: only TCP and UDP rules have ports (use ALL)", port, protocol)
	}
	return Ports(p, port)
}

// Ports reads a port list of TCP or UDP: "80", "80,443", "80-90", or a
// comma list of ports and ranges, each 0-65535.
func Ports(proto uint8, port string) (netset.Services, error) {
	var out netset.Services
	for _, part := range strings.Split(port, ",") {
		a, b, isRange := strings.Cut(strings.TrimSpace(part), "-")
		if !isRange {
			b = a
		}
		lo, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 16)
		hi, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 16)
		if err1 != nil || err2 != nil || lo > hi {
			return netset.Services{}, fmt.Errorf("port %q: expected ALL, a port (80), a list (80,443) or a range (80-90) of ports 0-65535", port)
		}
		out = out.Union(netset.Ports(proto, uint16(lo), uint16(hi)))
	}
	return out, nil
}

// CIDR reads a rule's IPv4 or IPv6 source or destination, an address or
// a CIDR block, as the API applies it: the block is masked
// (10.0.0.1/16 is 10.0.0.0/16), and 0.0.0.0/n is every IPv4 address
// ("0.0.0.0/n 都会映射为0.0.0.0/0", vpc SecurityGroupPolicy.CidrBlock).
func CIDR(s string) (netip.Prefix, error) {
	p, ok := input.ParsePrefix(s)
	if !ok {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR block (expected such as 10.0.1.0/24, 8.8.8.8 or ::/0)", strings.TrimSpace(s))
	}
	if p.Addr() == netip.IPv4Unspecified() {
		return netip.PrefixFrom(p.Addr(), 0), nil
	}
	return p, nil
}

// AddressEntry reads one entry of an address template: an address
// ("10.0.0.1"), a CIDR block ("10.0.1.0/24") or a range
// ("10.0.0.1-10.0.0.100"), as prefixes.
func AddressEntry(s string) ([]netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if a, b, ok := strings.Cut(s, "-"); ok {
		from, err1 := netip.ParseAddr(strings.TrimSpace(a))
		to, err2 := netip.ParseAddr(strings.TrimSpace(b))
		rng := netipx.IPRangeFrom(from, to)
		if err1 != nil || err2 != nil || !rng.IsValid() {
			return nil, fmt.Errorf("%q is not an address range (expected such as 10.0.0.1-10.0.0.100)", s)
		}
		return rng.Prefixes(), nil
	}
	if p, ok := input.ParsePrefix(s); ok {
		return []netip.Prefix{p}, nil
	}
	return nil, fmt.Errorf("%q is not an address, a CIDR block or an address range (expected such as 10.0.0.1, 10.0.1.0/24 or 10.0.0.1-10.0.0.100)", s)
}

// ServiceEntry reads one entry of a protocol (service) template: "tcp:80",
// "udp:53-54", "tcp:80,443", "icmp", "gre", "ALL".
func ServiceEntry(s string) (netset.Services, error) {
	proto, port, _ := strings.Cut(strings.TrimSpace(s), ":")
	return Services(proto, port)
}

// The patterns of the provider's parseRule (service_tencentcloud_vpc.go).
var (
	liteGroupRE        = regexp.MustCompile(`^sg-\w{8}$`)
	liteAddressRE      = regexp.MustCompile(`^ipm-\w{8}$`)
	liteAddressGroupRE = regexp.MustCompile(`^ipmg-\w{8}$`)
	liteServiceRE      = regexp.MustCompile(`^ppmg?-\w{8}$`)
	litePortRE         = regexp.MustCompile(`^(\d{1,5},)*\d{1,5}$|^\d{1,5}-\d{1,5}$`)
)

// LiteRule is one "ACTION#SOURCE#PORT#PROTOCOL" string of a
// tencentcloud_security_group_lite_rule.
type LiteRule struct {
	Action model.Action
	// Exactly one of Prefix (an address or CIDR block), Group (sg-…) and
	// AddressSet (ipm-… or ipmg-…) is set.
	Prefix     netip.Prefix
	Group      string
	AddressSet string
	// Services, unless ServiceTemplate (ppm-… or ppmg-…) names them.
	Services        netset.Services
	ServiceTemplate string
}

// ParseLiteRule reads a lite-rule string exactly as the provider's
// parseRule does, and refuses what it refuses: four fields split on "#";
// action ACCEPT or DROP; source an IP address, a CIDR block, sg-xxxxxxxx,
// ipm-xxxxxxxx or ipmg-xxxxxxxx; port ALL, 53, 80,443 or 80-90; protocol
// TCP, UDP, ICMP, ALL, or a ppm-/ppmg- template (whose port is then
// ignored); ICMP and ALL take port ALL only. Everything is case-sensitive,
// as there. Ports above 65535, which parseRule lets through, are refused
// as the API refuses them.
func ParseLiteRule(s string) (LiteRule, error) {
	var r LiteRule
	f := strings.Split(s, "#")
	if len(f) != 4 {
		return r, fmt.Errorf("%q has %d field(s): expected ACTION#SOURCE#PORT#PROTOCOL, such as ACCEPT#10.0.0.0/16#80#TCP or DROP#0.0.0.0/0#ALL#ALL", s, len(f))
	}
	action, source, port, protocol := f[0], f[1], f[2], f[3]
	switch action {
	case "ACCEPT":
		r.Action = model.Accept
	case "DROP":
		r.Action = model.Drop
	default:
		return r, fmt.Errorf("%q: action %q: expected ACCEPT or DROP (upper case)", s, action)
	}
	switch {
	case liteGroupRE.MatchString(source):
		r.Group = source
	case liteAddressRE.MatchString(source), liteAddressGroupRE.MatchString(source):
		r.AddressSet = source
	default:
		p, err := liteSource(source)
		if err != nil {
			return r, fmt.Errorf("%q: source %q: expected an IP address (8.8.8.8), a CIDR block (10.0.1.0/24), sg-xxxxxxxx, ipm-xxxxxxxx or ipmg-xxxxxxxx", s, source)
		}
		r.Prefix = p
	}
	if liteServiceRE.MatchString(protocol) {
		r.ServiceTemplate = protocol
		return r, nil
	}
	if port != "ALL" && !litePortRE.MatchString(port) {
		return r, fmt.Errorf("%q: port %q: expected ALL, 53, 80,443 or 80-90", s, port)
	}
	switch protocol {
	case "TCP", "UDP":
		if port == "ALL" {
			r.Services = protoAll(protocol)
			return r, nil
		}
		svcs, err := Ports(protoNumber(protocol), port)
		if err != nil {
			return r, fmt.Errorf("%q: %v", s, err)
		}
		r.Services = svcs
	case "ICMP", "ALL":
		if port != "ALL" {
			return r, fmt.Errorf("%q: port %q with protocol %s: the port must be ALL", s, port, protocol)
		}
		r.Services = protoAll(protocol)
	default:
		return r, fmt.Errorf("%q: protocol %q: expected TCP, UDP, ICMP, ALL (upper case), or a protocol template ppm-xxxxxxxx or ppmg-xxxxxxxx", s, protocol)
	}
	return r, nil
}

// liteSource reads a lite rule's source as parseRule accepts it (Go's
// net.ParseIP or net.ParseCIDR), with the API's 0.0.0.0/n quirk.
func liteSource(s string) (netip.Prefix, error) {
	if strings.TrimSpace(s) != s || s == "" {
		return netip.Prefix{}, fmt.Errorf("not an address")
	}
	return CIDR(s)
}

func protoNumber(p string) uint8 {
	switch p {
	case "TCP":
		return netset.TCP
	case "UDP":
		return netset.UDP
	}
	return netset.ICMP
}

func protoAll(p string) netset.Services {
	if p == "ALL" {
		return netset.AllServices()
	}
	return netset.Protocol(protoNumber(p))
}
