# btx: `make deps` installs what the build and the tests need, `make test` runs everything.
PREFIX ?= $(HOME)/.local
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Build: libtorrent and its headers. Tests: independent readers, peers and proxies;
# the JSON schemas' validator, jq for the man page's recipes, the shells the
# completions are loaded into and the man page's linter. Benchmarks (make
# bench, and its smoke run in make test): hyperfine, g++ for the C++ anchor,
# matplotlib for the chart. The RPC's real clients: transmission-remote
# (transmission-cli) and transmission-daemon (RUNLEVEL=1: its package must not
# start a service that would reach the public DHT), and from PyPI, in a virtualenv of their own
# (TEST_PYTHON), transmission-rpc and qbittorrent-api; qbittorrent-nox is the
# other client of the hybrid and uTP interop tests.
DEB_PACKAGES := libtorrent-rasterbar-dev libboost-system-dev libssl-dev zlib1g-dev pkg-config \
	python3-libtorrent transmission-cli mktorrent opentracker aria2 microsocks dante-server tinyproxy \
	python3-jsonschema jq zsh fish mandoc hyperfine g++ python3-matplotlib ffmpeg curl \
	qbittorrent-nox transmission-daemon python3-venv python3-pip systemd prometheus
TEST_PYTHON_DIR := .build/test-python
PYPI_PACKAGES := transmission-rpc==7.0.12 qbittorrent-api==2026.10.1

.PHONY: all deps build release demo test test-sanitize docs install bench clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@[ -x $(TEST_PYTHON_DIR)/bin/python ] && $(TEST_PYTHON_DIR)/bin/python -c 'import transmission_rpc, qbittorrentapi' 2>/dev/null || { \
		echo "installing into $(TEST_PYTHON_DIR): $(PYPI_PACKAGES)"; \
		/usr/bin/python3 -m venv $(TEST_PYTHON_DIR) && $(TEST_PYTHON_DIR)/bin/pip install -q $(PYPI_PACKAGES); }

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --static-swift-stdlib

# btx's main job with no network: a seeder and a daemon on 127.0.0.1 (demo/run.sh).
demo: build
	@BTX=.build/debug/btx demo/run.sh

# The benchmark suites' smoke run (tiny inputs, one round, about 15 s) keeps
# them working; its report goes to a temporary folder.
test: deps build fuzz-replay
	bench/run --quick --btx .build/debug/btx
	$(SWIFT) test --disable-swift-testing

# Unit and end-to-end tests with AddressSanitizer over everything and
# UndefinedBehaviorSanitizer over the C++ shim (not part of make test: about
# ten minutes). SwiftPM's --sanitize=undefined would hand swiftc
# -sanitize=undefined, which it refuses on Linux, so UBSan goes to the C++
# compiles and its runtime to the link by hand; Swift checks overflow and
# bounds itself. Every process, btx children too, writes its reports to
# SANITIZE_REPORTS and sanitize/check-reports.sh fails on them, even when no
# test noticed; exitcode=0 keeps a report from also changing exit codes (the
# XCTest runner's own leaks would fail swift test). Three tests are left out,
# for timing, not memory: two race wall-clock time (a rate averaged over a
# 6 s download; 1,000 hostile control requests against a download that must
# outlast them) and instrumented code loses; the third checks that a stopped
# daemon's process is gone the moment its lock is free, but LeakSanitizer's
# scan at exit keeps it alive a while.
SANITIZE_FLAGS := --scratch-path .build-sanitize --sanitize=address -Xcxx -fsanitize=undefined \
	-Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined
SANITIZE_REPORTS := $(CURDIR)/.build-sanitize/reports
SANITIZE_ENV := ASAN_OPTIONS=log_path=$(SANITIZE_REPORTS)/report:log_exe_name=1:exitcode=0 \
	UBSAN_OPTIONS=log_path=$(SANITIZE_REPORTS)/report:log_exe_name=1:print_stacktrace=1 \
	LSAN_OPTIONS=suppressions=$(CURDIR)/fuzz/lsan.supp:print_suppressions=0
SANITIZE_SKIP := testMaxDownCapsTheRate|testSocketIsPrivateAndSurvivesHostileClients|testDaemonStopReturnsOnlyOnceTheDaemonIsGone

test-sanitize: deps
	$(SWIFT) build $(SANITIZE_FLAGS)
	rm -rf $(SANITIZE_REPORTS) && mkdir -p $(SANITIZE_REPORTS)
	@$(SANITIZE_ENV) $(SWIFT) test $(SANITIZE_FLAGS) --disable-swift-testing --skip '$(SANITIZE_SKIP)'; status=$$?; \
	sanitize/check-reports.sh $(SANITIZE_REPORTS) $(CURDIR) || status=1; \
	exit $$status

docs: build
	.build/debug/btx _generate-docs .

install: release
	install -d $(PREFIX)/bin $(PREFIX)/share/man/man1 \
		$(PREFIX)/share/bash-completion/completions $(PREFIX)/share/zsh/site-functions \
		$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 .build/release/btx $(PREFIX)/bin/btx
	install -m 644 man/btx.1 $(PREFIX)/share/man/man1/btx.1
	install -m 644 completions/btx.bash $(PREFIX)/share/bash-completion/completions/btx
	install -m 644 completions/_btx $(PREFIX)/share/zsh/site-functions/_btx
	install -m 644 completions/btx.fish $(PREFIX)/share/fish/vendor_completions.d/btx.fish
	install -d $(PREFIX)/share/systemd/user
	sed 's|@BTX@|$(PREFIX)/bin/btx|' systemd/btx.service.in > $(PREFIX)/share/systemd/user/btx.service

# Every suite against its anchors (about 6 minutes): bench/results.md and
# bench/results.png. Run it on an otherwise quiet machine.
bench: deps release
	bench/run

clean:
	rm -rf .build .build-fuzz .build-sanitize

include fuzz/fuzz.mk
