package remedy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// AWSDescription keeps the characters AWS accepts in rule descriptions
// and at most 255 of them.
func AWSDescription(s string) string {
	s = strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', strings.ContainsRune(" ._-:/()#,@[]+=&;{}!$*", c):
			return c
		}
		return -1
	}, s)
	if len(s) > 255 {
		s = s[:252] + "..."
	}
	return s
}

// place is file:line, or the address when there is no file.
func place(l srcpos.Location) string {
	if l.File == "" {
		return l.Address
	}
	return srcpos.Location{File: l.File, Line: l.Line}.String()
}

// tfAddress tells a Terraform address (aws_security_group.node,
// module.eks.aws_security_group.node["a"]).
var tfAddress = regexp.MustCompile(`^(module\.[A-Za-z0-9_-]+(\[[^\]]+\])?\.)*[a-z0-9_]+\.[A-Za-z0-9_-]+`)

// tfRef is the expression for a group's id in the configuration. The
// cluster security group's key is already that expression.
func tfRef(id string) string {
	switch {
	case strings.HasSuffix(id, ".cluster_security_group_id"), strings.HasSuffix(id, "_security_group_id"):
		return id
	case strings.HasPrefix(id, "sg-"):
		return strconv.Quote(id)
	case tfAddress.MatchString(id):
		return id + ".id"
	}
	return strconv.Quote(id)
}

// moduleNote warns when a group lives in a child module: the fix belongs
// in the module, or needs the module to expose the group's id.
func moduleNote(ids ...string) string {
	for _, id := range ids {
		if strings.HasPrefix(id, "module.") {
			mod := id[:strings.LastIndex(strings.SplitN(id, "aws_", 2)[0], ".")]
			return fmt.Sprintf("# %s is declared in %s: write this there, or have the module output the group's id.\n", id, mod)
		}
	}
	return ""
}

func resourceName(g *model.Group, r model.Rule, p part) string {
	base := g.Name
	if base == "" {
		base = g.ID[strings.LastIndex(g.ID, ".")+1:]
	}
	name := fmt.Sprintf("%s_%s_%s", base, r.Direction, p.awsProtocol())
	if p.ports && !p.all {
		name += "_" + strconv.Itoa(max(p.from, 0))
	}
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			return c
		}
		return '_'
	}, strings.ReplaceAll(name, "-1", "all"))
}

func awsTerraform(e *model.Estate, g *model.Group, c Change) string {
	r := c.Rule
	if c.Remove {
		if r.Standalone {
			return fmt.Sprintf("# remove resource %s (%s)\n", r.Origin.Address, place(r.Origin))
		}
		return fmt.Sprintf("# remove the %s block at %s from %s\n", r.Direction, place(r.Origin), g.ID)
	}
	var b strings.Builder
	desc := AWSDescription(r.Description)
	if g.ExclusiveRules {
		// The group owns its rules inline: add a block to it, never a
		// separate resource that Terraform would fight.
		fmt.Fprintf(&b, "# add inside %s (%s):\n", g.ID, place(g.Origin))
		b.WriteString(moduleNote(g.ID))
		for _, p := range parts(r.Services) {
			fmt.Fprintf(&b, "%s {\n", r.Direction)
			fmt.Fprintf(&b, "  description = %s\n", hclString(desc))
			from, to := p.from, p.to
			if !p.ports {
				from, to = 0, 0
			}
			fmt.Fprintf(&b, "  protocol    = %s\n", hclString(p.awsProtocol()))
			fmt.Fprintf(&b, "  from_port   = %d\n  to_port     = %d\n", from, to)
			switch {
			case r.Peer.Kind == model.PeerGroup && r.Peer.Group == g.ID:
				b.WriteString("  self        = true\n")
			case r.Peer.Kind == model.PeerGroup:
				fmt.Fprintf(&b, "  security_groups = [%s]\n", tfRef(r.Peer.Group))
			case ipv4(r.Peer.Prefix):
				fmt.Fprintf(&b, "  cidr_blocks = [%s]\n", hclString(r.Peer.Prefix.String()))
			default:
				fmt.Fprintf(&b, "  ipv6_cidr_blocks = [%s]\n", hclString(r.Peer.Prefix.String()))
			}
			b.WriteString("}\n")
		}
		return b.String()
	}
	b.WriteString(moduleNote(g.ID, r.Peer.Group))
	for _, p := range parts(r.Services) {
		fmt.Fprintf(&b, "resource \"aws_vpc_security_group_%s_rule\" %q {\n", r.Direction, resourceName(g, r, p))
		fmt.Fprintf(&b, "  security_group_id = %s\n", tfRef(g.ID))
		switch {
		case r.Peer.Kind == model.PeerGroup:
			fmt.Fprintf(&b, "  referenced_security_group_id = %s\n", tfRef(r.Peer.Group))
		case ipv4(r.Peer.Prefix):
			fmt.Fprintf(&b, "  cidr_ipv4 = %s\n", hclString(r.Peer.Prefix.String()))
		default:
			fmt.Fprintf(&b, "  cidr_ipv6 = %s\n", hclString(r.Peer.Prefix.String()))
		}
		fmt.Fprintf(&b, "  ip_protocol = %s\n", hclString(p.awsProtocol()))
		if p.ports {
			fmt.Fprintf(&b, "  from_port = %d\n  to_port = %d\n", p.from, p.to)
		}
		fmt.Fprintf(&b, "  description = %s\n}\n", hclString(desc))
	}
	return b.String()
}

// tencentPort gives Tencent's protocol and port of one part.
func tencentPort(p part) (string, string) {
	switch {
	case p.all:
		return "ALL", "ALL"
	case p.proto == netset.ICMP:
		return "ICMP", "ALL"
	case p.proto == netset.ICMPv6:
		return "ICMPv6", "ALL"
	case netset.HasPorts(p.proto):
		port := strconv.Itoa(p.from)
		if p.to != p.from {
			port += "-" + strconv.Itoa(p.to)
		}
		if p.from == 0 && p.to == 65535 {
			port = "ALL"
		}
		return strings.ToUpper(netset.ProtocolName(p.proto)), port
	}
	return "ALL", "ALL"
}

func tencentPeer(r model.Rule) (key, value string) {
	switch {
	case r.Peer.Kind == model.PeerGroup:
		return "SecurityGroupId", r.Peer.Group
	case ipv4(r.Peer.Prefix):
		return "CidrBlock", r.Peer.Prefix.String()
	}
	return "Ipv6CidrBlock", r.Peer.Prefix.String()
}

func tencentTerraform(e *model.Estate, g *model.Group, c Change) string {
	r := c.Rule
	if c.Remove {
		return fmt.Sprintf("# remove the %s rule at %s (%s %s) from %s\n", r.Direction, place(r.Origin), prep(r.Direction), r.Peer, g.ID)
	}
	// How the group's rules are declared decides the fix's shape.
	lite, owner := false, ""
	for _, old := range g.Rules {
		if strings.HasPrefix(old.Origin.Address, "tencentcloud_security_group_lite_rule.") {
			lite, owner = true, strings.SplitN(old.Origin.Address, "[", 2)[0]
		} else if strings.HasPrefix(old.Origin.Address, "tencentcloud_security_group_rule_set.") {
			owner = strings.SplitN(old.Origin.Address, "[", 2)[0]
		}
	}
	var b strings.Builder
	if lite {
		fmt.Fprintf(&b, "# put first in the %s list of %s:\n", r.Direction, owner)
		for _, p := range parts(r.Services) {
			proto, port := tencentPort(p)
			_, src := tencentPeer(r)
			if r.Peer.Kind == model.PeerGroup {
				src = tencentRefText(r.Peer.Group)
			}
			fmt.Fprintf(&b, "%s,\n", hclString(fmt.Sprintf("ACCEPT#%s#%s#%s", src, port, proto)))
		}
		return b.String()
	}
	if owner == "" {
		owner = "the tencentcloud_security_group_rule_set of " + g.ID
	}
	fmt.Fprintf(&b, "# add as the first %s block of %s:\n", r.Direction, owner)
	for _, p := range parts(r.Services) {
		proto, port := tencentPort(p)
		fmt.Fprintf(&b, "%s {\n  action = \"ACCEPT\"\n", r.Direction)
		switch {
		case r.Peer.Kind == model.PeerGroup:
			fmt.Fprintf(&b, "  source_security_id = %s\n", tencentRef(r.Peer.Group))
		case ipv4(r.Peer.Prefix):
			fmt.Fprintf(&b, "  cidr_block = %s\n", hclString(r.Peer.Prefix.String()))
		default:
			fmt.Fprintf(&b, "  ipv6_cidr_block = %s\n", hclString(r.Peer.Prefix.String()))
		}
		fmt.Fprintf(&b, "  protocol = %s\n", hclString(proto))
		if port != "ALL" {
			fmt.Fprintf(&b, "  port = %s\n", hclString(port))
		}
		fmt.Fprintf(&b, "  description = %s\n}\n", hclString(r.Description))
	}
	return b.String()
}

func tencentRef(id string) string {
	if strings.HasPrefix(id, "sg-") || !tfAddress.MatchString(id) {
		return strconv.Quote(id)
	}
	return id + ".id"
}

func tencentRefText(id string) string {
	if strings.HasPrefix(id, "sg-") || !tfAddress.MatchString(id) {
		return id
	}
	return "${" + id + ".id}"
}

// cfnRef is how a template refers to a group's id: !GetAtt X.GroupId for
// a group the template declares, the attribute for the EKS cluster's
// group, !Ref for a group passed in as a parameter, the literal id.
func cfnRef(e *model.Estate, id string) string {
	g := e.Groups[id]
	switch {
	case strings.HasPrefix(id, "sg-"):
		return id
	case strings.HasSuffix(id, ".ClusterSecurityGroupId"):
		return "!GetAtt " + id
	case g != nil && g.RulesUnknown != "":
		return "!Ref " + id // not a resource of the template: a parameter or an import
	}
	return "!GetAtt " + id + ".GroupId"
}

func cloudFormation(e *model.Estate, g *model.Group, c Change) string {
	r := c.Rule
	if c.Remove {
		return fmt.Sprintf("# remove the %s rule at %s (%s %s) from %s\n", r.Direction, place(r.Origin), prep(r.Direction), r.Peer, g.ID)
	}
	kind, peerKey := "AWS::EC2::SecurityGroupIngress", "SourceSecurityGroupId"
	if r.Direction == model.Egress {
		kind, peerKey = "AWS::EC2::SecurityGroupEgress", "DestinationSecurityGroupId"
	}
	var b strings.Builder
	for _, p := range parts(r.Services) {
		name := strings.NewReplacer(".", "", "-", "", "_", "").Replace(g.ID)
		fmt.Fprintf(&b, "%s%s%s:\n  Type: %s\n  Properties:\n", name, strings.ToUpper(r.Direction.String()[:1])+r.Direction.String()[1:], portWord(p), kind)
		fmt.Fprintf(&b, "    GroupId: %s\n    IpProtocol: %s\n", cfnRef(e, g.ID), strconv.Quote(p.awsProtocol()))
		if p.ports {
			fmt.Fprintf(&b, "    FromPort: %d\n    ToPort: %d\n", p.from, p.to)
		}
		switch {
		case r.Peer.Kind == model.PeerGroup:
			fmt.Fprintf(&b, "    %s: %s\n", peerKey, cfnRef(e, r.Peer.Group))
		case ipv4(r.Peer.Prefix):
			fmt.Fprintf(&b, "    CidrIp: %s\n", r.Peer.Prefix)
		default:
			fmt.Fprintf(&b, "    CidrIpv6: %s\n", r.Peer.Prefix)
		}
		fmt.Fprintf(&b, "    Description: %s\n", strconv.Quote(AWSDescription(r.Description)))
	}
	return b.String()
}

func portWord(p part) string {
	switch {
	case p.all:
		return "All"
	case p.ports:
		return strings.ToUpper(netset.ProtocolName(p.proto)) + strconv.Itoa(max(p.from, 0))
	}
	return "Proto" + strconv.Itoa(int(p.proto))
}

// awsPermissions is the --ip-permissions JSON of a rule.
func awsPermissions(r model.Rule, withDescription bool) string {
	var perms []map[string]any
	for _, p := range parts(r.Services) {
		perm := map[string]any{"IpProtocol": p.awsProtocol()}
		if p.ports {
			perm["FromPort"], perm["ToPort"] = p.from, p.to
		}
		peer := map[string]any{}
		if withDescription && r.Description != "" {
			peer["Description"] = AWSDescription(r.Description)
		}
		switch {
		case r.Peer.Kind == model.PeerGroup:
			peer["GroupId"] = r.Peer.Group
			perm["UserIdGroupPairs"] = []any{peer}
		case r.Peer.Kind == model.PeerAddressSet:
			peer["PrefixListId"] = r.Peer.Set
			perm["PrefixListIds"] = []any{peer}
		case ipv4(r.Peer.Prefix):
			peer["CidrIp"] = r.Peer.Prefix.String()
			perm["IpRanges"] = []any{peer}
		default:
			peer["CidrIpv6"] = r.Peer.Prefix.String()
			perm["Ipv6Ranges"] = []any{peer}
		}
		perms = append(perms, perm)
	}
	data, _ := json.Marshal(perms)
	return string(data)
}

func awsCLI(e *model.Estate, g *model.Group, c Change) string {
	r := c.Rule
	if c.Remove {
		if strings.HasPrefix(r.ID, "sgr-") {
			return fmt.Sprintf("aws ec2 revoke-security-group-%s --group-id %s --security-group-rule-ids %s\n", r.Direction, g.ID, r.ID)
		}
		return fmt.Sprintf("aws ec2 revoke-security-group-%s --group-id %s --ip-permissions '%s'\n", r.Direction, g.ID, awsPermissions(r, false))
	}
	return fmt.Sprintf("aws ec2 authorize-security-group-%s --group-id %s --ip-permissions '%s'\n", r.Direction, g.ID, awsPermissions(r, true))
}

var policyIndex = regexp.MustCompile(`\[(\d+)\]`)

func tccli(g *model.Group, c Change) string {
	r := c.Rule
	dir := "Ingress"
	if r.Direction == model.Egress {
		dir = "Egress"
	}
	if c.Remove {
		if m := policyIndex.FindStringSubmatch(r.ID); m != nil {
			return fmt.Sprintf("tccli vpc DeleteSecurityGroupPolicies --SecurityGroupId %s --SecurityGroupPolicySet '{\"%s\":[{\"PolicyIndex\":%s}]}'\n", g.ID, dir, m[1])
		}
		return fmt.Sprintf("# remove the %s rule at %s from %s\n", r.Direction, place(r.Origin), g.ID)
	}
	var policies []map[string]any
	for _, p := range parts(r.Services) {
		proto, port := tencentPort(p)
		key, value := tencentPeer(r)
		pol := map[string]any{"PolicyIndex": 0, "Protocol": proto, key: value, "Action": "ACCEPT", "PolicyDescription": r.Description}
		if port != "ALL" {
			pol["Port"] = port
		}
		policies = append(policies, pol)
	}
	data, _ := json.Marshal(map[string]any{dir: policies})
	return fmt.Sprintf("tccli vpc CreateSecurityGroupPolicies --SecurityGroupId %s --SecurityGroupPolicySet '%s'\n", g.ID, data)
}
