#!/usr/bin/env bash
# Fuzz every parser of user input, one target at a time:
#
#   tests/fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default 60, every target)
#
# Prints the executions and crashes of each target and exits non-zero when
# any target crashed (the crashing input is kept in tests/fuzz/artifacts/).
# Not part of `cargo test` or CI: it needs cargo-fuzz (installed here when
# missing) and nightly compiler flags, which RUSTC_BOOTSTRAP=1 unlocks on a
# stable toolchain. Each target runs in one process (libFuzzer's default, no
# -jobs/-workers): the machine may be shared.
set -uo pipefail

secs="${1:-60}"
shift || true
only=("$@")
case "$secs" in
'' | *[!0-9]*)
  echo "usage: $0 [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
  ;;
esac

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root" || exit 1
fuzz=tests/fuzz
export RUSTC_BOOTSTRAP=1
# Panics are what we look for in safe Rust: no sanitizer keeps runs fast;
# cargo fuzz builds optimized with debug assertions and overflow checks.
flags=(--fuzz-dir "$fuzz" --sanitizer none)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz (once, from crates.io)"
  cargo install cargo-fuzz --locked || exit 1
fi

echo "== building the fuzz targets"
if [ "${#only[@]}" -gt 0 ]; then
  # Only the targets named: one broken target elsewhere does not stop them.
  for t in "${only[@]}"; do
    cargo fuzz build "${flags[@]}" "$t" || exit 1
  done
else
  cargo fuzz build "${flags[@]}" || exit 1
fi

mapfile -t targets < <(cargo fuzz list --fuzz-dir "$fuzz")
if [ "${#only[@]}" -gt 0 ]; then
  for t in "${only[@]}"; do
    printf '%s\n' "${targets[@]}" | grep -qx -- "$t" || {
      echo "no fuzz target named $t (cargo fuzz list --fuzz-dir $fuzz)" >&2
      exit 2
    }
  done
  targets=("${only[@]}")
fi
if [ "${#targets[@]}" -eq 0 ]; then
  echo "no fuzz targets found in $fuzz" >&2
  exit 1
fi

logs="$fuzz/target/logs"
mkdir -p "$logs"
failed=0
summary=()
for t in "${targets[@]}"; do
  corpus="$fuzz/corpus/$t"
  artifacts="$fuzz/artifacts/$t"
  mkdir -p "$corpus" "$artifacts"
  dirs=("$corpus")
  [ -d "$fuzz/seeds/$t" ] && dirs+=("$fuzz/seeds/$t")
  before="$(find "$artifacts" -type f | sort)"
  echo "== $t: ${secs}s"
  cargo fuzz run "${flags[@]}" "$t" "${dirs[@]}" -- \
    -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
    -dict="$fuzz/parsers.dict" -artifact_prefix="$artifacts/" \
    >"$logs/$t.log" 2>&1
  rc=$?
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$logs/$t.log" | tail -n 1)"
  [ -n "$execs" ] || execs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$logs/$t.log" | tail -n 1)"
  [ -n "$execs" ] || execs="?"
  new="$(comm -13 <(printf '%s\n' "$before") <(find "$artifacts" -type f | sort) | sed '/^$/d')"
  crashes="$(printf '%s' "$new" | grep -c . || true)"
  if [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    crashes="1 (no artifact: see $logs/$t.log)"
  fi
  summary+=("$(printf '%-20s %14s execs %s crashes' "$t" "$execs" "$crashes")")
  if [ "$rc" -ne 0 ] || [ -n "$new" ]; then
    failed=1
    echo "   $t crashed; log: $logs/$t.log"
    grep -m 3 -E "panicked|ERROR|SUMMARY" "$logs/$t.log" | sed 's/^/   /'
    for a in $new; do
      echo "   input: $a (replay: cargo fuzz run ${flags[*]} $t $a)"
    done
  fi
done

echo "== summary (${secs}s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
