package reach_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/model"
	"github.com/clusterwall/clusterwall/internal/netset"
	"github.com/clusterwall/clusterwall/internal/reach"
)

// A synthetic account: 10,000 AWS groups in 200 "applications" of 50
// groups that reference each other, each with 5–30 rules (CIDR rules on
// common ports, self references, references to groups of the same
// application and a few shared ones), and 20,000 hosts in 2,000 classes
// of 10 (each class: 1–3 groups of one application, ten addresses of one
// /24).
const (
	benchGroups    = 10000
	benchAppSize   = 50
	benchClasses   = 2000
	benchClassSize = 10
)

type benchWorld struct {
	estate  *model.Estate
	classes []reach.Host
	opts    reach.Options
}

var benchOnce = sync.OnceValue(func() *benchWorld {
	r := rand.New(rand.NewPCG(2026, 11))
	e := model.NewEstate()
	key := func(i int) string { return fmt.Sprintf("sg-%08x", i) }
	p := func(s string) model.Peer { return cidr(s) }
	subnet := func(i int) netip.Prefix {
		return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8 & 0x0F), byte(i), 0}), 24)
	}
	tcp := func(lo, hi uint16) netset.Services { return netset.Ports(netset.TCP, lo, hi) }
	commonPorts := []netset.Services{
		tcp(443, 443), tcp(80, 80), tcp(22, 22), tcp(8080, 8080), tcp(10250, 10250), tcp(30000, 32767),
		tcp(5432, 5432), tcp(6379, 6379), tcp(9090, 9100), netset.Ports(netset.UDP, 53, 53), tcp(53, 53),
		netset.ICMPType(netset.ICMP, 8, -1), tcp(1025, 65535), netset.AllServices(),
	}
	for i := range benchGroups {
		app := i / benchAppSize
		g := &model.Group{ID: key(i), Name: fmt.Sprintf("app%d-role%d", app, i%benchAppSize), Provider: model.AWS, VPC: "vpc-1"}
		n := 5 + r.IntN(26)
		for j := range n {
			rule := model.Rule{Direction: model.Ingress, Services: commonPorts[r.IntN(len(commonPorts))], ID: fmt.Sprintf("sgr-%d-%d", i, j)}
			switch k := r.IntN(20); {
			case k < 6: // a CIDR: the VPC, an office, a subnet, the internet
				rule.Peer = [...]model.Peer{p("10.0.0.0/12"), p("192.168.0.0/16"), p("0.0.0.0/0"), p("::/0"),
					cidr(subnet(r.IntN(benchClasses)).String()), cidr(fmt.Sprintf("10.%d.0.0/16", r.IntN(16)))}[r.IntN(6)]
			case k < 9: // self
				rule.Peer = grp(g.ID)
			case k < 17: // another group of the application
				rule.Peer = grp(key(app*benchAppSize + r.IntN(benchAppSize)))
			default: // a shared group (monitoring, bastion, load balancers)
				rule.Peer = grp(key(r.IntN(20)))
			}
			if j == 0 || r.IntN(6) == 0 {
				rule.Direction = model.Egress
				if j == 0 {
					rule.Services, rule.Peer = netset.AllServices(), p("0.0.0.0/0")
				}
			}
			g.Rules = append(g.Rules, rule)
		}
		e.AddGroup(g)
	}
	w := &benchWorld{estate: e, opts: reach.Options{Unfiltered: []reach.UnfilteredService{{Addrs: netset.SetOf(netip.MustParsePrefix("169.254.169.253/32")), Name: "Amazon DNS, instance metadata, time sync", Services: netset.AllServices()}}}}
	for c := range benchClasses {
		app := c % (benchGroups / benchAppSize)
		h := reach.Host{Label: fmt.Sprintf("class-%d", c), Exact: true}
		for range 1 + r.IntN(3) {
			h.Groups = append(h.Groups, key(app*benchAppSize+r.IntN(benchAppSize)))
		}
		var b netipx.IPSetBuilder
		base := subnet(c).Addr().As4()
		for k := range benchClassSize {
			base[3] = byte(1 + k*20 + r.IntN(20))
			b.Add(netip.AddrFrom4(base))
		}
		h.Addrs, _ = b.IPSet()
		w.classes = append(w.classes, h)
	}
	return w
})

func BenchmarkNew(b *testing.B) {
	w := benchOnce()
	b.ReportAllocs()
	for b.Loop() {
		reach.New(w.estate, w.opts)
	}
}

// A role-sized question: "every node reaches some control-plane
// endpoint", 40 node classes (400 hosts) to 3 control-plane classes.
func BenchmarkAsk(b *testing.B) {
	w := benchOnce()
	e := reach.New(w.estate, w.opts)
	nodes := reach.Endpoint{Name: "nodes", Q: reach.Every, Hosts: w.classes[:40]}
	cp := reach.Endpoint{Name: "control-plane", Q: reach.Some, Hosts: w.classes[40:43]}
	for _, c := range []struct{ name, svcs string }{
		{"tcp443", "tcp/443"},
		{"kubelet-and-nodeports", "tcp/10250,30000-32767"},
		{"all", "all"},
	} {
		svcs, err := netset.ParseServices(c.svcs)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				e.Ask(nodes, cp, svcs)
			}
		})
	}
}

// Flows between two classes of one application: every service.
func BenchmarkFlows(b *testing.B) {
	w := benchOnce()
	e := reach.New(w.estate, w.opts)
	from, to := w.classes[0], w.classes[200] // same application
	b.ReportAllocs()
	for b.Loop() {
		e.Flows(&from, &to)
	}
}

// TestBenchEstate keeps the synthetic estate honest: the sizes it claims
// and answers that are neither all allowed nor all denied.
func TestBenchEstate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 10,000-group estate")
	}
	w := benchOnce()
	if len(w.estate.Groups) != benchGroups || len(w.classes)*benchClassSize != 20000 {
		t.Fatalf("%d groups, %d classes", len(w.estate.Groups), len(w.classes))
	}
	rules := 0
	for _, g := range w.estate.Groups {
		if n := len(g.Rules); n < 5 || n > 30 {
			t.Fatalf("%s has %d rules", g.ID, n)
		}
		rules += len(g.Rules)
	}
	e := reach.New(w.estate, w.opts)
	f := e.Flows(&w.classes[0], &w.classes[200])
	if f.Allowed.IsEmpty() || f.Allowed.IsAll() {
		t.Errorf("flows between two classes: %v", f.Allowed)
	}
	t.Logf("%d rules; class-0 → class-200 allows %v", rules, f.Allowed)
}
