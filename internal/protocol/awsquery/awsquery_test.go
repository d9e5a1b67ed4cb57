package awsquery

import (
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"testing"
)

type tag struct {
	Key   string  `query:"Key"`
	Value *string `query:"Value"`
}

type spec struct {
	ResourceType string `query:"ResourceType"`
	Tags         []tag  `query:"Tag"`
}

type input struct {
	ID      string   `query:"Id"`
	IDs     []string `query:"Id"`
	ASN     *int64   `query:"Asn"`
	Count   int32    `query:"Count"`
	DryRun  bool     `query:"DryRun"`
	Specs   []spec   `query:"Spec"`
	Options struct {
		Mode   string   `query:"Mode"`
		Blocks []string `query:"Blocks"`
	} `query:"Options"`
	Absent *struct {
		X string `query:"X"`
	} `query:"Absent"`
}

func TestDecode(t *testing.T) {
	p, err := Parse([]byte("Action=X&Id=a&Id.2=c&Id.1=b&Id.x=ignored&Id.01=ignored&Asn=65000&Count=3&DryRun=false" +
		"&Spec.1.ResourceType=vpn-gateway&Spec.1.Tag.2.Key=k2&Spec.1.Tag.1.Key=k1&Spec.1.Tag.1.Value=v1" +
		"&Options.Mode=enable&Options.Blocks.1=10.0.0.0%2F24&Unknown=1"))
	if err != nil {
		t.Fatal(err)
	}
	var in input
	if err := Decode(p, &in); err != nil {
		t.Fatal(err)
	}
	if in.ID != "a" || strings.Join(in.IDs, ",") != "b,c" || *in.ASN != 65000 || in.Count != 3 || in.DryRun {
		t.Errorf("scalars and lists: %+v", in)
	}
	if len(in.Specs) != 1 || in.Specs[0].ResourceType != "vpn-gateway" || len(in.Specs[0].Tags) != 2 ||
		in.Specs[0].Tags[0].Key != "k1" || *in.Specs[0].Tags[0].Value != "v1" || in.Specs[0].Tags[1].Value != nil {
		t.Errorf("nested lists: %+v", in.Specs)
	}
	if in.Options.Mode != "enable" || len(in.Options.Blocks) != 1 || in.Options.Blocks[0] != "10.0.0.0/24" || in.Absent != nil {
		t.Errorf("nested struct: %+v", in.Options)
	}
}

func TestDecodeRefusesBadValues(t *testing.T) {
	for _, body := range []string{"Asn=lots", "Count=99999999999", "DryRun=yes", "DryRun=1"} {
		p, _ := Parse([]byte(body))
		var in input
		var de *DecodeError
		if err := Decode(p, &in); !errors.As(err, &de) {
			t.Errorf("%s: %v, want a DecodeError", body, err)
		}
	}
	var many strings.Builder
	for i := 1; i <= maxListItems+1; i++ {
		many.WriteString("&Id.")
		many.WriteString(strconv.Itoa(i))
		many.WriteString("=x")
	}
	p, _ := Parse([]byte(many.String()[1:]))
	var in input
	if err := Decode(p, &in); err == nil {
		t.Errorf("%d list items accepted", maxListItems+1)
	}
	if _, err := Parse([]byte("a=%zz")); err == nil {
		t.Error("a malformed body parsed")
	}
}

type out struct {
	Items []struct {
		ID string `xml:"id"`
	} `xml:"itemSet>item"`
	Return bool `xml:"return"`
}

func TestEncodeDialects(t *testing.T) {
	v := out{Return: true}
	v.Items = append(v.Items, struct {
		ID string `xml:"id"`
	}{ID: "a<b"})
	b, err := Encode(EC2, "DescribeThings", "http://ec2.example/doc/", "rid-1", v)
	if err != nil {
		t.Fatal(err)
	}
	want := `<DescribeThingsResponse xmlns="http://ec2.example/doc/"><requestId>rid-1</requestId><itemSet><item><id>a&lt;b</id></item></itemSet><return>true</return></DescribeThingsResponse>`
	if !strings.HasSuffix(string(b), want) {
		t.Errorf("EC2 answer:\n%s\nwant\n%s", b, want)
	}
	b, err = Encode(Query, "GetThing", "https://q.example/", "rid-2", struct {
		Arn string `xml:"Arn"`
	}{"arn:x"})
	if err != nil {
		t.Fatal(err)
	}
	want = `<GetThingResponse xmlns="https://q.example/"><GetThingResult><Arn>arn:x</Arn></GetThingResult><ResponseMetadata><RequestId>rid-2</RequestId></ResponseMetadata></GetThingResponse>`
	if !strings.HasSuffix(string(b), want) {
		t.Errorf("awsQuery answer:\n%s\nwant\n%s", b, want)
	}
	for _, d := range []Dialect{EC2, Query} {
		var any struct{}
		if err := xml.Unmarshal(EncodeError(d, "Bad<Code>", "m & m", "rid", false), &any); err != nil {
			t.Errorf("dialect %d: error body is not XML: %v", d, err)
		}
	}
}
