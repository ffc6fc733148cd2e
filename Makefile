# artistfetch and uvcurl. `make` builds; `make test`, `make demo`, `make sanitize`, `make bench` and
# `make fuzz` install what they need first (scripts/install-deps), so each works alone on a fresh Debian 12.

BUILD ?= build
SANITIZE ?=
CXX ?= g++
CC ?= cc

# Deferred (=) so that pkg-config is only asked once install-deps has had a chance to install it.
PKG_CFLAGS = $(shell pkg-config --cflags libcurl libuv)
PKG_LIBS = $(shell pkg-config --libs libcurl libuv)
# The program and the tests also use utf8proc (src/text); libuvcurl does not.
APP_LIBS = $(shell pkg-config --libs libcurl libuv libutf8proc)

WARN = -Wall -Wextra -Werror
OPT = -O2 -g
ifneq ($(SANITIZE),)
OPT = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize=pointer-overflow \
      -fno-sanitize-recover=undefined
endif
# RapidJSON's SSE2 scanners (every x86-64 CPU has SSE2). Defined for every file alike: reader.h's templates
# differ with it, and two definitions of one template instantiation would break the one-definition rule.
RAPIDJSON_SIMD = $(if $(filter x86_64,$(shell uname -m)),-DRAPIDJSON_SSE2)
CPPFLAGS_ALL = -Iinclude -Isrc -DUVCURL_BUILDING $(RAPIDJSON_SIMD) $(PKG_CFLAGS) -MMD -MP
CXXFLAGS_ALL = -std=c++17 -pthread $(WARN) $(OPT) -fvisibility=hidden $(CXXFLAGS)
CFLAGS_ALL = $(WARN) $(OPT) $(CFLAGS)
LDFLAGS_ALL = -pthread $(OPT) $(LDFLAGS)
# The program carries the parts of the C++ runtime it uses instead of loading all of libstdc++: less resident
# memory and a shorter start-up (doc/performance.md). Sanitized builds keep the shared runtime.
PROGRAM_LDFLAGS = $(if $(SANITIZE),,-static-libstdc++ -static-libgcc)

UVCURL_SRC = $(wildcard src/uvcurl/*.c)
# One static library per folder of src/, listed so that each comes before the ones it uses (the link order);
# scripts/check-layering keeps the includes pointing the same way.
LAYERS = cli report cache engine itunes text
layer_src = $(filter-out src/cli/main.cpp src/cli/make_docs.cpp,$(wildcard src/$(1)/*.cpp))
LAYER_LIBS = $(foreach layer,$(LAYERS),$(BUILD)/lib$(layer).a)
TEST_SUPPORT_SRC = $(wildcard tests/support/*.cpp)
TEST_SRC = $(wildcard tests/test_*.cpp)

obj = $(patsubst %.cpp,$(BUILD)/obj/%.o,$(patsubst %.c,$(BUILD)/obj/%.o,$(1)))

LIBUVCURL = $(BUILD)/libuvcurl.a
PROGRAM = $(BUILD)/artistfetch
EXAMPLE = $(BUILD)/embed

# The shared library is versioned by include/uvcurl.h: libuvcurl.so.MAJOR.MINOR.PATCH, SONAME libuvcurl.so.MAJOR.
uvcurl_version_part = $(shell sed -n 's/^.define UVCURL_VERSION_$(1)  *\([0-9][0-9]*\).*/\1/p' include/uvcurl.h)
UVCURL_MAJOR := $(call uvcurl_version_part,MAJOR)
UVCURL_VERSION := $(UVCURL_MAJOR).$(call uvcurl_version_part,MINOR).$(call uvcurl_version_part,PATCH)
LIBUVCURL_SO = $(BUILD)/libuvcurl.so.$(UVCURL_VERSION)
LIBUVCURL_SO_LINKS = $(BUILD)/libuvcurl.so.$(UVCURL_MAJOR) $(BUILD)/libuvcurl.so
pic_obj = $(patsubst %.c,$(BUILD)/obj-pic/%.o,$(1))

# `make install` layout; DESTDIR is prepended to every path, for staging.
PREFIX ?= /usr/local
DESTDIR ?=
TESTS = $(patsubst tests/%.cpp,$(BUILD)/tests/%,$(TEST_SRC)) $(BUILD)/tests/test_c_api $(UVCURL_C_TESTS) \
  $(UVCURL_README_TEST)

.PHONY: all deps test check demo sanitize bench fuzz clean format install uninstall docs uvcurl-c-tests \
  sanitize-thread
all: $(PROGRAM) $(LIBUVCURL) $(LIBUVCURL_SO) $(LIBUVCURL_SO_LINKS) $(EXAMPLE)

deps:
	scripts/install-deps

# The test command of README.md and CI: installs, builds, runs every suite.
test:
	scripts/install-deps
	$(MAKE) check

check: all $(TESTS)
	scripts/check-layering src && scripts/check-layering --self-test src
	scripts/gen-unicode-tables --check
	scripts/run-tests $(BUILD)

# The whole suite under ASan + UBSan, then every fuzz target replays its committed corpus (also ASan + UBSan).
sanitize:
	scripts/install-deps build fuzz
	ARTISTFETCH_SANITIZED=1 $(MAKE) BUILD=build/sanitize SANITIZE=1 check
	$(MAKE) sanitize-thread
	scripts/fuzz replay

# Fuzzes each target for FUZZ_SECONDS (default 60) on a working copy of its corpus.
FUZZ_SECONDS ?= 60
fuzz:
	scripts/install-deps build fuzz
	scripts/fuzz run $(FUZZ_SECONDS)

demo:
	scripts/install-deps
	$(MAKE) all
	scripts/demo $(BUILD)/artistfetch

bench:
	scripts/install-deps build bench
	$(MAKE) all
	scripts/bench $(BUILD)/artistfetch

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS_ALL) $(CXXFLAGS_ALL) -c $< -o $@

# uvcurl is C99, like the libraries it joins: a C program links it without any C++ runtime.
UVCURL_CFLAGS = -std=c99 -pedantic -pthread $(WARN) $(OPT) -fvisibility=hidden $(CFLAGS)
$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(UVCURL_CFLAGS) -c $< -o $@

$(LIBUVCURL): $(call obj,$(UVCURL_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# The shared library gets its own position-independent objects. The version script exports uvcurl_* only
# (-fvisibility=hidden does too; the script is the list a packager checks).
$(BUILD)/obj-pic/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS_ALL) $(UVCURL_CFLAGS) -fPIC -c $< -o $@

$(LIBUVCURL_SO): $(call pic_obj,$(UVCURL_SRC)) src/uvcurl/uvcurl.map
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS_ALL) -Wl,-soname,libuvcurl.so.$(UVCURL_MAJOR) \
	  -Wl,--version-script=src/uvcurl/uvcurl.map -Wl,--no-undefined \
	  $(call pic_obj,$(UVCURL_SRC)) $(PKG_LIBS) -o $@

$(BUILD)/libuvcurl.so.$(UVCURL_MAJOR): $(LIBUVCURL_SO)
	ln -sfn $(notdir $<) $@

$(BUILD)/libuvcurl.so: $(BUILD)/libuvcurl.so.$(UVCURL_MAJOR)
	ln -sfn $(notdir $<) $@

define layer_lib
$(BUILD)/lib$(1).a: $$(call obj,$$(call layer_src,$(1)))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach layer,$(LAYERS),$(eval $(call layer_lib,$(layer))))

$(PROGRAM): $(call obj,src/cli/main.cpp) $(LAYER_LIBS) $(LIBUVCURL)
	$(CXX) $(LDFLAGS_ALL) $(PROGRAM_LDFLAGS) $^ $(APP_LIBS) -o $@

# The man page and the bash completion are written from the option table (src/cli/option_table.cpp) and
# committed; tests/test_cli_install.cpp fails when they are not what the table gives. Run `make docs` after
# changing the table.
MAKE_DOCS = $(BUILD)/make_docs
$(MAKE_DOCS): $(call obj,src/cli/make_docs.cpp) $(LAYER_LIBS) $(LIBUVCURL)
	$(CXX) $(LDFLAGS_ALL) $^ $(APP_LIBS) -o $@

docs: $(MAKE_DOCS)
	$(MAKE_DOCS) man doc/artistfetch.1.in >doc/artistfetch.1.tmp && mv doc/artistfetch.1.tmp doc/artistfetch.1
	$(MAKE_DOCS) completion >scripts/artistfetch-completion.bash.tmp && \
	  mv scripts/artistfetch-completion.bash.tmp scripts/artistfetch-completion.bash

# The example and the C tests are plain C99 built as an embedder builds: the public header, libuvcurl.a and
# libcurl's and libuv's own flags, no C++ runtime.
UVCURL_C_BUILD = $(CC) -std=c99 -pedantic $(CFLAGS_ALL) -pthread -Iinclude $(PKG_CFLAGS)
UVCURL_C_TEST_SUPPORT = tests/uvcurl/test_server.c tests/uvcurl/test_server.h
UVCURL_C_TESTS = $(patsubst tests/uvcurl/%.c,$(BUILD)/tests/%,$(wildcard tests/uvcurl/test_uvcurl_*.c))
UVCURL_README_TEST = $(BUILD)/tests/test_uvcurl_readme
$(EXAMPLE): examples/embed.c $(LIBUVCURL) include/uvcurl.h
	$(UVCURL_C_BUILD) examples/embed.c $(LIBUVCURL) $(LDFLAGS_ALL) $(PKG_LIBS) -o $@

$(BUILD)/tests/test_c_api: tests/test_c_api.c $(LIBUVCURL) include/uvcurl.h
	@mkdir -p $(dir $@)
	$(UVCURL_C_BUILD) tests/test_c_api.c $(LIBUVCURL) $(LDFLAGS_ALL) $(PKG_LIBS) -o $@

# README.md's embedding example, extracted (the C block after its marker), built as the README says and run
# by a generated test on a file:// URL: the program shown is the program tested.
$(BUILD)/uvcurl-readme/fetch.c: README.md
	@mkdir -p $(dir $@)
	awk '/^<!-- uvcurl-readme-example/ {on = 1; next} on && /^```c$$/ {code = 1; next} \
	  code && /^```$$/ {exit} code {print}' README.md >$@
	test -s $@

$(BUILD)/uvcurl-readme/fetch: $(BUILD)/uvcurl-readme/fetch.c $(LIBUVCURL) include/uvcurl.h
	$(UVCURL_C_BUILD) $< $(LIBUVCURL) $(LDFLAGS_ALL) $(PKG_LIBS) -lpthread -o $@

$(UVCURL_README_TEST): $(BUILD)/uvcurl-readme/fetch
	@mkdir -p $(dir $@)
	printf '%s\n' '#!/bin/sh' '# Generated by make: runs README.md'"'"'s embedding example on a file:// URL.' \
	  'out=$$("$(CURDIR)/$<" "file://$(CURDIR)/README.md") || { echo "$$out"; exit 1; }' 'echo "$$out"' \
	  'case "$$out" in *": No error, status 0, "*" bytes") exit 0 ;; esac' 'exit 1' >$@
	chmod +x $@

uvcurl-c-tests: $(UVCURL_C_TESTS) $(BUILD)/tests/test_c_api $(EXAMPLE)

# uvcurl's C tests under ThreadSanitizer, library included (part of `make sanitize`). libcurl, libuv and OpenSSL
# are not instrumented; tests/uvcurl/tsan.supp lists what is wholly OpenSSL's own. Any report fails the test.
TSAN_BUILD = build/tsan
sanitize-thread:
	$(MAKE) BUILD=$(TSAN_BUILD) OPT='-O1 -g -fno-omit-frame-pointer -fsanitize=thread' uvcurl-c-tests
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 suppressions=$(CURDIR)/tests/uvcurl/tsan.supp" \
	  scripts/run-tests $(TSAN_BUILD)

$(BUILD)/tests/test_uvcurl_%: tests/uvcurl/test_uvcurl_%.c $(UVCURL_C_TEST_SUPPORT) $(LIBUVCURL) include/uvcurl.h
	@mkdir -p $(dir $@)
	$(UVCURL_C_BUILD) $< tests/uvcurl/test_server.c $(LIBUVCURL) $(LDFLAGS_ALL) $(PKG_LIBS) -o $@

$(BUILD)/tests/%: $(call obj,tests/%.cpp) $(call obj,$(TEST_SUPPORT_SRC)) $(LAYER_LIBS) $(LIBUVCURL)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS_ALL) $^ $(APP_LIBS) -o $@

# Builds what is missing first. uvcurl.pc is written here because it carries PREFIX. No ldconfig: a
# packager runs it; for a plain `sudo make install` into /usr/local, run `sudo ldconfig` afterwards.
install: $(PROGRAM) $(LIBUVCURL) $(LIBUVCURL_SO) $(LIBUVCURL_SO_LINKS)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(UVCURL_VERSION)|g' src/uvcurl/uvcurl.pc.in >$(BUILD)/uvcurl.pc
	install -D -m 755 $(PROGRAM) "$(DESTDIR)$(PREFIX)/bin/artistfetch"
	install -D -m 644 include/uvcurl.h "$(DESTDIR)$(PREFIX)/include/uvcurl.h"
	install -D -m 644 $(LIBUVCURL) "$(DESTDIR)$(PREFIX)/lib/libuvcurl.a"
	install -D -m 755 $(LIBUVCURL_SO) "$(DESTDIR)$(PREFIX)/lib/libuvcurl.so.$(UVCURL_VERSION)"
	ln -sfn libuvcurl.so.$(UVCURL_VERSION) "$(DESTDIR)$(PREFIX)/lib/libuvcurl.so.$(UVCURL_MAJOR)"
	ln -sfn libuvcurl.so.$(UVCURL_MAJOR) "$(DESTDIR)$(PREFIX)/lib/libuvcurl.so"
	install -D -m 644 $(BUILD)/uvcurl.pc "$(DESTDIR)$(PREFIX)/lib/pkgconfig/uvcurl.pc"
	install -D -m 644 doc/artistfetch.1 "$(DESTDIR)$(PREFIX)/share/man/man1/artistfetch.1"
	install -D -m 644 doc/uvcurl.3 "$(DESTDIR)$(PREFIX)/share/man/man3/uvcurl.3"
	install -D -m 644 scripts/artistfetch-completion.bash \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/artistfetch"

uninstall:
	rm -f "$(DESTDIR)$(PREFIX)/bin/artistfetch" "$(DESTDIR)$(PREFIX)/include/uvcurl.h" \
	  "$(DESTDIR)$(PREFIX)/lib/libuvcurl.a" "$(DESTDIR)$(PREFIX)/lib/libuvcurl.so.$(UVCURL_VERSION)" \
	  "$(DESTDIR)$(PREFIX)/lib/libuvcurl.so.$(UVCURL_MAJOR)" "$(DESTDIR)$(PREFIX)/lib/libuvcurl.so" \
	  "$(DESTDIR)$(PREFIX)/lib/pkgconfig/uvcurl.pc" "$(DESTDIR)$(PREFIX)/share/man/man1/artistfetch.1" \
	  "$(DESTDIR)$(PREFIX)/share/man/man3/uvcurl.3" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/artistfetch"

clean:
	rm -rf build

format:
	clang-format -i include/*.h $(wildcard src/*/*.cpp src/*/*.hpp tests/*.cpp tests/*.c tests/support/* examples/*.c)

.SECONDARY:

-include $(shell find $(BUILD)/obj $(BUILD)/obj-pic -name '*.d' 2>/dev/null)
