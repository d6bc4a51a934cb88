#!/usr/bin/env python3
"""20 writer processes on one incident, on PostgreSQL (README, Performance).

    python3 benches/pg_writers.py [--runs N] [--log SERVER_LOG] SEV [SEV ...]

For each run and each sev binary given (interleaved, so a noisy machine
hurts them alike): a fresh database, one incident, then 20 threads that
each run 20 `sev note 1 …` processes one after another (400 notes). It
prints the whole-process time per note (p50/p99/max), errors, whether
every note is stored and `sev verify` passes, and — with --log, the
server's log file — begin→commit of each write transaction as the server
logged it (`log_min_duration_statement = 0` is set on the bench database
only, for that run). Needs psql; the server is SEV_BENCH_PG
(default postgres://root@127.0.0.1:5432/postgres), a role that may
create databases.
"""

import argparse
import os
import re
import subprocess
import threading
import time

ADMIN = os.environ.get("SEV_BENCH_PG", "postgres://root@127.0.0.1:5432/postgres")
WRITERS, NOTES = 20, 20


def psql(url, sql):
    out = subprocess.run(
        ["psql", "-qAtX", "-v", "ON_ERROR_STOP=1", url, "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def pct(xs, p):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * p)] if xs else float("nan")


LINE = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+) \S+ \[(\d+)\] \S*@(\S+) LOG:  duration: ([\d.]+) ms  (.*)$"
)


def stamp(s):
    t = time.strptime(s.split(".")[0], "%Y-%m-%d %H:%M:%S")
    return time.mktime(t) + float("0." + s.split(".")[1])


def entries(log, offset, db):
    """(end time, pid, ms, whole statement text) of each logged statement
    of database `db`; a statement's text may go on over several lines."""
    cur = None
    with open(log, errors="replace") as f:
        f.seek(offset)
        for line in f:
            m = LINE.match(line)
            if m:
                if cur:
                    yield cur
                cur = None
                if m.group(3) == db:
                    what = m.group(5)
                    text = what.split(":", 1)[1].strip() if ":" in what else what
                    cur = (stamp(m.group(1)), m.group(2), float(m.group(4)), text)
            elif cur and not re.match(r"^\d{4}-\d\d-\d\d ", line):
                cur = (cur[0], cur[1], cur[2], cur[3] + "\n" + line.rstrip("\n"))
            elif cur:
                yield cur
                cur = None
    if cur:
        yield cur


def begin_to_commit(log, offset, db):
    """Per write transaction: from the start of the statement that began
    it to the end of its COMMIT (ms), from the server's log."""
    out, open_at = [], {}
    for end, pid, ms, text in entries(log, offset, db):
        start = end - ms / 1000
        if text.upper().startswith(("BEGIN", "START TRANSACTION")):
            open_at[pid] = start
        if re.search(r"\bCOMMIT\s*;?\s*$", text.upper()) and pid in open_at:
            out.append((end - open_at.pop(pid)) * 1000)
    return out


def run(sev, log):
    db = f"sevlock_{os.getpid()}_{int(time.time() * 1000) % 10**9}"
    psql(ADMIN, f"CREATE DATABASE {db}")
    url = ADMIN.rsplit("/", 1)[0] + "/" + db
    try:
        subprocess.run([sev, "--db", url, "new", "lock bench"], check=True, capture_output=True)
        offset = None
        if log:
            psql(ADMIN, f"ALTER DATABASE {db} SET log_min_duration_statement = 0")
            offset = os.path.getsize(log)
        times, errors = [], []
        lock = threading.Lock()

        def writer(w):
            for i in range(NOTES):
                t = time.perf_counter()
                p = subprocess.run(
                    [sev, "--db", url, "note", "1", f"writer {w} note {i}"],
                    capture_output=True,
                    text=True,
                )
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    if p.returncode == 0:
                        times.append(ms)
                    else:
                        errors.append(p.stderr.strip())

        started = time.perf_counter()
        threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        if log:
            psql(ADMIN, f"ALTER DATABASE {db} RESET log_min_duration_statement")
            time.sleep(0.5)
        notes = int(psql(url, "SELECT count(*) FROM events WHERE kind = 'note'"))
        verify = subprocess.run([sev, "--db", url, "verify"], capture_output=True, text=True)
        line = (
            f"{os.path.basename(sev)}: {len(times)} notes in {wall:.2f} s, errors {len(errors)}; "
            f"whole process p50 {pct(times, .5):.1f} ms, p99 {pct(times, .99):.1f} ms, max {max(times, default=0):.1f} ms; "
            f"notes stored {notes}/{WRITERS * NOTES}; verify {'ok' if verify.returncode == 0 else 'FAILED'}"
        )
        if log:
            btc = begin_to_commit(log, offset, db)
            line += (
                f"; begin->commit on the server ({len(btc)} writes) p50 {pct(btc, .5):.1f} ms,"
                f" p99 {pct(btc, .99):.1f} ms, max {max(btc, default=0):.1f} ms"
            )
        print(line, flush=True)
        for e in errors[:3]:
            print("  error:", e)
    finally:
        psql(ADMIN, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("--runs", type=int, default=3)
    a.add_argument("--log", help="the server's log file, for begin->commit")
    a.add_argument("sev", nargs="+")
    args = a.parse_args()
    for r in range(args.runs):
        print(f"run {r + 1}/{args.runs}, load {os.getloadavg()[0]:.1f}", flush=True)
        for sev in args.sev:
            run(os.path.abspath(sev), args.log)


if __name__ == "__main__":
    main()
