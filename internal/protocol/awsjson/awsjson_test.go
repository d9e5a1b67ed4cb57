package awsjson

import (
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

type stamp struct{ time.Time }

func (s *stamp) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	s.Time = time.Unix(int64(f), 0).UTC()
	return nil
}

type tag struct {
	Key   *string `json:"key,omitzero"`
	Value *string `json:"value,omitzero"`
}

type provider struct {
	CloudServiceProvider *string `json:"cloudServiceProvider,omitzero"`
}

type base struct {
	Embedded *string `json:"embedded,omitzero"`
}

type input struct {
	base
	ConnectionName *string              `json:"connectionName,omitzero"`
	Bandwidth      *string              `json:"bandwidth,omitzero"`
	MaxResults     *int32               `json:"maxResults,omitzero"`
	Tags           []tag                `json:"tags,omitzero"`
	TagPtrs        []*tag               `json:"tagPtrs,omitzero"`
	Nested         [][]tag              `json:"nested,omitzero"`
	ByName         map[string]tag       `json:"byName,omitzero"`
	Labels         map[string]string    `json:"labels,omitzero"`
	Provider       *provider            `json:"provider,omitzero"`
	Providers      map[string]*provider `json:"providers,omitzero"`
	At             *stamp               `json:"at,omitzero"`
	Blob           []byte               `json:"blob,omitzero"`
	Any            any                  `json:"any,omitzero"`
	Untagged       *string
	Hidden         *string `json:"-"`
	Dash           *string `json:"-,omitzero"`
}

func ptr[T any](v T) *T { return &v }

func decode(t *testing.T, body string) input {
	t.Helper()
	var in input
	if err := Decode([]byte(body), &in); err != nil {
		t.Fatalf("Decode(%s): %v", body, err)
	}
	return in
}

func TestMemberNamesMatchExactly(t *testing.T) {
	cases := []struct {
		name string
		body string
		want input
	}{
		{"exact names", `{"connectionName":"x","bandwidth":"1Gbps","maxResults":3}`,
			input{ConnectionName: ptr("x"), Bandwidth: ptr("1Gbps"), MaxResults: ptr(int32(3))}},
		{"wrong case is unknown", `{"ConnectionName":"x","BANDWIDTH":"1Gbps","maxresults":3}`, input{}},
		{"wrong case beside exact", `{"connectionName":"x","ConnectionName":"y"}`, input{ConnectionName: ptr("x")}},
		{"exact after wrong case", `{"ConnectionName":"y","connectionName":"x"}`, input{ConnectionName: ptr("x")}},
		{"duplicates: the last wins", `{"connectionName":"x","connectionName":"z"}`, input{ConnectionName: ptr("z")}},
		{"unknown members", `{"nope":{"deep":[1,2,{"x":null}]},"connectionName":"x"}`, input{ConnectionName: ptr("x")}},
		{"wrong case with a wrong type is ignored", `{"Bandwidth":1,"Tags":"no"}`, input{}},
		{"Unicode case folding is not a match", `{"connectionName":"x","connectionNaMe":"y","maxResults":1,"maxResultſ":2}`,
			input{ConnectionName: ptr("x"), MaxResults: ptr(int32(1))}},
		{"escaped exact name", `{"connection\u004eame":"x"}`, input{ConnectionName: ptr("x")}},
		{"structures in a list", `{"tags":[{"key":"a","Value":"b"},{"Key":"c","value":"d"}]}`,
			input{Tags: []tag{{Key: ptr("a")}, {Value: ptr("d")}}}},
		{"pointers in a list", `{"tagPtrs":[{"KEY":"a","value":"b"},null]}`,
			input{TagPtrs: []*tag{{Value: ptr("b")}, nil}}},
		{"lists of lists", `{"nested":[[{"key":"a","Key":"b"}],[]]}`,
			input{Nested: [][]tag{{{Key: ptr("a")}}, {}}}},
		{"structures in a map; keys as sent", `{"byName":{"First":{"key":"a","VALUE":"b"},"first":{"Key":"c"}}}`,
			input{ByName: map[string]tag{"First": {Key: ptr("a")}, "first": {}}}},
		{"string maps untouched", `{"labels":{"Env":"prod","env":"dev"}}`,
			input{Labels: map[string]string{"Env": "prod", "env": "dev"}}},
		{"nested structure", `{"provider":{"CloudServiceProvider":"aws","cloudServiceProvider":"gcp"}}`,
			input{Provider: &provider{CloudServiceProvider: ptr("gcp")}}},
		{"nested wrong case only", `{"provider":{"CloudServiceProvider":"aws"}}`, input{Provider: &provider{}}},
		{"pointers in a map", `{"providers":{"a":{"cloudserviceprovider":"x"},"b":null}}`,
			input{Providers: map[string]*provider{"a": {}, "b": nil}}},
		{"a type that decodes itself", `{"at":1700000000}`, input{At: &stamp{time.Unix(1700000000, 0).UTC()}}},
		{"blobs", `{"blob":"aGk="}`, input{Blob: []byte("hi")}},
		{"any keeps everything", `{"any":{"K":[{"k":1}]}}`, input{Any: map[string]any{"K": []any{map[string]any{"k": 1.0}}}}},
		{"embedded structure", `{"embedded":"e","Embedded":"E"}`, input{base: base{Embedded: ptr("e")}}},
		{"untagged field by its Go name", `{"Untagged":"u","untagged":"v"}`, input{Untagged: ptr("u")}},
		{"hidden field", `{"Hidden":"h","-":"d"}`, input{Dash: ptr("d")}},
		{"null structure", `{"provider":null,"tags":null}`, input{}},
		{"whitespace", " \n{ \"connectionName\" : \"x\" , \"Bandwidth\" : [ ] }\n", input{ConnectionName: ptr("x")}},
		{"empty body", ``, input{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := decode(t, tc.body); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// Errors read as they did before names matched exactly.
func TestDecodeErrors(t *testing.T) {
	cases := []struct{ body, want string }{
		{`{"bandwidth":1}`, "member 'bandwidth' cannot hold a JSON number"},
		{`{"provider":{"cloudServiceProvider":true}}`, "member 'provider.cloudServiceProvider' cannot hold a JSON bool"},
		{`{"tags":[{"key":{}}]}`, "member 'tags.key' cannot hold a JSON object"},
		{`{"tags":{"key":"a"}}`, "member 'tags' cannot hold a JSON object"},
		{`{"maxResults":1e99}`, "member 'maxResults' cannot hold a JSON number 1e99"},
		{`[]`, "request body must be a JSON object"},
		{`{"a":nope}`, "request body is not valid JSON (at byte 7)"},
		{`{"a":1`, "request body ends in the middle of a JSON value"},
		{`{} {}`, "request body has data after the JSON object"},
		{`{"at":"yesterday"}`, "member 'at' cannot hold a JSON string"},
	}
	for _, tc := range cases {
		var in input
		err := Decode([]byte(tc.body), &in)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Decode(%s) = %v, want %q", tc.body, err, tc.want)
		}
		// The same text encoding/json's decoder alone gave.
		if want := decodeAlone(tc.body); err == nil || want == nil || err.Error() != want.Error() {
			t.Errorf("Decode(%s) = %v; encoding/json alone: %v", tc.body, err, want)
		}
	}
}

// decodeAlone is Decode as it was before member names matched exactly.
func decodeAlone(body string) error {
	var in input
	if body[0] != '{' {
		return errors.New("request body must be a JSON object")
	}
	dec := json.NewDecoder(strings.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		return describe(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("request body has data after the JSON object")
	}
	return nil
}

// A body with exact names only decodes as encoding/json decodes it.
func TestExactNamesDecodeAsEncodingJSON(t *testing.T) {
	body := `{"connectionName":"x","tags":[{"key":"a","value":"b"}],"tagPtrs":[{"key":"c"}],"nested":[[{"value":"v"}]],` +
		`"byName":{"n":{"key":"k"}},"labels":{"L":"l"},"provider":{"cloudServiceProvider":"gcp"},` +
		`"providers":{"p":{"cloudServiceProvider":"azure"}},"at":1,"blob":"AA==","any":[1,"a",null],"embedded":"e","Untagged":"u"}`
	var got, want input
	if err := Decode([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(body), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// A type that recurses without a structure does not send keepExact round
// in circles.
func TestRecursiveTypes(t *testing.T) {
	type list []list
	type node struct {
		Name     *string `json:"name"`
		Children []node  `json:"children"`
		Next     *node   `json:"next"`
		L        list    `json:"l"`
	}
	var n node
	if err := Decode([]byte(`{"name":"a","children":[{"Name":"b","name":"c","next":{"NAME":"d"}}],"l":[[],[[]]]}`), &n); err != nil {
		t.Fatal(err)
	}
	if *n.Name != "a" || *n.Children[0].Name != "c" || n.Children[0].Next.Name != nil || len(n.L) != 2 {
		t.Errorf("decoded %+v", n)
	}
}
