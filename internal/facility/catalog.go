package facility

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
)

//go:embed data/locations.json
var builtinLocations []byte

// Location is a Direct Connect location: a colocation facility where AWS
// has devices, in one region.
type Location struct {
	Code             string   `json:"code"`
	Name             string   `json:"name"`
	Address          string   `json:"address"` // street address, printed on LOA-CFAs; optional: they then name the facility only
	Region           string   `json:"region"`
	PortSpeeds       []string `json:"portSpeeds"`
	MacSecPortSpeeds []string `json:"macSecPortSpeeds"`
	Providers        []string `json:"providers"`
	// Verified marks codes seen in public AWS output; others are plausible.
	Verified bool     `json:"verified"`
	Devices  []Device `json:"devices"`
}

// Device is an AWS router at a location, with ports of several speeds.
type Device struct {
	ID string `json:"id"`
	// Ports counts the ports of each speed ("1G", "10G", ...).
	Ports  map[string]int `json:"ports"`
	MacSec bool           `json:"macSec"`
}

// Catalog is the physical world's map: every location of every region.
type Catalog struct {
	Locations []Location `json:"locations"`
}

// LoadCatalog reads a catalog file, or the built-in one when path is empty.
func LoadCatalog(path string) (*Catalog, error) {
	data := builtinLocations
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return nil, err
		}
	}
	var c Catalog
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("location catalog: %w", err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("location catalog: %w", err)
	}
	return &c, nil
}

// check rejects a catalog that would make dxlab answer nonsense.
func (c *Catalog) check() error {
	seen := map[string]bool{}
	for _, l := range c.Locations {
		key := l.Region + "/" + l.Code
		switch {
		case l.Code == "" || l.Region == "" || l.Name == "":
			return fmt.Errorf("location %q needs a code, a name and a region", l.Code)
		case seen[key]:
			return fmt.Errorf("location %s appears twice in %s", l.Code, l.Region)
		case len(l.Devices) == 0:
			return fmt.Errorf("location %s has no devices", l.Code)
		}
		seen[key] = true
		for _, s := range l.MacSecPortSpeeds {
			if !slices.Contains(l.PortSpeeds, s) {
				return fmt.Errorf("location %s offers MACsec at %s but no %s ports", l.Code, s, s)
			}
		}
		for _, d := range l.Devices {
			if !strings.HasPrefix(d.ID, l.Code+"-") {
				return fmt.Errorf("device %s of %s must be named %s-<id>", d.ID, l.Code, l.Code)
			}
			for s := range d.Ports {
				if !slices.Contains(l.PortSpeeds, s) {
					return fmt.Errorf("device %s has %s ports that %s does not offer", d.ID, s, l.Code)
				}
			}
		}
	}
	return nil
}

// InRegion returns the locations of a region, in catalog order.
func (c *Catalog) InRegion(region string) []Location {
	var out []Location
	for _, l := range c.Locations {
		if l.Region == region {
			out = append(out, l)
		}
	}
	return out
}

// Find returns the location with a code in a region.
func (c *Catalog) Find(region, code string) (Location, bool) {
	for _, l := range c.Locations {
		if l.Region == region && l.Code == code {
			return l, true
		}
	}
	return Location{}, false
}

// DevicesFor returns the devices of a location with ports of a speed,
// MACsec-capable ones only when macSec is set.
func (l Location) DevicesFor(speed string, macSec bool) []Device {
	var out []Device
	for _, d := range l.Devices {
		if d.Ports[speed] > 0 && (!macSec || d.MacSec) {
			out = append(out, d)
		}
	}
	return out
}
