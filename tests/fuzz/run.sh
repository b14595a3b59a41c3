#!/usr/bin/env bash
# Fuzzes one parser with AFL++ through SharpFuzz: tests/fuzz/run.sh TARGET SECONDS [JOBS_DIR]
#   TARGET   one of `dotnet run --project tests/fuzz -c Release -- list`
#   SECONDS  how long afl-fuzz runs (it stops by itself: -V)
# Installs what is missing (Debian afl++, the sharpfuzz tool from .config/dotnet-tools.json), publishes the harness,
# instruments the target's assemblies, writes seeds and a dictionary, runs afl-fuzz, then replays every crash and hang
# it saved through the harness without AFL and prints the stats. Work folder: out/fuzz/TARGET (findings kept there).
# The machine is shared: run one afl-fuzz at a time.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${1:?usage: tests/fuzz/run.sh TARGET SECONDS}"
seconds="${2:?usage: tests/fuzz/run.sh TARGET SECONDS}"
work="out/fuzz/$target"

if ! command -v afl-fuzz >/dev/null 2>&1; then
  echo "installing afl++ (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends afl++ >/dev/null
fi
dotnet tool restore >/dev/null

# Two copies of the harness: plain (seeds, dictionary, replay) and instrumented (afl-fuzz only: instrumented code
# writes AFL's coverage map, which exists only under afl-fuzz).
rm -rf "$work/bin" "$work/afl-bin"
mkdir -p "$work"
dotnet publish tests/fuzz/DataPipe.Fuzz.csproj -c Release -o "$work/bin" --nologo -v quiet
cp -r "$work/bin" "$work/afl-bin"
harness=("dotnet" "$work/bin/DataPipe.Fuzz.dll")

rm -rf "$work/seeds"
"${harness[@]}" seeds "$target" "$work/seeds"
"${harness[@]}" dict "$target" "$work/dict.txt"
dict=()
[ -s "$work/dict.txt" ] && dict=(-x "$work/dict.txt")

for assembly in $("${harness[@]}" instrument "$target"); do
  echo "instrumenting $assembly.dll"
  dotnet sharpfuzz "$work/afl-bin/$assembly.dll"
done

# A rerun resumes from the previous findings (AFL_AUTORESUME); SharpFuzz runs the target in a child process so a
# stack overflow is a crash, not a dead fork server. CPU frequency and core_pattern cannot be set in a container.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_AUTORESUME=1 AFL_NO_AFFINITY=1
afl-fuzz -i "$work/seeds" -o "$work/findings" -t 10000 -m none -V "$seconds" "${dict[@]}" -- dotnet "$work/afl-bin/DataPipe.Fuzz.dll" afl "$target" \
  > "$work/afl.log" 2>&1 || { tail -40 "$work/afl.log"; exit 1; }

stats="$work/findings/default/fuzzer_stats"
echo "== $target: afl-fuzz for ${seconds}s"
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|stability|bitmap_cvg)' "$stats" || true

status=0
for kind in crashes hangs; do
  shopt -s nullglob
  inputs=("$work/findings/default/$kind"/id:*)
  shopt -u nullglob
  [ ${#inputs[@]} -eq 0 ] && continue
  echo "== replaying ${#inputs[@]} saved $kind"
  for f in "${inputs[@]}"; do
    timeout 60 "${harness[@]}" replay "$target" "$f" || status=1
  done
done
exit $status
