package netset_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clusterwall/clusterwall/internal/netset"
)

// FuzzRanges reads two lists of ranges over a 40-value domain (at the
// bottom or the top of uint32, chosen by the first byte) from the input and
// checks Normalize and every operation against bitmaps.
//
//	go test -fuzz FuzzRanges ./internal/netset
func FuzzRanges(f *testing.F) {
	f.Add([]byte{0, 2, 1, 5, 3, 9, 0, 1, 39, 2, 4, 4})
	f.Add([]byte{1, 3, 0, 39, 5, 4, 38, 39, 2, 0, 0, 39, 39})
	f.Add([]byte{1, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		d := domains[int(data[0])%len(domains)]
		data = data[1:]
		read := func() ([]netset.Range, uint64) {
			if len(data) == 0 {
				return nil, 0
			}
			n := int(data[0]) % 8
			data = data[1:]
			var in []netset.Range
			var m uint64
			for ; n > 0 && len(data) >= 2; n-- {
				lo, hi := int(data[0])%width, int(data[1])%width
				data = data[2:]
				in = append(in, netset.Range{Lo: d.val(lo), Hi: d.val(hi)})
				for i := lo; i <= hi; i++ {
					m |= 1 << i
				}
			}
			return in, m
		}
		ina, ma := read()
		inb, mb := read()
		a, b := netset.Normalize(ina), netset.Normalize(inb)
		canonical(t, "Normalize", a)
		canonical(t, "Normalize", b)
		if d.bitmap(a) != ma || d.bitmap(b) != mb {
			t.Fatalf("Normalize(%v) = %v, Normalize(%v) = %v", ina, a, inb, b)
		}
		checkOps(t, d, a, b, ma, mb)
	})
}

// FuzzParseServices: ParseServices never panics, its errors say something,
// and what it accepts prints as a String that reads back as the same set.
//
//	go test -fuzz FuzzParseServices ./internal/netset
func FuzzParseServices(f *testing.F) {
	for _, s := range []string{
		"tcp/443", "tcp/443,10250 udp/53", "icmp/8", "icmp/3:4", "icmp/0-8,3:1-4:2", "all", "-1", "47",
		"tcp/80, 443", "tcp/22,30000-32767", "tcp/80 47", "icmpv6/128", "sctp/1-2", "tcp/", "all/80", ",", "icmp/9-8",
		"udp/53-52", "tcp/65536", "TCP/ALL", "icmp 2",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		s, err := netset.ParseServices(in)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParseServices(%q): empty error", in)
			}
			if !s.IsEmpty() {
				t.Fatalf("ParseServices(%q) = %v with error %v", in, s, err)
			}
			return
		}
		if s.IsEmpty() {
			t.Fatalf("ParseServices(%q) = none without an error", in)
		}
		str := s.String()
		if !utf8.ValidString(str) || strings.TrimSpace(str) != str {
			t.Fatalf("String() = %q", str)
		}
		back, err := netset.ParseServices(str)
		if err != nil {
			t.Fatalf("ParseServices(%q) = %v, whose String %q does not parse: %v", in, s, str, err)
		}
		if !back.Equal(s) {
			t.Fatalf("ParseServices(%q) = %v, but its String %q reads back as %v", in, s, str, back)
		}
		// Each part reads back on its own too.
		var union netset.Services
		for _, p := range s.Parts() {
			part := p.Services()
			if part.IsEmpty() {
				t.Fatalf("part %+v of %v reads back as nothing", p, s)
			}
			union = union.Union(part)
		}
		if !union.Equal(s) {
			t.Fatalf("parts of %v read back as %v", s, union)
		}
	})
}
