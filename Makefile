# flowsim: plain make, pkg-config for the libraries.
#
# As a packager expects: CFLAGS, CPPFLAGS and LDFLAGS from the environment or
# the command line are honoured (default CFLAGS: -O2 -g), the project's own
# flags are added to them; `make install` / `make uninstall` take PREFIX and
# DESTDIR. -Werror is on in `make check` (and so in CI), not in a plain build
# (a newer compiler's new warning must not break a user's build); turn it on
# by hand with `make WERROR=-Werror`.
.DEFAULT_GOAL := all
PKGS    := gsl libconfig libcjson libmd
CC      ?= gcc
CFLAGS  ?= -O2 -g
WERROR  ?=
# The plain build defines NDEBUG: the assert()s of the invariants the headers
# state (occupancy within capacity, list membership, heap order) cost time on
# the hot path. The sanitizer builds (check-asan, check-tsan) keep them; so
# does `make NDEBUG=0` (with CFLAGS="-O0 -g" for a debug build).
NDEBUG  ?= 1
FLOWSIM_CPPFLAGS := -D_POSIX_C_SOURCE=200809L -Iinclude $(shell pkg-config --cflags $(PKGS)) $(CPPFLAGS)
FLOWSIM_CPPFLAGS += $(if $(filter 1,$(NDEBUG)),-DNDEBUG)
FLOWSIM_CFLAGS   := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes $(WERROR) $(CFLAGS)
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
TESTLIBS := $(shell pkg-config --libs cmocka)

BUILD   ?= build
# make MPI=1: the same program built with Open MPI (mpicc), for mpirun.
MPI     ?= 0
ifeq ($(MPI),1)
CC      := mpicc
FLOWSIM_CPPFLAGS += -DFLOWSIM_MPI
endif
# The flavour stamp changes only when the compiler or its flags change, so
# switching flavours rebuilds everything instead of linking stale objects.
# A rule, not a $(shell) at parse time: `make -n` writes nothing.
FLAVOR       := $(CC) $(FLOWSIM_CPPFLAGS) $(FLOWSIM_CFLAGS) $(LDFLAGS)
FLAVOR_STAMP := $(BUILD)/.flavor-stamp
$(FLAVOR_STAMP): FORCE
	@mkdir -p $(dir $@)
	@echo '$(FLAVOR)' | cmp -s - $@ || echo '$(FLAVOR)' > $@
FORCE:
# With mpicc and mpirun present, the tests also compare an MPI run with a
# serial one (built in build-mpi/); without them that test says it skipped.
MPI_BIN := $(if $(and $(shell command -v mpicc),$(shell command -v mpirun)),build-mpi/flowsim)
LAYERS  := base model engine io analysis present cli
LIB_SRC := $(filter-out sim/cli/main.c,$(foreach l,$(LAYERS),$(wildcard sim/$(l)/*.c)))
LIB_OBJ := $(LIB_SRC:sim/%.c=$(BUILD)/sim/%.o)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)

.PHONY: FORCE install uninstall check-make check-tsan check-layers all test run compare bench check check-asan check-valgrind fuzz fuzz-build clean mpi-bin report-screenshot
all: $(BUILD)/flowsim

COMPILE = $(CC) $(FLOWSIM_CPPFLAGS) $(FLOWSIM_CFLAGS) -MMD -MP

$(BUILD)/sim/%.o: sim/%.c $(FLAVOR_STAMP)
	@mkdir -p $(dir $@)
	$(COMPILE) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c $(FLAVOR_STAMP)
	@mkdir -p $(dir $@)
	$(COMPILE) -Itests -c $< -o $@

$(BUILD)/libflowsim.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/flowsim: $(BUILD)/sim/cli/main.o $(BUILD)/libflowsim.a
	$(CC) $(FLOWSIM_CFLAGS) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/run_tests: $(TEST_OBJ) $(BUILD)/libflowsim.a
	$(CC) $(FLOWSIM_CFLAGS) $^ $(LDFLAGS) $(LDLIBS) $(TESTLIBS) -o $@

# The runner's closing line says how many tests passed and failed.
test: $(BUILD)/flowsim $(BUILD)/run_tests $(if $(MPI_BIN),mpi-bin)
	FLOWSIM_BIN=$(BUILD)/flowsim FLOWSIM_MPI_BIN=$(MPI_BIN) $(BUILD)/run_tests

# Always a plain -O2 build: Open MPI's own allocations would trip LeakSanitizer.
mpi-bin:
	$(MAKE) --no-print-directory MPI=1 BUILD=build-mpi CFLAGS="-O2 -g" LDFLAGS= NDEBUG=1 \
	    WERROR=$(WERROR) build-mpi/flowsim

$(BUILD)/flowsim-bench: $(BUILD)/bench/bench.o $(BUILD)/bench/floor.o $(BUILD)/libflowsim.a
	$(CC) $(FLOWSIM_CFLAGS) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/bench/%.o: bench/%.c $(FLAVOR_STAMP)
	@mkdir -p $(dir $@)
	$(COMPILE) -c $< -o $@

# Speed and memory (a benchmark, not a test): figures in output/bench.json,
# each the median of BENCH_RUNS runs, populations up to BENCH_MAX_SCALE x.
BENCH_RUNS ?= 3
BENCH_MAX_SCALE ?= 1000
bench: $(BUILD)/flowsim-bench
	@mkdir -p output
	$(BUILD)/flowsim-bench scenarios/esbjerg.cfg output/bench.json $(BENCH_RUNS) $(BENCH_MAX_SCALE)

run: $(BUILD)/flowsim
	$(BUILD)/flowsim run scenarios/esbjerg.cfg

# The Esbjerg baseline against its shipped variants (scenarios/README.md):
# comparison.json/.csv in output/compare-esbjerg-baseline/, table on stdout.
VARIANTS := more-107 more-caseworkers bigger-kraftcenter budget-cut-freeze \
            budget-cut-step-down group-work plan-108-to-107 plan-budget-cut
compare: $(BUILD)/flowsim
	$(BUILD)/flowsim compare scenarios/esbjerg.cfg $(VARIANTS:%=scenarios/%.cfg)

# The layering rule of the source tree (README, "Layout").
check-layers:
	sh tests/check_layers.sh

# What CI runs (the README's test command), with -Werror: the Makefile's
# own checks; the suite; again under ASan+UBSan; the runner under
# ThreadSanitizer; the end-to-end groups under valgrind; each fuzzer for 60 s.
check:
	$(MAKE) --no-print-directory WERROR=-Werror check-make test check-asan check-tsan check-valgrind
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=60

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer,
# with the assert()s on.
check-asan:
	$(MAKE) BUILD=build-asan NDEBUG=0 \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test

# The runner's threads under ThreadSanitizer: the test groups that run
# replications on two threads in the library (budget) and as a command
# (cli: -j 1, 2 and 3 give the same bytes; results: signals reaching the
# workers in every phase, replications folded in order).
# Any data race fails the run (halt_on_error; exitcode 66). About half a
# minute on two cores; `make check-tsan TSAN_GROUPS=validation,budget,cli`
# adds the long validation runs (also two threads) for another minute.
TSAN_GROUPS ?= budget,cli,results
check-tsan:
	$(MAKE) --no-print-directory BUILD=build-tsan NDEBUG=0 CFLAGS="-O1 -g -fsanitize=thread" \
	    LDFLAGS=-fsanitize=thread build-tsan/flowsim build-tsan/run_tests
	TSAN_OPTIONS="halt_on_error=1 exitcode=66 $(TSAN_OPTIONS)" FLOWSIM_TEST_GROUPS=$(TSAN_GROUPS) \
	    FLOWSIM_SLOW_BIN=1 FLOWSIM_MPI_BIN= FLOWSIM_BIN=build-tsan/flowsim build-tsan/run_tests

# The end-to-end test groups (the program run as a command) with every
# flowsim process under valgrind's memcheck: any error or definite or
# indirect leak makes valgrind exit 99, which fails the test. The tests pass
# FLOWSIM_BIN to the shell, so it may carry arguments.
VALGRIND_GROUPS ?= cli,hostile
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
check-valgrind: $(BUILD)/flowsim $(BUILD)/run_tests
	FLOWSIM_VALGRIND=1 FLOWSIM_TEST_GROUPS=$(VALGRIND_GROUPS) FLOWSIM_MPI_BIN= \
	    FLOWSIM_BIN="$(VALGRIND) $(BUILD)/flowsim" $(BUILD)/run_tests

# libFuzzer (clang; Debian: clang, libclang-rt-14-dev) on the scenario
# loader, the RBS panel reader and the writers of plot scripts, plot data
# and report.html, FUZZ_SECONDS each; see tests/fuzz/README.md.
# The corpus grows in build-fuzz/corpus-*; seeds stay in tests/fuzz/corpus/.
# A crash stops make and leaves the input in build-fuzz/crash-*.
FUZZ_SECONDS ?= 20
FUZZ_CC      ?= clang
FUZZ_BUILD   := build-fuzz
FUZZ_CFLAGS  := -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude $(shell pkg-config --cflags $(PKGS)) \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
                -fno-omit-frame-pointer
FUZZERS      := scenario panel writers
FUZZ_LIB_OBJ := $(LIB_SRC:sim/%.c=$(FUZZ_BUILD)/sim/%.o)

$(FUZZ_BUILD)/sim/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(LDLIBS) -o $@

fuzz-build: $(FUZZERS:%=$(FUZZ_BUILD)/fuzz_%)

fuzz: fuzz-build
	@for f in $(FUZZERS); do \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$f && \
	    echo "fuzz_$$f: $(FUZZ_SECONDS) s" && \
	    $(FUZZ_BUILD)/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2560 \
	        -print_final_stats=1 -dict=tests/fuzz/$$f.dict \
	        -artifact_prefix=$(FUZZ_BUILD)/crash-$$f- \
	        $(FUZZ_BUILD)/corpus-$$f tests/fuzz/corpus/$$f 2>$(FUZZ_BUILD)/fuzz_$$f.log; \
	    rc=$$?; grep -E '^stat::(number|average)' $(FUZZ_BUILD)/fuzz_$$f.log; \
	    if [ $$rc -ne 0 ]; then tail -60 $(FUZZ_BUILD)/fuzz_$$f.log; exit $$rc; fi; \
	done

# Renders a report in headless Chromium (Debian package `chromium`; works
# offline) so it can be checked by eye: make report-screenshot
# [REPORT_DIR=dir of a finished run or comparison]. Not part of `test`.
REPORT_DIR ?= output/esbjerg-baseline
CHROMIUM   ?= chromium
report-screenshot: $(BUILD)/flowsim
	@test -f $(REPORT_DIR)/report.html || $(BUILD)/flowsim run scenarios/esbjerg.cfg -o $(REPORT_DIR)
	@prof=$$(mktemp -d) && $(CHROMIUM) --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update --no-first-run \
	    --user-data-dir=$$prof --hide-scrollbars --window-size=1280,2400 \
	    --screenshot=$(REPORT_DIR)/report-screenshot.png \
	    file://$(abspath $(REPORT_DIR))/report.html 2>$(REPORT_DIR)/chromium.log; \
	    rc=$$?; rm -rf $$prof; test $$rc -eq 0 && test -s $(REPORT_DIR)/report-screenshot.png || \
	    { cat $(REPORT_DIR)/chromium.log; exit 1; }
	@echo "screenshot: $(REPORT_DIR)/report-screenshot.png"

# Installing. Scenarios go with the documentation as examples (copy one
# and edit it: a variant's `base` is found beside it).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DOCDIR  ?= $(PREFIX)/share/doc/flowsim
INSTALL ?= install
DOCS    := README.md $(wildcard docs/*.md)
install: $(BUILD)/flowsim
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(DOCDIR)/docs/images \
	    $(DESTDIR)$(DOCDIR)/examples
	$(INSTALL) -m 755 $(BUILD)/flowsim $(DESTDIR)$(BINDIR)/flowsim
	$(INSTALL) -m 644 docs/flowsim.1 $(DESTDIR)$(MANDIR)/man1/flowsim.1
	$(INSTALL) -m 644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(INSTALL) -m 644 $(filter docs/%,$(DOCS)) $(DESTDIR)$(DOCDIR)/docs
	$(INSTALL) -m 644 $(wildcard docs/images/*.png) $(DESTDIR)$(DOCDIR)/docs/images
	$(INSTALL) -m 644 $(wildcard scenarios/*.cfg) scenarios/README.md $(DESTDIR)$(DOCDIR)/examples

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/flowsim $(DESTDIR)$(MANDIR)/man1/flowsim.1
	rm -rf $(DESTDIR)$(DOCDIR)

# The Makefile itself: `make -n` in a fresh copy writes no file; install
# and uninstall into a scratch DESTDIR put every file in place and take
# every one away (tests/check_make.sh).
check-make: $(BUILD)/flowsim
	sh tests/check_make.sh $(BUILD)

clean:
	rm -rf build build-asan build-tsan build-mpi build-fuzz

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/sim/cli/main.d $(FUZZ_LIB_OBJ:.o=.d) $(BUILD)/bench/bench.d $(BUILD)/bench/floor.d
