package knowledge

import (
	"net/netip"
	"testing"

	"go4.org/netipx"

	"github.com/clusterwall/clusterwall/internal/netset"
)

func TestCatalogLoads(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Platforms["eks"] == nil || len(c.AddOns) == 0 {
		t.Fatalf("catalog = %+v", c)
	}
	if c.AddOn("istiod") == nil || c.AddOn("ISTIO") == nil || c.AddOn("grafana") != nil {
		t.Error("add-on aliases")
	}
}

func TestPublic(t *testing.T) {
	c := MustLoad()
	pub := c.Public([]netip.Prefix{netip.MustParsePrefix("52.10.0.0/16")})
	for addr, want := range map[string]bool{
		"8.8.8.8": true, "10.1.2.3": false, "172.20.0.1": false, "192.168.1.1": false, "100.64.1.1": false,
		"169.254.169.254": false, "127.0.0.1": false, "203.0.113.5": false, "198.51.100.1": false, "192.0.2.1": false,
		"52.10.1.1": false, "52.11.1.1": true, "2600::1": true, "fd00::1": false, "fe80::1": false, "2001:db8::1": false, "::1": false,
	} {
		if got := pub.Contains(netip.MustParseAddr(addr)); got != want {
			t.Errorf("public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestAWSUnfiltered(t *testing.T) {
	c := MustLoad()
	var b netipx.IPSetBuilder
	for _, d := range c.AWSUnfilteredServices([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/16"), netip.MustParsePrefix("2600::/56")}) {
		b.AddPrefix(d.Prefix)
	}
	u, _ := b.IPSet()
	for addr, want := range map[string]bool{
		"169.254.169.253": true, "169.254.169.254": true, "169.254.169.123": true, "10.0.0.2": true, "10.0.0.1": true,
		"10.0.0.3": false, "fd00:ec2::253": true, "8.8.8.8": false,
	} {
		if got := u.Contains(netip.MustParseAddr(addr)); got != want {
			t.Errorf("unfiltered(%s) = %v, want %v", addr, got, want)
		}
	}
}

func TestAWSUnfilteredServices(t *testing.T) {
	c := MustLoad()
	serves := func(addr, svc string) bool {
		a := netip.MustParseAddr(addr)
		want, err := netset.ParseServices(svc)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range c.AWSUnfilteredServices([]netip.Prefix{netip.MustParsePrefix("10.0.0.0/16")}) {
			if u.Prefix.Contains(a) && u.Services.ContainsAll(want) {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		addr, svc string
		want      bool
	}{
		{"10.0.0.2", "udp/53", true}, {"10.0.0.2", "tcp/53", true}, {"10.0.0.2", "tcp/443", false},
		{"10.0.0.1", "tcp/443", false}, {"169.254.169.254", "tcp/80", true}, {"169.254.169.254", "tcp/443", false},
		{"169.254.169.123", "udp/123", true}, {"fd00:ec2::253", "udp/53", true},
	} {
		if got := serves(tc.addr, tc.svc); got != tc.want {
			t.Errorf("unfiltered %s %s = %v, want %v", tc.addr, tc.svc, got, tc.want)
		}
	}
}

func TestConditionMatches(t *testing.T) {
	c := MustLoad()
	ms := c.AddOn("metrics-server")
	byID := map[string]Condition{}
	for _, r := range ms.Requirements {
		byID[r.ID] = r.When
	}
	for _, tc := range []struct {
		source, version string
		want            string
	}{
		{"helm_release", "3.12.1", "ADDON-METRICS-SERVER-API"},
		{"helm_release", "3.8.2", "ADDON-METRICS-SERVER-API-LEGACY"},
		{"helm_release", "3.10.0", "ADDON-METRICS-SERVER-API"},
		// The app's version, as the image tag shows it.
		{"--addons", "0.7.1", "ADDON-METRICS-SERVER-API"},
		{"--addons", "v0.6.4", "ADDON-METRICS-SERVER-API-LEGACY"},
		{"--addons", "0.7.0", "ADDON-METRICS-SERVER-API"},
		{"--addons", "", "ADDON-METRICS-SERVER-API"},
		{"aws_eks_addon", "v0.7.2-eksbuild.1", "ADDON-METRICS-SERVER-API-EKS"},
		{"AWS::EKS::Addon", "", "ADDON-METRICS-SERVER-API-EKS"},
	} {
		var got []string
		for id, w := range byID {
			if w.Matches(tc.source, tc.version) {
				got = append(got, id)
			}
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%s %s: %v, want %s", tc.source, tc.version, got, tc.want)
		}
	}
}
