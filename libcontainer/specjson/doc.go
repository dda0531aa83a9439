// Package specjson decodes and encodes an OCI runtime config (specs.Spec)
// without reflection, with results identical to encoding/json's.
//
// Why: every container start decodes config.json in two fresh processes (the
// CLI and the init) and encodes it once or twice. encoding/json's first
// Marshal or Unmarshal of a specs.Spec in a process builds its reflection
// caches for the 62 struct types reachable from Spec, and that is nearly all
// of its cost. Measured by TestFirstCall (a fresh process per call, the 2.6 KB
// `berth spec` config, medians, on the 2-CPU development VM): the first
// json.Unmarshal takes 2.4-2.9 ms and the first json.Marshal 2.5-2.8 ms,
// against 0.13-0.2 ms for the first Unmarshal here and 0.03 ms for the first
// Marshal. Warm, Unmarshal is still faster (6-13 µs against 30-40 µs) and
// Marshal is even (about 6 µs each): BenchmarkUnmarshal, BenchmarkMarshal.
//
// What it owns: Unmarshal and Marshal (and MarshalIndent, Marshal's output
// through json.Indent, which scans text without reflection); the generator (internal/specgen, run
// by go generate through internal/gen) that writes zz_generated.go from the
// specs types with reflect, one decode and one encode function per struct
// type; and the small strict scanner (decode.go) and writer (encode.go) the
// generated code uses. TestGeneratedUpToDate fails when the generated file
// no longer matches the specs types, e.g. after a runtime-spec upgrade.
//
// Identical results: the encoder reproduces json.Marshal byte for byte (field
// order, omitempty, nil slices and maps as null, sorted map keys, HTML-safe
// string escaping). The decoder reproduces json.Unmarshal's semantics for what
// it handles: exact then ASCII case-insensitive key matching, unknown keys
// skipped, later duplicates winning and merging into existing pointers,
// maps and slice elements, null clearing pointers, slices and maps only,
// escapes and surrogates, invalid UTF-8 as U+FFFD. Anything else (a syntax
// error, a type mismatch, a fraction or exponent or out-of-range number for
// an integer field, a non-ASCII key in a struct, very deep nesting) makes the
// fast path give up, and Unmarshal returns json.Unmarshal's own result into
// a fresh Spec: the same value and the same error text. The interface{}
// field (Windows.CredentialSpec) is decoded and encoded by encoding/json,
// which needs no struct reflection for it.
package specjson

//go:generate go run ./internal/gen
