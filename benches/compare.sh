#!/usr/bin/env bash
# sev side by side with fzf (fuzzy filtering) and taskwarrior (a filtered
# list) over the same N items (default 100k), in one run. Prints ratios, not
# absolute times: the machine is shared and noisy. Installs fzf, taskwarrior
# and hyperfine from Debian's packages if they are missing.
#
#   benches/compare.sh            # N=100000
#   N=10000 benches/compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N=${N:-100000}

missing=()
command -v fzf >/dev/null || missing+=(fzf)
command -v task >/dev/null || missing+=(taskwarrior)
command -v hyperfine >/dev/null || missing+=(hyperfine)
command -v python3 >/dev/null || missing+=(python3)
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo build --release --quiet
sev=$PWD/target/release/sev
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "== data: $N incidents"
"$sev" demo --db "$work/sev.db" --count "$N" >/dev/null
"$sev" --db "$work/sev.db" list --all --limit 0 --json >"$work/all.json"
python3 - "$work" <<'PY'
import json, sys, uuid
work = sys.argv[1]
items = json.load(open(f"{work}/all.json"))
with open(f"{work}/titles.txt", "w") as f:
    for i in items:
        f.write(i["title"].replace("\n", " ") + "\n")
tw = lambda t: t.replace("-", "").replace(":", "")  # RFC 3339 -> 20260102T030405Z
prio = {"P1": "H", "P2": "H", "P3": "M", "P4": "L", "P5": "L"}
tasks = []
for i in items:
    t = {"uuid": str(uuid.uuid4()), "description": i["title"], "entry": tw(i["created_at"]),
         "priority": prio[i["priority"]]}
    if i["service"]:
        t["project"] = i["service"]
    if i["status"] in ("triage", "acknowledged", "investigating", "mitigated"):
        t["status"] = "pending"
    else:
        t["status"] = "completed"
        t["end"] = tw(i["updated_at"])
    tasks.append(t)
json.dump(tasks, open(f"{work}/tasks.json", "w"))
PY
task="task rc.data.location=$work/tw rc.confirmation=off rc.verbose=nothing rc.hooks=off rc.gc=off rc.color=off"
mkdir -p "$work/tw"
$task import "$work/tasks.json" >/dev/null </dev/null

ratio() { # name, hyperfine json: prints sev's mean time as a multiple of the other's
  python3 - "$@" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
r = {x["command"]: x for x in json.load(open(path))["results"]}
s, o = r["sev"], [v for k, v in r.items() if k != "sev"][0]
other = [k for k in r if k != "sev"][0]
q = s["mean"] / o["mean"]
verdict = f"{1/q:.2f}x faster than {other}" if q < 1 else f"{q:.2f}x slower than {other}"
print(f"{name:<38} sev takes {q:.2f}x {other}'s time ({verdict})")
PY
}

# Through the shell (hyperfine subtracts its start-up), so fzf can read a file.
hf() { hyperfine -i --warmup 2 --runs "${RUNS:-10}" --style none "$@" >/dev/null; }

echo "== fuzzy search over $N titles: sev search QUERY -n 0 vs fzf --filter QUERY"
for q in "d" "dns" "dns fail"; do
  a=$("$sev" --db "$work/sev.db" search $q -n 0 | tail -n +2 | wc -l)
  b=$(fzf --filter "$q" <"$work/titles.txt" | wc -l)
  hf --export-json "$work/s.json" -n sev "$sev --db $work/sev.db search $q -n 0" \
     -n fzf "fzf --filter '$q' <'$work/titles.txt'"
  ratio "search '$q' ($a vs $b matches)" "$work/s.json"
done

echo "== filtered list: sev list --service S vs task project:S list (open = pending)"
for s in checkout auth; do
  a=$("$sev" --db "$work/sev.db" list --service "$s" --limit 0 | tail -n +2 | wc -l)
  b=$($task project:"$s" list </dev/null | grep -c . || true)
  hf --export-json "$work/l.json" -n sev "$sev --db $work/sev.db list --service $s --limit 0" \
     -n taskwarrior "$task project:$s list"
  ratio "list service=$s ($a vs $b rows)" "$work/l.json"
done
echo "== all incidents with a filter: sev list --all --service S vs task project:S all"
hf --export-json "$work/a.json" -n sev "$sev --db $work/sev.db list --all --service checkout --limit 0" \
   -n taskwarrior "$task project:checkout all"
ratio "list --all service=checkout" "$work/a.json"
