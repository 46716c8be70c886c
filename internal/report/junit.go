package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnit writes findings as JUnit XML for CI systems that show test
// results: one suite per cluster, a failed test case per finding, a
// skipped one per check the input could not decide.
func JUnit(w io.Writer, r *Check) error {
	out := junitSuites{Name: "clusterwall"}
	index := map[string]int{}
	suite := func(name string) *junitSuite {
		i, ok := index[name]
		if !ok {
			i = len(out.Suites)
			index[name] = i
			out.Suites = append(out.Suites, junitSuite{Name: "cluster " + name})
		}
		return &out.Suites[i]
	}
	for _, c := range r.Clusters {
		suite(c.Name)
	}
	for _, f := range r.Findings {
		s := suite(f.Cluster)
		var text strings.Builder
		fmt.Fprintf(&text, "%s\n\nfix: %s\n", f.Message, f.Fix)
		for _, l := range f.Locations {
			fmt.Fprintf(&text, "at: %s\n", l)
		}
		s.Cases = append(s.Cases, junitCase{Name: f.ID + " " + caseFlow(f.Flow), Classname: f.Kind,
			Failure: &junitFailure{Message: f.Title, Type: f.Severity, Text: text.String()}})
		s.Tests++
		s.Failures++
	}
	for _, u := range r.Unverified {
		s := suite(u.Cluster)
		s.Cases = append(s.Cases, junitCase{Name: u.ID + " " + caseFlow(u.Flow), Classname: "unverified",
			Skipped: &junitSkipped{Message: strings.Join(u.Missing, "; ")}})
		s.Tests++
		s.Skipped++
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
