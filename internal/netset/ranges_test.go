package netset_test

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/clusterwall/clusterwall/internal/netset"
)

// The model: a set over a small domain of values base, base+1, …,
// base+width-1 is a bitmap. Two bases: 0, and the top of the uint32 range,
// where Hi+1 overflows.

const width = 40

type domain uint32 // the base

var domains = []domain{0, domain(^uint32(0) - width + 1)}

func (d domain) val(i int) uint32 { return uint32(d) + uint32(i) }

func (d domain) bitmap(s netset.Ranges) uint64 {
	var m uint64
	for i := range width {
		if s.Contains(d.val(i)) {
			m |= 1 << i
		}
	}
	return m
}

// rangesOf is the canonical set of a bitmap, built independently.
func (d domain) rangesOf(m uint64) netset.Ranges {
	var out netset.Ranges
	for i := 0; i < width; i++ {
		if m&(1<<i) == 0 {
			continue
		}
		j := i
		for j+1 < width && m&(1<<(j+1)) != 0 {
			j++
		}
		out = append(out, netset.Range{Lo: d.val(i), Hi: d.val(j)})
		i = j
	}
	return out
}

// raw returns a random, non-canonical list of ranges (overlapping,
// adjacent, unsorted, some empty with Lo > Hi) and its bitmap.
func (d domain) raw(r *rand.Rand) ([]netset.Range, uint64) {
	var in []netset.Range
	var m uint64
	for range r.IntN(6) {
		lo, hi := r.IntN(width), r.IntN(width)
		if r.IntN(4) == 0 {
			hi = lo + r.IntN(3) // short, possibly adjacent
			hi = min(hi, width-1)
		}
		in = append(in, netset.Range{Lo: d.val(lo), Hi: d.val(hi)})
		for i := lo; i <= hi; i++ {
			m |= 1 << i
		}
	}
	return in, m
}

// canonical checks the representation invariant.
func canonical(t *testing.T, what string, s netset.Ranges) {
	t.Helper()
	for i, r := range s {
		if r.Lo > r.Hi {
			t.Fatalf("%s = %v: range %d is empty", what, s, i)
		}
		if i > 0 && uint64(s[i-1].Hi)+1 >= uint64(r.Lo) {
			t.Fatalf("%s = %v: ranges %d and %d overlap, touch or are out of order", what, s, i-1, i)
		}
	}
}

func TestNormalize(t *testing.T) {
	max := ^uint32(0)
	cases := []struct {
		in   []netset.Range
		want netset.Ranges
	}{
		{nil, nil},
		{[]netset.Range{{5, 4}}, nil},
		{[]netset.Range{{1, 2}}, netset.Ranges{{1, 2}}},
		{[]netset.Range{{5, 6}, {1, 2}}, netset.Ranges{{1, 2}, {5, 6}}},
		{[]netset.Range{{1, 2}, {3, 4}}, netset.Ranges{{1, 4}}},         // adjacent
		{[]netset.Range{{1, 5}, {2, 3}}, netset.Ranges{{1, 5}}},         // nested
		{[]netset.Range{{1, 5}, {4, 9}, {0, 0}}, netset.Ranges{{0, 9}}}, // overlapping
		{[]netset.Range{{max - 1, max}, {max, max}, {0, 0}}, netset.Ranges{{0, 0}, {max - 1, max}}},
		{[]netset.Range{{0, max}, {7, 8}}, netset.Ranges{{0, max}}},
		{[]netset.Range{{max, max}, {max - 2, max - 1}}, netset.Ranges{{max - 2, max}}},
	}
	for _, c := range cases {
		in := slices.Clone(c.in)
		got := netset.Normalize(in)
		if !got.Equal(c.want) {
			t.Errorf("Normalize(%v) = %v, want %v", c.in, got, c.want)
		}
		if !slices.Equal(in, c.in) {
			t.Errorf("Normalize changed its argument: %v → %v", c.in, in)
		}
	}
}

// checkOps compares every operation on a and b with the bitmap model.
func checkOps(t *testing.T, d domain, a, b netset.Ranges, ma, mb uint64) {
	t.Helper()
	ac, bc := slices.Clone(a), slices.Clone(b)
	ops := []struct {
		name string
		got  netset.Ranges
		want uint64
	}{
		{"Union", a.Union(b), ma | mb},
		{"Intersect", a.Intersect(b), ma & mb},
		{"Minus", a.Minus(b), ma &^ mb},
	}
	for _, op := range ops {
		canonical(t, op.name, op.got)
		if got := d.bitmap(op.got); got != op.want {
			t.Fatalf("%v.%s(%v) = %v (%040b), want %040b", a, op.name, b, op.got, got, op.want)
		}
		if !op.got.Equal(d.rangesOf(op.want)) {
			t.Fatalf("%v.%s(%v) = %v, want %v", a, op.name, b, op.got, d.rangesOf(op.want))
		}
	}
	if got, want := a.Overlaps(b), ma&mb != 0; got != want {
		t.Fatalf("%v.Overlaps(%v) = %v", a, b, got)
	}
	if got, want := a.ContainsAll(b), mb&^ma == 0; got != want {
		t.Fatalf("%v.ContainsAll(%v) = %v", a, b, got)
	}
	if got, want := a.Equal(b), ma == mb; got != want {
		t.Fatalf("%v.Equal(%v) = %v", a, b, got)
	}
	if !slices.Equal(a, ac) || !slices.Equal(b, bc) {
		t.Fatalf("operands changed: %v %v → %v %v", ac, bc, a, b)
	}
	// Values just outside the domain are in neither.
	if d == 0 && a.Contains(d.val(width)) {
		t.Fatalf("%v contains %d", a, d.val(width))
	}
}

// TestRangesExhaustive checks every pair of sets over a domain of 7 values
// at both ends of the uint32 range.
func TestRangesExhaustive(t *testing.T) {
	const n = 7
	for _, base := range []domain{0, domain(^uint32(0) - n + 1)} {
		for ma := range uint64(1) << n {
			a := base.rangesOf(ma)
			canonical(t, "rangesOf", a)
			if got := netset.Normalize(a); !got.Equal(a) {
				t.Fatalf("Normalize(%v) = %v", a, got)
			}
			for mb := range uint64(1) << n {
				checkOps(t, base, a, base.rangesOf(mb), ma, mb)
			}
		}
	}
}

// TestRangesRandom builds sets from random non-canonical lists over 40
// values and checks Normalize and the operations against the bitmaps.
func TestRangesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, d := range domains {
		for range 20000 {
			ina, ma := d.raw(r)
			inb, mb := d.raw(r)
			a, b := netset.Normalize(ina), netset.Normalize(inb)
			canonical(t, "Normalize", a)
			if got := d.bitmap(a); got != ma {
				t.Fatalf("Normalize(%v) = %v (%040b), want %040b", ina, a, got, ma)
			}
			checkOps(t, d, a, b, ma, mb)
			checkCutsSplit(t, d, r, a, b)
		}
	}
}

func checkCutsSplit(t *testing.T, d domain, r *rand.Rand, a, b netset.Ranges) {
	t.Helper()
	cuts := netset.Cuts(a, b)
	// Exactly every start and every value after an end (but none past the
	// top of the range), sorted and unique.
	var want []uint32
	for _, s := range []netset.Ranges{a, b} {
		for _, rg := range s {
			want = append(want, rg.Lo)
			if rg.Hi != ^uint32(0) {
				want = append(want, rg.Hi+1)
			}
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	if !slices.Equal(cuts, want) {
		t.Fatalf("Cuts(%v, %v) = %v, want %v", a, b, cuts, want)
	}
	// Split a random third set at these cuts: the pieces partition it, in
	// order, and each lies wholly inside or outside a and b.
	inc, mc := d.raw(r)
	c := netset.Normalize(inc)
	pieces := c.Split(cuts)
	var m uint64
	for i, p := range pieces {
		if p.Lo > p.Hi {
			t.Fatalf("Split: empty piece %v", p)
		}
		if i > 0 && pieces[i-1].Hi >= p.Lo {
			t.Fatalf("Split(%v, %v) = %v: pieces out of order", c, cuts, pieces)
		}
		for _, s := range []netset.Ranges{a, b} {
			ps := netset.Ranges{p}
			if s.Overlaps(ps) && !s.ContainsAll(ps) {
				t.Fatalf("Split(%v, %v): piece %v straddles %v", c, cuts, p, s)
			}
		}
		// Pieces are cut only where needed: two touching pieces meet at
		// a cut.
		if i > 0 && pieces[i-1].Hi+1 == p.Lo && !slices.Contains(cuts, p.Lo) {
			t.Fatalf("Split(%v, %v) = %v: cut at %d without a cut point", c, cuts, pieces, p.Lo)
		}
		m |= d.bitmap(netset.Ranges{p})
	}
	if m != mc {
		t.Fatalf("Split(%v, %v) = %v covers %040b, want %040b", c, cuts, pieces, m, mc)
	}
}

func TestCutsAndSplit(t *testing.T) {
	max := ^uint32(0)
	if got := netset.Cuts(); len(got) != 0 {
		t.Errorf("Cuts() = %v", got)
	}
	if got := netset.Cuts(netset.Ranges{{0, max}}); !slices.Equal(got, []uint32{0}) {
		t.Errorf("Cuts(everything) = %v, want [0]", got)
	}
	if got := netset.Cuts(netset.Ranges{{1, 3}, {7, 7}}, netset.Ranges{{2, 4}}); !slices.Equal(got, []uint32{1, 2, 4, 5, 7, 8}) {
		t.Errorf("Cuts = %v", got)
	}
	cases := []struct {
		s    netset.Ranges
		cuts []uint32
		want []netset.Range
	}{
		{nil, []uint32{1}, []netset.Range{}},
		{netset.Ranges{{0, 9}}, nil, []netset.Range{{0, 9}}},
		{netset.Ranges{{0, 9}}, []uint32{0, 10, 11}, []netset.Range{{0, 9}}},
		{netset.Ranges{{0, 9}}, []uint32{3, 5}, []netset.Range{{0, 2}, {3, 4}, {5, 9}}},
		{netset.Ranges{{0, 3}, {6, 9}}, []uint32{2, 5, 7, 9}, []netset.Range{{0, 1}, {2, 3}, {6, 6}, {7, 8}, {9, 9}}},
		{netset.Ranges{{max - 3, max}}, []uint32{max}, []netset.Range{{max - 3, max - 1}, {max, max}}},
	}
	for _, c := range cases {
		if got := c.s.Split(c.cuts); !slices.Equal(got, c.want) {
			t.Errorf("%v.Split(%v) = %v, want %v", c.s, c.cuts, got, c.want)
		}
	}
}

func TestRangesEdges(t *testing.T) {
	max := ^uint32(0)
	all := netset.Ranges{{0, max}}
	var none netset.Ranges
	if got := all.Minus(netset.Ranges{{0, 0}, {max, max}}); !got.Equal(netset.Ranges{{1, max - 1}}) {
		t.Errorf("all minus both ends = %v", got)
	}
	if got := all.Minus(all); len(got) != 0 {
		t.Errorf("all minus all = %v", got)
	}
	if got := none.Minus(all); len(got) != 0 {
		t.Errorf("none minus all = %v", got)
	}
	if got := all.Intersect(none); len(got) != 0 {
		t.Errorf("all ∩ none = %v", got)
	}
	if !all.ContainsAll(none) || none.ContainsAll(all) || !none.ContainsAll(none) {
		t.Error("ContainsAll with the empty set")
	}
	if none.Overlaps(all) || all.Overlaps(none) {
		t.Error("Overlaps with the empty set")
	}
	if !all.Contains(max) || !all.Contains(0) || none.Contains(0) {
		t.Error("Contains at the ends")
	}
	if got := none.Union(none); len(got) != 0 {
		t.Errorf("none ∪ none = %v", got)
	}
}
