package specjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/berth-runtime/berth/libcontainer/specjson/internal/specgen"
)

func TestGeneratedUpToDate(t *testing.T) {
	want, err := specgen.Generate()
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("zz_generated.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("zz_generated.go is out of date with the specs types: run go generate in libcontainer/specjson")
	}
}

// check decodes data with Unmarshal and with json.Unmarshal, and reports any
// difference in the value or the error. It returns whether the fast path
// decoded data by itself (without falling back).
func check(t testing.TB, name string, data []byte) (fast bool) {
	t.Helper()
	var got, want specs.Spec
	errGot := Unmarshal(data, &got)
	errWant := json.Unmarshal(data, &want)
	if errText(errGot) != errText(errWant) || fmt.Sprintf("%T", errGot) != fmt.Sprintf("%T", errWant) {
		t.Errorf("%s: error %T %q, encoding/json: %T %q\ninput: %q", name, errGot, errText(errGot), errWant, errText(errWant), clip(data))
	}
	if d := firstDiff(reflect.ValueOf(got), reflect.ValueOf(want), "Spec"); d != "" {
		t.Errorf("%s: value differs from encoding/json's at %s\ninput: %q", name, d, clip(data))
	}
	var f specs.Spec
	fast = unmarshalFast(data, &f)
	if fast && errWant != nil {
		t.Errorf("%s: fast path accepted input encoding/json rejects (%v)\ninput: %q", name, errWant, clip(data))
	}
	return fast
}

// checkMarshal checks that Marshal encodes json.Unmarshal's value of data
// as json.Marshal does.
func checkMarshal(t testing.TB, name string, data []byte) {
	t.Helper()
	var s specs.Spec
	if json.Unmarshal(data, &s) != nil {
		return
	}
	got, errGot := Marshal(&s)
	want, errWant := json.Marshal(&s)
	if !bytes.Equal(got, want) || errText(errGot) != errText(errWant) {
		t.Errorf("%s: Marshal differs from json.Marshal:\n got %q %v\nwant %q %v", name, clip(got), errGot, clip(want), errWant)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func clip(b []byte) []byte {
	if len(b) > 600 {
		return append(b[:600:600], "..."...)
	}
	return b
}

// firstDiff is the path of the first difference reflect.DeepEqual would see
// between a and b (nil versus empty slices and maps included), or "".
func firstDiff(a, b reflect.Value, path string) string {
	if a.IsValid() != b.IsValid() {
		return path + ": one is invalid"
	}
	if !a.IsValid() {
		return ""
	}
	if a.Type() != b.Type() {
		return fmt.Sprintf("%s: type %v vs %v", path, a.Type(), b.Type())
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.IsNil() {
			return ""
		}
		return firstDiff(a.Elem(), b.Elem(), "(*"+path+")")
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := firstDiff(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); d != "" {
				return d
			}
		}
		return ""
	case reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := firstDiff(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case reflect.Map:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: nil %v vs %v", path, a.IsNil(), b.IsNil())
		}
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: len %d vs %d", path, a.Len(), b.Len())
		}
		for _, k := range a.MapKeys() {
			bv := b.MapIndex(k)
			if !bv.IsValid() {
				return fmt.Sprintf("%s: key %q only in one", path, k)
			}
			if d := firstDiff(a.MapIndex(k), bv, fmt.Sprintf("%s[%q]", path, k)); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(a.Interface(), b.Interface()) {
		return fmt.Sprintf("%s: %#v vs %#v", path, a.Interface(), b.Interface())
	}
	return ""
}

// mutation cases: each decoded both ways. fast says whether the fast path
// must decode it by itself (true), must give up (false), or either (nil).
var (
	yes = new(bool)
	no  = func() *bool { b := false; return &b }()
)

func init() { *yes = true }

var mutations = []struct {
	json string
	fast *bool
}{
	// Top level.
	{`{}`, yes},
	{` {"ociVersion":"1.0.0"} `, yes},
	{"\t\r\n{\"ociVersion\" : \"1\"}\n", yes},
	{`null`, yes},
	{` null `, yes},
	{``, no},
	{` `, no},
	{`[]`, no},
	{`"spec"`, no},
	{`1`, no},
	{`true`, no},
	{`{} x`, no},
	{`{}{}`, no},
	{`{},`, no},
	{`{"ociVersion":"1"`, no},
	{`{"ociVersion":"1",`, no},
	{`{"ociVersion":"1",}`, no},
	{`{"ociVersion":}`, no},
	{`{"ociVersion"}`, no},
	{`{"ociVersion" "1"}`, no},
	{`{,}`, no},
	{`{'a':1}`, no},
	{"\xef\xbb\xbf{}", no},
	{`{"process":{"args":["a",]}}`, no},
	{`{"process":{"args":[,"a"]}}`, no},
	{`{"process":{"args":["a" "b"]}}`, no},
	{`{"process":{"args":["a"}}`, no},

	// Case folding and duplicates.
	{`{"OCIVERSION":"x"}`, yes},
	{`{"ociversion":"x","ociVersion":"y"}`, yes},
	{`{"ociVersion":"y","ociversion":"x"}`, yes},
	{`{"Process":{"Args":["sh"],"CWD":"/"},"ROOT":{"PATH":"rootfs","readOnly":true}}`, yes},
	{`{"linux":{"uidmappings":[{"containerid":0,"HOSTID":1000,"Size":1}]}}`, yes},
	{`{"process":{"args":["a"]},"process":{"cwd":"/"}}`, yes},
	{`{"process":{"args":["a"],"user":{"uid":1}},"process":{"user":{"gid":2}}}`, yes},
	{`{"process":{"user":{"umask":18}},"process":{"user":{"umask":null}}}`, yes},
	{`{"annotations":{"a":"1","b":"2"},"annotations":{"b":"3","c":"4"}}`, yes},
	{`{"linux":{"timeOffsets":{"a":{"secs":1}}},"linux":{"timeOffsets":{"a":{"nanosecs":2},"b":{}}}}`, yes},
	{`{"linux":{"resources":{"rdma":{"x":{"hcaHandles":1}}}},"linux":{"resources":{"rdma":{"x":{"hcaObjects":2}}}}}`, yes},
	{`{"mounts":[{"destination":"a","type":"x"},{"destination":"b"}],"mounts":[{"destination":"c"}]}`, yes},
	{`{"mounts":[{"destination":"a","type":"x"},{"destination":"b","options":["o"]}],"mounts":[{"source":"c"}],"mounts":[{"source":"s"},{"type":"t"}]}`, yes},
	{`{"mounts":[{"destination":"a"}],"mounts":[],"mounts":[{"type":"t"}]}`, yes},
	{`{"process":{"args":["a","b","c"]},"process":{"args":["d"]},"process":{"args":[null,null,null]}}`, yes},
	{`{"process":{"args":["a","b"]},"process":{"args":null},"process":{"args":[null]}}`, yes},
	{`{"linux":{"namespaces":[{"type":"pid","path":"/p"}]},"linux":{"namespaces":[{"type":"net"}]}}`, yes},
	{`{"process":{"rlimits":[{"type":"A","hard":1,"soft":1}]},"process":{"rlimits":[null,{"type":"B"}]}}`, yes},
	{`{"windows":{"credentialSpec":{"a":1}},"windows":{"credentialSpec":[true]}}`, yes},
	{`{"process":{"Terminal":true,"terminal":false}}`, yes},

	// null everywhere.
	{`{"ociVersion":null,"process":null,"root":null,"hostname":null,"mounts":null,"hooks":null,"annotations":null,"linux":null}`, yes},
	{`{"process":{"terminal":null,"user":null,"args":null,"cwd":null,"oomScoreAdj":null,"consoleSize":null}}`, yes},
	{`{"process":{"user":{"uid":null,"gid":null,"umask":null,"additionalGids":null}}}`, yes},
	{`{"mounts":[null,{"destination":null,"options":[null]}]}`, yes},
	{`{"linux":{"sysctl":{"a":null,"b":"1"},"timeOffsets":{"x":null},"netDevices":{"eth0":null}}}`, yes},
	{`{"linux":{"resources":{"memory":{"limit":null,"swap":1},"cpu":null,"devices":[null]}}}`, yes},
	{`{"process":{"args":["a"]},"process":{"args":null}}`, yes},
	{`{"process":{"cwd":"/"},"process":null}`, yes},
	{`{"process":{"cwd":"/","user":{"umask":18},"oomScoreAdj":1},"process":{"user":{"umask":null},"oomScoreAdj":null}}`, yes},
	{`{"linux":{"resources":{"memory":{"limit":1}}},"linux":{"resources":{"memory":null}}}`, yes},
	{`{"mounts":[{}],"mounts":null}`, yes},
	{`{"linux":{"sysctl":{"a":"b"}},"linux":{"sysctl":null}}`, yes},
	{`{"windows":{"credentialSpec":{"a":1}},"windows":{"credentialSpec":null}}`, yes},
	{`{"annotations":{"a":"b"},"annotations":null,"annotations":{}}`, yes},
	{`{"windows":{"credentialSpec":null,"layerFolders":null}}`, yes},
	{`{"linux":{"resources":{"blockIO":{"weight":null,"weightDevice":[{"major":null,"weight":null}]}}}}`, yes},

	// Empty composites.
	{`{"mounts":[],"annotations":{},"process":{"args":[],"env":[]},"linux":{"sysctl":{},"namespaces":[]}}`, yes},
	{`{"process":{},"root":{},"hooks":{},"linux":{"resources":{}},"vm":{"hypervisor":{},"kernel":{}}}`, yes},

	// Numbers.
	{`{"process":{"user":{"uid":4294967295,"gid":0}}}`, yes},
	{`{"process":{"user":{"uid":4294967296}}}`, no},
	{`{"process":{"user":{"uid":-1}}}`, no},
	{`{"process":{"user":{"uid":-0}}}`, no},
	{`{"process":{"user":{"uid":1e3}}}`, no},
	{`{"process":{"user":{"uid":1E3}}}`, no},
	{`{"process":{"user":{"uid":1.5}}}`, no},
	{`{"process":{"user":{"uid":1.0}}}`, no},
	{`{"process":{"user":{"uid":01}}}`, no},
	{`{"process":{"user":{"uid":-}}}`, no},
	{`{"process":{"user":{"uid":1.}}}`, no},
	{`{"process":{"user":{"uid":.5}}}`, no},
	{`{"process":{"user":{"uid":+1}}}`, no},
	{`{"process":{"user":{"uid":"1"}}}`, no},
	{`{"process":{"user":{"uid":true}}}`, no},
	{`{"process":{"user":{"uid":1180591620717411303424}}}`, no},
	{`{"process":{"oomScoreAdj":-1000}}`, yes},
	{`{"process":{"oomScoreAdj":-0}}`, yes},
	{`{"process":{"oomScoreAdj":0}}`, yes},
	{`{"process":{"oomScoreAdj":9223372036854775807}}`, yes},
	{`{"process":{"oomScoreAdj":-9223372036854775808}}`, yes},
	{`{"process":{"oomScoreAdj":9223372036854775808}}`, no},
	{`{"process":{"oomScoreAdj":-9223372036854775809}}`, no},
	{`{"process":{"oomScoreAdj":18446744073709551616}}`, no},
	{`{"process":{"consoleSize":{"height":18446744073709551615,"width":0}}}`, yes},
	{`{"process":{"consoleSize":{"height":18446744073709551616}}}`, no},
	{`{"process":{"consoleSize":{"height":99999999999999999999}}}`, no},
	{`{"process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":0}]}}`, yes},
	{`{"linux":{"resources":{"blockIO":{"weight":65535,"leafWeight":0}}}}`, yes},
	{`{"linux":{"resources":{"blockIO":{"weight":65536}}}}`, no},
	{`{"linux":{"resources":{"memory":{"limit":-1,"swappiness":18446744073709551615}}}}`, yes},
	{`{"linux":{"resources":{"memory":{"swappiness":-1}}}}`, no},
	{`{"linux":{"devices":[{"path":"/dev/x","type":"c","major":1,"minor":3,"fileMode":438,"uid":0,"gid":0}]}}`, yes},
	{`{"linux":{"devices":[{"fileMode":4294967296}]}}`, no},
	{`{"linux":{"timeOffsets":{"monotonic":{"secs":-9223372036854775808,"nanosecs":4294967295}}}}`, yes},
	{`{"process":{"scheduler":{"policy":"SCHED_OTHER","nice":-2147483648,"priority":2147483647}}}`, yes},
	{`{"process":{"scheduler":{"nice":2147483648}}}`, no},

	// Bools.
	{`{"process":{"terminal":true,"noNewPrivileges":false}}`, yes},
	{`{"process":{"terminal":tru}}`, no},
	{`{"process":{"terminal":truex}}`, no},
	{`{"process":{"terminal":"true"}}`, no},
	{`{"process":{"terminal":1}}`, no},
	{`{"linux":{"resources":{"memory":{"disableOOMKiller":true,"useHierarchy":false,"checkBeforeUpdate":null}}}}`, yes},

	// Strings.
	{`{"hostname":"a\"b\\c\/d\b\f\n\r\t"}`, yes},
	{`{"hostname":"\u0041\u00e9\u20ac\ud83d\ude00\u0000\u001f\u007f"}`, yes},
	{`{"hostname":"\uD83D\uDE00\uFFFD\uffff"}`, yes},
	{`{"hostname":"\ud800"}`, yes},
	{`{"hostname":"\udc00"}`, yes},
	{`{"hostname":"\ud800\u0041"}`, yes},
	{`{"hostname":"\ud800\ud800\udc00"}`, yes},
	{`{"hostname":"\udc00\ud800"}`, yes},
	{`{"hostname":"\ud800x"}`, yes},
	{`{"hostname":"\ud800\n"}`, yes},
	{`{"hostname":"x\ud800"}`, yes},
	{`{"hostname":"\ud800\u"}`, no},
	{`{"hostname":"\ud800\uzzzz"}`, no},
	{`{"hostname":"\u12"}`, no},
	{`{"hostname":"\u12G4"}`, no},
	{`{"hostname":"\x"}`, no},
	{`{"hostname":"\'"}`, no},
	{`{"hostname":"\`, no},
	{`{"hostname":"abc`, no},
	{"{\"hostname\":\"a\tb\"}", no},
	{"{\"hostname\":\"a\x00b\"}", no},
	{"{\"hostname\":\"a\x7fb\"}", yes},
	{"{\"hostname\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}", yes},
	{"{\"hostname\":\"a\xffb\"}", yes},
	{"{\"hostname\":\"a\xc3\"}", yes},
	{"{\"hostname\":\"\xed\xa0\x80\"}", yes},
	{"{\"hostname\":\"\xf4\x90\x80\x80\"}", yes},
	{"{\"hostname\":\"a\xff\\n\xfe\"}", yes},
	{"{\"hostname\":\"x\"\xff}", no},
	{`{"hostname":1}`, no},
	{`{"hostname":["a"]}`, no},
	{`{"process":{"args":"sh"}}`, no},
	{`{"process":{"args":[1]}}`, no},
	{`{"linux":{"namespaces":[{"type":"pid"},{"type":"\u006eetwork"}]}}`, yes},
	{`{"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"flags":["SECCOMP_FILTER_FLAG_LOG"],"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ALLOW","errnoRet":1,"args":[{"index":0,"value":1,"valueTwo":2,"op":"SCMP_CMP_EQ"}]}]}}}`, yes},

	// Keys: escapes, unknown, non-ASCII.
	{`{"oci\u0056ersion":"x","\u0070rocess":{"\u0061rgs":["a"]}}`, yes},
	{`{"unknown":1,"ociVersion":"1","other":{"a":[1,2,{"b":null}],"c":"\u0000"},"more":[true,false,null,-1.5e-3,0,1E+2]}`, yes},
	{`{"unknown":01}`, no},
	{`{"unknown":[1,]}`, no},
	{`{"unknown":{"a":1,}}`, no},
	{`{"unknown":{"a"}}`, no},
	{`{"unknown":-}`, no},
	{`{"unknown":1e}`, no},
	{`{"unknown":1e+}`, no},
	{`{"unknown":nul}`, no},
	{`{"unknown":"\u00zz"}`, no},
	{`{"ociVersi\u00f6n":"x"}`, no},
	{`{"ociVersiön":"x"}`, no},
	{`{"vm":{"\u212aernel":{"path":"p"}}}`, no},
	{`{"\u017foLARIS":{"milestone":"m"}}`, no},
	{`{"process":{"\u017felinuxLabel":"l"}}`, no},
	{"{\"h\xffstname\":\"x\"}", no},
	{`{"annotations":{"ключ":"значение","\ud800":"x","a\u0000b":"c","":""}}`, yes},
	{"{\"annotations\":{\"\xff\":\"1\",\"\xfe\":\"2\"}}", yes},
	{`{"linux":{"sysctl":{"Net.Ipv4":"1","net.ipv4":"2"}}}`, yes},
	{`{"LinuxBlockIODevice":{"major":1}}`, yes},
	{`{"linux":{"resources":{"blockIO":{"weightDevice":[{"major":8,"minor":0,"weight":10,"leafWeight":20}],"throttleReadBpsDevice":[{"Major":1,"MINOR":2,"rate":3}],"throttleWriteIOPSDevice":[{"LinuxBlockIODevice":{"major":5},"major":6}]}}}}`, yes},
	{`{"windows":{"network":{"DNSSearchList":["a"],"dnssearchlist":["b"]}}}`, yes},

	// Wrong types.
	{`{"process":[]}`, no},
	{`{"process":"x"}`, no},
	{`{"process":1}`, no},
	{`{"process":true}`, no},
	{`{"mounts":{}}`, no},
	{`{"mounts":"x"}`, no},
	{`{"mounts":[1]}`, no},
	{`{"mounts":[[]]}`, no},
	{`{"annotations":[]}`, no},
	{`{"annotations":{"a":1}}`, no},
	{`{"annotations":{"a":{}}}`, no},
	{`{"linux":{"sysctl":"x"}}`, no},
	{`{"linux":{"timeOffsets":{"a":[]}}}`, no},
	{`{"process":{"user":[]}}`, no},
	{`{"vm":{"kernel":"k"}}`, no},
	{`{"hostname":{}}`, no},

	// interface{}: Windows.CredentialSpec.
	{`{"windows":{"layerFolders":["C:\\l"],"credentialSpec":{"a":[1,2.5,"x",null,true,{"b":{}}],"c":-0.0}}}`, yes},
	{`{"windows":{"credentialSpec":"s"}}`, yes},
	{`{"windows":{"credentialSpec":1e400}}`, no},
	{`{"windows":{"credentialSpec":[1,]}}`, no},
	{`{"windows":{"credentialSpec":{"a":1}}}`, yes},
	{`{"windows":{"credentialSpec":{"a":1,"a":2,"A":3}}}`, yes},
}

func TestMutations(t *testing.T) {
	fast := 0
	for _, m := range mutations {
		got := check(t, m.json, []byte(m.json))
		if got {
			fast++
			checkMarshal(t, m.json, []byte(m.json))
		}
		if m.fast != nil && got != *m.fast {
			t.Errorf("%s: fast path %v, want %v", m.json, got, *m.fast)
		}
	}
	t.Logf("%d cases, %d on the fast path", len(mutations), fast)
}

// TestDeepNesting: an unknown value nested deeper than the fast path skips
// (and than encoding/json accepts) goes to encoding/json.
func TestDeepNesting(t *testing.T) {
	for _, n := range []int{10, maxSkipDepth - 1, maxSkipDepth, maxSkipDepth + 1, 10001, 20000} {
		for _, open := range []string{"[", `{"a":`} {
			close := map[string]string{"[": "]", `{"a":`: "}"}[open]
			data := `{"x":` + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + `,"ociVersion":"1"}`
			got := check(t, fmt.Sprintf("depth %d %s", n, open), []byte(data))
			if want := n <= maxSkipDepth; got != want {
				t.Errorf("depth %d %s: fast path %v, want %v", n, open, got, want)
			}
			data = `{"windows":{"credentialSpec":` + strings.Repeat(open, n) + "1" + strings.Repeat(close, n) + `}}`
			check(t, fmt.Sprintf("credentialSpec depth %d %s", n, open), []byte(data))
		}
	}
}

// TestNonZeroTarget: encoding/json merges into a non-zero Spec; Unmarshal
// leaves that to it, with the same result.
func TestNonZeroTarget(t *testing.T) {
	mk := func() *specs.Spec {
		return &specs.Spec{
			Version:     "0",
			Process:     &specs.Process{Args: []string{"a", "b"}, Cwd: "/x"},
			Mounts:      []specs.Mount{{Destination: "/d", Type: "t"}},
			Annotations: map[string]string{"k": "v"},
		}
	}
	for _, data := range []string{`{}`, `{"process":{"args":["c"]},"mounts":[{"source":"s"}],"annotations":{"l":"w"}}`, `null`, `{"process":null}`, `x`} {
		got, want := mk(), mk()
		errGot := Unmarshal([]byte(data), got)
		errWant := json.Unmarshal([]byte(data), want)
		if errText(errGot) != errText(errWant) {
			t.Errorf("%s: error %v, want %v", data, errGot, errWant)
		}
		if d := firstDiff(reflect.ValueOf(got), reflect.ValueOf(want), "Spec"); d != "" {
			t.Errorf("%s: differs at %s", data, d)
		}
	}
	// An empty, non-nil slice is not zero either.
	got, want := &specs.Spec{Mounts: []specs.Mount{}}, &specs.Spec{Mounts: []specs.Mount{}}
	if errText(Unmarshal([]byte(`{}`), got)) != errText(json.Unmarshal([]byte(`{}`), want)) || !reflect.DeepEqual(got, want) {
		t.Errorf("empty Mounts: %#v, want %#v", got, want)
	}
	if err, want := Unmarshal([]byte(`{}`), nil), json.Unmarshal([]byte(`{}`), (*specs.Spec)(nil)); errText(err) != errText(want) {
		t.Errorf("nil target: %v, want %v", err, want)
	}
}

func TestMarshalSpecial(t *testing.T) {
	for name, s := range map[string]*specs.Spec{
		"nil":                  nil,
		"zero":                 {},
		"empty process":        {Process: &specs.Process{}},
		"empty windows":        {Windows: &specs.Windows{}},
		"empty vm":             {VM: &specs.VM{}},
		"empty iomems":         {VM: &specs.VM{HwConfig: &specs.HWConfig{IOMems: []specs.IOMems{{}}}}},
		"credentialSpec chan":  {Windows: &specs.Windows{CredentialSpec: make(chan int)}},
		"credentialSpec func":  {Windows: &specs.Windows{CredentialSpec: map[string]any{"f": func() {}}}},
		"credentialSpec raw":   {Windows: &specs.Windows{CredentialSpec: json.RawMessage(` { "a" : "<&>" } `)}},
		"credentialSpec bad":   {Windows: &specs.Windows{CredentialSpec: json.RawMessage(`{`)}},
		"credentialSpec float": {Windows: &specs.Windows{CredentialSpec: []any{1e21, 1e-7, 0.1, float32(3.4)}}},
		"credentialSpec struct": {Windows: &specs.Windows{CredentialSpec: struct {
			A string `json:"a,omitempty"`
			B int
		}{B: 1}}},
	} {
		got, errGot := Marshal(s)
		want, errWant := json.Marshal(s)
		if !bytes.Equal(got, want) || errText(errGot) != errText(errWant) {
			t.Errorf("%s: got %q, %v; want %q, %v", name, got, errGot, want, errWant)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, m := range mutations {
		f.Add([]byte(m.json))
	}
	for _, name := range []string{"testdata/config.json", "testdata/config-rootless.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if check(t, "fuzz", data) {
			checkMarshal(t, "fuzz", data)
		}
	})
}
