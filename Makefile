# pgdeck — one non-recursive Makefile.  `make run` and `make test` are the two
# entry points; both install missing Debian packages first (see `deps`).

CC       ?= cc
PKGS      = libpq libuv libcjson ncursesw
WARN      = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
            -Wmissing-prototypes -Wwrite-strings
# Lazy (=) so a sub-make run after `deps` sees the freshly installed packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lreadline -lm
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) -I. $(PKG_CFLAGS) -MMD -MP \
             -D_GNU_SOURCE
SAN_FLAGS = -fsanitize=address,undefined -fno-sanitize-recover=all \
            -fno-omit-frame-pointer

DEPS_PKGS = gcc make pkg-config libpq-dev libuv1-dev libcjson-dev \
            libncurses-dev libreadline-dev postgresql tmux libcmocka-dev \
            clang libclang-rt-14-dev

ifeq ($(V),1)
Q =
else
Q = @
endif

CORE_SRC  = $(sort $(wildcard core/*.c))
SHELL_SRC = $(sort $(wildcard shell/*.c))
TUI_SRC   = $(sort $(wildcard tui/*.c))
APP_SRC   = $(CORE_SRC) $(SHELL_SRC) $(TUI_SRC)
LIB_SRC   = $(filter-out shell/main.c,$(APP_SRC))

UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRC = $(sort $(wildcard tests/integ/test_*.c))

OBJ      = $(APP_SRC:%.c=build/%.o)
LIB_OBJ  = $(LIB_SRC:%.c=build/%.o)
SAN_LIB_OBJ = $(LIB_SRC:%.c=build/san/%.o)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=build/tests/%)
INTEG_BIN = $(INTEG_SRC:tests/integ/%.c=build/tests/%)
SAN_TEST_BIN = $(UNIT_SRC:tests/unit/%.c=build/san/tests/%) \
               $(INTEG_SRC:tests/integ/%.c=build/san/tests/%)

.PHONY: all run test san bench install clean deps tests-build check-deps
# Objects reached through the chained test rules are kept, not rebuilt.
.SECONDARY:

all: pgdeck

pgdeck: $(OBJ)
	@echo "  LINK  $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $(OBJ) $(PKG_LIBS) -lpthread \
	    -Wl,--export-dynamic-symbol=_gnutls_global_init_skip

build/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

build/san/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $< (san)"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -O1 -c -o $@ $<

build/tests/%: build/tests/unit/%.o $(LIB_OBJ)
	@echo "  LINK  $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lpthread

build/tests/%: build/tests/integ/%.o $(LIB_OBJ)
	@echo "  LINK  $@"
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lpthread

build/san/tests/%: build/san/tests/unit/%.o $(SAN_LIB_OBJ)
	@echo "  LINK  $@ (san)"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lpthread

build/san/tests/%: build/san/tests/integ/%.o $(SAN_LIB_OBJ)
	@echo "  LINK  $@ (san)"
	$(Q)$(CC) $(ALL_CFLAGS) $(SAN_FLAGS) -o $@ $^ $(PKG_LIBS) -lcmocka -lpthread

tests-build: pgdeck $(UNIT_BIN) $(INTEG_BIN)

san: $(SAN_TEST_BIN)

# Installs what is missing: with apt-get when root, otherwise prints the one
# command to run and stops.
deps:
	@missing=""; for p in $(DEPS_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	    grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "pgdeck: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	      apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "pgdeck: missing Debian packages. Run:"; \
	    echo "  sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

run: deps
	@$(MAKE) --no-print-directory pgdeck
	./pgdeck --demo

test: deps
	@$(MAKE) --no-print-directory tests-build san
	@tests/run.sh

bench: deps
	@$(MAKE) --no-print-directory pgdeck
	@tests/bench/run.sh

# The splitter's libFuzzer target (tests/fuzz/): clang, and only the
# sources the splitter needs. `make fuzz` (also a step of tests/run.sh)
# builds it and runs it for a bounded number of inputs.
FUZZ_CC   ?= clang
FUZZ_SRC   = tests/fuzz/fuzz_sqlsplit.c core/sqlsplit.c core/sqllex.c \
             core/strbuf.c core/xalloc.c
FUZZ_FLAGS = -std=gnu11 $(WARN) -I. -D_GNU_SOURCE -g -O1 \
             -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

build/fuzz/fuzz_sqlsplit: $(FUZZ_SRC) core/sqlsplit.h core/sqllex.h \
                          core/strbuf.h core/xalloc.h
	@mkdir -p $(dir $@)
	@echo "  LINK  $@ (libFuzzer)"
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $(FUZZ_SRC)

.PHONY: fuzz
fuzz: deps
	@tests/fuzz/run.sh

PREFIX ?= /usr/local
install: pgdeck
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/pgdeck/themes
	install -m 0755 pgdeck $(DESTDIR)$(PREFIX)/bin/pgdeck
	install -m 0644 themes/*.json $(DESTDIR)$(PREFIX)/share/pgdeck/themes/
	install -d $(DESTDIR)$(PREFIX)/share/pgdeck/demo
	install -m 0644 demo/markets.json $(DESTDIR)$(PREFIX)/share/pgdeck/demo/
	install -m 0755 demo/fetch-prices $(DESTDIR)$(PREFIX)/share/pgdeck/demo/

clean:
	rm -rf build pgdeck

-include $(shell find build -name '*.d' 2>/dev/null)
