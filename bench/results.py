"""Turns bench/run.sh's raw figures into bench/RESULTS.md: medians of the rounds, each figure as a
ratio to its reference, and whether each target of issue 5 was reached."""

import datetime
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

raw, rounds, seconds, conns = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
values = defaultdict(list)
for line in open(raw):
    scenario, subject, metric, value = line.rstrip("\n").split("\t")
    try:
        values[(scenario, subject, metric)].append(float(value))
    except ValueError:
        pass


def med(scenario, subject, metric):
    found = values.get((scenario, subject, metric))
    return statistics.median(found) if found else float("nan")


def all_of(scenario, subject, metric):
    return ", ".join(f"{v:g}" for v in values.get((scenario, subject, metric), []))


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def verdict(ok):
    return "**reached**" if ok else "**not reached**"


try:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
except OSError:
    commit = "?"

rows = []
get_t, get_c, get_j = med("get", "tally", "rps"), med("get", "ceiling", "rps"), med("get", "json-server", "rps")
patch_t, patch_m, patch_j = med("patch", "tally", "rps"), med("patch", "in-memory", "rps"), med("patch", "json-server", "rps")
syncs = med("sync", "tally", "syncs_per_write")
cold, rss = med("coldstart", "tally", "first_200_ms"), med("coldstart", "tally", "idle_rss_mib")
imp = med("import", "tally", "snapshots_per_s")
g_get_s, g_get_l = med("growth_get", "small", "p50_ms"), med("growth_get", "large", "p50_ms")
g_d30_s, g_d30_l = med("growth_d30", "small", "p50_ms"), med("growth_d30", "large", "p50_ms")
d180, d180_c = med("d180", "tally", "p99_ms"), med("d180", "ceiling", "p99_ms")
d180_rps, d180_c_rps = med("d180", "tally", "rps"), med("d180", "ceiling", "rps")

out = []
w = out.append
w("# Benchmark results")
w("")
w(f"Written by `bash bench/run.sh` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit `{commit}` "
  f"(plus the working tree). Machine: {os.cpu_count()} cores ({cpu_model()}), shared with other work while it ran, "
  f"Linux {platform.release()}. Load: wrk, {conns} connections and 2 threads unless noted, {seconds} s a run; "
  f"references run beside tally in the same run, interleaved round by round; every figure is the median of {rounds} rounds "
  "(each round's value is in the detail table). The load generator shares the cores with the servers, so absolute "
  "figures are low; the ratios are the point.")
w("")
w("## Targets (issue 5)")
w("")
w("| # | target | measured (median) | ratio | verdict |")
w("|---|---|---|---|---|")
w(f"| 1 | GET one object, 64 conns: ≥ 0.6 × the ceiling's req/s | tally {get_t:,.0f} req/s, ceiling {get_c:,.0f} req/s | {get_t / get_c:.2f} × ceiling | {verdict(get_t / get_c >= 0.6)} |")
w(f"| 2a | durable PATCH, 64 conns: ≥ 0.7 × `--in-memory` | durable {patch_t:,.0f} req/s, in-memory {patch_m:,.0f} req/s | {patch_t / patch_m:.2f} × in-memory | {verdict(patch_t / patch_m >= 0.7)} |")
w(f"| 2b | ≤ 0.25 sync calls (fsync+fdatasync+sync_file_range) per acknowledged write | {syncs:.3f} per write | {syncs / 0.25:.2f} × the limit | {verdict(syncs <= 0.25)} |")
w(f"| 2c | ≥ 50 × json-server's PATCH | tally {patch_t:,.0f} req/s, json-server {patch_j:,.0f} req/s | {patch_t / patch_j:.1f} × json-server | {verdict(patch_t / patch_j >= 50)} |")
w(f"| 3a | cold start to first 200, 100k snapshots: median ≤ 100 ms | {cold:.1f} ms | {cold / 100:.2f} × the limit | {verdict(cold <= 100)} |")
w(f"| 3b | idle RSS ≤ 30 MiB | {rss:.1f} MiB | {rss / 30:.2f} × the limit | {verdict(rss <= 30)} |")
w(f"| 4 | `tally import` of 1M snapshots ≥ 100k/s, durable at the end | {imp:,.0f} snapshots/s | {imp / 100000:.2f} × the target | {verdict(imp >= 100000)} |")
w(f"| 5a | growth: p50 GET by id, 1M snapshots / 10k tenants vs 10k / 100: ≤ 1.5× | {g_get_l:.3f} ms vs {g_get_s:.3f} ms | {g_get_l / g_get_s:.2f} × | {verdict(g_get_l / g_get_s <= 1.5)} |")
w(f"| 5b | growth: p50 `getAzureADLicenseUsage(period='D30')`, same datasets: ≤ 1.5× | {g_d30_l:.3f} ms vs {g_d30_s:.3f} ms | {g_d30_l / g_d30_s:.2f} × | {verdict(g_d30_l / g_d30_s <= 1.5)} |")
w(f"| 6 | D180 with a licenseType `$filter`, tenant with 180 snapshots, 64 conns: p99 ≤ 10 ms | p99 {d180:.2f} ms | {d180 / 10:.2f} × the limit | {verdict(d180 <= 10)} |")
w("")
w(f"json-server answers GET one object at {get_j:,.0f} req/s: tally is {get_t / get_j:.1f} × json-server there.")
w("")
w(f"For target 6, the ceiling answering the same D180 page (its {os.path.getsize(os.path.join(os.path.dirname(raw), 'd180.json')) / 1024:.0f} KiB, saved from tally) "
  f"at 64 connections: p99 {d180_c:.2f} ms at {d180_c_rps:,.0f} req/s (tally: p99 {d180:.2f} ms at {d180_rps:,.0f} req/s), "
  "the tail any server has on this machine at that size, with the load generator on the same two cores.")
w("")
w("## What was run")
w("")
w("- Data: `seed store` writes through the store's bulk insert. Main directory: 556 tenants × 180 daily snapshots "
  "(100,080 snapshots, three license types each): cold start, GET, PATCH, D180. Growth: 100 tenants × 100 (10k) and "
  "10,000 tenants × 100 (1M); the measured tenant has the same 100 snapshots in both.")
w("- GET: `GET /v1.0/reports/azureADLicenseUsage/{id}` with an application token. The ceiling (`bench/src/bin/ceiling.rs`) "
  "answers any GET with the bytes tally answered for that request (saved before the run). json-server 0.17.4 "
  "(`bench/package.json`) serves the same object from its `db.json` as `/azureADLicenseUsage/{id}`.")
w("- PATCH: the seed's body, `licenseInfoDetails` with a `totalUsageCount` that changes on every request "
  "(a PATCH that changes nothing writes nothing), all 64 connections on one object. Durable: the data directory "
  "(WAL, `synchronous=FULL`, group commit); reference: the same binary with `--in-memory`; json-server writes its db.json.")
w("- Sync calls: `perf stat` on the kernel's `sys_enter_fsync`/`fdatasync`/`sync_file_range` tracepoints of the "
  "durable server's process during a separate PATCH run (strace when perf is missing), divided by the 2xx answers wrk counted.")
w("- Cold start: `bench/src/bin/coldstart.rs` spawns `tally serve` on the main directory and polls the GET every 200 µs "
  "until the first 200 (process start to answer); idle RSS is VmRSS one second later.")
w("- Import: `tally import` of a 1,000,000-line JSON lines file (`seed jsonl`) into a new data directory, wall time "
  "including start and the last commit (each batch of 10,000 is one transaction, fsynced before the next).")
w("- Growth: 4 connections, 1 wrk thread (latency rather than throughput), GET by id and the D30 report of the measured tenant.")
w("- D180: `getAzureADLicenseUsage(period='D180')?$filter=licenseInfoDetails/any(d:d/licenseType eq 'premiumP2')`, "
  "first page (100 of 180), 64 connections; the ceiling serves that page's bytes as a reference.")
w("")
w("## Every figure")
w("")
w("| scenario | subject | metric | median | rounds |")
w("|---|---|---|---|---|")
for (scenario, subject, metric) in sorted(values):
    w(f"| {scenario} | {subject} | {metric} | {med(scenario, subject, metric):g} | {all_of(scenario, subject, metric)} |")
w("")
print("\n".join(out))
