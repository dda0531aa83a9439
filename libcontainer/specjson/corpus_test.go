package specjson

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/berth-runtime/berth/libcontainer/specdefault"
)

// repoRoot is the repository's top directory, from this package's.
const repoRoot = "../.."

// doc is one JSON document to decode both ways.
type doc struct {
	name string
	data []byte
}

// withCompact adds the compact form of each document that is valid JSON.
func withCompact(docs []doc) []doc {
	out := docs
	for _, d := range docs {
		var b bytes.Buffer
		if json.Compact(&b, d.data) == nil && !bytes.Equal(b.Bytes(), d.data) {
			out = append(out, doc{d.name + " (compact)", b.Bytes()})
		}
	}
	return out
}

// defaultDocs are the runtime's own templates, as `berth spec` writes them.
func defaultDocs(t *testing.T) []doc {
	var docs []doc
	for name, s := range map[string]any{
		"specdefault.Default":           specdefault.Default(),
		"specdefault.Rootless(1000)":    specdefault.Rootless(1000, 1000),
		"specdefault.Rootless(0)":       specdefault.Rootless(0, 0),
		"specdefault.Rootless(max)":     specdefault.Rootless(1<<32-1, 1<<32-1),
		"testdata/config.json":          nil,
		"testdata/config-rootless.json": nil,
	} {
		var data []byte
		var err error
		if s == nil {
			data, err = os.ReadFile(name)
		} else {
			data, err = json.MarshalIndent(s, "", "\t")
		}
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, doc{name, data})
	}
	return docs
}

// specOutput runs `BIN spec ARGS` in a temporary bundle directory and
// returns the config.json it wrote.
func specOutput(t *testing.T, bin string, args ...string) []byte {
	dir := t.TempDir()
	cmd := exec.Command(bin, append(append([]string{"spec"}, args...), "--bundle", dir)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s spec %v: %v\n%s", bin, args, err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// repoJSONDocs are the repository's JSON files that look like configs
// (grep -rl ociVersion --include=*.json) and the fuzz seeds of
// libcontainer's FuzzValidate, which are configs.
func repoJSONDocs(t *testing.T) []doc {
	var docs []doc
	err := filepath.WalkDir(repoRoot, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if de.IsDir() && (de.Name() == ".git" || de.Name() == "rootfs") {
			return filepath.SkipDir
		}
		if de.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte("ociVersion")) {
			docs = append(docs, doc{path, data})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	seeds, _ := filepath.Glob(filepath.Join(repoRoot, "libcontainer/testdata/fuzz/FuzzValidate/*"))
	seeds2, _ := filepath.Glob("testdata/fuzz/FuzzUnmarshal/*")
	for _, p := range append(seeds, seeds2...) {
		for _, b := range readFuzzSeed(t, p) {
			docs = append(docs, doc{p, b})
		}
	}
	return docs
}

// readFuzzSeed returns the []byte values of a "go test fuzz v1" file.
func readFuzzSeed(t *testing.T, path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "[]byte("); ok && strings.HasSuffix(v, ")") {
			s, err := strconv.Unquote(strings.TrimSuffix(v, ")"))
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			out = append(out, []byte(s))
		}
	}
	return out
}

var (
	// batsEdit matches the start of `update_config '` and `seccomp '`;
	// the single-quoted argument runs to the next quote (bash has no
	// escapes inside single quotes).
	batsEdit = regexp.MustCompile(`\b(update_config|seccomp) '`)
	jqVar    = regexp.MustCompile(`\$([A-Za-z_][A-Za-z0-9_]*)`)
)

// batsDocs applies the config edits of the integration tests (their
// update_config jq expressions and seccomp profiles) to the configuration
// the tests start from (`berth spec`, terminal false): each edit alone, and
// each file's edits in sequence. Variables the tests pass with --arg or
// --argjson are bound to a number, else a string, else an object.
func batsDocs(t *testing.T) []doc {
	jq, err := exec.LookPath("jq")
	if err != nil {
		t.Skip("jq is not installed: no configs from the integration tests' update_config edits")
	}
	s := specdefault.Default()
	s.Process.Terminal = false
	base, err := json.MarshalIndent(s, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	// Jobs: each edit alone, and per file one program applying all its
	// edits in turn (an edit that fails leaves the config as it was).
	type job struct {
		name, expr string
		outs       [][]byte
	}
	var jobs []*job
	files, _ := filepath.Glob(filepath.Join(repoRoot, "tests/integration/*.bats"))
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, m := range batsEdit.FindAllSubmatchIndex(src, -1) {
			rest := src[m[1]:]
			end := bytes.IndexByte(rest, '\'')
			if end < 0 {
				continue
			}
			expr := string(rest[:end])
			if string(src[m[2]:m[3]]) == "seccomp" {
				expr = ".linux.seccomp = " + expr
			}
			name := filepath.Base(file) + ": " + strings.Join(strings.Fields(expr), " ")
			jobs = append(jobs, &job{name: name, expr: expr})
			all = append(all, "(. as $in | try ("+expr+") catch $in)")
		}
		if len(all) > 1 {
			jobs = append(jobs, &job{name: filepath.Base(file) + ": all edits", expr: strings.Join(all, " | ")})
		}
	}
	ch := make(chan *job)
	var wg sync.WaitGroup
	for range 2 * runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range ch {
				j.outs = runJQ(jq, j.expr, base)
			}
		}()
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	var docs []doc
	for _, j := range jobs {
		for i, out := range j.outs {
			docs = append(docs, doc{j.name + strings.Repeat(" (variables bound to numbers)", i), out})
		}
	}
	return docs
}

// runJQ runs jq's expr on in. Variables are bound to a string, and
// separately to a number (often the wrong type: a test of the fallback),
// or failing both to an object; it returns each distinct valid output.
func runJQ(jq, expr string, in []byte) [][]byte {
	var vars []string
	for _, m := range jqVar.FindAllStringSubmatch(expr, -1) {
		if m[1] != "ENV" && m[1] != "ARGS" && m[1] != "__loc__" {
			vars = append(vars, m[1])
		}
	}
	var outs [][]byte
	for _, bind := range [][2]string{{"--arg", "/x"}, {"--argjson", "1"}, {"--argjson", "{}"}} {
		var args []string
		for _, v := range vars {
			args = append(args, bind[0], v, bind[1])
		}
		cmd := exec.Command(jq, append(args, expr)...)
		cmd.Stdin = bytes.NewReader(in)
		out, err := cmd.Output()
		if err == nil && json.Valid(out) && (len(outs) == 0 || !bytes.Equal(out, outs[0])) {
			outs = append(outs, out)
		}
		if len(vars) == 0 || len(outs) == 2 || bind[1] == "1" && len(outs) > 0 {
			break
		}
	}
	return outs
}

// TestConfigs decodes every config the repository has or can make both ways.
func TestConfigs(t *testing.T) {
	run := func(t *testing.T, docs []doc, wantFast bool) {
		t.Helper()
		fast := 0
		for _, d := range withCompact(docs) {
			if check(t, d.name, d.data) {
				fast++
				checkMarshal(t, d.name, d.data)
			} else if wantFast {
				t.Errorf("%s: fell back to encoding/json", d.name)
			}
		}
		t.Logf("%d documents, %d on the fast path", len(withCompact(docs)), fast)
	}
	t.Run("defaults", func(t *testing.T) { run(t, defaultDocs(t), true) })
	t.Run("repo", func(t *testing.T) { run(t, repoJSONDocs(t), false) })
	t.Run("bats", func(t *testing.T) {
		docs := batsDocs(t)
		if len(docs) < 50 {
			t.Errorf("only %d configs from the integration tests", len(docs))
		}
		run(t, docs, false)
	})
	t.Run("berth spec", func(t *testing.T) {
		bin := filepath.Join(repoRoot, "berth")
		if _, err := os.Stat(bin); err != nil {
			t.Skip("no ./berth binary (make berth) to run `berth spec`")
		}
		run(t, []doc{
			{"berth spec", specOutput(t, bin)},
			{"berth spec --rootless", specOutput(t, bin, "--rootless")},
		}, true)
	})
	t.Run("runc spec", func(t *testing.T) {
		bin, err := exec.LookPath("runc")
		if err != nil {
			t.Skip("runc is not installed")
		}
		run(t, []doc{
			{"runc spec", specOutput(t, bin)},
			{"runc spec --rootless", specOutput(t, bin, "--rootless")},
		}, true)
	})
}
