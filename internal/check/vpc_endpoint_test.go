package check

import (
	"net/netip"
	"testing"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
)

// A private cluster's nodes reach AWS APIs through the VPC's interface
// endpoints: egress to the endpoints' group, which admits the nodes, is
// the HTTPS egress EKS needs, even with no rule to any CIDR.
func TestEgressHTTPSThroughVPCEndpoints(t *testing.T) {
	https := netset.Ports(netset.TCP, 443, 443)
	build := func(endpointAdmits string) *model.Estate {
		e := model.NewEstate()
		grp := func(id string, rules ...model.Rule) {
			e.Groups[id] = &model.Group{ID: id, Name: id, Provider: model.AWS, Rules: rules}
		}
		in := func(from string, s netset.Services) model.Rule {
			return model.Rule{Direction: model.Ingress, Services: s, Peer: model.Peer{Kind: model.PeerGroup, Group: from}, Description: "test"}
		}
		out := func(to string, s netset.Services) model.Rule {
			return model.Rule{Direction: model.Egress, Services: s, Peer: model.Peer{Kind: model.PeerGroup, Group: to}, Description: "test"}
		}
		grp("cp", in("node", https), out("node", netset.AllServices()))
		grp("node", in("node", netset.AllServices()), in("cp", netset.AllServices()),
			out("node", netset.AllServices()), out("cp", https), out("vpce", https))
		grp("vpce", in(endpointAdmits, https))
		e.Interfaces = []*model.Interface{{ID: "eni-1", Type: model.InterfaceVPCEndpoint, Groups: []string{"vpce"}, VPC: "vpc-1",
			Addrs: []netip.Addr{netip.MustParseAddr("10.0.4.100")}}}
		e.Clusters = []*model.Cluster{{Name: "t", Platform: model.EKS, VPC: "vpc-1", Networks: model.Networks{VPC: []netip.Prefix{vpcCIDR}},
			Endpoint: model.Endpoint{Public: model.No, Private: model.Yes},
			Members: []*model.Member{
				{Role: model.RoleControlPlane, Groups: []string{"cp"}},
				{Role: model.RoleNodes, Name: "ng", Groups: []string{"node"}},
			}}}
		return e
	}
	has := func(res Result, id string) bool {
		for _, f := range res.Findings {
			if f.ID == id {
				return true
			}
		}
		return false
	}
	if res := run(t, build("node"), 1); has(res, "EKS-REQ-EGRESS-HTTPS") {
		t.Errorf("endpoints admit the nodes, yet EKS-REQ-EGRESS-HTTPS is reported: %+v", res.Findings)
	}
	if res := run(t, build("cp"), 1); !has(res, "EKS-REQ-EGRESS-HTTPS") {
		t.Errorf("endpoints admit only the control plane, yet EKS-REQ-EGRESS-HTTPS is not reported: %+v", res.Findings)
	}
}
