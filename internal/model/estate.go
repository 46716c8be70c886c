package model

import (
	"maps"
	"slices"
	"strings"
)

// Estate is everything read from the inputs: one account, one Terraform
// configuration, or several of them together.
type Estate struct {
	Groups        map[string]*Group
	AddressSets   map[string]*AddressSet
	Interfaces    []*Interface
	VPCs          map[string]*VPC
	Subnets       map[string]*Subnet
	LoadBalancers []*LoadBalancer
	Clusters      []*Cluster
	// Notes are things the readers could not use but that users should
	// know (a resource type skipped, an input that decides nothing).
	Notes []string
}

// NewEstate returns an empty estate.
func NewEstate() *Estate {
	return &Estate{
		Groups:      map[string]*Group{},
		AddressSets: map[string]*AddressSet{},
		VPCs:        map[string]*VPC{},
		Subnets:     map[string]*Subnet{},
	}
}

// AddGroup adds a group, or merges what g says into the group already
// known by that key (a describe-security-group-rules file completes a
// describe-security-groups file, say).
func (e *Estate) AddGroup(g *Group) *Group {
	old, ok := e.Groups[g.ID]
	if !ok {
		e.Groups[g.ID] = g
		return g
	}
	if old.Name == "" {
		old.Name = g.Name
	}
	if old.VPC == "" {
		old.VPC = g.VPC
	}
	if old.Description == "" {
		old.Description = g.Description
	}
	if old.Origin.IsZero() || old.Implicit && !g.Implicit {
		old.Origin = g.Origin
	}
	old.Implicit = old.Implicit && g.Implicit
	for k, v := range g.Tags {
		if old.Tags == nil {
			old.Tags = map[string]string{}
		}
		old.Tags[k] = v
	}
	for _, a := range g.Aliases {
		if !slices.Contains(old.Aliases, a) {
			old.Aliases = append(old.Aliases, a)
		}
	}
	return old
}

// SortedGroups returns the groups ordered by key.
func (e *Estate) SortedGroups() []*Group {
	keys := slices.Sorted(maps.Keys(e.Groups))
	out := make([]*Group, len(keys))
	for i, k := range keys {
		out[i] = e.Groups[k]
	}
	return out
}

// Merge adds everything of o to e.
func (e *Estate) Merge(o *Estate) {
	for _, k := range slices.Sorted(maps.Keys(o.Groups)) {
		g := o.Groups[k]
		merged := e.AddGroup(g)
		if merged != g {
			merged.Rules = append(merged.Rules, g.Rules...)
			if merged.RulesUnknown == "" || g.RulesUnknown == "" {
				// Either input gave the complete set of rules.
				merged.RulesUnknown = ""
			}
		}
	}
	for k, v := range o.AddressSets {
		if old, ok := e.AddressSets[k]; !ok || old.Unknown != "" {
			e.AddressSets[k] = v
		}
	}
	for k, v := range o.VPCs {
		if _, ok := e.VPCs[k]; !ok {
			e.VPCs[k] = v
		}
	}
	for k, v := range o.Subnets {
		if _, ok := e.Subnets[k]; !ok {
			e.Subnets[k] = v
		}
	}
	e.Interfaces = append(e.Interfaces, o.Interfaces...)
	e.LoadBalancers = append(e.LoadBalancers, o.LoadBalancers...)
	e.Clusters = append(e.Clusters, o.Clusters...)
	e.Notes = append(e.Notes, o.Notes...)
}

// FindGroups returns the keys of the groups a user may mean by name: the
// key itself, or a name or alias (case-sensitive first, then not).
func (e *Estate) FindGroups(name string) []string {
	if _, ok := e.Groups[name]; ok {
		return []string{name}
	}
	var exact, folded []string
	for _, g := range e.SortedGroups() {
		for _, a := range append([]string{g.Name}, g.Aliases...) {
			if a == "" {
				continue
			}
			if a == name {
				exact = append(exact, g.ID)
				break
			}
			if strings.EqualFold(a, name) {
				folded = append(folded, g.ID)
				break
			}
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return folded
}

// Cluster returns the cluster of that name, or nil.
func (e *Estate) Cluster(name string) *Cluster {
	for _, c := range e.Clusters {
		if c.Name == name {
			return c
		}
	}
	return nil
}
