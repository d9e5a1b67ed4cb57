package opclient

import (
	"encoding/json"
	"time"
)

// The operator API's answers. They are declared here, once, and the server
// writes these very types, so that it and its clients cannot disagree.

// Index lists the operator endpoints: GET /_dxlab/.
type Index struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Console is where the web console is served, if it is.
	Console   string     `json:"console,omitempty"`
	Endpoints []Endpoint `json:"endpoints"`
}

// Endpoint is one operator endpoint.
type Endpoint struct {
	Method  string `json:"method"`
	Path    string `json:"path"`
	Summary string `json:"summary"`
}

// Health is the health report: GET /_dxlab/health.
type Health struct {
	Status       string `json:"status"`
	Version      string `json:"version"`
	Addr         string `json:"addr"`
	DataDir      string `json:"dataDir"`
	Store        string `json:"store"`
	Provisioning string `json:"provisioning"`
	// Auth says how requests are authenticated: "accept-any" accepts any
	// signature (the account comes from the access key).
	Auth string `json:"auth"`
	// OperatorToken: changes through the operator API need the operator
	// token (the web console asks for it before its first action).
	OperatorToken bool    `json:"operatorToken"`
	UptimeSeconds float64 `json:"uptimeSeconds"`
	// EventRetentionSeconds is how long events are kept on dxlab's clock.
	EventRetentionSeconds float64 `json:"eventRetentionSeconds"`
	// Resources counts resources by kind and state.
	Resources []ResourceCount `json:"resources"`
	// PendingSteps counts pending steps; WaitingSteps those of them waiting
	// for an operator.
	PendingSteps int `json:"pendingSteps"`
	WaitingSteps int `json:"waitingSteps"`
}

// ResourceCount is how many resources of a kind are in a state.
type ResourceCount struct {
	Kind  string `json:"kind"`
	State string `json:"state"`
	Count int    `json:"count"`
}

// Transition is a pending step of the simulated facility.
type Transition struct {
	ID           string     `json:"id"`
	Step         string     `json:"step"`
	Note         string     `json:"note"`
	ResourceKind string     `json:"resourceKind"`
	ResourceID   string     `json:"resourceId"`
	Account      string     `json:"account"`
	Region       string     `json:"region"`
	CreatedAt    time.Time  `json:"createdAt"`
	DueAt        *time.Time `json:"dueAt,omitempty"`
	// WaitsForOperator marks a step that fires only when an operator fires
	// it (the manual profile's human steps, and a step that kept failing).
	WaitsForOperator bool `json:"waitsForOperator"`
	// Attempts and LastError tell of firings that failed; the step is
	// retried.
	Attempts  int    `json:"attempts,omitempty"`
	LastError string `json:"lastError,omitempty"`
}

// TransitionList is a page of pending transitions.
type TransitionList struct {
	Transitions []Transition `json:"transitions"`
	NextToken   *string      `json:"nextToken,omitempty"`
}

// Fired answers firing one transition.
type Fired struct {
	Fired Transition `json:"fired"`
}

// FiredCount answers fire-due.
type FiredCount struct {
	Fired int `json:"fired"`
}

// Clock is the clock report.
type Clock struct {
	Now time.Time `json:"now"`
	// OffsetSeconds is how far the clock runs ahead of the system clock.
	OffsetSeconds float64 `json:"offsetSeconds,omitempty"`
	// Fired is how many steps an advance fired.
	Fired *int `json:"fired,omitempty"`
}

// Resource is one resource as operators see it, whoever owns it.
type Resource struct {
	Kind    string `json:"kind"`
	ID      string `json:"id"`
	Account string `json:"account"`
	Region  string `json:"region"`
	State   string `json:"state"`
	Version int64  `json:"version"`
}

// Event is one change of one resource.
type Event struct {
	// Seq orders events; a later event has a larger Seq.
	Seq          int64     `json:"seq"`
	At           time.Time `json:"at"`
	ResourceKind string    `json:"resourceKind"`
	ResourceID   string    `json:"resourceId"`
	// Account owns the resource; Viewers may see it too.
	Account string   `json:"account"`
	Viewers []string `json:"viewers,omitempty"`
	Region  string   `json:"region"`
	// Action is "create", "update" or "delete".
	Action string `json:"action"`
	From   string `json:"from,omitempty"`
	To     string `json:"to,omitempty"`
	Cause  Cause  `json:"cause"`
}

// Cause says who or what made a change: an API call ("api"), a facility
// step ("step") or an operator firing a step ("operator").
type Cause struct {
	Type       string `json:"type"`
	RequestID  string `json:"requestId,omitempty"`
	Account    string `json:"account,omitempty"`
	Operation  string `json:"operation,omitempty"`
	Step       string `json:"step,omitempty"`
	Actor      string `json:"actor,omitempty"`
	Transition string `json:"transition,omitempty"`
}

// EventList is a page of events.
type EventList struct {
	Events    []Event `json:"events"`
	NextToken *string `json:"nextToken,omitempty"`
}

// ErrorBody is how the operator API answers an error.
type ErrorBody struct {
	Error string `json:"error"`
}

// PortState answers a port going down or up.
type PortState struct {
	// Resource is the connection or interconnect.
	Resource string `json:"resource"`
	PortDown bool   `json:"portDown"`
	// State is the resource's state now.
	State string `json:"state"`
}

// DeviceState answers a device going down or up.
type DeviceState struct {
	Device string `json:"device"`
	Down   bool   `json:"down"`
	// Changed counts the resources that changed state.
	Changed int `json:"changed"`
}

// BgpState answers the customer's side of a BGP session going down or up.
type BgpState struct {
	BgpPeer      string `json:"bgpPeer"`
	CustomerDown bool   `json:"customerDown"`
	// BgpStatus is the session's status now: up or down.
	BgpStatus string `json:"bgpStatus"`
}

// CustomerRoutes answers setting the routes the customer announces.
type CustomerRoutes struct {
	BgpPeer string `json:"bgpPeer"`
	// Routes counts the routes announced.
	Routes    int    `json:"routes"`
	BgpStatus string `json:"bgpStatus"`
}

// PortalActivation is the Interconnect partner's portal given a key.
type PortalActivation struct {
	ActivationKey string `json:"activationKey"`
	// Refuse makes the portal refuse the key; the connection fails with
	// Reason.
	Refuse bool   `json:"refuse,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// InterconnectProposal is a partner starting an Interconnect connection for
// an account.
type InterconnectProposal struct {
	EnvironmentID string `json:"environmentId"`
	Bandwidth     string `json:"bandwidth"`
	Account       string `json:"account"`
	Region        string `json:"region"`
}

// ActivationKey answers a proposal.
type ActivationKey struct {
	ActivationKey string `json:"activationKey"`
}

// InterconnectConnection is an Interconnect connection as the other side
// sees it.
type InterconnectConnection struct {
	ID                   string `json:"id"`
	Account              string `json:"account"`
	Region               string `json:"region"`
	State                string `json:"state"`
	DirectConnectGateway string `json:"directConnectGateway"`
	SharedID             string `json:"sharedId"`
	Bandwidth            string `json:"bandwidth"`
	FailureReason        string `json:"failureReason,omitempty"`
	// RemoteRoutes are what the other cloud announces; AdvertisedToRemote
	// what it learns (the gateway's associations' allowed prefixes).
	RemoteRoutes       []string `json:"remoteRoutes"`
	AdvertisedToRemote []string `json:"advertisedToRemote"`
}

// InterconnectAnswer answers the Interconnect actions: the connection.
type InterconnectAnswer struct {
	Connection InterconnectConnection `json:"connection"`
}

// Gateway is a registered VGW or TGW: the EC2 side Direct Connect reaches.
type Gateway struct {
	ID      string `json:"id"`
	Account string `json:"account"`
	Region  string `json:"region"`
	// ASN is the Amazon side's ASN; 0 registers the default.
	ASN        int64     `json:"asn"`
	CIDRs      []string  `json:"cidrs"`
	Registered time.Time `json:"registered,omitzero"`
}

// GatewayList is the registered gateways.
type GatewayList struct {
	Gateways []Gateway `json:"gateways"`
}

// GatewayRegistered answers registering a gateway.
type GatewayRegistered struct {
	Gateway Gateway `json:"gateway"`
	// Created tells a new registration from a change.
	Created bool `json:"created"`
}

// Detail is one resource with what operators see of it beyond its status:
// GET /_dxlab/v1/resources/{id}, and each resource of a Topology.
type Detail struct {
	Resource
	Name string `json:"name,omitempty"`
	// Parent is the id of the resource it hangs off: a hosted connection's
	// interconnect or LAG, a virtual interface's connection, an
	// association's Direct Connect gateway.
	Parent string `json:"parent,omitempty"`
	// Viewers are the other accounts that see it (a partner through its
	// interconnect, a hosted VIF's owner).
	Viewers []string `json:"viewers,omitempty"`
	// Location, Device and Port place it in the facility; Port is 0 for a
	// resource that rides its parent's port.
	Location  string `json:"location,omitempty"`
	Device    string `json:"device,omitempty"`
	Port      int    `json:"port,omitempty"`
	Bandwidth string `json:"bandwidth,omitempty"`
	Vlan      int    `json:"vlan,omitempty"`
	// Links are what it points at beside its parent.
	Links []Link `json:"links,omitempty"`
	// View is what its owner's Describe call answers for it.
	View json.RawMessage `json:"view,omitempty"`
}

// Link is a resource pointing at another: Rel is "gateway" (a virtual
// interface's, a proposal's) or "associated" (the VGW or TGW an
// association or proposal joins).
type Link struct {
	Rel string `json:"rel"`
	ID  string `json:"id"`
}

// Device is an AWS device of the facility's catalog.
type Device struct {
	ID       string `json:"id"`
	Location string `json:"location"`
	Region   string `json:"region"`
	// Ports counts its ports of each speed ("1G", "10G", ...).
	Ports  map[string]int `json:"ports"`
	MacSec bool           `json:"macSec,omitempty"`
	// Down: an operator took it down.
	Down bool `json:"down,omitempty"`
}

// Topology is the simulated world as the web console draws it:
// GET /_dxlab/v1/topology.
type Topology struct {
	// Account and Region are the query's; empty is every one.
	Account string `json:"account,omitempty"`
	Region  string `json:"region,omitempty"`
	// Resources come kind by kind, each in id order.
	Resources []Detail `json:"resources"`
	// Devices are the catalog's in the region.
	Devices []Device `json:"devices"`
	// Truncated: there were more resources than the query's limit.
	Truncated bool `json:"truncated,omitempty"`
}

// TopologyQuery selects what a Topology shows; zero fields match any.
type TopologyQuery struct {
	// Account keeps what the account owns or sees.
	Account string
	Region  string
	// Limit caps the resources (default 2000, at most 10000).
	Limit int
}

// QuotaUse is how much of one quota an account takes.
type QuotaUse struct {
	// Service is "directconnect" or "interconnect"; Name is the quota's
	// name for --quota.
	Service     string `json:"service"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Limit       int    `json:"limit"`
	Used        int    `json:"used"`
	// Where names the fullest parent of a quota counted per parent: a
	// location, a connection or LAG, a Direct Connect gateway.
	Where string `json:"where,omitempty"`
}

// QuotaUsage is an account's use of its quotas in a region:
// GET /_dxlab/v1/quotas.
type QuotaUsage struct {
	Account string     `json:"account"`
	Region  string     `json:"region"`
	Quotas  []QuotaUse `json:"quotas"`
}
