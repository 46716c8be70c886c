package tfaws

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/tfinst"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// services converts a Terraform protocol and port pair as the AWS
// provider passes them to EC2: "-1" (or "all") is every protocol and
// port; for ICMP the ports are the type and code, -1 meaning all; a
// protocol other than tcp, udp, icmp and icmpv6 is the whole protocol.
// What the configuration does not decide gives an upper bound and the
// reason.
func services(proto, from, to cty.Value, loc srcpos.Location) (netset.Services, string, error) {
	if tfinst.Absent(proto) {
		return netset.Services{}, "", srcpos.Errorf(loc, "the rule has no protocol")
	}
	ps, ok := tfinst.String(proto)
	if !ok {
		return netset.AllServices(), "the protocol is not known: " + tfinst.ReasonOr(proto, "it is computed at apply time"), nil
	}
	p, all, err := netset.ParseProtocol(ps)
	if err != nil {
		return netset.Services{}, "", srcpos.Errorf(loc, "protocol: %v", err)
	}
	if all {
		return netset.AllServices(), "", nil
	}
	if !netset.HasPorts(p) && !netset.IsICMP(p) {
		return netset.Protocol(p), "", nil
	}
	lo, hi := int64(-1), int64(-1)
	for i, v := range []cty.Value{from, to} {
		if tfinst.Absent(v) {
			continue
		}
		n, ok := tfinst.Int(v)
		if !ok {
			if !tfinst.WhollyKnown(v) {
				return netset.Protocol(p), "the ports are not known: " + tfinst.ReasonOr(v, "they are computed at apply time"), nil
			}
			return netset.Services{}, "", srcpos.Errorf(loc, "%s %s is not a number", []string{"from_port", "to_port"}[i], tfinst.Describe(v))
		}
		if i == 0 {
			lo = n
		} else {
			hi = n
		}
	}
	if netset.IsICMP(p) {
		if lo < -1 || lo > 255 || hi < -1 || hi > 255 {
			return netset.Services{}, "", srcpos.Errorf(loc, "ICMP type %d and code %d: expected -1 to 255", lo, hi)
		}
		return netset.ICMPType(p, int(lo), int(hi)), "", nil
	}
	switch {
	case lo == -1 && hi == -1:
		return netset.Protocol(p), "", nil
	case lo == -1:
		lo = hi
	case hi == -1:
		hi = lo
	}
	if lo < 0 || hi > 65535 || lo > hi {
		return netset.Services{}, "", srcpos.Errorf(loc, "port range %d-%d: expected 0-65535 with from_port ≤ to_port", lo, hi)
	}
	return netset.Ports(p, uint16(lo), uint16(hi)), "", nil
}

// peerSet collects the peers a rule names, one model.Peer each.
type peerSet struct {
	m     *mapper
	loc   srcpos.Location
	peers []model.Peer
}

func (ps *peerSet) unknown(why string) {
	ps.peers = append(ps.peers, model.Peer{Kind: model.PeerUnknown, Why: why})
}

// someGroup adds a security group the configuration does not identify.
func (ps *peerSet) someGroup(why string) {
	ps.peers = append(ps.peers, model.Peer{Kind: model.PeerUnknown, Why: why, SomeGroup: true})
}

// cidrs adds the CIDR blocks of a list (cidr_blocks, ipv6_cidr_blocks) or
// of one string (cidr_ipv4).
func (ps *peerSet) cidrs(attr string, v cty.Value) error {
	elems, known := tfinst.List(v)
	if !known {
		ps.unknown(fmt.Sprintf("%s is not known: %s", attr, tfinst.ReasonOr(v, "it is computed at apply time")))
		return nil
	}
	for _, e := range elems {
		if tfinst.Absent(e) {
			continue
		}
		s, ok := tfinst.String(e)
		if !ok {
			ps.unknown(fmt.Sprintf("%s is not known: %s", attr, tfinst.ReasonOr(e, "it is computed at apply time")))
			continue
		}
		if tfinst.ContainsRef(s) {
			ps.unknown(fmt.Sprintf("%s %q is computed from %s at apply time", attr, tfinst.Printable(s), strings.Join(tfinst.RefsIn(s), ", ")))
			continue
		}
		p, err := parsePrefix(s)
		if err != nil {
			return srcpos.Errorf(ps.loc, "%s: %v", attr, err)
		}
		ps.peers = append(ps.peers, model.Peer{Kind: model.PeerCIDR, Prefix: p})
	}
	return nil
}

// groups adds the security groups a list (security_groups) or one value
// (source_security_group_id) names.
func (ps *peerSet) groups(attr string, v cty.Value) {
	elems, known := tfinst.List(v)
	if !known {
		ps.someGroup(fmt.Sprintf("%s is not known: %s", attr, tfinst.ReasonOr(v, "it is computed at apply time")))
		return
	}
	for _, e := range elems {
		key, why := ps.m.c.RefKey(e)
		switch {
		case why != "":
			ps.someGroup(fmt.Sprintf("%s: %s", attr, why))
		case key != "":
			ps.peers = append(ps.peers, model.Peer{Kind: model.PeerGroup, Group: key})
		}
	}
}

// prefixLists adds the managed prefix lists a list or one value names.
func (ps *peerSet) prefixLists(attr string, v cty.Value) {
	elems, known := tfinst.List(v)
	if !known {
		ps.unknown(fmt.Sprintf("%s is not known: %s", attr, tfinst.ReasonOr(v, "it is computed at apply time")))
		return
	}
	for _, e := range elems {
		key, why := ps.m.c.RefKey(e)
		switch {
		case why != "":
			ps.unknown(fmt.Sprintf("%s: %s", attr, why))
		case key != "":
			ps.peers = append(ps.peers, model.Peer{Kind: model.PeerAddressSet, Set: key})
		}
	}
}

// self adds the rule's own group when self is true.
func (ps *peerSet) self(v cty.Value, group string) {
	if tfinst.Absent(v) {
		return
	}
	b, ok := tfinst.Bool(v)
	if !ok {
		ps.unknown("self is not known: " + tfinst.ReasonOr(v, "it is computed at apply time"))
		return
	}
	if b {
		ps.peers = append(ps.peers, model.Peer{Kind: model.PeerGroup, Group: group})
	}
}

func parsePrefix(s string) (netip.Prefix, error) {
	if p, ok := input.ParsePrefix(s); ok {
		return p, nil
	}
	return netip.Prefix{}, fmt.Errorf("%q is not a CIDR block (expected such as 10.0.0.0/16 or ::/0)", strings.TrimSpace(s))
}

// rulesFor makes one rule per peer.
func rulesFor(dir model.Direction, svcs netset.Services, portsUnknown string, peers []model.Peer, desc, id string, standalone bool, loc srcpos.Location) []model.Rule {
	out := make([]model.Rule, 0, len(peers))
	for _, p := range peers {
		out = append(out, model.Rule{Direction: dir, Services: svcs, PortsUnknown: portsUnknown, Peer: p,
			Description: desc, ID: id, Standalone: standalone, Origin: loc})
	}
	return out
}
