# Tessera. `make` builds build/tessera and the web app; `make run` starts it;
# `make test` runs every check. BUILD=dir picks another build folder;
# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer;
# FUZZ=1 (with CC=clang) builds the server objects for libFuzzer targets
# (see `make fuzz` and tests/fuzz/README.md).

BUILD ?= build
CC ?= gcc
PKGS := libmicrohttpd jansson sqlite3 libpq libsodium libcrypto libzip vips libpng \
	libavformat libavcodec libswscale libavutil zlib
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wno-missing-field-initializers -g -Iserver -I$(BUILD)/gen
OPT ?= -O2
ifeq ($(SAN),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif
ifeq ($(FUZZ),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = $(CFLAGS_BASE) $(OPT) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

SRCS := $(filter-out server/main.c,$(shell find server -name '*.c' | sort))
# The dataset contract's JSON Schemas, built in as byte arrays (export/schemas.h).
SCHEMA_OBJS := $(BUILD)/obj/gen/annotations_schema.o $(BUILD)/obj/gen/manifest_schema.o
OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o \
	$(BUILD)/obj/gen/pg_migrations.o $(SCHEMA_OBJS)
MIGRATIONS := $(sort $(wildcard server/store/sqlite/migrations/*.sql))
PG_MIGRATIONS := $(sort $(wildcard server/store/postgres/migrations/*.sql))
UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
UNIT_HDRS := $(shell find tests/unit -name '*.h' 2>/dev/null)
# libFuzzer targets: every tests/fuzz/fuzz_<name>.c, seeds in tests/fuzz/corpus/<name>/.
FUZZ_NAMES := $(sort $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_BINS := $(FUZZ_NAMES:%=$(BUILD)/fuzz/fuzz_%)

WEB_SRCS := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null) \
	package.json package-lock.json

.PHONY: all server web run test test-unit test-api test-api-pg test-api-asan test-web test-browser \
	test-contract test-fuzz fuzz fuzz-build fuzz-run fuzz-smoke deps node-deps clean lint-c compose-check

all: server web

server: $(BUILD)/tessera

$(BUILD)/tessera: $(BUILD)/obj/server/main.o $(BUILD)/libtessera.a
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libtessera.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(BUILD)/gen/migrations.c: $(MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	scripts/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/pg_migrations.c: $(PG_MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	scripts/embed-migrations.sh --name ts_pg_migrations --header store/postgres/migrations.h \
		$(PG_MIGRATIONS) > $@.tmp && mv $@.tmp $@

.SECONDARY: $(SCHEMA_OBJS:$(BUILD)/obj/gen/%.o=$(BUILD)/gen/%.c)
$(BUILD)/gen/%_schema.c: contract/schema/%.schema.json scripts/embed.sh
	@mkdir -p $(dir $@)
	scripts/embed.sh ts_schema_$*_json $< > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/unit/%: tests/unit/%.c $(UNIT_HDRS) $(BUILD)/libtessera.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(BUILD)/libtessera.a $(LDLIBS_ALL) -lcmocka

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard tests/fuzz/*.h) $(BUILD)/libtessera.a
	@mkdir -p $(dir $@)
	@echo "LINK $@"
	@$(CC) $(CFLAGS_BASE) -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=undefined $(PKG_CFLAGS) $(CFLAGS) -Itests/fuzz \
		-o $@ $< $(BUILD)/libtessera.a $(LDLIBS_ALL)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- web app ----
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

node-deps: node_modules/.installed

web: web/dist/index.html

web/dist/index.html: node_modules/.installed $(WEB_SRCS)
	npm run build

# ---- running ----
deps:
	scripts/install-deps

run: deps
	$(MAKE) all
	$(BUILD)/tessera serve --listen 127.0.0.1:8080 --data ./var --web ./web/dist

# ---- checks ----
test: deps
	$(MAKE) all
	$(MAKE) BUILD=build-asan SAN=1 server
	$(MAKE) test-unit
	$(MAKE) BUILD=build-asan SAN=1 test-unit
	$(MAKE) test-web
	$(MAKE) test-contract
	$(MAKE) test-api
	$(MAKE) test-api-pg
	$(MAKE) test-api-asan
	$(MAKE) test-browser
	$(MAKE) test-fuzz
	@echo "all checks passed"

# The store conformance suite runs once more against a throwaway PostgreSQL
# (tests/lib/pg.sh).
test-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
	@echo "== $(BUILD)/unit/store/test_conformance_pg (PostgreSQL)"
	@tests/lib/pg.sh run $(BUILD)/unit/store/test_conformance_pg

test-api: server web
	TESSERA_BIN=$(abspath $(BUILD)/tessera) node --test --test-concurrency=2 tests/api/

# The API suite once more with the PostgreSQL backend: each test server gets
# a fresh database of one throwaway cluster (tests/lib/pg.sh).
test-api-pg: server web
	TESSERA_TEST_DB=postgres TESSERA_BIN=$(abspath $(BUILD)/tessera) \
	tests/lib/pg.sh run node --test --test-concurrency=2 tests/api/

test-api-asan:
	$(MAKE) BUILD=build-asan SAN=1 server
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	TESSERA_BIN=$(abspath build-asan/tessera) TESSERA_SANITIZED=1 \
	node --test --test-concurrency=2 tests/api/

test-web: node-deps
	npm run typecheck
	npm run lint
	npm run test:unit

test-contract:
	python3 -m unittest discover -s tests/contract -v

test-browser: server web
	TESSERA_BIN=$(abspath $(BUILD)/tessera) node --test --test-concurrency=1 tests/browser/

# ---- fuzzing (clang + libFuzzer; tests/fuzz/README.md) ----
# The targets and the server objects they link are built in FUZZ_BUILD with
# FUZZ=1 CC=clang. `make fuzz` runs each target FUZZ_SECONDS on a working
# corpus in FUZZ_BUILD/corpus/<name>/ (seeded from tests/fuzz/corpus/<name>/,
# which it never writes to); crashes go to FUZZ_BUILD/crashes/<name>/.
# `make test-fuzz` runs every committed input once, then fuzzes each target
# FUZZ_TEST_RUNS inputs from a fixed seed (at most FUZZ_TEST_SECONDS) on a
# scratch corpus: a quick regression check that gives the same inputs each
# run, so a new finding shows up in `make fuzz`, not as a flaky `make test`.
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 300
FUZZ_TEST_SECONDS ?= 5
FUZZ_TEST_RUNS ?= 3000
FUZZ_ARGS ?=
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:allocator_may_return_null=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Two compile jobs unless make was given -j (its jobserver is shared then).
fuzz-build:
	@$(MAKE) -s --no-print-directory $(if $(findstring j,$(filter-out --%,$(MAKEFLAGS))),,-j2) \
		BUILD=$(FUZZ_BUILD) FUZZ=1 CC=$(FUZZ_CC) \
		$(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz/fuzz_%)

# A target's libFuzzer dictionary, when tests/fuzz/<name>.dict exists.
FUZZ_DICT := dict() { [ -f tests/fuzz/$$1.dict ] && echo -dict=tests/fuzz/$$1.dict; };

fuzz: fuzz-build
	@$(FUZZ_DICT) fail=""; for n in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$n $(FUZZ_BUILD)/crashes/$$n; \
		if [ -d tests/fuzz/corpus/$$n ]; then cp -R tests/fuzz/corpus/$$n/. $(FUZZ_BUILD)/corpus/$$n/; fi; \
		echo "== fuzz_$$n for $(FUZZ_SECONDS) s (log: $(FUZZ_BUILD)/fuzz_$$n.log)"; \
		if $(FUZZ_ENV) $(FUZZ_BUILD)/fuzz/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) \
			-timeout=10 -print_final_stats=1 $$(dict $$n) \
			-artifact_prefix=$(FUZZ_BUILD)/crashes/$$n/ $(FUZZ_ARGS) $(FUZZ_BUILD)/corpus/$$n \
			> $(FUZZ_BUILD)/fuzz_$$n.log 2>&1; then \
			grep -E '^stat::(number_of_executed_units|new_units_added)' $(FUZZ_BUILD)/fuzz_$$n.log || true; \
		else \
			tail -n 40 $(FUZZ_BUILD)/fuzz_$$n.log; fail="$$fail $$n"; \
		fi; \
	done; \
	if [ -n "$$fail" ]; then echo "fuzz: findings in:$$fail (inputs in $(FUZZ_BUILD)/crashes/)"; exit 1; fi

test-fuzz: fuzz-build
	@$(FUZZ_DICT) set -e; for n in $(FUZZ_TARGETS); do \
		work=$(FUZZ_BUILD)/test-corpus/$$n; rm -rf $$work; \
		mkdir -p $$work $(FUZZ_BUILD)/crashes/$$n; \
		seeds=$$(find tests/fuzz/corpus/$$n -type f 2>/dev/null | sort); \
		echo "== fuzz_$$n: $$(echo $$seeds | wc -w) committed inputs, then $(FUZZ_TEST_RUNS) runs from seed 1"; \
		if [ -n "$$seeds" ]; then \
			$(FUZZ_ENV) $(FUZZ_BUILD)/fuzz/fuzz_$$n -timeout=10 $$seeds \
				> $(FUZZ_BUILD)/test-fuzz_$$n.log 2>&1 \
				|| { tail -n 60 $(FUZZ_BUILD)/test-fuzz_$$n.log; exit 1; }; \
		fi; \
		$(FUZZ_ENV) $(FUZZ_BUILD)/fuzz/fuzz_$$n -seed=1 -runs=$(FUZZ_TEST_RUNS) -max_total_time=$(FUZZ_TEST_SECONDS) \
			-timeout=10 $$(dict $$n) -artifact_prefix=$(FUZZ_BUILD)/crashes/$$n/ \
			$$work $$([ -d tests/fuzz/corpus/$$n ] && echo tests/fuzz/corpus/$$n) \
			> $(FUZZ_BUILD)/test-fuzz_$$n.log 2>&1 \
			|| { tail -n 60 $(FUZZ_BUILD)/test-fuzz_$$n.log; exit 1; }; \
	done
	@echo "fuzz: $(words $(FUZZ_TARGETS)) targets passed"

clean:
	rm -rf build build-asan build-* web/dist

# Containers (podman, as root): not part of `make test`; see README.md.
compose-check:
	deploy/compose-check
