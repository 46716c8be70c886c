package netset

import (
	"fmt"
	"strconv"
	"strings"
)

// IP protocol numbers that have names or ports.
const (
	ICMP   uint8 = 1
	TCP    uint8 = 6
	UDP    uint8 = 17
	ICMPv6 uint8 = 58
)

// Services is a set of services: IP protocol × a 16-bit value that is the
// port for TCP, UDP, SCTP and UDP-Lite, the type<<8|code pair for ICMP and
// ICMPv6, and meaningless (always the whole range) for other protocols.
// Each (protocol, value) pair is encoded as protocol<<16 | value, so the set
// is one interval set over 24 bits. The zero value is empty; values are
// immutable.
type Services struct{ r Ranges }

// Service is one point of the service space.
type Service struct {
	Proto uint8
	Value uint16 // port, or ICMP type<<8|code
}

func (p Service) key() uint32 { return uint32(p.Proto)<<16 | uint32(p.Value) }

const maxKey = 1<<24 - 1

// HasPorts reports whether the protocol's traffic is told apart by port.
func HasPorts(proto uint8) bool { return proto == TCP || proto == UDP || proto == 132 || proto == 136 }

// IsICMP reports whether the protocol's traffic is told apart by type and code.
func IsICMP(proto uint8) bool { return proto == ICMP || proto == ICMPv6 }

// AllServices is every protocol, every port.
func AllServices() Services { return Services{Ranges{{0, maxKey}}} }

// Protocol is every port (or type) of one protocol.
func Protocol(proto uint8) Services {
	lo := uint32(proto) << 16
	return Services{Ranges{{lo, lo | 0xFFFF}}}
}

// Ports is the port range [lo, hi] of a protocol that has ports; for any
// other protocol it is the whole protocol, as in AWS, where "a protocol
// number other than tcp, udp, icmp, or icmpv6 allows traffic on all ports".
func Ports(proto uint8, lo, hi uint16) Services {
	if !HasPorts(proto) {
		return Protocol(proto)
	}
	if lo > hi {
		return Services{}
	}
	base := uint32(proto) << 16
	return Services{Ranges{{base | uint32(lo), base | uint32(hi)}}}
}

// ICMPType is one ICMP or ICMPv6 type (all codes when code < 0), or every
// type when typ < 0.
func ICMPType(proto uint8, typ, code int) Services {
	if typ < 0 || typ > 255 {
		return Protocol(proto)
	}
	base := uint32(proto)<<16 | uint32(typ)<<8
	if code < 0 || code > 255 {
		return Services{Ranges{{base, base | 0xFF}}}
	}
	return Services{Ranges{{base | uint32(code), base | uint32(code)}}}
}

// Point is the set holding one service.
func Point(p Service) Services { k := p.key(); return Services{Ranges{{k, k}}} }

// Union returns s ∪ o.
func (s Services) Union(o Services) Services { return Services{s.r.Union(o.r)} }

// Intersect returns s ∩ o.
func (s Services) Intersect(o Services) Services { return Services{s.r.Intersect(o.r)} }

// Minus returns s \ o.
func (s Services) Minus(o Services) Services { return Services{s.r.Minus(o.r)} }

// Overlaps reports whether s ∩ o is not empty.
func (s Services) Overlaps(o Services) bool { return s.r.Overlaps(o.r) }

// ContainsAll reports whether o ⊆ s.
func (s Services) ContainsAll(o Services) bool { return s.r.ContainsAll(o.r) }

// Contains reports whether the service p is in s.
func (s Services) Contains(p Service) bool { return s.r.Contains(p.key()) }

// IsEmpty reports whether s holds nothing.
func (s Services) IsEmpty() bool { return len(s.r) == 0 }

// IsAll reports whether s holds every service.
func (s Services) IsAll() bool { return len(s.r) == 1 && s.r[0] == Range{0, maxKey} }

// Equal reports whether both sets hold the same services.
func (s Services) Equal(o Services) bool { return s.r.Equal(o.r) }

// Ranges exposes the encoded intervals, for splitting into atoms.
func (s Services) Ranges() Ranges { return s.r }

// ServicesOf wraps encoded intervals produced by Ranges or Split.
func ServicesOf(r Ranges) Services { return Services{Normalize(r)} }

// First returns the lowest service of a non-empty set.
func (s Services) First() Service { return FirstOf(s.r[0]) }

// FirstOf returns the lowest service of an encoded interval, such as a
// piece that Split cuts from Ranges.
func FirstOf(r Range) Service { return Service{Proto: uint8(r.Lo >> 16), Value: uint16(r.Lo)} }

// Protocols returns the protocols that s holds something of, ascending.
func (s Services) Protocols() []uint8 {
	var out []uint8
	for _, r := range s.r {
		for p := r.Lo >> 16; p <= r.Hi>>16; p++ {
			if len(out) == 0 || out[len(out)-1] != uint8(p) {
				out = append(out, uint8(p))
			}
		}
	}
	return out
}

// Values returns the ports (or ICMP type/codes) that s holds of one protocol.
func (s Services) Values(proto uint8) Ranges {
	return s.r.Intersect(Protocol(proto).r).shift(-(int64(proto) << 16))
}

func (s Ranges) shift(d int64) Ranges {
	out := make(Ranges, len(s))
	for i, r := range s {
		out[i] = Range{uint32(int64(r.Lo) + d), uint32(int64(r.Hi) + d)}
	}
	return out
}

// ProtocolName is the name clusterwall prints for an IP protocol number.
func ProtocolName(p uint8) string {
	switch p {
	case TCP:
		return "tcp"
	case UDP:
		return "udp"
	case ICMP:
		return "icmp"
	case ICMPv6:
		return "icmpv6"
	}
	return strconv.Itoa(int(p))
}

// ProtoPorts is one protocol's part of a set, printed as CONTRACT.md's
// flow.protocol and flow.ports.
type ProtoPorts struct {
	Protocol string // tcp, udp, icmp, icmpv6, all, or a number
	Ports    string // "443", "1025-65535", "53,443", or "all"
}

// Services is the set a part of Parts stands for.
func (p ProtoPorts) Services() Services {
	s, _ := ParseServices(p.String()) // Parts writes only what ParseServices reads
	return s
}

// Parts splits s into one entry per protocol, or a single "all"/"all"
// entry when s holds everything.
func (s Services) Parts() []ProtoPorts {
	if s.IsAll() {
		return []ProtoPorts{{"all", "all"}}
	}
	var out []ProtoPorts
	for _, p := range s.Protocols() {
		out = append(out, ProtoPorts{ProtocolName(p), valuesString(p, s.Values(p))})
	}
	return out
}

func valuesString(proto uint8, v Ranges) string {
	if len(v) == 1 && v[0] == (Range{0, 0xFFFF}) || !HasPorts(proto) && !IsICMP(proto) {
		return "all" // a protocol without ports is all or nothing
	}
	parts := make([]string, 0, len(v))
	for _, r := range v {
		if IsICMP(proto) {
			parts = append(parts, icmpRangeString(r))
			continue
		}
		if r.Lo == r.Hi {
			parts = append(parts, strconv.Itoa(int(r.Lo)))
		} else {
			parts = append(parts, fmt.Sprintf("%d-%d", r.Lo, r.Hi))
		}
	}
	return strings.Join(parts, ",")
}

// icmpRangeString prints type/code ranges as "8", "3:4", or "0-8".
func icmpRangeString(r Range) string {
	lt, lc, ht, hc := r.Lo>>8, r.Lo&0xFF, r.Hi>>8, r.Hi&0xFF
	switch {
	case lc == 0 && hc == 0xFF && lt == ht:
		return strconv.Itoa(int(lt))
	case lc == 0 && hc == 0xFF:
		return fmt.Sprintf("%d-%d", lt, ht)
	case r.Lo == r.Hi:
		return fmt.Sprintf("%d:%d", lt, lc)
	}
	return fmt.Sprintf("%d:%d-%d:%d", lt, lc, ht, hc)
}

// String prints s compactly: "all", "tcp/443", "tcp/443,10250 udp/53", "icmp".
func (s Services) String() string {
	if s.IsEmpty() {
		return "none"
	}
	parts := s.Parts()
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.String()
	}
	return strings.Join(out, " ")
}

// String writes a part as ParseServices reads it: "tcp/443", "udp" (every
// port), "all".
func (p ProtoPorts) String() string {
	switch {
	case p.Protocol == "all":
		return "all"
	case p.Ports == "all":
		return p.Protocol
	}
	return p.Protocol + "/" + p.Ports
}

// ParseProtocol reads a protocol as AWS, Terraform, CloudFormation and
// Tencent write it: a name (tcp, UDP, icmpv6, all), "-1", or a number.
// all is true for "every protocol".
func ParseProtocol(s string) (proto uint8, all bool, err error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "-1", "all", "any", "*":
		return 0, true, nil
	case "tcp":
		return TCP, false, nil
	case "udp":
		return UDP, false, nil
	case "icmp":
		return ICMP, false, nil
	case "icmpv6", "icmp6", "ipv6-icmp":
		return ICMPv6, false, nil
	case "gre":
		return 47, false, nil
	case "esp":
		return 50, false, nil
	case "ah":
		return 51, false, nil
	case "sctp":
		return 132, false, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < -1 || n > 255 {
		return 0, false, fmt.Errorf("unknown protocol %q: want tcp, udp, icmp, icmpv6, all, -1 or a number 0-255", s)
	}
	if n == -1 {
		return 0, true, nil
	}
	return uint8(n), false, nil
}

// ParseServices reads what a user types on the command line: "tcp/10250",
// "udp/53", "tcp/80,443", "tcp/30000-32767", "tcp" (every port), "icmp",
// "icmp/8" (echo request, any code), "icmp/3:4", "icmp/0-8", "all", or a
// protocol number. Several are separated by spaces or by commas before a
// protocol name; after a comma, a bare port, port range or ICMP type
// continues the previous protocol ("tcp/22,30000-32767", "icmp/0,8"), while
// after a space a bare number is a protocol ("tcp/80 47"). It reads back
// whatever String prints, except "none".
func ParseServices(s string) (Services, error) {
	var out Services
	var proto uint8
	have := false
	for _, it := range serviceItems(s) {
		item := it.text
		name, spec, hasSpec := strings.Cut(item, "/")
		if it.afterComma && have && !hasSpec && (HasPorts(proto) || IsICMP(proto)) && item[0] >= '0' && item[0] <= '9' {
			// "tcp/80,443": a bare value continues the previous protocol's.
			name, spec, hasSpec = ProtocolName(proto), item, true
		}
		p, all, err := ParseProtocol(name)
		if err != nil {
			return Services{}, err
		}
		if all {
			if hasSpec && spec != "all" {
				return Services{}, fmt.Errorf("%q: protocol all takes no port", item)
			}
			out = out.Union(AllServices())
			continue
		}
		proto, have = p, true
		if !hasSpec || strings.EqualFold(spec, "all") {
			out = out.Union(Protocol(p))
			continue
		}
		set, err := parseSpec(p, spec)
		if err != nil {
			return Services{}, fmt.Errorf("%q: %w", item, err)
		}
		out = out.Union(set)
	}
	if out.IsEmpty() {
		return Services{}, fmt.Errorf("%q: want PROTO/PORT such as tcp/443, udp/53, icmp or all", s)
	}
	return out, nil
}

type serviceItem struct {
	text       string
	afterComma bool // a comma separates it from the item before
}

// serviceItems splits at spaces and commas, noting where a comma was.
func serviceItems(s string) []serviceItem {
	var out []serviceItem
	comma, start := false, -1
	for i, r := range s {
		if r != ',' && r != ' ' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, serviceItem{s[start:i], comma})
			start, comma = -1, false
		}
		comma = comma || r == ','
	}
	if start >= 0 {
		out = append(out, serviceItem{s[start:], comma})
	}
	return out
}

func parseSpec(p uint8, spec string) (Services, error) {
	if IsICMP(p) {
		// "8", "3:4", or a range of them as String prints: "0-8", "3:1-4:2".
		lo, hi, isRange := strings.Cut(spec, "-")
		l, err := parseICMP(lo, 0)
		if err != nil {
			return Services{}, err
		}
		if !isRange {
			hi = lo
		}
		h, err := parseICMP(hi, 0xFF)
		if err != nil {
			return Services{}, err
		}
		if h < l {
			return Services{}, fmt.Errorf("ICMP range %s ends before it starts", spec)
		}
		base := uint32(p) << 16
		return Services{Ranges{{base | l, base | h}}}, nil
	}
	if !HasPorts(p) {
		return Services{}, fmt.Errorf("protocol %s has no ports", ProtocolName(p))
	}
	lo, hi, isRange := strings.Cut(spec, "-")
	l, err := parsePort(lo)
	if err != nil {
		return Services{}, err
	}
	h := l
	if isRange {
		if h, err = parsePort(hi); err != nil {
			return Services{}, err
		}
		if h < l {
			return Services{}, fmt.Errorf("port range %s ends before it starts", spec)
		}
	}
	return Ports(p, l, h), nil
}

// parseICMP reads "type" or "type:code" as type<<8|code, with the given
// code when there is none.
func parseICMP(s string, code uint32) (uint32, error) {
	typ, c, hasCode := strings.Cut(s, ":")
	t, err := strconv.Atoi(typ)
	if err != nil || t < 0 || t > 255 {
		return 0, fmt.Errorf("ICMP type %q is not a number 0-255", typ)
	}
	if hasCode {
		n, err := strconv.Atoi(c)
		if err != nil || n < 0 || n > 255 {
			return 0, fmt.Errorf("ICMP code %q is not a number 0-255", c)
		}
		code = uint32(n)
	}
	return uint32(t)<<8 | code, nil
}

func parsePort(s string) (uint16, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("port %q is not a number 0-65535", s)
	}
	return uint16(n), nil
}
