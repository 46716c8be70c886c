// Package remedy owns the rule changes that clear findings — a rule to
// add to a group, a rule to remove — and writes each in the language of
// the input the group came from: a Terraform block, a CloudFormation
// resource, an `aws ec2` command, a `tccli` command.
package remedy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
)

// Change is one rule to add to, or remove from, a group.
type Change struct {
	Remove bool
	Group  string // the group's key in the estate
	// Rule to add (Direction, Action, Services, Peer, Description), or the
	// rule to remove as it was read (with its Origin and ID).
	Rule model.Rule
	// First: in an ordered group the new rule goes before every other rule
	// of its direction, so that no earlier DROP decides its traffic.
	First bool
}

// Key identifies a change, to merge changes that several findings ask for.
func (c Change) Key() string {
	r := c.Rule
	return fmt.Sprintf("%v|%s|%s|%s|%s|%s", c.Remove, c.Group, r.Direction, r.Services, r.Peer, r.Origin)
}

// Formats of the inputs, as the loader names them.
const (
	Terraform      = "terraform"
	TerraformPlan  = "terraform-plan-json"
	CloudFormation = "cloudformation"
	AWSCLI         = "aws-cli-json"
	TencentAPI     = "tencent-api-json"
)

// Snippet writes one change in the language of its group's input. It
// never fails: a group whose input it cannot write for gets a plain
// sentence.
func Snippet(e *model.Estate, c Change) string {
	g := e.Groups[c.Group]
	if g == nil {
		return Sentence(e, c)
	}
	switch {
	case g.Format == Terraform || g.Format == TerraformPlan:
		if g.Provider == model.Tencent {
			return tencentTerraform(e, g, c)
		}
		return awsTerraform(e, g, c)
	case g.Format == CloudFormation:
		return cloudFormation(e, g, c)
	case g.Format == AWSCLI || g.Provider == model.AWS && strings.HasPrefix(g.ID, "sg-"):
		return awsCLI(e, g, c)
	case g.Format == TencentAPI:
		return tccli(g, c)
	}
	return Sentence(e, c)
}

// Sentence says a change in words.
func Sentence(e *model.Estate, c Change) string {
	r := c.Rule
	if c.Remove {
		return fmt.Sprintf("Remove from %s the %s rule allowing %s %s %s (%s).", label(e, c.Group), r.Direction, r.Services, prep(r.Direction), peerLabel(e, r.Peer), r.Origin)
	}
	where := ""
	if c.First {
		where = " before its other " + r.Direction.String() + " rules"
	}
	return fmt.Sprintf("Add to %s an %s rule%s allowing %s %s %s.", label(e, c.Group), r.Direction, where, r.Services, prep(r.Direction), peerLabel(e, r.Peer))
}

func label(e *model.Estate, id string) string {
	if g := e.Groups[id]; g != nil {
		return g.Label()
	}
	return id
}

func peerLabel(e *model.Estate, p model.Peer) string {
	if p.Kind == model.PeerGroup {
		return label(e, p.Group)
	}
	return p.String()
}

func prep(d model.Direction) string {
	if d == model.Egress {
		return "to"
	}
	return "from"
}

// part is one protocol and one port range (or ICMP type) of a rule, as
// APIs and resources take them.
type part struct {
	proto    uint8
	all      bool
	from, to int // ports, or ICMP type and code (-1 for all)
	ports    bool
}

// parts splits services into what one AWS rule can say.
func parts(s netset.Services) []part {
	if s.IsAll() {
		return []part{{all: true}}
	}
	var out []part
	for _, p := range s.Protocols() {
		vals := s.Values(p)
		switch {
		case netset.IsICMP(p):
			if len(vals) == 1 && vals[0] == (netset.Range{Lo: 0, Hi: 0xFFFF}) {
				out = append(out, part{proto: p, from: -1, to: -1, ports: true})
				continue
			}
			for _, r := range vals {
				for t := r.Lo >> 8; t <= r.Hi>>8; t++ {
					code := -1
					if r.Lo == r.Hi {
						code = int(r.Lo & 0xFF)
					}
					out = append(out, part{proto: p, from: int(t), to: code, ports: true})
				}
			}
		case netset.HasPorts(p):
			for _, r := range vals {
				out = append(out, part{proto: p, from: int(r.Lo), to: int(r.Hi), ports: true})
			}
		default:
			out = append(out, part{proto: p})
		}
	}
	return out
}

func (p part) awsProtocol() string {
	switch {
	case p.all:
		return "-1"
	case p.proto == netset.TCP || p.proto == netset.UDP || p.proto == netset.ICMP || p.proto == netset.ICMPv6:
		return netset.ProtocolName(p.proto)
	}
	return strconv.Itoa(int(p.proto))
}

// ipv4 reports whether a CIDR peer is IPv4.
func ipv4(p netip.Prefix) bool { return p.Addr().Is4() }

// hclString quotes a string for HCL.
func hclString(s string) string { return strconv.Quote(s) }
