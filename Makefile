# berth: build, test, install, benchmark.
#
#   make / make berth     build ./berth
#   make test             unit + integration tests (as root)
#   make unit             go test ./...
#   make integration      bats tests/integration (TESTS=smoke.bats picks one file)
#   make testbin          the test helpers in tests/bin (built by integration)
#   make demo             install build dependencies, build, run a busybox container
#   make deps             install build and test dependencies with apt-get (Debian)
#   make bench            time `run` against runc and crun (bench/start.sh)
#   make bench-unpack     time `image unpack` against umoci (bench/unpack.sh)
#   make bench-floor      what starting any process costs here (bench/floor.sh)
#   make bench-phases     where the time of one run goes, step by step (bench/phases.sh)
#   make man              man pages in man/ (from the CLI definitions)
#   make install          binary, man pages and bash completion under $(DESTDIR)$(PREFIX)
#   make clean

PREFIX  ?= /usr/local
DESTDIR ?=
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo 0.1.0-dev)
# urfave_cli_no_docs drops urfave/cli's man-page generator, whose markdown
# library spends milliseconds in package init on every start (twice per
# container: the CLI and the init are both this binary).
# osusergo and netgo keep os/user and net in pure Go, so that the binary can
# be linked statically (below) without glibc's NSS.
BUILDTAGS ?= urfave_cli_no_docs osusergo netgo
# A static binary (libseccomp.a and glibc linked in) skips the dynamic
# loader's work at every start, about 3 ms per process here, and a
# container start execs berth twice (the CLI and the init).
STATIC_LDFLAGS ?= -linkmode external -extldflags -static
GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
TESTS   ?=

SOURCES := $(shell find . -path ./tests -prune -o -path ./bench -prune -o \
	-type f \( -name '*.go' -o -name '*.c' -o -name '*.h' \) -print) go.mod go.sum

.DEFAULT_GOAL := berth

# The tests' helper programs (a seccomp agent, a syscall probe, a
# console-socket receiver, an sd_notify peer); the static ones also run
# inside the busybox test rootfs.
TESTBIN := tests/bin/seccompagent tests/bin/sysprobe tests/bin/recvtty tests/bin/sdnotify
TESTBIN_SOURCES := $(shell find tests/cmd -type f -name '*.go' -print) go.mod go.sum

.PHONY: all test unit integration testbin install bench bench-unpack bench-floor bench-phases demo deps clean man

all: berth

berth: $(SOURCES)
	CGO_ENABLED=1 $(GO) build -trimpath -tags "$(BUILDTAGS)" -ldflags "-X main.version=$(VERSION) $(STATIC_LDFLAGS)" -o berth .

# mkimage writes the OCI images the tests, the demo and the benchmark use.
MKIMAGE_SOURCES := $(wildcard tests/cmd/mkimage/*.go libcontainer/image/build/*.go) go.mod go.sum

tests/bin/mkimage: $(MKIMAGE_SOURCES)
	$(GO) build -trimpath -o $@ ./tests/cmd/mkimage

test:
	$(MAKE) unit integration

unit: berth
	$(GO) test -tags "$(BUILDTAGS)" ./...

integration: berth tests/bin/mkimage testbin
	bats --print-output-on-failure tests/integration$(if $(TESTS),/$(TESTS))

testbin: $(TESTBIN)

tests/bin/seccompagent: $(TESTBIN_SOURCES)
	CGO_ENABLED=1 $(GO) build -trimpath -o $@ ./tests/cmd/seccompagent

# Static: it runs inside the busybox test rootfs.
tests/bin/sysprobe: $(TESTBIN_SOURCES)
	CGO_ENABLED=0 $(GO) build -trimpath -o $@ ./tests/cmd/sysprobe

# Static: they run inside the busybox test rootfs too.
tests/bin/recvtty tests/bin/sdnotify: tests/bin/%: $(TESTBIN_SOURCES)
	CGO_ENABLED=0 $(GO) build -trimpath -o $@ ./tests/cmd/$*

man: berth
	./berth gen-man man

install: berth man
	install -D -m 0755 berth $(DESTDIR)$(PREFIX)/sbin/berth
	install -d $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	./berth completion bash >$(DESTDIR)$(PREFIX)/share/bash-completion/completions/berth

bench: berth
	bench/start.sh

bench-unpack: berth tests/bin/mkimage
	bench/unpack.sh

bench-floor: berth
	bench/floor.sh

bench-phases: berth
	bench/phases.sh

deps:
	.ci/run deps

demo: deps berth tests/bin/mkimage
	tests/demo.sh

clean:
	rm -f berth
	rm -rf tests/bin
	rm -rf man
	rm -rf tests/bin
	rm -rf bench/out
