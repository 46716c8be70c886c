package generate

import (
	"encoding/json"
	"io"
)

// DesignKind marks a JSON design document, so that the design reader
// recognises it.
const DesignKind = "clusterwall-design"

// Document is the JSON form of a design.
type Document struct {
	Kind     string          `json:"kind"`
	Schema   int             `json:"schema"`
	Platform string          `json:"platform"`
	Cluster  string          `json:"cluster"`
	Level    int             `json:"level"`
	AddOns   []string        `json:"addons,omitempty"`
	Networks NetworksDoc     `json:"networks"`
	Endpoint EndpointDoc     `json:"endpoint"`
	Groups   []GroupDocument `json:"groups"`
}

// EndpointDoc is how the cluster's API server is reached: the design
// assumes the private endpoint only (seed 003: "EKS API エンドポイントは
// private 化").
type EndpointDoc struct {
	Public      bool     `json:"public"`
	PublicCIDRs []string `json:"public_cidrs,omitempty"`
}

// NetworksDoc are the cluster's networks.
type NetworksDoc struct {
	VPC  []string `json:"vpc"`
	Pods []string `json:"pods,omitempty"`
}

// GroupDocument is one group.
type GroupDocument struct {
	Key         string         `json:"key"`
	Role        string         `json:"role"`
	Name        string         `json:"name,omitempty"`
	Description string         `json:"description,omitempty"`
	Existing    string         `json:"existing,omitempty"`
	Ingress     []RuleDocument `json:"ingress"`
	Egress      []RuleDocument `json:"egress"`
}

// RuleDocument is one rule; the peer is a group key or a CIDR.
type RuleDocument struct {
	Action       string   `json:"action"`
	Protocol     string   `json:"protocol"`
	Ports        string   `json:"ports"`
	Group        string   `json:"group,omitempty"`
	CIDR         string   `json:"cidr,omitempty"`
	Requirements []string `json:"requirements"`
	Description  string   `json:"description"`
}

// ToDocument gives the JSON form of a design.
func ToDocument(d *Design) Document {
	doc := Document{Kind: DesignKind, Schema: 1, Platform: string(d.Spec.Platform), Cluster: d.Spec.Cluster, Level: d.Spec.Level,
		Networks: NetworksDoc{VPC: strs(d.Spec.VPC), Pods: strs(d.Spec.Pods)}, Groups: []GroupDocument{}}
	for _, a := range d.Spec.AddOns {
		name := a.Name
		if a.Version != "" {
			name += "@" + a.Version
		}
		doc.AddOns = append(doc.AddOns, name)
	}
	for _, g := range d.Groups {
		gd := GroupDocument{Key: g.Key, Role: g.Role, Name: g.Name, Description: g.Description, Existing: g.External,
			Ingress: []RuleDocument{}, Egress: []RuleDocument{}}
		for _, r := range g.Ingress {
			gd.Ingress = append(gd.Ingress, ruleDoc(d, r))
		}
		for _, r := range g.Egress {
			gd.Egress = append(gd.Egress, ruleDoc(d, r))
		}
		doc.Groups = append(doc.Groups, gd)
	}
	return doc
}

func strs[T interface{ String() string }](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = x.String()
	}
	return out
}

func ruleDoc(d *Design, r Rule) RuleDocument {
	parts := r.Services.Parts()
	rd := RuleDocument{Action: "accept", Protocol: parts[0].Protocol, Ports: parts[0].Ports,
		Requirements: r.Why, Description: d.Description(r)}
	if r.Peer.Group != "" {
		rd.Group = r.Peer.Group
	} else {
		rd.CIDR = r.Peer.CIDR.String()
	}
	return rd
}

// JSON writes the design as a JSON document that `clusterwall check`
// reads back.
func JSON(w io.Writer, d *Design) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(ToDocument(d))
}
