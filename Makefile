# flowsim: plain make, pkg-config for the libraries.
PKGS    := gsl libconfig libcjson
CC      ?= gcc
OPT     ?= -O2 -g
CFLAGS  := $(OPT) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -MMD -MP -Iinclude $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
TESTLIBS := $(shell pkg-config --libs cmocka)

BUILD   ?= build
# make MPI=1: the same program built with Open MPI (mpicc), for mpirun.
MPI     ?= 0
ifeq ($(MPI),1)
CC      := mpicc
CFLAGS  += -DFLOWSIM_MPI
endif
# The flavour stamp changes only when MPI= changes, so switching flavours
# rebuilds everything instead of linking stale objects.
FLAVOR_STAMP := $(BUILD)/.flavor-stamp
$(shell mkdir -p $(BUILD); echo "MPI=$(MPI) OPT=$(OPT)" | cmp -s - $(FLAVOR_STAMP) || echo "MPI=$(MPI) OPT=$(OPT)" > $(FLAVOR_STAMP))
# With mpicc and mpirun present, the tests also compare an MPI run with a
# serial one (built in build-mpi/); without them that test says it skipped.
MPI_BIN := $(if $(and $(shell command -v mpicc),$(shell command -v mpirun)),build-mpi/flowsim)
LIB_SRC := $(filter-out sim/main.c,$(wildcard sim/*.c))
LIB_OBJ := $(LIB_SRC:sim/%.c=$(BUILD)/sim/%.o)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)

.PHONY: all test run compare bench check check-asan clean mpi-bin report-screenshot
all: $(BUILD)/flowsim

$(BUILD)/sim/%.o: sim/%.c $(FLAVOR_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c $(FLAVOR_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -c $< -o $@

$(BUILD)/libflowsim.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/flowsim: $(BUILD)/sim/main.o $(BUILD)/libflowsim.a
	$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/run_tests: $(TEST_OBJ) $(BUILD)/libflowsim.a
	$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) $(TESTLIBS) -o $@

# The runner's closing line says how many tests passed and failed.
test: $(BUILD)/flowsim $(BUILD)/run_tests $(if $(MPI_BIN),mpi-bin)
	FLOWSIM_BIN=$(BUILD)/flowsim FLOWSIM_MPI_BIN=$(MPI_BIN) $(BUILD)/run_tests

mpi-bin:
	$(MAKE) --no-print-directory MPI=1 BUILD=build-mpi build-mpi/flowsim

$(BUILD)/flowsim-bench: $(BUILD)/bench/bench.o $(BUILD)/libflowsim.a
	$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/bench/%.o: bench/%.c $(FLAVOR_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

# Speed and memory (a benchmark, not a test): figures in output/bench.json.
bench: $(BUILD)/flowsim-bench
	@mkdir -p output
	$(BUILD)/flowsim-bench scenarios/esbjerg.cfg output/bench.json

run: $(BUILD)/flowsim
	$(BUILD)/flowsim run scenarios/esbjerg.cfg

# The Esbjerg baseline against its shipped variants (scenarios/README.md):
# comparison.json/.csv in output/compare-esbjerg-baseline/, table on stdout.
VARIANTS := more-107 more-caseworkers bigger-kraftcenter budget-cut-freeze \
            budget-cut-step-down group-work
compare: $(BUILD)/flowsim
	$(BUILD)/flowsim compare scenarios/esbjerg.cfg $(VARIANTS:%=scenarios/%.cfg)

# What CI runs (the README's test command): the suite, then again sanitized.
check: test check-asan

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test

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

clean:
	rm -rf build build-asan build-mpi

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/sim/main.d $(BUILD)/bench/bench.d
