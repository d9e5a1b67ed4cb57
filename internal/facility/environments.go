package facility

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
)

//go:embed data/environments.json
var builtinEnvironments []byte

// Environment is a partner of AWS Interconnect in one AWS region: another
// cloud's region or a last-mile network that connections can reach.
type Environment struct {
	Region        string `json:"region"`
	EnvironmentID string `json:"environmentId"`
	// Type is "Multicloud" or "LastMile".
	Type string `json:"type"`
	// Provider has exactly one of cloudServiceProvider or lastMileProvider.
	Provider             map[string]string `json:"provider"`
	Location             string            `json:"location"`
	State                string            `json:"state"`
	Bandwidths           Bandwidths        `json:"bandwidths"`
	ActivationPageURL    string            `json:"activationPageUrl"`
	RemoteIdentifierType string            `json:"remoteIdentifierType"`
}

// Bandwidths are the speeds an environment supports, and those it has
// capacity for now.
type Bandwidths struct {
	Available []string `json:"available"`
	Supported []string `json:"supported"`
}

// LoadEnvironments reads an environments file, or the built-in one when path
// is empty.
func LoadEnvironments(path string) ([]Environment, error) {
	data := builtinEnvironments
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, err
		}
	}
	var f struct {
		Environments []Environment `json:"environments"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("interconnect environments: %w", err)
	}
	seen := map[string]bool{}
	for _, e := range f.Environments {
		if e.EnvironmentID == "" || e.Region == "" || len(e.Provider) != 1 {
			return nil, fmt.Errorf("interconnect environments: %q needs an id, a region and exactly one provider", e.EnvironmentID)
		}
		if seen[e.EnvironmentID] {
			return nil, fmt.Errorf("interconnect environments: %s appears twice", e.EnvironmentID)
		}
		seen[e.EnvironmentID] = true
	}
	return f.Environments, nil
}
