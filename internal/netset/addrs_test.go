package netset_test

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/netset"
)

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

func set(ps ...string) *netipx.IPSet {
	out := make([]netip.Prefix, len(ps))
	for i, p := range ps {
		out[i] = pfx(p)
	}
	return netset.SetOf(out...)
}

func TestAddrSets(t *testing.T) {
	// SetOf masks host bits.
	if got := netset.Describe(set("10.0.0.7/24")); got != "10.0.0.0/24" {
		t.Errorf("SetOf(10.0.0.7/24) = %s", got)
	}
	if got := netset.Describe(netset.AllAddrs()); got != "0.0.0.0/0, ::/0" {
		t.Errorf("AllAddrs = %s", got)
	}
	if !netset.IsEmpty(netset.Empty()) || !netset.IsEmpty(nil) || netset.IsEmpty(set("10.0.0.0/32")) {
		t.Error("IsEmpty")
	}
	a, b := set("10.0.0.0/24"), set("10.0.0.128/25", "192.168.0.0/16")
	if got := netset.Describe(netset.Minus(a, b)); got != "10.0.0.0/25" {
		t.Errorf("Minus = %s", got)
	}
	if got := netset.Describe(netset.Union(a, nil, b)); got != "10.0.0.0/24, 192.168.0.0/16" {
		t.Errorf("Union = %s", got)
	}
	if got := netset.Describe(netset.Union()); got != "no address" {
		t.Errorf("Union() = %s", got)
	}
	if got := netset.Describe(netset.Intersect(a, b)); got != "10.0.0.128/25" {
		t.Errorf("Intersect = %s", got)
	}
	if !netset.Subset(set("10.0.0.128/25"), a) || netset.Subset(b, a) || !netset.Subset(netset.Empty(), a) {
		t.Error("Subset")
	}
	// Operands are left alone.
	if netset.Describe(a) != "10.0.0.0/24" || netset.Describe(b) != "10.0.0.128/25, 192.168.0.0/16" {
		t.Error("operands changed")
	}
}

func TestDescribe(t *testing.T) {
	cases := []struct {
		s    *netipx.IPSet
		want string
	}{
		{netset.Empty(), "no address"},
		{set("10.0.0.0/16"), "10.0.0.0/16"},
		{set("0.0.0.0/0", "::/0"), "0.0.0.0/0, ::/0"},
		{set("10.0.0.1/32", "10.0.0.3/32", "10.0.0.5/32", "2001:db8::/32"), "10.0.0.1/32, 10.0.0.3/32, 10.0.0.5/32, 2001:db8::/32"},
		{set("10.0.0.1/32", "10.0.0.3/32", "10.0.0.5/32", "10.0.0.7/32", "2001:db8::/32"), "5 prefixes from 10.0.0.1/32 to 2001:db8::/32"},
		// Everything but 10.0.0.0/8 is 8 prefixes on the IPv4 side.
		{netset.Minus(set("0.0.0.0/0"), set("10.0.0.0/8")), "8 prefixes from 0.0.0.0/5 to 128.0.0.0/1"},
	}
	for _, c := range cases {
		if got := netset.Describe(c.s); got != c.want {
			t.Errorf("Describe = %q, want %q", got, c.want)
		}
	}
}

func TestCount(t *testing.T) {
	cases := []struct {
		s    *netipx.IPSet
		want string
	}{
		{netset.Empty(), "no address"},
		{set("10.0.0.1/32"), "1 IPv4 address"},
		{set("10.0.0.0/24"), "256 IPv4 addresses"},
		{set("10.0.0.0/31"), "2 IPv4 addresses"},
		{set("0.0.0.0/0"), "4,294,967,296 IPv4 addresses"},
		{set("10.0.0.0/8", "192.168.0.0/16"), "16,842,752 IPv4 addresses"},
		{set("2001:db8::1/128"), "1 IPv6 address"},
		{set("2001:db8::/120"), "256 IPv6 addresses"},
		{netset.Minus(set("2001:db8::/96"), set("2001:db8::/128")), "4,294,967,295 IPv6 addresses"}, // 2^32-1: still exact
		{set("2001:db8::/96"), "about 2^32 IPv6 addresses"},
		{set("2001:db8::/64"), "about 2^64 IPv6 addresses"},
		{set("::/0"), "about 2^128 IPv6 addresses"},
		// 1.25 × 2^40 rounds down, 1.5 × 2^40 up.
		{set("2001:db8::/88", "2001:db8:0:1::/90"), "about 2^40 IPv6 addresses"},
		{set("2001:db8::/88", "2001:db8:0:1::/89"), "about 2^41 IPv6 addresses"},
		{set("0.0.0.0/0", "::/0"), "4,294,967,296 IPv4 addresses and about 2^128 IPv6 addresses"},
		{set("10.0.0.0/24", "2001:db8::/127"), "256 IPv4 addresses and 2 IPv6 addresses"},
	}
	for _, c := range cases {
		if got := netset.Count(c.s); got != c.want {
			t.Errorf("Count(%s) = %q, want %q", netset.Describe(c.s), got, c.want)
		}
	}
}

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestAddrCuts(t *testing.T) {
	got := netset.AddrCuts([]netip.Prefix{pfx("10.0.0.0/24"), pfx("2001:db8::/127"), pfx("10.0.0.128/25"), pfx("255.255.255.255/32"), pfx("::/0"), pfx("0.0.0.0/0")})
	want := []netip.Addr{addr("0.0.0.0"), addr("10.0.0.0"), addr("10.0.0.128"), addr("10.0.1.0"), addr("255.255.255.255"),
		addr("::"), addr("2001:db8::"), addr("2001:db8::2")}
	if !slices.Equal(got, want) {
		t.Errorf("AddrCuts = %v, want %v", got, want)
	}
	if got := netset.AddrCuts(nil); len(got) != 0 {
		t.Errorf("AddrCuts(nil) = %v", got)
	}
}

func TestSplitRanges(t *testing.T) {
	rng := func(a, b string) netipx.IPRange { return netipx.IPRangeFrom(addr(a), addr(b)) }
	cuts := netset.AddrCuts([]netip.Prefix{pfx("10.0.0.0/30"), pfx("10.0.0.6/31"), pfx("2001:db8::2/127")})
	rs := []netipx.IPRange{rng("10.0.0.1", "10.0.0.9"), rng("2001:db8::", "2001:db8::ff")}
	got := netset.SplitRanges(rs, cuts)
	want := []netipx.IPRange{
		rng("10.0.0.1", "10.0.0.3"), rng("10.0.0.4", "10.0.0.5"), rng("10.0.0.6", "10.0.0.7"), rng("10.0.0.8", "10.0.0.9"),
		rng("2001:db8::", "2001:db8::1"), rng("2001:db8::2", "2001:db8::3"), rng("2001:db8::4", "2001:db8::ff"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("SplitRanges = %v, want %v", got, want)
	}
	// A range at the very top of each family.
	got = netset.SplitRanges([]netipx.IPRange{rng("255.255.255.0", "255.255.255.255")}, netset.AddrCuts([]netip.Prefix{pfx("255.255.255.255/32"), pfx("::/0")}))
	if want := []netipx.IPRange{rng("255.255.255.0", "255.255.255.254"), rng("255.255.255.255", "255.255.255.255")}; !slices.Equal(got, want) {
		t.Errorf("SplitRanges at the top = %v, want %v", got, want)
	}
}

// TestSplitRangesRandom: over a small mixed universe, the pieces partition
// the ranges and each lies wholly inside or outside every prefix.
func TestSplitRangesRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	randPrefix := func() netip.Prefix {
		if r.IntN(3) == 0 {
			a := netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(r.IntN(16))})
			return netip.PrefixFrom(a, 124+r.IntN(5)).Masked()
		}
		a := netip.AddrFrom4([4]byte{10, 0, 0, byte(r.IntN(16))})
		return netip.PrefixFrom(a, 28+r.IntN(5)).Masked()
	}
	for range 5000 {
		var ps, hs []netip.Prefix
		for range r.IntN(5) {
			ps = append(ps, randPrefix())
		}
		for range 1 + r.IntN(3) {
			hs = append(hs, randPrefix())
		}
		host := netset.SetOf(hs...)
		pieces := netset.SplitRanges(host.Ranges(), netset.AddrCuts(ps))
		var b netipx.IPSetBuilder
		for i, p := range pieces {
			if !p.IsValid() {
				t.Fatalf("invalid piece %v", p)
			}
			if i > 0 && pieces[i-1].To().Compare(p.From()) >= 0 {
				t.Fatalf("pieces %v out of order", pieces)
			}
			for _, q := range ps {
				in, out := q.Contains(p.From()), q.Contains(p.To())
				if in != out || (in && !netset.Subset(netset.SetOf(p.Prefixes()...), netset.SetOf(q))) {
					t.Fatalf("piece %v straddles %v (prefixes %v, host %v)", p, q, ps, hs)
				}
			}
			b.AddRange(p)
		}
		got, _ := b.IPSet()
		if !got.Equal(host) {
			t.Fatalf("pieces %v cover %v, want %v", pieces, got.Prefixes(), host.Prefixes())
		}
	}
}
