#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]: build every libFuzzer target (clang, libFuzzer +
# ASan + UBSan) and run each for a bounded time over a scratch copy of its seed corpus. Exits 1 if
# any target fails to build or finds a crash, leak, timeout or out-of-memory, after printing the
# reproducer's path and the head of its hex dump. docs/fuzzing.md has the details.
#
#   SECONDS_PER_TARGET  default 60
#   TARGET              fuzz_* names (default: every tests/fuzz/fuzz_*.c)
# Environment:
#   SEMISCOPE_FUZZ_BUILD  build directory (default build/fuzz)
#   SEMISCOPE_FUZZ_FORK   N > 0: run N worker processes that keep going after a crash
#                         (-fork=N -ignore_crashes=1); every reproducer found is kept
#   SEMISCOPE_FUZZ_ARGS   extra libFuzzer arguments
#   SEMISCOPE_TESTDATA    binlog files to wrap into extra fuzz_pipeline seeds
#                         (default tests/binlogs, the vendored copy; skipped when absent)
# Re-running is safe: the build is incremental, the committed corpus is never written to, and each
# run's reproducers replace the previous run's under $SEMISCOPE_FUZZ_BUILD/artifacts/<target>/.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
case "$secs" in ''|*[!0-9]*) echo "usage: tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2;; esac

. "$top/tools/deps.sh"
semiscope_install $SEMISCOPE_BUILD_PKGS libcmocka-dev clang || { echo "tools/fuzz.sh: FAIL (package install)"; exit 1; }

build=${SEMISCOPE_FUZZ_BUILD:-$top/build/fuzz}
mkdir -p "$build"

# Largest input per target: a little above its biggest useful seed (whole pcaps for the pipeline,
# several MySQL packets for the framer and the connection decoder, one frame for the L2-L4 decoder).
max_len_for() {
    case "$1" in
        fuzz_pipeline|fuzz_mysql_frame|fuzz_conn) echo 65536 ;;
        fuzz_decode) echo 4096 ;;
        fuzz_flow|fuzz_analysis) echo 8192 ;;
        *) echo 16384 ;;
    esac
}

testdata=${SEMISCOPE_TESTDATA:-$top/tests/binlogs}
dump_binlogs=(
    mysql-binlog-connector-java/mysql-bin.compressed
    mysql-binlog-connector-java/mysql-bin.checksum-crc32
    mysql-binlog-connector-java/mysql-bin.checksum-none
    binlog-parser/gtid-fixtures/mysql-bin.01
    kingbus/binlog/mysql_bin.000011
    mysql-binlog-connector-rust/mysql-bin.000080
    mariadb-poc/domain_id_1/mariadb-repl-bin.000002
)

if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in "$top"/tests/fuzz/fuzz_*.c; do
        targets+=("$(basename "$f" .c)")
    done
fi

# -fsanitize=fuzzer-no-link on everything gives libFuzzer coverage of the library, not only of the
# harness (the target itself gets -fsanitize=fuzzer from tests/CMakeLists.txt); -O1 for speed.
# No -Werror here: a clang-only warning must not hide crashes (tools/test owns -Werror with gcc).
if ! cmake -S "$top" -B "$build" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE= \
        -DCMAKE_C_FLAGS="-O1 -g -fsanitize=fuzzer-no-link" \
        -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=fuzzer-no-link" \
        -DSEMISCOPE_FUZZ=ON -DSEMISCOPE_SANITIZE=ON -DSEMISCOPE_WERROR=OFF -DSEMISCOPE_TESTS=ON \
        >"$build/configure.log" 2>&1; then
    cat "$build/configure.log"
    echo "tools/fuzz.sh: FAIL (configure)"
    exit 1
fi

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export TZ=UTC LC_ALL=C

failed=()
summary=()
for t in "${targets[@]}"; do
    if ! cmake --build "$build" -j "$(nproc)" --target "$t" >"$build/build-$t.log" 2>&1; then
        tail -n 40 "$build/build-$t.log"
        failed+=("$t (build)")
        summary+=("$t: BUILD FAILED (log: $build/build-$t.log)")
        continue
    fi
    bin="$build/tests/$t"
    art="$build/artifacts/$t"
    rm -rf "$art"
    mkdir -p "$art"
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/semiscope-fuzz-$t.XXXXXX")
    mkdir -p "$scratch/corpus"
    if [ -d "$top/tests/fuzz/corpus/$t" ]; then
        cp -pR "$top/tests/fuzz/corpus/$t/." "$scratch/corpus/"
    fi
    if [ "$t" = fuzz_pipeline ] && [ -d "$testdata" ]; then
        # MySQL dump sessions built from the shared binlogs (third-party files: not committed)
        python3 "$top/tools/fuzz_seed.py" dump "$scratch/corpus" "${dump_binlogs[@]/#/$testdata/}" \
            2>/dev/null || true
    fi
    args=(-max_total_time="$secs" -max_len="$(max_len_for "$t")" -timeout=25 -rss_limit_mb=2560
          -print_final_stats=1 -artifact_prefix="$art/")
    [ -f "$top/tests/fuzz/$t.dict" ] && args+=(-dict="$top/tests/fuzz/$t.dict")
    if [ "${SEMISCOPE_FUZZ_FORK:-0}" -gt 0 ]; then
        args+=(-fork="$SEMISCOPE_FUZZ_FORK" -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
    fi
    # shellcheck disable=SC2206
    extra=(${SEMISCOPE_FUZZ_ARGS:-})
    echo "== $t: ${secs}s, max_len $(max_len_for "$t"), $(ls "$scratch/corpus" | wc -l) seeds"
    (cd "$scratch" && "$bin" "${args[@]}" "${extra[@]}" "$scratch/corpus") >"$art/fuzz.log" 2>&1
    rc=$?
    rm -rf "$scratch"
    execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$art/fuzz.log" | grep -Eo '[0-9]+$' | tail -n 1)
    # slow-unit-* are information, not failures; everything else libFuzzer writes is a reproducer
    repro=$(find "$art" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
            -o -name 'oom-*' \) | sort)
    if [ "$rc" -ne 0 ] || [ -n "$repro" ]; then
        failed+=("$t")
        summary+=("$t: FAIL (exit $rc, ${execs:-?} runs; log: $art/fuzz.log)")
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$art/fuzz.log" | head -n 5
        grep -E '^ +#[0-9]+ ' "$art/fuzz.log" | grep -v -E 'libFuzzer|fuzzer::|__sanitizer|libc\.so|nptl/|sysdeps/|stdlib/abort|csu/| in main ' | head -n 12
        for r in $repro; do
            echo "reproducer: $r ($(stat -c %s "$r") bytes)"
            od -A x -t x1z -v -N 256 "$r"
        done
        [ -z "$repro" ] && tail -n 30 "$art/fuzz.log"
    else
        summary+=("$t: ok (${execs:-?} runs in ${secs}s)")
    fi
done

printf '%s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "tools/fuzz.sh: FAIL (${failed[*]})"
    echo "To replay: $build/tests/<target> <reproducer>; to keep one as a regression test, minimise"
    echo "it (<target> -minimize_crash=1 -runs=10000 <reproducer>) and save it as"
    echo "tests/fuzz/corpus/<target>/crash-<what>."
    exit 1
fi
echo "tools/fuzz.sh: PASS (${#targets[@]} targets, ${secs}s each)"
exit 0
