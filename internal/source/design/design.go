// Package design reads the JSON designs `clusterwall generate --format
// json` writes, so that check and query answer for them like for any
// other input.
package design

import (
	"net/netip"
	"strings"

	"github.com/clusterwall/clusterwall/internal/generate"
	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/source/input"
	"github.com/clusterwall/clusterwall/internal/source/jsonpos"
	"github.com/clusterwall/clusterwall/internal/srcpos"
)

// Detect reports whether a JSON object with these keys is a design.
func Detect(keys map[string]bool, data []byte) bool {
	return keys["kind"] && keys["groups"] && strings.Contains(string(data[:min(len(data), 200)]), generate.DesignKind)
}

// Read reads design documents into an estate: one cluster each, its
// groups with their rules and roles.
func Read(files []input.File) (*model.Estate, error) {
	e := model.NewEstate()
	for _, f := range files {
		var doc generate.Document
		d, err := jsonpos.Parse(f.Path, f.Data, &doc)
		if err != nil {
			return nil, err
		}
		if doc.Kind != generate.DesignKind || doc.Schema != 1 {
			return nil, srcpos.Errorf(srcpos.Location{File: f.Path, Line: 1}, "not a clusterwall design of schema 1 (kind %q, schema %d)", doc.Kind, doc.Schema)
		}
		if err := read(e, f.Path, d, &doc); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func read(e *model.Estate, file string, d *jsonpos.Doc, doc *generate.Document) error {
	provider, platform := model.AWS, model.EKS
	if doc.Platform == string(model.TKE) {
		provider, platform = model.Tencent, model.TKE
	}
	c := &model.Cluster{Name: doc.Cluster, Platform: platform, Origin: srcpos.Location{File: file, Line: 1}}
	c.Endpoint = model.Endpoint{Public: model.TriOf(doc.Endpoint.Public), Private: model.Yes, Origin: c.Origin}
	for _, s := range doc.Endpoint.PublicCIDRs {
		if p, err := netip.ParsePrefix(s); err == nil {
			c.Endpoint.PublicCIDRs = append(c.Endpoint.PublicCIDRs, p)
		}
	}
	for _, s := range doc.Networks.VPC {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return srcpos.Errorf(srcpos.Location{File: file, Line: d.Root.At("networks").LineOf(1)}, "networks.vpc: %q is not a CIDR", s)
		}
		c.Networks.VPC = append(c.Networks.VPC, p)
	}
	for _, s := range doc.Networks.Pods {
		if p, err := netip.ParsePrefix(s); err == nil {
			c.Networks.Pods = append(c.Networks.Pods, p)
		}
	}
	for _, a := range doc.AddOns {
		name, ver, _ := strings.Cut(a, "@")
		c.AddOns = append(c.AddOns, model.AddOn{Name: name, Version: ver, Source: "design", Origin: c.Origin})
	}
	id := func(key string) string {
		for _, g := range doc.Groups {
			if g.Key == key && g.Existing != "" {
				return g.Existing
			}
		}
		return doc.Cluster + "/" + key
	}
	for gi, gd := range doc.Groups {
		loc := srcpos.Location{File: file, Line: d.Root.At("groups", gi).LineOf(1), Address: gd.Key}
		g := &model.Group{ID: id(gd.Key), Name: gd.Name, Provider: provider, Description: gd.Description, Origin: loc}
		if gd.Existing != "" {
			g.RulesUnknown = "an existing group the design refers to"
		}
		for dir, rules := range [][]generate.RuleDocument{gd.Ingress, gd.Egress} {
			key := "ingress"
			if dir == 1 {
				key = "egress"
			}
			for ri, rd := range rules {
				rloc := srcpos.Location{File: file, Line: d.Root.At("groups", gi, key, ri).LineOf(loc.Line), Address: gd.Key}
				r, err := rule(rd, model.Direction(dir), id, rloc)
				if err != nil {
					return err
				}
				g.Rules = append(g.Rules, r)
			}
		}
		e.AddGroup(g)
		m := &model.Member{Role: gd.Role, Kind: "design", Groups: []string{g.ID}, Origin: loc}
		if gd.Role != model.RoleControlPlane {
			m.Name = gd.Name
			if m.Name == "" {
				m.Name = gd.Key
			}
		}
		c.Members = append(c.Members, m)
	}
	e.Clusters = append(e.Clusters, c)
	return nil
}

func rule(rd generate.RuleDocument, dir model.Direction, id func(string) string, loc srcpos.Location) (model.Rule, error) {
	spec := rd.Protocol
	if rd.Ports != "all" && rd.Ports != "" {
		spec += "/" + rd.Ports
	}
	svcs, err := netset.ParseServices(spec)
	if err != nil {
		return model.Rule{}, srcpos.Errorf(loc, "protocol %q ports %q: %v", rd.Protocol, rd.Ports, err)
	}
	r := model.Rule{Direction: dir, Services: svcs, Description: rd.Description, Origin: loc}
	if strings.EqualFold(rd.Action, "drop") {
		r.Action = model.Drop
	}
	switch {
	case rd.Group != "":
		r.Peer = model.Peer{Kind: model.PeerGroup, Group: id(rd.Group)}
	case rd.CIDR != "":
		p, err := netip.ParsePrefix(rd.CIDR)
		if err != nil {
			return model.Rule{}, srcpos.Errorf(loc, "cidr %q is not a CIDR", rd.CIDR)
		}
		r.Peer = model.Peer{Kind: model.PeerCIDR, Prefix: p}
	default:
		return model.Rule{}, srcpos.Errorf(loc, "rule names no peer: expected group or cidr")
	}
	return r, nil
}
