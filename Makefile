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
# A static binary (libseccomp.a and the C library linked in) skips the
# dynamic loader's work at every start, about 3 ms per process here, and a
# container start execs berth twice (the CLI and the init's stage).
# -z stack-size sets musl's default thread stack (128 KiB otherwise) for
# the threads the Go runtime starts through cgo: C code called from Go
# (libseccomp's filter compiler) runs on them.
STATIC_LDFLAGS ?= -linkmode external -extldflags '-static -Wl,-z,stack-size=1048576'

# The C library is musl (Debian's musl-tools), not glibc. glibc's static
# start-up fills its CPU-feature and cache tables with about a hundred
# cpuid instructions, each one a trap to the hypervisor on a VM (6.6 us
# here), and touches 20 pages: 1.2 ms of CPU in every process against
# 0.2 ms for musl's. Every berth command pays it, and a start twice.
# Interleaved, 100 runs each of `run` of /bin/true: 25.2 ms with glibc,
# 22.7 ms with musl. musl's headers lack the kernel's (linux/, asm/) and
# libseccomp's, and its search path lacks libseccomp.a: build/musl holds
# links to exactly those, so nothing else of glibc's is picked up.
MUSL_GCC  ?= musl-gcc
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null)
MUSL      := $(CURDIR)/build/musl
MUSL_ENV   = CC=$(MUSL_GCC) CGO_ENABLED=1 CGO_CFLAGS="-O2 -g -idirafter $(MUSL)/include" CGO_LDFLAGS="-L$(MUSL)/lib"

# The standalone stage (below) and what it is built from.
STAGE         := libcontainer/exeguard/bin/stage
STAGE_SOURCES := $(wildcard nsenter/*.c nsenter/*.h nsenter/standalone/*.c)

GO      ?= $(shell command -v go 2>/dev/null || echo /usr/local/go/bin/go)
TESTS   ?=

SOURCES := $(shell find . -path ./tests -prune -o -path ./bench -prune -o \
	-type f \( -name '*.go' -o -name '*.c' -o -name '*.h' \) -print) go.mod go.sum

.DEFAULT_GOAL := berth

# The tests' helper programs (a seccomp agent, a syscall probe, a
# console-socket receiver, an sd_notify peer, a lister of a cgroup's device
# programs); the static ones also run inside the busybox test rootfs.
TESTBIN := tests/bin/seccompagent tests/bin/sysprobe tests/bin/recvtty tests/bin/sdnotify tests/bin/cgprogs
TESTBIN_SOURCES := $(shell find tests/cmd -type f -name '*.go' -print) go.mod go.sum

.PHONY: all test unit integration testbin install bench bench-unpack bench-floor bench-phases demo deps clean man

all: berth

berth: $(SOURCES) $(MUSL)/ok $(STAGE)
	$(MUSL_ENV) $(GO) build -trimpath -tags "$(BUILDTAGS)" -ldflags "-X main.version=$(VERSION) $(STATIC_LDFLAGS)" -o berth .

# The standalone C stage: nsenter's C files as an executable of their own
# (static, musl, about 110 KiB), which berth embeds and runs as the stage
# of every container whose init is in C (libcontainer/exeguard/stage.go).
# Executing berth's own 10 MiB binary for that, and forking its init from
# it, cost about 2 ms more of each start.
$(STAGE): $(STAGE_SOURCES) $(MUSL)/ok
	$(MUSL_GCC) -static -O2 -Wall -Wextra -DBERTH_STANDALONE_STAGE -idirafter $(MUSL)/include \
		-o $@ $(filter %.c,$(STAGE_SOURCES))
	sha256sum $@ | cut -d' ' -f1 >$@.sha256

$(MUSL)/ok:
	@command -v $(MUSL_GCC) >/dev/null || { echo "make: $(MUSL_GCC) not found: install musl-tools (make deps)" >&2; exit 1; }
	@test -n "$(MULTIARCH)" || { echo "make: gcc -print-multiarch printed nothing: cannot find the kernel's asm headers" >&2; exit 1; }
	rm -rf $(MUSL) && mkdir -p $(MUSL)/include $(MUSL)/lib
	ln -s /usr/include/linux /usr/include/asm-generic /usr/include/seccomp.h /usr/include/seccomp-syscalls.h $(MUSL)/include/
	ln -s /usr/include/$(MULTIARCH)/asm $(MUSL)/include/asm
	ln -s "$$(gcc -print-file-name=libseccomp.a)" $(MUSL)/lib/libseccomp.a
	@for f in $(MUSL)/include/* $(MUSL)/lib/*; do test -e "$$f" || { echo "make: $$f: $$(readlink $$f) is missing (make deps)" >&2; rm -rf $(MUSL); exit 1; }; done
	touch $@

# mkimage writes the OCI images the tests, the demo and the benchmark use.
MKIMAGE_SOURCES := $(wildcard tests/cmd/mkimage/*.go libcontainer/image/build/*.go) go.mod go.sum

tests/bin/mkimage: $(MKIMAGE_SOURCES)
	$(GO) build -trimpath -o $@ ./tests/cmd/mkimage

test:
	$(MAKE) unit integration

# The unit tests are built as berth is (musl, static): the C in nsenter,
# hugeheap and sigforward is tested against the C library it ships with.
unit: berth
	$(MUSL_ENV) $(GO) test -tags "$(BUILDTAGS)" -ldflags "$(STATIC_LDFLAGS)" ./...

integration: berth tests/bin/mkimage testbin
	bats --print-output-on-failure tests/integration$(if $(TESTS),/$(TESTS))

testbin: $(TESTBIN)

tests/bin/seccompagent: $(TESTBIN_SOURCES)
	CGO_ENABLED=1 $(GO) build -trimpath -o $@ ./tests/cmd/seccompagent

# Static: it runs inside the busybox test rootfs.
tests/bin/sysprobe: $(TESTBIN_SOURCES)
	CGO_ENABLED=0 $(GO) build -trimpath -o $@ ./tests/cmd/sysprobe

# Static: they run inside the busybox test rootfs too.
tests/bin/recvtty tests/bin/sdnotify tests/bin/cgprogs: tests/bin/%: $(TESTBIN_SOURCES)
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
	rm -f berth $(STAGE) $(STAGE).sha256
	rm -rf build
	rm -rf tests/bin
	rm -rf man
	rm -rf bench/out
