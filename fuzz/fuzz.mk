# libFuzzer targets for every parser of untrusted bytes: the shim's (C++,
# fuzz/*.cpp) and the Swift side's (fuzz/*Fuzz.swift). Built into .build-fuzz
# with the Swift toolchain's own clang, whose libFuzzer and sanitizer runtimes
# are the ones swiftc links: one set for both languages, nothing to install.
#
#   make fuzz                        each target for FUZZ_SECONDS (default 60);
#                                    new inputs go to .build-fuzz/corpus/TARGET,
#                                    crashers to .build-fuzz/crashes/TARGET
#   make fuzz FUZZ_TARGETS="dht argv" only these
#   make fuzz-replay                 every checked-in input once (make test does)
#
# A crasher, once fixed, goes into fuzz/corpus/TARGET/ in the fix's commit.
# fuzz/seed-corpus.sh remakes the seeds btx itself writes.

FUZZ_BUILD := .build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= $(shell nproc)
TOOLCHAIN_BIN := $(dir $(realpath $(shell command -v $(SWIFT))))
FUZZ_CXX ?= $(TOOLCHAIN_BIN)clang++
FUZZ_CC ?= $(TOOLCHAIN_BIN)clang
FUZZ_SWIFTC ?= $(TOOLCHAIN_BIN)swiftc

FUZZ_C_TARGETS := metainfo magnet resume dht gzip
FUZZ_SWIFT_TARGETS := bencode control http argv blocklist
FUZZ_TARGETS ?= $(FUZZ_C_TARGETS) $(FUZZ_SWIFT_TARGETS)

# The shim's defines (libtorrent's struct layouts depend on them) and
# libraries, read from Package.swift so the fuzzed shim is the shipped one.
FUZZ_DEFINES := $(shell sed -n '/^let libtorrentDefines/,/^]/p' Package.swift | grep -o '"[A-Z0-9_]*"' | tr -d '"' | sed 's/^/-D/')
FUZZ_LIBS := $(shell grep -o 'linkedLibrary("[^"]*")' Package.swift | sed 's/linkedLibrary("\(.*\)")/-l\1/')
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CXXFLAGS := -std=c++17 -g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE) -Ishim/include $(FUZZ_DEFINES) -MMD -MP
# swiftc has no UBSan on Linux; the linker flag brings in its runtime for the
# shim's objects.
FUZZ_SWIFTFLAGS := -use-ld=lld -parse-as-library -g -suppress-warnings -sanitize=fuzzer,address -Xclang-linker -fsanitize=undefined

FUZZ_SHIM_OBJECTS := $(patsubst shim/src/%.cpp,$(FUZZ_BUILD)/shim/%.o,$(wildcard shim/src/*.cpp))
TORRENTKIT_SOURCES := $(wildcard Sources/TorrentKit/*.swift)
BTXSESSION_SOURCES := $(shell find Sources/BTXSession -name '*.swift')
BTXRPC_SOURCES := $(shell find Sources/BTXRPC -name '*.swift')
BTXCLI_SOURCES := $(shell find Sources/BTXCLI -name '*.swift')

.PHONY: fuzz fuzz-build fuzz-replay

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/%)

# libtorrent's and Boost's headers are most of each file's compile time:
# every <header> the shim includes, precompiled once (the list is rewritten
# only when it changes, so the header is rebuilt only then).
FUZZ_PCH := $(FUZZ_BUILD)/pch/shim.hpp.pch

$(FUZZ_BUILD)/pch/shim.hpp: $(wildcard shim/src/*.cpp shim/src/*.hpp)
	@mkdir -p $(@D)
	@grep -h '^#include <' $^ | sort -u > $@.new
	@if cmp -s $@.new $@; then rm $@.new; else mv $@.new $@; fi

$(FUZZ_PCH): $(FUZZ_BUILD)/pch/shim.hpp
	@echo "  PCH $<"
	@$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -x c++-header $< -o $@

$(FUZZ_BUILD)/shim/%.o: shim/src/%.cpp $(FUZZ_PCH)
	@mkdir -p $(@D)
	@echo "  CXX $<"
	@$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -include-pch $(FUZZ_PCH) -c $< -o $@

$(FUZZ_BUILD)/harness/%.o: fuzz/%.cpp $(FUZZ_PCH)
	@mkdir -p $(@D)
	@echo "  CXX $<"
	@$(FUZZ_CXX) $(FUZZ_CXXFLAGS) -include-pch $(FUZZ_PCH) -c $< -o $@

-include $(wildcard $(FUZZ_BUILD)/shim/*.d $(FUZZ_BUILD)/harness/*.d)

$(FUZZ_C_TARGETS:%=$(FUZZ_BUILD)/%): $(FUZZ_BUILD)/%: $(FUZZ_BUILD)/harness/%.o $(FUZZ_SHIM_OBJECTS)
	@echo "  LINK $@"
	@$(FUZZ_CXX) -fuse-ld=lld -fsanitize=fuzzer $(FUZZ_SANITIZE) $^ $(FUZZ_LIBS) -o $@

# The two small parsers build from only the files they need, the harness in
# their module. argv and blocklist need the commands, the session module and
# TorrentKit: BTXSession and BTXCLI built once for testing (their harnesses reach its internals), at -Onone,
# which compiles in a third of -O's time.
$(FUZZ_BUILD)/bencode: fuzz/BencodeFuzz.swift Sources/TorrentKit/Bencode.swift
	@echo "  SWIFTC $@"
	@$(FUZZ_SWIFTC) $(FUZZ_SWIFTFLAGS) -O -module-name FuzzBencode $^ -o $@

$(FUZZ_BUILD)/control: fuzz/ControlFuzz.swift $(addprefix Sources/BTXSession/Support/,JSON.swift JSONParser.swift JSONScanner.swift Encoding.swift)
	@echo "  SWIFTC $@"
	@$(FUZZ_SWIFTC) $(FUZZ_SWIFTFLAGS) -O -module-name FuzzControl $^ -o $@

HTTP_SOURCES := $(addprefix Sources/BTXSession/HTTP/,HTTPRequest.swift ByteRange.swift) $(addprefix Sources/BTXSession/Serve/,ServedFiles.swift MediaType.swift) \
	Sources/BTXSession/Support/Encoding.swift Sources/TorrentKit/PercentEncoding.swift
$(FUZZ_BUILD)/http: fuzz/HTTPFuzz.swift $(HTTP_SOURCES)
	@echo "  SWIFTC $@"
	@$(FUZZ_SWIFTC) $(FUZZ_SWIFTFLAGS) -O -module-name FuzzHTTP $^ -o $@

$(FUZZ_BUILD)/cbtx/module.modulemap:
	@mkdir -p $(@D)
	@printf 'module CBTX {\n    header "%s"\n    export *\n}\n' $(CURDIR)/shim/include/btx.h > $@

# The system calls Glibc's Swift module leaves out (Sources/CSyscall), for BTXSession.
$(FUZZ_BUILD)/csyscall/module.modulemap:
	@mkdir -p $(@D)
	@printf 'module CSyscall {\n    header "%s"\n    export *\n}\n' $(CURDIR)/Sources/CSyscall/include/csyscall.h > $@

$(FUZZ_BUILD)/csyscall/csyscall.o: Sources/CSyscall/csyscall.c Sources/CSyscall/include/csyscall.h
	@mkdir -p $(@D)
	@echo "  CC $<"
	@$(FUZZ_CC) -g -O1 -fsanitize=fuzzer-no-link $(FUZZ_SANITIZE) -ISources/CSyscall/include -c $< -o $@

# Static libraries, not single objects: with -g, swiftc also writes the
# module's debug-info wrapper to the object path and fails on the clash.
# Each is made afresh: an archive keeps the members of deleted sources.
$(FUZZ_BUILD)/swift/libTorrentKit.a: $(TORRENTKIT_SOURCES) $(FUZZ_BUILD)/cbtx/module.modulemap shim/include/btx.h
	@mkdir -p $(@D) && rm -f $@
	@echo "  SWIFTC $@"
	@$(FUZZ_SWIFTC) $(FUZZ_SWIFTFLAGS) -Onone -module-name TorrentKit -I $(FUZZ_BUILD)/cbtx -emit-library -static \
		-emit-module -emit-module-path $(FUZZ_BUILD)/swift/TorrentKit.swiftmodule $(TORRENTKIT_SOURCES) -o $@

$(FUZZ_BUILD)/swift/libBTXSession.a: $(BTXSESSION_SOURCES) $(FUZZ_BUILD)/swift/libTorrentKit.a $(FUZZ_BUILD)/csyscall/module.modulemap
	@rm -f $@
	@echo "  SWIFTC $@"
	@$(FUZZ_SWIFTC) $(FUZZ_SWIFTFLAGS) -Onone -enable-testing -module-name BTXSession -I $(FUZZ_BUILD)/swift -I $(FUZZ_BUILD)/cbtx \
		-I $(FUZZ_BUILD)/csyscall \
		-emit-library -static -emit-module -emit-module-path $(FUZZ_BUILD)/swift/BTXSession.swiftmodule $(BTXSESSION_SOURCES) -o $@

$(FUZZ_BUILD)/swift/libBTXRPC.a: $(BTXRPC_SOURCES) $(FUZZ_BUILD)/swift/libBTXSession.a
	@rm -f $@
	@echo "  SWIFTC $@"
	@$(FUZZ_SWIFTC) $(FUZZ_SWIFTFLAGS) -Onone -enable-testing -module-name BTXRPC -I $(FUZZ_BUILD)/swift -I $(FUZZ_BUILD)/cbtx \
		-I $(FUZZ_BUILD)/csyscall \
		-emit-library -static -emit-module -emit-module-path $(FUZZ_BUILD)/swift/BTXRPC.swiftmodule $(BTXRPC_SOURCES) -o $@

$(FUZZ_BUILD)/swift/libBTXCLI.a: $(BTXCLI_SOURCES) $(FUZZ_BUILD)/swift/libBTXRPC.a $(FUZZ_BUILD)/swift/libBTXSession.a
	@rm -f $@
	@echo "  SWIFTC $@"
	@$(FUZZ_SWIFTC) $(FUZZ_SWIFTFLAGS) -Onone -enable-testing -module-name BTXCLI -I $(FUZZ_BUILD)/swift -I $(FUZZ_BUILD)/cbtx \
		-I $(FUZZ_BUILD)/csyscall \
		-emit-library -static -emit-module -emit-module-path $(FUZZ_BUILD)/swift/BTXCLI.swiftmodule $(BTXCLI_SOURCES) -o $@

$(FUZZ_BUILD)/argv: fuzz/ArgvFuzz.swift
$(FUZZ_BUILD)/blocklist: fuzz/BlocklistFuzz.swift
$(FUZZ_BUILD)/argv $(FUZZ_BUILD)/blocklist: $(FUZZ_BUILD)/swift/libBTXCLI.a $(FUZZ_BUILD)/swift/libBTXRPC.a $(FUZZ_BUILD)/swift/libBTXSession.a $(FUZZ_BUILD)/swift/libTorrentKit.a $(FUZZ_SHIM_OBJECTS) $(FUZZ_BUILD)/csyscall/csyscall.o
	@echo "  SWIFTC $@"
	@$(FUZZ_SWIFTC) $(FUZZ_SWIFTFLAGS) -Onone -module-name Fuzz_$(@F) -I $(FUZZ_BUILD)/swift -I $(FUZZ_BUILD)/cbtx -I $(FUZZ_BUILD)/csyscall \
		$(filter %.swift,$^) $(filter %.a %.o,$^) -lstdc++ $(FUZZ_LIBS) -o $@

# Which dictionary of tokens helps each target (fuzz/*.dict).
fuzz_dict = $(if $(filter $(1),magnet argv blocklist http),$(1),$(if $(filter $(1),control),json,$(if $(filter $(1),gzip),,bencode)))
FUZZ_ENV := UBSAN_OPTIONS=print_stacktrace=1 LSAN_OPTIONS=suppressions=$(CURDIR)/fuzz/lsan.supp

# Every target runs even when one crashes; the summary lists them all.
fuzz:
	@$(MAKE) -s --no-print-directory -j$(FUZZ_JOBS) fuzz-build
	@mkdir -p $(FUZZ_BUILD)/logs
	@failed=; $(foreach t,$(FUZZ_TARGETS), \
		mkdir -p $(FUZZ_BUILD)/corpus/$(t) $(FUZZ_BUILD)/crashes/$(t); \
		echo "fuzz: $(t) for $(FUZZ_SECONDS) s (log: $(FUZZ_BUILD)/logs/$(t).log)"; \
		$(FUZZ_ENV) $(FUZZ_BUILD)/$(t) -max_total_time=$(FUZZ_SECONDS) -timeout=10 -print_final_stats=1 \
			$(if $(call fuzz_dict,$(t)),-dict=fuzz/$(call fuzz_dict,$(t)).dict) -artifact_prefix=$(FUZZ_BUILD)/crashes/$(t)/ \
			$(FUZZ_BUILD)/corpus/$(t) fuzz/corpus/$(t) > $(FUZZ_BUILD)/logs/$(t).log 2>&1 || failed="$$failed $(t)"; \
		grep -E '^Done|^SUMMARY|^==[0-9]+==ERROR' $(FUZZ_BUILD)/logs/$(t).log | sed 's/^/  /';) \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in:$$failed (inputs in $(FUZZ_BUILD)/crashes)"; exit 1; fi

# Each checked-in input once, named on the command line: libFuzzer then only
# runs them, writing nothing.
fuzz-replay:
	@$(MAKE) -s --no-print-directory -j$(FUZZ_JOBS) fuzz-build
	@mkdir -p $(FUZZ_BUILD)/logs
	@$(foreach t,$(FUZZ_TARGETS), \
		$(FUZZ_ENV) $(FUZZ_BUILD)/$(t) fuzz/corpus/$(t)/* > $(FUZZ_BUILD)/logs/$(t).replay.log 2>&1 \
			|| { cat $(FUZZ_BUILD)/logs/$(t).replay.log; echo "fuzz-replay: $(t) failed on a corpus input"; exit 1; };) \
	echo "fuzz-replay: $$(find fuzz/corpus -type f | wc -l) inputs over $(words $(FUZZ_TARGETS)) targets, no crash"
