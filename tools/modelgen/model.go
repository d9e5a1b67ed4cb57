package main

// Model is the part of a botocore service-2.json the generator reads.
type Model struct {
	Metadata   Metadata             `json:"metadata"`
	Operations map[string]Operation `json:"operations"`
	Shapes     map[string]*Shape    `json:"shapes"`
}

type Metadata struct {
	APIVersion   string   `json:"apiVersion"`
	JSONVersion  string   `json:"jsonVersion"`
	Protocol     string   `json:"protocol"`
	Protocols    []string `json:"protocols"`
	ServiceID    string   `json:"serviceId"`
	SigningName  string   `json:"signingName"`
	EndpointPfx  string   `json:"endpointPrefix"`
	TargetPrefix string   `json:"targetPrefix"`
	UID          string   `json:"uid"`
}

type Operation struct {
	Name          string     `json:"name"`
	Input         *ShapeRef  `json:"input"`
	Output        *ShapeRef  `json:"output"`
	Errors        []ShapeRef `json:"errors"`
	Documentation string     `json:"documentation"`
	Deprecated    bool       `json:"deprecated"`
}

type ShapeRef struct {
	Shape            string `json:"shape"`
	Documentation    string `json:"documentation"`
	IdempotencyToken bool   `json:"idempotencyToken"`
}

type Shape struct {
	Type          string              `json:"type"`
	Members       map[string]ShapeRef `json:"members"`
	Required      []string            `json:"required"`
	Member        *ShapeRef           `json:"member"`
	Key           *ShapeRef           `json:"key"`
	Value         *ShapeRef           `json:"value"`
	Enum          []string            `json:"enum"`
	Min           *float64            `json:"min"`
	Max           *float64            `json:"max"`
	Pattern       string              `json:"pattern"`
	Sensitive     bool                `json:"sensitive"`
	Union         bool                `json:"union"`
	Exception     bool                `json:"exception"`
	Fault         bool                `json:"fault"`
	Error         *ErrorTrait         `json:"error"`
	Documentation string              `json:"documentation"`
	Deprecated    bool                `json:"deprecated"`
}

type ErrorTrait struct {
	HTTPStatusCode int    `json:"httpStatusCode"`
	Code           string `json:"code"`
	SenderFault    bool   `json:"senderFault"`
}
