package reach_test

import (
	"net/netip"
	"strings"
	"testing"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
)

// Small builders for hand-written estates.

func cidr(s string) model.Peer {
	return model.Peer{Kind: model.PeerCIDR, Prefix: netip.MustParsePrefix(s)}
}

func grp(key string) model.Peer { return model.Peer{Kind: model.PeerGroup, Group: key} }

func svc(t *testing.T, s string) netset.Services {
	t.Helper()
	out, err := netset.ParseServices(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func in(peer model.Peer, s netset.Services) model.Rule {
	return model.Rule{Direction: model.Ingress, Services: s, Peer: peer}
}

func out(peer model.Peer, s netset.Services) model.Rule {
	return model.Rule{Direction: model.Egress, Services: s, Peer: peer}
}

func drop(r model.Rule) model.Rule { r.Action = model.Drop; return r }

func named(r model.Rule, id string) model.Rule { r.ID = id; return r }

func estateOf(p model.Provider, groups ...*model.Group) *model.Estate {
	e := model.NewEstate()
	for _, g := range groups {
		g.Provider = p
		e.AddGroup(g)
	}
	return e
}

func addrs(ss ...string) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, s := range ss {
		if strings.Contains(s, "/") {
			b.AddPrefix(netip.MustParsePrefix(s))
		} else {
			b.Add(netip.MustParseAddr(s))
		}
	}
	set, _ := b.IPSet()
	return set
}

// exact is a class of real hosts at the given addresses.
func exact(label string, groups []string, as ...string) reach.Host {
	return reach.Host{Label: label, Groups: groups, Addrs: addrs(as...), Exact: true}
}

// bound is a class whose addresses lie somewhere in the given ones.
func bound(label string, groups []string, as ...string) reach.Host {
	return reach.Host{Label: label, Groups: groups, Addrs: addrs(as...)}
}

func some(name string, hs ...reach.Host) reach.Endpoint {
	return reach.Endpoint{Name: name, Hosts: hs, Q: reach.Some}
}

func every(name string, hs ...reach.Host) reach.Endpoint {
	return reach.Endpoint{Name: name, Hosts: hs, Q: reach.Every}
}

func gs(keys ...string) []string { return keys }

func mustServices(s string) netset.Services {
	svcs, err := netset.ParseServices(s)
	if err != nil {
		panic(err)
	}
	return svcs
}

// unfilteredAll is an engine option with one unfiltered destination that
// serves everything (the metadata and DNS addresses, before the catalog
// says what each serves).
func unfilteredAll(cidr string) reach.Options {
	return reach.Options{Unfiltered: []reach.UnfilteredService{{Addrs: netset.SetOf(netip.MustParsePrefix(cidr)),
		Name: "Amazon DNS, instance metadata, time sync", Services: netset.AllServices()}}}
}
