// Package input owns what every reader shares: the input file, the
// reader options, and the helpers readers use alike.
package input

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/clusterwall/clusterwall/internal/model"
)

// File is one input file.
type File struct {
	Path string // as the user gave it, or relative to the directory given
	Data []byte
}

// Options are the settings that change what readers produce.
type Options struct {
	// VarFiles and Vars are Terraform's --var-file and --var, in order.
	VarFiles []string
	Vars     map[string]string
}

// Disambiguate gives members of one role that share a name distinct
// names: name-1, name-2, ….
func Disambiguate(ms []*model.Member) {
	count := map[string]int{}
	for _, m := range ms {
		count[m.Name]++
	}
	seen := map[string]int{}
	for _, m := range ms {
		if count[m.Name] > 1 {
			seen[m.Name]++
			m.Name = fmt.Sprintf("%s-%d", m.Name, seen[m.Name])
		}
	}
}

// ParsePrefix reads a CIDR block, masked to its network ("10.0.0.5/16" is
// 10.0.0.0/16), or a single address as its /32 or /128, as cloud APIs and
// templates accept them. Surrounding spaces are ignored; an address with
// a zone ("fe80::1%eth0") is not a security group peer.
func ParsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), true
	}
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	return netip.Prefix{}, false
}
