// Package report renders results — findings, query answers, flow
// matrices — in the formats users and CI systems read. One file per
// format; renderers never re-read input and never decide anything.
package report

import (
	"github.com/clusterwall/clusterwall/internal/check"
)

// Schema is the version of the JSON output (CONTRACT.md).
const Schema = 1

// Check is what `clusterwall check` reports.
type Check struct {
	Schema     int                `json:"schema"`
	Clusters   []Cluster          `json:"clusters"`
	Findings   []check.Finding    `json:"findings"`
	Unverified []check.Unverified `json:"unverified,omitempty"`
	Notes      []string           `json:"notes,omitempty"`
	// Inputs lists the files read and their kinds; not part of JSON.
	Inputs []Input `json:"-"`
}

// Cluster is one cluster and the roles clusterwall used for it.
type Cluster struct {
	Name     string              `json:"name"`
	Platform string              `json:"platform"`
	Roles    map[string][]string `json:"roles"`
}

// Input is one file read.
type Input struct {
	Path string
	Kind string
}
