package netset

import (
	"fmt"
	"math/big"
	"net/netip"
	"slices"
	"strings"

	"go4.org/netipx"
)

// AllIPv4 and AllIPv6 are every address of each family.
var (
	AllIPv4 = netip.MustParsePrefix("0.0.0.0/0")
	AllIPv6 = netip.MustParsePrefix("::/0")
)

// SetOf builds the set of the given prefixes.
func SetOf(prefixes ...netip.Prefix) *netipx.IPSet {
	var b netipx.IPSetBuilder
	for _, p := range prefixes {
		b.AddPrefix(p.Masked())
	}
	s, _ := b.IPSet()
	return s
}

// AllAddrs is every IPv4 and IPv6 address.
func AllAddrs() *netipx.IPSet { return SetOf(AllIPv4, AllIPv6) }

// Empty is the empty address set.
func Empty() *netipx.IPSet { s, _ := (&netipx.IPSetBuilder{}).IPSet(); return s }

// Minus returns a \ b.
func Minus(a, b *netipx.IPSet) *netipx.IPSet {
	var bld netipx.IPSetBuilder
	bld.AddSet(a)
	bld.RemoveSet(b)
	s, _ := bld.IPSet()
	return s
}

// Union returns the union of the sets.
func Union(sets ...*netipx.IPSet) *netipx.IPSet {
	var bld netipx.IPSetBuilder
	for _, s := range sets {
		if s != nil {
			bld.AddSet(s)
		}
	}
	s, _ := bld.IPSet()
	return s
}

// Intersect returns a ∩ b.
func Intersect(a, b *netipx.IPSet) *netipx.IPSet {
	var bld netipx.IPSetBuilder
	bld.AddSet(a)
	bld.Intersect(b)
	s, _ := bld.IPSet()
	return s
}

// IsEmpty reports whether the set holds no address.
func IsEmpty(s *netipx.IPSet) bool { return s == nil || len(s.Ranges()) == 0 }

// Subset reports whether a ⊆ b.
func Subset(a, b *netipx.IPSet) bool {
	for _, r := range a.Ranges() {
		if !b.ContainsRange(r) {
			return false
		}
	}
	return true
}

// Describe prints a set as its prefixes, or a short summary when there are
// many: "0.0.0.0/0, ::/0", "10.0.0.0/16", "34 prefixes from 0.0.0.0/5 to …".
func Describe(s *netipx.IPSet) string {
	ps := s.Prefixes()
	if len(ps) == 0 {
		return "no address"
	}
	if len(ps) <= 4 {
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = p.String()
		}
		return strings.Join(out, ", ")
	}
	return fmt.Sprintf("%d prefixes from %s to %s", len(ps), ps[0], ps[len(ps)-1])
}

// Sizes returns how many IPv4 and how many IPv6 addresses a set holds.
func Sizes(s *netipx.IPSet) (v4, v6 *big.Int) {
	v4, v6 = new(big.Int), new(big.Int)
	for _, r := range s.Ranges() {
		n := new(big.Int).Sub(new(big.Int).SetBytes(r.To().AsSlice()), new(big.Int).SetBytes(r.From().AsSlice()))
		n.Add(n, big.NewInt(1))
		if r.From().Is4() {
			v4.Add(v4, n)
		} else {
			v6.Add(v6, n)
		}
	}
	return v4, v6
}

// Count prints how many addresses a set holds, exactly for IPv4 and as a
// power of two (or exactly, when small) for IPv6:
// "3,702,258,688 IPv4 addresses and about 2^128 IPv6 addresses".
func Count(s *netipx.IPSet) string {
	v4, v6 := Sizes(s)
	var parts []string
	if v4.Sign() > 0 {
		parts = append(parts, plural(groupDigits(v4.String()), "IPv4 address"))
	}
	if v6.Sign() > 0 {
		if v6.BitLen() > 32 {
			parts = append(parts, fmt.Sprintf("about 2^%d IPv6 addresses", log2Round(v6)))
		} else {
			parts = append(parts, plural(groupDigits(v6.String()), "IPv6 address"))
		}
	}
	if len(parts) == 0 {
		return "no address"
	}
	return strings.Join(parts, " and ")
}

func plural(n, noun string) string {
	if n == "1" {
		return "1 " + noun
	}
	return n + " " + noun + "es"
}

func log2Round(n *big.Int) int {
	b := n.BitLen()
	// Round to the nearer power of two: 2^(b-1) ≤ n < 2^b.
	half := new(big.Int).Lsh(big.NewInt(3), uint(b-2)) // 1.5 × 2^(b-1)
	if n.Cmp(half) >= 0 {
		return b
	}
	return b - 1
}

func groupDigits(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// AddrCuts returns, sorted and unique, the first address of every prefix
// and the address just after its last: the points at which an address
// space must be split so that every piece lies wholly inside or wholly
// outside each prefix.
func AddrCuts(prefixes []netip.Prefix) []netip.Addr {
	cuts := make([]netip.Addr, 0, 2*len(prefixes))
	for _, p := range prefixes {
		r := netipx.RangeOfPrefix(p)
		cuts = append(cuts, r.From())
		if next := r.To().Next(); next.IsValid() {
			cuts = append(cuts, next)
		}
	}
	slices.SortFunc(cuts, func(a, b netip.Addr) int { return a.Compare(b) })
	return slices.Compact(cuts)
}

// SplitRanges cuts every range at the sorted cut points.
func SplitRanges(rs []netipx.IPRange, cuts []netip.Addr) []netipx.IPRange {
	out := make([]netipx.IPRange, 0, len(rs)+len(cuts))
	for _, r := range rs {
		from := r.From()
		i, _ := slices.BinarySearchFunc(cuts, from, func(a, b netip.Addr) int { return a.Compare(b) })
		for ; i < len(cuts); i++ {
			c := cuts[i]
			if c.Compare(from) <= 0 {
				continue
			}
			if c.Compare(r.To()) > 0 || c.BitLen() != from.BitLen() {
				break
			}
			out = append(out, netipx.IPRangeFrom(from, c.Prev()))
			from = c
		}
		out = append(out, netipx.IPRangeFrom(from, r.To()))
	}
	return out
}
