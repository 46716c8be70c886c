// Package netset owns the set algebra clusterwall reasons with: interval
// sets, sets of services (protocol × port, or ICMP type/code), and helpers
// over IP address sets. It imports nothing of clusterwall's.
package netset

import "slices"

// Range is the closed interval [Lo, Hi].
type Range struct{ Lo, Hi uint32 }

// Ranges is a canonical interval set: sorted, disjoint and non-adjacent.
// The zero value is the empty set. Values are immutable: every operation
// returns a new slice and never modifies its operands.
type Ranges []Range

// Normalize returns the canonical form of an arbitrary list of ranges.
// Ranges with Lo > Hi are dropped.
func Normalize(in []Range) Ranges {
	rs := make([]Range, 0, len(in))
	for _, r := range in {
		if r.Lo <= r.Hi {
			rs = append(rs, r)
		}
	}
	slices.SortFunc(rs, func(a, b Range) int {
		switch {
		case a.Lo < b.Lo:
			return -1
		case a.Lo > b.Lo:
			return 1
		}
		return 0
	})
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 && (out[n-1].Hi == ^uint32(0) || r.Lo <= out[n-1].Hi+1) {
			if r.Hi > out[n-1].Hi {
				out[n-1].Hi = r.Hi
			}
			continue
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil
	}
	return Ranges(out)
}

// Contains reports whether v is in the set.
func (s Ranges) Contains(v uint32) bool {
	i, _ := slices.BinarySearchFunc(s, v, func(r Range, v uint32) int {
		switch {
		case r.Hi < v:
			return -1
		case r.Lo > v:
			return 1
		}
		return 0
	})
	return i < len(s) && s[i].Lo <= v && v <= s[i].Hi
}

// Union returns s ∪ o.
func (s Ranges) Union(o Ranges) Ranges {
	if len(o) == 0 {
		return s
	}
	if len(s) == 0 {
		return o
	}
	all := make([]Range, 0, len(s)+len(o))
	all = append(all, s...)
	all = append(all, o...)
	return Normalize(all)
}

// Intersect returns s ∩ o.
func (s Ranges) Intersect(o Ranges) Ranges {
	var out []Range
	i, j := 0, 0
	for i < len(s) && j < len(o) {
		lo, hi := max(s[i].Lo, o[j].Lo), min(s[i].Hi, o[j].Hi)
		if lo <= hi {
			out = append(out, Range{lo, hi})
		}
		if s[i].Hi < o[j].Hi {
			i++
		} else {
			j++
		}
	}
	return Ranges(out)
}

// Minus returns s \ o.
func (s Ranges) Minus(o Ranges) Ranges {
	var out []Range
	j := 0
	for _, r := range s {
		lo := r.Lo
		for j < len(o) && o[j].Hi < lo {
			j++
		}
		k, done := j, false
		for ; k < len(o) && o[k].Lo <= r.Hi; k++ {
			if o[k].Lo > lo {
				out = append(out, Range{lo, o[k].Lo - 1})
			}
			if o[k].Hi >= r.Hi {
				done = true
				break
			}
			lo = o[k].Hi + 1
		}
		if !done {
			out = append(out, Range{lo, r.Hi})
		}
	}
	return Ranges(out)
}

// Overlaps reports whether s ∩ o is not empty.
func (s Ranges) Overlaps(o Ranges) bool {
	i, j := 0, 0
	for i < len(s) && j < len(o) {
		if max(s[i].Lo, o[j].Lo) <= min(s[i].Hi, o[j].Hi) {
			return true
		}
		if s[i].Hi < o[j].Hi {
			i++
		} else {
			j++
		}
	}
	return false
}

// ContainsAll reports whether o ⊆ s.
func (s Ranges) ContainsAll(o Ranges) bool { return len(o.Minus(s)) == 0 }

// Equal reports whether both sets hold the same values.
func (s Ranges) Equal(o Ranges) bool { return slices.Equal(s, o) }

// Cuts returns, sorted and without duplicates, every value at which some
// range of the given sets starts, and every value just after one ends.
// Splitting a domain at these values yields atoms that each lie wholly
// inside or wholly outside every given set.
func Cuts(sets ...Ranges) []uint32 {
	var cuts []uint32
	for _, s := range sets {
		for _, r := range s {
			cuts = append(cuts, r.Lo)
			if r.Hi != ^uint32(0) {
				cuts = append(cuts, r.Hi+1)
			}
		}
	}
	slices.Sort(cuts)
	return slices.Compact(cuts)
}

// Split cuts every range of s at the given sorted cut points.
func (s Ranges) Split(cuts []uint32) []Range {
	out := make([]Range, 0, len(s)+len(cuts))
	c := 0
	for _, r := range s {
		lo := r.Lo
		for c < len(cuts) && cuts[c] <= lo {
			c++
		}
		for k := c; k < len(cuts) && cuts[k] <= r.Hi; k++ {
			out = append(out, Range{lo, cuts[k] - 1})
			lo = cuts[k]
		}
		out = append(out, Range{lo, r.Hi})
	}
	return out
}
