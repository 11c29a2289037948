# flowsim: plain make, pkg-config for the libraries.
PKGS    := gsl libconfig libcjson
CC      ?= gcc
OPT     ?= -O2 -g
CFLAGS  := $(OPT) -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -MMD -MP -Iinclude $(shell pkg-config --cflags $(PKGS))
LDLIBS  += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
TESTLIBS := $(shell pkg-config --libs cmocka)

BUILD   ?= build
LIB_SRC := $(filter-out sim/main.c,$(wildcard sim/*.c))
LIB_OBJ := $(LIB_SRC:sim/%.c=$(BUILD)/sim/%.o)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)

.PHONY: all test run check check-asan clean
all: $(BUILD)/flowsim

$(BUILD)/sim/%.o: sim/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -c $< -o $@

$(BUILD)/libflowsim.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/flowsim: $(BUILD)/sim/main.o $(BUILD)/libflowsim.a
	$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) -o $@

$(BUILD)/run_tests: $(TEST_OBJ) $(BUILD)/libflowsim.a
	$(CC) $(CFLAGS) $^ $(LDFLAGS) $(LDLIBS) $(TESTLIBS) -o $@

# The runner's closing line says how many tests passed and failed.
test: $(BUILD)/flowsim $(BUILD)/run_tests
	FLOWSIM_BIN=$(BUILD)/flowsim $(BUILD)/run_tests

run: $(BUILD)/flowsim
	$(BUILD)/flowsim run scenarios/esbjerg.cfg

# What CI runs (the README's test command): the suite, then again sanitized.
check: test check-asan

# The whole suite under AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    LDFLAGS="-fsanitize=address,undefined" test

clean:
	rm -rf build build-asan

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(BUILD)/sim/main.d
