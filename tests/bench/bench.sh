#!/usr/bin/env bash
# Benchmark of leaktriage on big generated heap snapshots. Prints figures only:
# it is not a test and asserts nothing about timings.
#
# Usage: tests/bench/bench.sh [--sizes 200,1024] [--runs 3] [--data DIR] [--tools DIR]
#                             [--binary build/leaktriage] [--skip-anchors] [--rounds]
#
# For each size N (MB) it uses DATA/scale-Nmb.heapsnapshot and its gzip -6 copy
# (generating them with TOOLS/gen/scale.js when missing), then measures with
# /usr/bin/time -v (wall clock, peak RSS):
#   1. leaktriage analyze FILE.gz --json                 (the product)
#   2. leaktriage analyze FILE.gz --json --no-findings   (only if `analyze --help` lists it)
#   3. pigz -dc FILE.gz                                  (the floor: decompression alone)
#   then one `analyze --timings` run: per-stage seconds, minor page faults, peak RSS
#   4. the DevTools oracle on the raw file                (anchor, unless --skip-anchors)
#   5. the memlab anchor on the raw file                  (anchor, unless --skip-anchors)
# 1-3: one warm-up run, then --runs runs: 1 and 2 in turns (1 2, 2 1, 1 2, ...) in one
# block, pigz in a block of its own; median wall, max peak RSS over the runs. With --rounds:
# in rounds of pigz, 1, pigz, 2 instead, so that every product run follows a pause in big
# allocations (see tests/bench/README.md). 4-5: one run each, no warm-up (about a minute
# each on the 1 GB file), after 1-3 of every size.
# See tests/bench/README.md.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

usage() {  # the usage lines of the header comment; with "full", the whole header
    local last=6
    [ "${1:-}" = full ] && last=22
    sed -n "5,${last}p" "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

SIZES=200,1024
RUNS=3
DATA=$REPO/build/bench-data
TOOLS=
BINARY=$REPO/build/leaktriage
SKIP_ANCHORS=0
ROUNDS=0

need_arg() {
    if [ $# -lt 2 ] || [ -z "$2" ]; then echo "bench.sh: $1 needs a value" >&2; usage >&2; exit 2; fi
}
while [ $# -gt 0 ]; do
    case "$1" in
        --sizes) need_arg "$@"; SIZES=$2; shift 2 ;;
        --sizes=*) SIZES=${1#*=}; shift ;;
        --runs) need_arg "$@"; RUNS=$2; shift 2 ;;
        --runs=*) RUNS=${1#*=}; shift ;;
        --data) need_arg "$@"; DATA=$2; shift 2 ;;
        --data=*) DATA=${1#*=}; shift ;;
        --tools) need_arg "$@"; TOOLS=$2; shift 2 ;;
        --tools=*) TOOLS=${1#*=}; shift ;;
        --binary) need_arg "$@"; BINARY=$2; shift 2 ;;
        --binary=*) BINARY=${1#*=}; shift ;;
        --skip-anchors) SKIP_ANCHORS=1; shift ;;
        --rounds) ROUNDS=1; shift ;;
        -h|--help) usage full; exit 0 ;;
        *) echo "bench.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
done

die() { echo "bench.sh: $*" >&2; exit 1; }

[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer (got '$RUNS')"
IFS=, read -r -a SIZE_LIST <<< "$SIZES"
[ ${#SIZE_LIST[@]} -gt 0 ] || die "--sizes is empty"
for n in "${SIZE_LIST[@]}"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "--sizes must be a comma-separated list of sizes in MB (got '$SIZES')"
done

# ---- prerequisites ---------------------------------------------------------------------

case "$BINARY" in /*) ;; */*) BINARY=$(pwd)/$BINARY ;; esac
if [ ! -x "$BINARY" ]; then
    if [ "$BINARY" = "$REPO/build/leaktriage" ]; then
        die "no binary at $BINARY: build it first (cmake -S $REPO -B $REPO/build -DCMAKE_BUILD_TYPE=Release && cmake --build $REPO/build -j2) or pass --binary PATH"
    fi
    die "binary not found or not executable: $BINARY"
fi
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"
command -v pigz >/dev/null 2>&1 || die "pigz not found: apt-get install pigz"
command -v gzip >/dev/null 2>&1 || die "gzip not found: apt-get install gzip"
command -v node >/dev/null 2>&1 || die "node not found: apt-get install nodejs npm (node >= 20)"

mkdir -p "$DATA"
DATA=$(cd "$DATA" && pwd)

# The tools folder: default is a copy of ../shared/tools in build/tools (shared/ may be
# read-only, and setup.sh writes node_modules/ and out/ next to itself).
if [ -z "$TOOLS" ]; then
    src=$REPO/../shared/tools
    TOOLS=$REPO/build/tools
    if [ ! -f "$TOOLS/setup.sh" ]; then
        [ -f "$src/setup.sh" ] || die "no tools: $src/setup.sh is missing (pass --tools DIR)"
        echo "bench: copying $src to $TOOLS" >&2
        mkdir -p "$TOOLS"
        cp -r "$src/." "$TOOLS/"
    fi
fi
[ -f "$TOOLS/gen/scale.js" ] || die "no generator at $TOOLS/gen/scale.js (pass --tools DIR)"
TOOLS=$(cd "$TOOLS" && pwd)
tools_ready=0
ensure_tools() {  # node_modules and the DevTools bundle are needed by the anchors only
    [ $tools_ready = 1 ] && return 0
    echo "bench: bash $TOOLS/setup.sh" >&2
    bash "$TOOLS/setup.sh" >&2 || die "$TOOLS/setup.sh failed (copy the tools to a writable folder and pass --tools DIR)"
    tools_ready=1
}
[ $SKIP_ANCHORS = 1 ] || ensure_tools

WORK=$(mktemp -d "${TMPDIR:-/tmp}/leaktriage-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# ---- helpers ---------------------------------------------------------------------------

# seconds from time -v's "Elapsed (wall clock) time (h:mm:ss or m:ss): 1:02.34"
parse_wall() {
    sed -n 's/^[[:space:]]*Elapsed (wall clock) time.*): *\([0-9][0-9:.]*\)[[:space:]]*$/\1/p' "$1" \
        | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f\n", s }'
}
# MB from "Maximum resident set size (kbytes): 123456"
parse_rss() {
    sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): *//p' "$1" \
        | awk '{ printf "%.0f\n", $1 / 1024 }'
}
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
maxof() { printf '%s\n' "$@" | sort -g | tail -n 1; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else { r = a / b; if (r >= 100) printf "%.0f\n", r; else if (r >= 0.1) printf "%.2f\n", r; else printf "%.2g\n", r } }'; }
# a ratio printed to 2 significant digits above 10 (15x), 2 decimals below (2.21x)
ratio_txt() { awk -v r="$1" 'BEGIN { if (r == "-") print "-"; else if (r >= 10) printf "%.0f\n", r; else if (r >= 1) printf "%.1f\n", r; else printf "%.2g\n", r }'; }
secs_txt() { awk -v s="$1" 'BEGIN { if (s >= 10) printf "%.0f s\n", s; else printf "%.3g s\n", s }'; }
mb_txt() { awk -v m="$1" 'BEGIN { if (m >= 1024) printf "%.1f GB\n", m / 1024; else printf "%d MB\n", m }'; }
commas() { awk -v n="$1" 'BEGIN { if (n !~ /^[0-9]+$/) { print n; exit } s = sprintf("%d", n); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) } print s o }'; }

# run_timed OUTFILE CMD...: one run under /usr/bin/time -v, stdout to OUTFILE, stderr kept;
# sets RUN_WALL (s) and RUN_RSS (MB); returns the command's exit status.
RUN_WALL=; RUN_RSS=
run_timed() {
    local out=$1; shift
    local tf=$WORK/time.txt ef=$WORK/stderr.txt rc=0
    /usr/bin/time -v -o "$tf" "$@" > "$out" 2> "$ef" || rc=$?
    RUN_WALL=$(parse_wall "$tf"); RUN_RSS=$(parse_rss "$tf")
    if [ $rc -ne 0 ] || [ -z "$RUN_WALL" ]; then
        echo "bench: FAILED (exit $rc): $*" >&2
        tail -n 5 "$ef" | sed 's/^/bench:   /' >&2
        [ $rc -ne 0 ] || rc=1
    fi
    return $rc
}

# measure LABEL WARMUP RUNS CMD...: sets M_WALL (median) and M_RSS (max), or "-" on failure
M_WALL=; M_RSS=
measure() {
    local label=$1 warm=$2 runs=$3; shift 3
    local walls=() rsss=() i
    M_WALL=-; M_RSS=-
    for ((i = 0; i < warm; i++)); do
        echo "bench:   $label: warm-up" >&2
        run_timed /dev/null "$@" || return 0
    done
    for ((i = 1; i <= runs; i++)); do
        run_timed "$MEASURE_OUT" "$@" || return 0
        echo "bench:   $label: run $i/$runs: ${RUN_WALL} s, ${RUN_RSS} MB" >&2
        walls+=("$RUN_WALL"); rsss+=("$RUN_RSS")
    done
    M_WALL=$(median "${walls[@]}"); M_RSS=$(maxof "${rsss[@]}")
}
MEASURE_OUT=/dev/null

# measure_products GZ: the product, the product without findings (when it has the option)
# and pigz. Sets R_WALL[k] (median) and R_RSS[k] (max) for k = 0 product, 1 --no-findings,
# 2 pigz; "-" on failure. In blocks (a warm-up, then --runs runs of each; the product's
# two kinds of run alternate in one block, so that neither is the one that meets the
# memory left cold by the steps before: in two of three runs of this script on 2026-11-30,
# with the product's block first, its first two runs were 0.45-1.1 s slower on the 1 GB
# file than its last three and than every run of the --no-findings block after it, while
# alternating runs gave the two the same median; and in turns, full, --no-findings, then
# --no-findings, full, so that each follows the other as often as itself: a run after one
# that used less memory pays for the difference in fresh memory, and on 2026-11-30 04:31,
# with the full run always after a --no-findings one, the 1 GB file's full runs took 2.51-
# 3.01 s against 2.23-2.59 s), or with --rounds in rounds after one
# warm-up round, a round being pigz, the product, pigz, the product without findings:
# every product run then follows a pigz run. On a VM whose
# guest reports free memory to the host (Firecracker here: "Free page reporting
# enabled"), the memory a process frees goes back to the host within seconds and costs a
# fault on the host when touched again, so a product run right after another is faster
# than one after a pause (as in the service, where analyses come one by one).
R_WALL=(); R_RSS=()
measure_products() {
    local gz=$1
    if [ $ROUNDS = 1 ]; then
        measure_rounds "$gz"
        return
    fi
    measure_rounds "$gz" "0 1" turn
    measure "pigz -dc" 1 "$RUNS" pigz -dc "$gz"
    R_WALL[2]=$M_WALL R_RSS[2]=$M_RSS
}

# measure_rounds GZ [ORDER [TURN]]: a warm-up round, then --runs rounds; a round runs the
# kinds of ORDER (k as above; default "2 0 2 1") one after another, every other round in
# reverse when TURN is set.
measure_rounds() {
    local gz=$1 order=${2:-2 0 2 1} turn=${3:-} i k round
    local -a names=("leaktriage" "leaktriage --no-findings" "pigz -dc") walls=("" "" "") rsss=("" "" "")
    local -a failed=(0 $((1 - HAS_NO_FINDINGS)) 0)
    for ((i = 0; i <= RUNS; i++)); do
        round=$order
        [ -z "$turn" ] || [ $((i % 2)) = 0 ] || round=$(tr ' ' '\n' <<< "$order" | tac | tr '\n' ' ')
        for k in $round; do
            [ "${failed[$k]}" = 1 ] && continue
            local -a cmd
            case $k in
            0) cmd=("$BINARY" analyze "$gz" --json) ;;
            1) cmd=("$BINARY" analyze "$gz" --json --no-findings) ;;
            2) cmd=(pigz -dc "$gz") ;;
            esac
            if ! run_timed /dev/null "${cmd[@]}"; then
                failed[$k]=1
                continue
            fi
            if [ "$i" = 0 ]; then
                echo "bench:   ${names[$k]}: warm-up" >&2
                continue
            fi
            echo "bench:   ${names[$k]}: run $i/$RUNS: ${RUN_WALL} s, ${RUN_RSS} MB" >&2
            walls[$k]+="$RUN_WALL "
            rsss[$k]+="$RUN_RSS "
        done
    done
    for k in $order; do
        R_WALL[$k]=-; R_RSS[$k]=-
        if [ "${failed[$k]}" = 0 ] && [ -n "${walls[$k]}" ]; then
            # shellcheck disable=SC2086 # the lists are words on purpose
            R_WALL[$k]=$(median ${walls[$k]}); R_RSS[$k]=$(maxof ${rsss[$k]})
        fi
    done
}

# node_count and edge_count of DATA/scale-Nmb.heapsnapshot: the generator's snapshots.jsonl
# record, else the snapshot's own header (raw file or gzip)
counts() {
    local raw=$1 gz=$2 base line nc ec
    base=$(basename "$raw")
    if [ -f "$DATA/snapshots.jsonl" ]; then
        line=$(grep -F "\"file\":\"$base\"" "$DATA/snapshots.jsonl" | tail -n 1 || true)
        nc=$(sed -n 's/.*"node_count":\([0-9]*\).*/\1/p' <<< "$line")
        ec=$(sed -n 's/.*"edge_count":\([0-9]*\).*/\1/p' <<< "$line")
        if [ -n "$nc" ] && [ -n "$ec" ]; then echo "$nc $ec"; return; fi
    fi
    local head
    if [ -s "$raw" ]; then head=$(head -c 65536 "$raw" | tr -d '\n' || true)
    else head=$( (pigz -dc "$gz" 2>/dev/null || true) | head -c 65536 | tr -d '\n' || true); fi
    nc=$(grep -o '"node_count":[0-9]*' <<< "$head" | head -n 1 | cut -d: -f2 || true)
    ec=$(grep -o '"edge_count":[0-9]*' <<< "$head" | head -n 1 | cut -d: -f2 || true)
    echo "${nc:-?} ${ec:-?}"
}

# ---- data ------------------------------------------------------------------------------

prepare() {  # prepare N: make DATA/scale-Nmb.heapsnapshot and .gz if missing
    local n=$1 raw=$DATA/scale-${1}mb.heapsnapshot
    if [ ! -s "$raw" ] && [ ! -s "$raw.gz" ]; then
        echo "bench: generating $raw (node gen/scale.js --target-mb $n)" >&2
        node --max-old-space-size=16000 "$TOOLS/gen/scale.js" "$raw" --target-mb "$n" >&2 \
            || die "generating $raw failed"
    fi
    if [ ! -s "$raw.gz" ]; then
        echo "bench: gzip -6 -k $raw" >&2
        gzip -6 -c "$raw" > "$raw.gz.tmp" && mv "$raw.gz.tmp" "$raw.gz"
    fi
    if [ ! -s "$raw" ] && [ $SKIP_ANCHORS = 0 ]; then  # the anchors run on the raw file
        echo "bench: pigz -dk $raw.gz (the anchors read the raw file)" >&2
        pigz -dc "$raw.gz" > "$raw.tmp" && mv "$raw.tmp" "$raw"
    fi
}

# ---- main ------------------------------------------------------------------------------

HAS_NO_FINDINGS=0
help_text=$(timeout 30 "$BINARY" analyze --help < /dev/null 2>&1 || true)
if grep -q -e '--no-findings' <<< "$help_text"; then HAS_NO_FINDINGS=1; fi

echo "# leaktriage benchmark"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), host: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), transparent huge pages: $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo '?')"
echo "- binary: $BINARY ($(date -u -r "$BINARY" '+built %Y-%m-%d %H:%M UTC'))"
echo "- node $(node --version), $(pigz --version 2>&1 | head -n 1), tools: $TOOLS, data: $DATA"
echo "- product and pigz: $([ $ROUNDS = 1 ] && echo "in rounds (pigz, product, pigz, product --no-findings), 1 warm-up round + $RUNS round(s)" || echo "1 warm-up + $RUNS run(s) each, the product with and without findings in turns"), median wall, max peak RSS; anchors: $([ $SKIP_ANCHORS = 1 ] && echo skipped || echo '1 run each, no warm-up')"

# First every size's product and pigz runs, then the anchors: each anchor takes gigabytes,
# and the runs right after one met that memory cold (on 2026-11-30 the first three 200 MB
# runs after the 1 GB file's anchors took 0.55-0.64 s, the last two 0.42-0.46 s).
SIZE_NAMES=(); RAWS=(); GZS=(); NODES=(); EDGES=(); RAW_BYTES=(); GZ_BYTES=()
LT_WALLS=(); LT_RSSS=(); NF_WALLS=(); NF_RSSS=(); PIGZ_WALLS=(); PIGZ_RSSS=(); STAGES=()
DT_WALLS=(); DT_RSSS=(); ML_WALLS=(); ML_RSSS=()
for n in "${SIZE_LIST[@]}"; do
    name=scale-${n}mb
    raw=$DATA/$name.heapsnapshot
    gz=$raw.gz
    prepare "$n"
    read -r nodes edges < <(counts "$raw" "$gz")
    raw_bytes="?"
    [ ! -s "$raw" ] || raw_bytes=$(stat -L -c %s "$raw")
    echo "bench: $name" >&2
    measure_products "$gz"
    SIZE_NAMES+=("$name"); RAWS+=("$raw"); GZS+=("$gz"); NODES+=("$nodes"); EDGES+=("$edges")
    RAW_BYTES+=("$raw_bytes"); GZ_BYTES+=("$(stat -L -c %s "$gz")")
    LT_WALLS+=("${R_WALL[0]}"); LT_RSSS+=("${R_RSS[0]}"); NF_WALLS+=("${R_WALL[1]:--}"); NF_RSSS+=("${R_RSS[1]:--}")
    PIGZ_WALLS+=("${R_WALL[2]}"); PIGZ_RSSS+=("${R_RSS[2]}")
    # the stages of one more run, made now: beside the measured runs, before any anchor
    STAGES+=("$("$BINARY" analyze "$gz" --json --timings 2>&1 >/dev/null \
        | grep -E '^(timings|minor page faults|peak RSS)' | sed 's/^/    /' || true)")
done
for i in "${!SIZE_NAMES[@]}"; do
    DT_WALLS+=(-); DT_RSSS+=(-); ML_WALLS+=(-); ML_RSSS+=(-)
    [ $SKIP_ANCHORS = 0 ] || continue
    ensure_tools
    raw=${RAWS[$i]}
    echo "bench: ${SIZE_NAMES[$i]}: anchors" >&2
    MEASURE_OUT=$WORK/devtools.json
    measure "DevTools oracle" 0 1 node --max-old-space-size=20000 "$TOOLS/oracle/devtools-oracle.mjs" "$raw" --top 50
    DT_WALLS[$i]=$M_WALL DT_RSSS[$i]=$M_RSS
    MEASURE_OUT=/dev/null
    measure "memlab anchor" 0 1 node --max-old-space-size=20000 "$TOOLS/anchors/memlab-analyze.js" "$raw" --top 50
    ML_WALLS[$i]=$M_WALL ML_RSSS[$i]=$M_RSS
    if [ "${NODES[$i]}" = "?" ] && [ -s "$WORK/devtools.json" ]; then
        nodes=$(grep -o '"node_count": *[0-9]*' "$WORK/devtools.json" | head -n 1 | tr -dc 0-9 || true)
        edges=$(grep -o '"edge_count": *[0-9]*' "$WORK/devtools.json" | head -n 1 | tr -dc 0-9 || true)
        NODES[$i]=${nodes:-?} EDGES[$i]=${edges:-?}
    fi
done

SUMMARY=()
FAILED=0
for i in "${!SIZE_NAMES[@]}"; do
    name=${SIZE_NAMES[$i]} raw_bytes=${RAW_BYTES[$i]} gz_bytes=${GZ_BYTES[$i]}
    lt_wall=${LT_WALLS[$i]} lt_rss=${LT_RSSS[$i]} pigz_wall=${PIGZ_WALLS[$i]}
    dt_wall=${DT_WALLS[$i]} dt_rss=${DT_RSSS[$i]}
    labels=("leaktriage analyze --json"); walls=("$lt_wall"); rsss=("$lt_rss")
    if [ $HAS_NO_FINDINGS = 1 ]; then
        labels+=("leaktriage analyze --json --no-findings"); walls+=("${NF_WALLS[$i]}"); rsss+=("${NF_RSSS[$i]}")
    fi
    labels+=("pigz -dc (floor)"); walls+=("$pigz_wall"); rsss+=("${PIGZ_RSSS[$i]}")
    if [ $SKIP_ANCHORS = 0 ]; then
        labels+=("DevTools oracle (raw file)" "memlab anchor (raw file)")
        walls+=("$dt_wall" "${ML_WALLS[$i]}"); rsss+=("$dt_rss" "${ML_RSSS[$i]}")
    fi

    echo
    echo "## $name"
    echo
    gzratio="?"
    [ "$raw_bytes" = "?" ] || gzratio=$(div "$raw_bytes" "$gz_bytes")
    echo "raw $(commas "$raw_bytes") bytes, gz $(commas "$gz_bytes") bytes (x$gzratio), $(commas "${NODES[$i]}") nodes, $(commas "${EDGES[$i]}") edges"
    echo
    echo "| tool | wall (s) | peak RSS (MB) | wall / pigz floor | speedup vs DevTools | RSS / DevTools |"
    echo "|---|---:|---:|---:|---:|---:|"
    for j in "${!labels[@]}"; do
        w=${walls[$j]} r=${rsss[$j]}
        if [ "$w" = "-" ]; then
            echo "| ${labels[$j]} | failed | - | - | - | - |"
            continue
        fi
        fl=-; sp=-; rr=-
        [ "$pigz_wall" = "-" ] || fl=$(div "$w" "$pigz_wall")
        [ "$dt_wall" = "-" ] || sp=$(div "$dt_wall" "$w")
        [ "$dt_rss" = "-" ] || rr=$(div "$r" "$dt_rss")
        echo "| ${labels[$j]} | $w | $r | $fl | $sp | $rr |"
    done

    echo
    echo "Stages of one more run, made right after the measured ones (\`analyze --timings\`: seconds,"
    echo "minor page faults — fresh memory the kernel zeroes — and the peak RSS at each stage's end;"
    echo "shallow sizes, distances, class names and the findings' path samples run on a second"
    echo "thread beside the dominators, class aggregates beside the rest of the findings):"
    echo
    echo "${STAGES[$i]}"
    if [ "$lt_wall" = "-" ]; then
        SUMMARY+=("$name: leaktriage failed")
        FAILED=1
    else
        s="$name: leaktriage $(secs_txt "$lt_wall")"
        [ "$pigz_wall" = "-" ] || s+=" = $(ratio_txt "$(div "$lt_wall" "$pigz_wall")")x pigz floor ($(secs_txt "$pigz_wall"))"
        [ "$dt_wall" = "-" ] || s+=", $(ratio_txt "$(div "$dt_wall" "$lt_wall")")x faster than DevTools ($(secs_txt "$dt_wall"))"
        s+=", peak RSS $(mb_txt "$lt_rss")"
        [ "$dt_rss" = "-" ] || s+=" = $(ratio_txt "$(div "$lt_rss" "$dt_rss")")x DevTools"
        SUMMARY+=("$s")
    fi
done

echo
echo "## Summary"
echo
printf '%s\n' "${SUMMARY[@]}"
exit $FAILED
