# btx: `make deps` installs what the build and the tests need, `make test` runs everything.
PREFIX ?= $(HOME)/.local
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Build: libtorrent and its headers. Tests: independent readers, peers and proxies.
DEB_PACKAGES := libtorrent-rasterbar-dev libboost-system-dev libssl-dev zlib1g-dev pkg-config \
	python3-libtorrent transmission-cli mktorrent opentracker aria2 microsocks dante-server tinyproxy

.PHONY: all deps build release test docs install bench clean

all: build

deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

test: deps build fuzz-replay
	$(SWIFT) test --disable-swift-testing

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

bench: deps release
	@command -v hyperfine >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq hyperfine; }
	bench/create.sh

clean:
	rm -rf .build .build-fuzz

include fuzz/fuzz.mk
