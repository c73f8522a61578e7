# xmptcp build: BPF objects -> skeletons -> userspace binaries, tests, bench, demo.
# `make V=1` shows the commands. Outputs go to build/ only.
.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

BUILD    ?= build
CC       ?= gcc
CLANG    ?= clang
BPFTOOL  ?= bpftool
ARCH     := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARN     := -Wall -Wextra -Werror
CFLAGS   ?= -O2 -g
XCFLAGS  := $(CFLAGS) $(WARN) -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD)
LIBS     := -lxdp -lbpf -lmnl -lcrypto -lelf -lz -lm -lpthread
SANFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS))
BPF_HDRS  := $(wildcard bpf/lib/*.h include/xmptcp/*.h)

# Library of the protocol layers and the connection layer (user/conn); mains
# live in user/ctl and user/app.
LIB_SRCS  := $(wildcard user/common/*.c user/io/*.c user/tcp/*.c user/mptcp/*.c user/conn/*.c)
LIB_OBJS  := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
ASAN_OBJS := $(patsubst %.c,$(BUILD)/asan/%.o,$(LIB_SRCS))
CTL_SRCS  := $(wildcard user/ctl/*.c)
APP_SRCS  := $(wildcard user/app/*.c)
HDRS      := $(shell find include user -name '*.h')

BINS      := $(BUILD)/xmptcp $(if $(APP_SRCS),$(BUILD)/xmptcpd)

UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
UNIT_ASAN := $(patsubst tests/unit/%.c,$(BUILD)/tests/asan/%,$(UNIT_SRCS))
BPFT_SRCS := $(wildcard tests/bpf/*.c)
BPFT_BINS := $(patsubst tests/bpf/%.c,$(BUILD)/tests/bpf/%,$(BPFT_SRCS))
# Tools of the namespace tests, bench and scripts (the netem relay, the
# rtnetlink probe), not tests by themselves: build/tests/tools/.
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOL_BINS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))
BENCH_SRCS:= $(wildcard bench/*.c)
BENCH_BINS:= $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))
TEST_HDRS := $(wildcard tests/lib/*.h tests/unit/*.h tests/bpf/*.h bpf/lib/*.h)
# Test-only C helpers (the in-memory wire): linked into tests, never into libxmp.
TESTLIB_SRCS := $(wildcard tests/lib/*.c)
TESTLIB_SRCS := $(filter-out %.bpf.c,$(TESTLIB_SRCS))
# libFuzzer targets tests/fuzz/fuzz_X.c; tests/fuzz/gen_corpus_X.c writes X's seeds with our encoders.
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
GEN_BINS  := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard tests/fuzz/gen_corpus_*.c))
FUZZFLAGS := -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined \
	     -fsanitize-coverage-ignorelist=tests/fuzz/nocov.txt \
	     -std=gnu11 -D_GNU_SOURCE -Iinclude -Iuser -I$(BUILD) -Itests -Ibpf
# Comparison tracing (trace-cmp: libFuzzer learns the values input bytes are
# compared with) only where input bytes are parsed: the frame and option
# parsers and the harnesses. In the rest of the library its callbacks took
# half of every execution (perf, fuzz_pkt_input) while the sequence numbers
# it would learn are already placed near live ones by the harness's fix-ups;
# edge coverage still guides the fuzzer through all of it.
FUZZ_CMP_SRCS := user/io/pkt.c user/mptcp/options.c user/tcp/tcp_options.c
FUZZ_OBJS := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRCS) $(TESTLIB_SRCS))
# Empty = unset; tests/fuzz/run.sh documents them (FUZZ_TIME defaults to 60 s there).
FUZZ_TIME ?=
FUZZ_RUNS ?=
FUZZ_TARGETS ?=
FUZZ_JOBS ?=

SOAK_TIME ?= 300

# make install [PREFIX=/usr/local] [DESTDIR=]: what a host runs xmptcp from.
# SYSCONFDIR is /etc whatever the PREFIX: the service reads its settings
# there (xmptcpd.env); nothing is installed into it.
PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
LIBDIR      ?= $(PREFIX)/lib
SCHEDDIR    ?= $(LIBDIR)/xmptcp/sched
INCLUDEDIR  ?= $(PREFIX)/include
MANDIR      ?= $(PREFIX)/share/man
DOCDIR      ?= $(PREFIX)/share/doc/xmptcp
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR  ?= /etc

# Generated from the option tables by the binaries themselves (doc.c).
DOCS := $(patsubst $(BUILD)/%,$(BUILD)/man/%.8,$(BINS)) \
	$(patsubst $(BUILD)/%,$(BUILD)/completion/%,$(BINS))
# What `make install` puts where, MODE:SOURCE:DEST per file; `make uninstall`
# removes exactly these DESTs, then the directories that are xmptcp's own
# (OWN_DIRS) if that left them empty. The scheduler headers and the example
# policy's source are what an external policy is built with.
INSTALL_FILES := \
	$(foreach b,$(BINS),755:$(b):$(SBINDIR)/$(notdir $(b))) \
	$(foreach b,$(BINS),644:$(BUILD)/man/$(notdir $(b)).8:$(MANDIR)/man8/$(notdir $(b)).8) \
	$(foreach b,$(BINS),644:$(BUILD)/completion/$(notdir $(b)):$(BASHCOMPDIR)/$(notdir $(b))) \
	644:$(BUILD)/install/xmptcpd.service:$(UNITDIR)/xmptcpd.service \
	644:$(BUILD)/install/xmptcpd.env.example:$(DOCDIR)/xmptcpd.env.example \
	755:$(BUILD)/tests/sched/example_policy.so:$(SCHEDDIR)/example_policy.so \
	644:tests/sched/example_policy.c:$(DOCDIR)/example_policy.c \
	$(foreach h,sched.h types.h mib.h,644:include/xmptcp/$(h):$(INCLUDEDIR)/xmptcp/$(h))
OWN_DIRS := $(SCHEDDIR) $(LIBDIR)/xmptcp $(INCLUDEDIR)/xmptcp $(DOCDIR)
# field N (1 mode, 2 source, 3 dest) of every INSTALL_FILES entry
install_field = $(foreach e,$(INSTALL_FILES),$(word $(1),$(subst :, ,$(e))))

.PHONY: all deps test bench demo fuzz soak clean unit install uninstall FORCE
all: deps $(BINS) $(DOCS) $(BUILD)/tests.stamp

$(BUILD)/tests.stamp: $(UNIT_BINS) $(UNIT_ASAN) $(BPFT_BINS) $(TOOL_BINS) $(BENCH_BINS) $(FUZZ_BINS) $(GEN_BINS) \
		$(if $(APP_SRCS),$(BUILD)/xmptcpd-asan)
	$(Q)touch $@

deps:
	$(Q)scripts/deps.sh

# vmlinux.h from the running kernel's BTF when it has one, else the committed copy.
$(BUILD)/vmlinux.h: | $(BUILD)
	$(call msg,GEN,$@)
	$(Q)if [ -r /sys/kernel/btf/vmlinux ]; then \
		$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $@; \
	else cp vmlinux/vmlinux.h $@; fi

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) $(BUILD)/vmlinux.h | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) -Wno-unused-function \
		-I$(BUILD) -Iinclude -Ibpf -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@

$(BUILD)/obj/%.o: %.c $(HDRS) $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: %.c $(HDRS) $(SKELS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/libxmp.a: $(LIB_OBJS) | $(BUILD)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libxmp-asan.a: $(ASAN_OBJS) | $(BUILD)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/obj/tests/lib/%.o: tests/lib/%.c $(TEST_HDRS) $(HDRS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -Itests -Ibpf -c $< -o $@

$(BUILD)/asan/tests/lib/%.o: tests/lib/%.c $(TEST_HDRS) $(HDRS)
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) $(SANFLAGS) -Itests -Ibpf -c $< -o $@

$(BUILD)/libxmptest.a: $(patsubst %.c,$(BUILD)/obj/%.o,$(TESTLIB_SRCS)) | $(BUILD)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libxmptest-asan.a: $(patsubst %.c,$(BUILD)/asan/%.o,$(TESTLIB_SRCS)) | $(BUILD)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/xmptcp: $(patsubst %.c,$(BUILD)/obj/%.o,$(CTL_SRCS)) $(BUILD)/libxmp.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XCFLAGS) $^ $(LIBS) -o $@

$(BUILD)/xmptcpd: $(patsubst %.c,$(BUILD)/obj/%.o,$(APP_SRCS)) $(BUILD)/libxmp.a
	$(call msg,LINK,$@)
	$(Q)$(CC) $(XCFLAGS) $^ $(LIBS) -o $@

# Man pages and bash completion: the binary writes them from its tables.
$(BUILD)/man/%.8: $(BUILD)/%
	$(call msg,MAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$< --man > $@

$(BUILD)/completion/%: $(BUILD)/%
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$< --bash-completion > $@

# The unit and the example settings name installed paths: written again on
# every install (FORCE), so a PREFIX changed since the last one is not missed.
$(BUILD)/install/%: scripts/%.in FORCE | $(BUILD)
	$(call msg,GEN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		-e 's|@DOCDIR@|$(DOCDIR)|g' $< > $@

install: $(call install_field,2)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)set -e; for e in $(INSTALL_FILES); do \
		mode=$${e%%:*} rest=$${e#*:}; \
		install -D -m "$$mode" "$${rest%%:*}" "$(DESTDIR)$${rest#*:}"; \
	done

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(call install_field,3))
	$(Q)for d in $(OWN_DIRS); do \
		[ ! -d "$(DESTDIR)$$d" ] || rmdir --ignore-fail-on-non-empty "$(DESTDIR)$$d"; \
	done

FORCE:

# The daemon again with ASan+UBSan for tests/net/test_daemon_asan.sh.
$(BUILD)/xmptcpd-asan: $(APP_SRCS) $(HDRS) $(SKELS) $(BUILD)/libxmp-asan.a
	$(call msg,LINK-ASAN,$@)
	$(Q)$(CC) $(XCFLAGS) $(SANFLAGS) $(APP_SRCS) $(BUILD)/libxmp-asan.a $(LIBS) -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(TEST_HDRS) $(HDRS) $(BUILD)/libxmptest.a $(BUILD)/libxmp.a
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -Itests -Ibpf $< $(BUILD)/libxmptest.a $(BUILD)/libxmp.a $(LIBS) -o $@

$(BUILD)/tests/asan/%: tests/unit/%.c $(TEST_HDRS) $(HDRS) $(BUILD)/libxmptest-asan.a \
		       $(BUILD)/libxmp-asan.a
	$(call msg,TEST-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) $(SANFLAGS) -Itests -Ibpf $< $(BUILD)/libxmptest-asan.a \
		$(BUILD)/libxmp-asan.a $(LIBS) -o $@

# Scheduler policy plugins that test_sched loads with dlopen (found next to the
# test binaries: $(BUILD)/tests/sched/); example_policy_abi99.so is the same
# source claiming another ABI. No sanitizers: both test flavours load them.
$(BUILD)/tests/sched/example_policy.so $(BUILD)/tests/sched/example_policy_abi99.so: \
		tests/sched/example_policy.c include/xmptcp/sched.h include/xmptcp/types.h
	$(call msg,CC-SO,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -fPIC -shared $(if $(findstring abi99,$@),-DEXAMPLE_ABI_VERSION=99) $< -o $@
$(BUILD)/tests/unit/test_sched $(BUILD)/tests/asan/test_sched: \
		$(BUILD)/tests/sched/example_policy.so $(BUILD)/tests/sched/example_policy_abi99.so

# test_ctl_json compiles the CLI's JSON writer in (the CLI is not in libxmp).
$(BUILD)/tests/unit/test_ctl_json $(BUILD)/tests/asan/test_ctl_json: user/ctl/json.c
# test_config compiles the daemon's option table and value parsers in.
$(BUILD)/tests/unit/test_config $(BUILD)/tests/asan/test_config: user/app/options.c \
		user/app/opt_values.c

$(BUILD)/tests/bpf/%: tests/bpf/%.c $(TEST_HDRS) $(HDRS) $(SKELS) $(BUILD)/libxmp.a
	$(call msg,TEST,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -Itests -Ibpf $< $(BUILD)/libxmp.a $(LIBS) -o $@

$(BUILD)/tests/tools/%: tests/tools/%.c $(TEST_HDRS) $(HDRS) $(BUILD)/libxmp.a
	$(call msg,TOOL,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -Itests -Ibpf $< $(BUILD)/libxmp.a $(LIBS) -o $@

$(BUILD)/bench/%: bench/%.c $(HDRS) $(SKELS) $(BUILD)/libxmp.a
	$(call msg,BENCH,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -Itests -Ibpf $< $(BUILD)/libxmp.a $(LIBS) -o $@

# Fuzzers are built with clang from the library sources themselves, so the
# whole path under test carries the fuzzer's coverage instrumentation.
$(BUILD)/fuzz/obj/%.o: %.c $(HDRS) $(TEST_HDRS) $(SKELS) tests/fuzz/nocov.txt
	$(call msg,FUZZCC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZFLAGS) $(if $(filter $<,$(FUZZ_CMP_SRCS)),,-fno-sanitize-coverage=trace-cmp) \
		-c $< -o $@

$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_OBJS) $(HDRS) $(TEST_HDRS) $(SKELS) tests/fuzz/nocov.txt
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZFLAGS) -fsanitize=fuzzer $< $(FUZZ_OBJS) $(LIBS) -o $@

# A generator may include its target's harness (shared setup and record format).
$(BUILD)/fuzz/gen_corpus_%: tests/fuzz/gen_corpus_%.c tests/fuzz/fuzz_%.c tests/fuzz/corpus.h $(HDRS) \
			    $(BUILD)/libxmptest.a $(BUILD)/libxmp.a
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) -Itests -Ibpf $< $(BUILD)/libxmptest.a $(BUILD)/libxmp.a $(LIBS) -o $@

# Every output lives below $(BUILD), so ordering its creation after deps makes
# `make -j` wait for the dependency check before the first compiler runs.
$(BUILD): | deps
	$(Q)mkdir -p $@

test: all
	$(Q)BUILD=$(BUILD) tests/run.sh

unit: deps $(UNIT_BINS) $(UNIT_ASAN)
	$(Q)BUILD=$(BUILD) tests/run.sh --unit

# make bench [BENCH_BASE=rev]: every benchmark (bench/run.sh); with BENCH_BASE the
# goodput runs measure ours <-> ours and ours -> kernel with that revision's build
# too, alternating, and print both (CPU s/GB, goodput) beside the kernel's.
BENCH_BASE ?=
bench: all
	$(Q)BUILD=$(BUILD) BENCH_BASE=$(BENCH_BASE) bench/run.sh

# make fuzz [FUZZ_TIME=seconds] [FUZZ_RUNS=n] [FUZZ_TARGETS=name,...] [FUZZ_JOBS=j]:
# every target (or those named) from its seed corpus, for FUZZ_TIME seconds (60
# when neither is given) or until FUZZ_RUNS executions each; with both,
# FUZZ_TIME is a deadline and falling short of FUZZ_RUNS by then fails.
# FUZZ_JOBS processes per target share the corpus and the FUZZ_RUNS count.
#   make fuzz FUZZ_RUNS=10000000 FUZZ_TARGETS=pkt_input FUZZ_JOBS=2
fuzz: all
	$(Q)BUILD=$(BUILD) FUZZ_TIME=$(FUZZ_TIME) FUZZ_RUNS=$(FUZZ_RUNS) \
		FUZZ_TARGETS=$(FUZZ_TARGETS) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run.sh

# make soak [SOAK_TIME=seconds]: scripts/soak.sh, root: two SOAK_TIME-second runs (ours <->
# kernel MPTCP, ours <-> ours) over two relayed paths with 10% loss, duplication,
# reordering and two link flaps a minute; every byte checked, no stuck connection,
# daemon RSS flat. Figures in build/soak/soak.json; `scripts/soak.sh --help` for knobs.
soak: all
	$(Q)BUILD=$(BUILD) SOAK_TIME=$(SOAK_TIME) scripts/soak.sh

demo: all
	$(Q)BUILD=$(BUILD) scripts/demo.sh

clean:
	$(call msg,CLEAN,$(BUILD))
	$(Q)rm -rf $(BUILD)
