# Tessera. `make` builds build/tessera and the web app; `make run` starts it;
# `make test` runs every check. BUILD=dir picks another build folder;
# SAN=1 builds with AddressSanitizer and UndefinedBehaviorSanitizer.

BUILD ?= build
CC ?= gcc
PKGS := libmicrohttpd jansson sqlite3 libsodium libcrypto libzip vips \
	libavformat libavcodec libswscale libavutil zlib
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wno-missing-field-initializers -g -Iserver -I$(BUILD)/gen
OPT ?= -O2
ifeq ($(SAN),1)
OPT := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = $(CFLAGS_BASE) $(OPT) $(PKG_CFLAGS) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lpthread -lm $(LDLIBS)

SRCS := $(filter-out server/main.c,$(shell find server -name '*.c' | sort))
# The dataset contract's JSON Schemas, built in as byte arrays (export/schemas.h).
SCHEMA_OBJS := $(BUILD)/obj/gen/annotations_schema.o $(BUILD)/obj/gen/manifest_schema.o
OBJS := $(SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/migrations.o $(SCHEMA_OBJS)
MIGRATIONS := $(sort $(wildcard server/store/sqlite/migrations/*.sql))
UNIT_SRCS := $(shell find tests/unit -name 'test_*.c' 2>/dev/null | sort)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
UNIT_HDRS := $(shell find tests/unit -name '*.h' 2>/dev/null)

WEB_SRCS := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null) \
	package.json package-lock.json

.PHONY: all server web run test test-unit test-api test-api-asan test-web test-browser \
	test-contract deps node-deps clean lint-c

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
	$(MAKE) test-api-asan
	$(MAKE) test-browser
	@echo "all checks passed"

test-unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

test-api: server web
	TESSERA_BIN=$(abspath $(BUILD)/tessera) node --test --test-concurrency=2 tests/api/

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

clean:
	rm -rf build build-asan build-* web/dist
