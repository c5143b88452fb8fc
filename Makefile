# Certain: one binary, its unit tests, and the gates around them.
#   make run     install missing Debian packages, build, start the server on ./var
#   make test    install test dependencies, build, run the whole suite
# Build variants live in their own folders so switching never rebuilds the other:
#   build/        -O2, the binary `make run` starts
#   build/asan/   AddressSanitizer + UndefinedBehaviorSanitizer
.SUFFIXES:
.DEFAULT_GOAL := all

# ldns: DNS wire format, TSIG and queries for ACME dns-01 (src/acme/dns_*.c).
PKGS     := openssl sqlite3 libmicrohttpd jansson libcurl ldns
CC       ?= cc
WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong
PKGCFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKGLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread

VARIANT  ?= release
ifeq ($(VARIANT),asan)
O        := build/asan
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDOPT    := -fsanitize=address,undefined
HARDEN   :=
else ifeq ($(VARIANT),fuzz)
# libFuzzer needs clang; the library is instrumented, main() comes from libFuzzer.
CC       := clang
O        := build/fuzz
OPT      := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link
LDOPT    := -fsanitize=address,undefined,fuzzer
HARDEN   :=
else
O        := build
OPT      := -O2 -g
LDOPT    :=
endif

CFLAGS   := -std=c17 -D_GNU_SOURCE $(WARN) $(HARDEN) $(OPT) -Isrc $(PKGCFLAGS) -MMD -MP
LDFLAGS  := $(LDOPT)

LIB_SRC  := $(shell find src -name '*.c' ! -path src/main.c | sort)
LIB_OBJ  := $(LIB_SRC:%.c=$(O)/obj/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(O)/obj/%.o)
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:fuzz/%.c=$(O)/%)

.PHONY: all run test test-unit test-integration lint fuzz fuzz-build fuzz-targets bench deps test-deps clean

all: $(O)/certain $(O)/unit-tests

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(O)/libcertain.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(O)/certain: $(O)/obj/src/main.o $(O)/libcertain.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

$(O)/unit-tests: $(UNIT_OBJ) $(O)/libcertain.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

$(O)/fuzz_%: $(O)/obj/fuzz/fuzz_%.o $(O)/libcertain.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

$(O)/bench-%: $(O)/obj/bench/%.o $(O)/libcertain.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKGLIBS)

# make bench: the performance table (not part of make test); see bench/run.sh.
bench: all $(O)/bench-loadgen $(O)/bench-inproc_issue $(O)/bench-populate $(O)/bench-crl_gen
	bench/run.sh

fuzz-build:
	@$(MAKE) --no-print-directory VARIANT=fuzz fuzz-targets

fuzz-targets: $(FUZZ_BIN)

# make fuzz [FUZZ_SECONDS=600]: every target, for as long as asked.
fuzz: fuzz-build
	scripts/fuzz.sh run $(or $(FUZZ_SECONDS),300)

deps:
	@scripts/install-deps.sh run

test-deps:
	@scripts/install-deps.sh test

run: deps
	@$(MAKE) --no-print-directory all
	./build/certain serve --data ./var

# The whole suite, the way CI runs it; prints one final "N passed, M failed".
test: test-deps
	@scripts/run-tests.sh

test-unit: all
	./$(O)/unit-tests

test-integration: all
	CERTAIN_BIN=$(O)/certain /usr/bin/python3 -m unittest discover -s tests/integration -t . -v

lint:
	@scripts/lint.sh

clean:
	rm -rf build

-include $(wildcard $(O)/obj/bench/*.d) $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(FUZZ_SRC:%.c=$(O)/obj/%.d) $(O)/obj/src/main.d
