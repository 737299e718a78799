#!/usr/bin/env python3
"""bench/keys.sh's report: turns the run's raw files into <name>.md and <name>.json; exit code 3 when a target is missed.

Inputs in --work: points.jsonl (one wrk point a line, with the gateway's CPU ticks of the window), sent.jsonl (every wrk
run and check, measured or not: what was sent on each route), spend.json (GET /acore/spend?group_by=key at the end),
keys-ids.txt and keys-off-ids.txt (the ids of the keys made with limits and, for --off keys, without), refusal.txt
(non-empty when the measurement stopped on an answer other than 200), machine.txt.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

ap = argparse.ArgumentParser()
ap.add_argument("--work", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--trial", default="0")
ap.add_argument("--keys", default="1000")
ap.add_argument("--off", default="keys", choices=["keys", "token"])
a = ap.parse_args()

TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")
CPU_TARGET = 1.10
QUIET = 0.1


def lines(name):
    path = f"{a.work}/{name}"
    return [json.loads(x) for x in open(path) if x.strip()] if os.path.exists(path) else []


points = lines("points.jsonl")
sent = lines("sent.jsonl")
try:
    spend = json.load(open(f"{a.work}/spend.json"))
except (OSError, ValueError):
    spend = {}
def ids(name):
    path = f"{a.work}/{name}"
    return {x.strip() for x in open(path) if x.strip()} if os.path.exists(path) else set()


key_ids, off_ids = ids("keys-ids.txt"), ids("keys-off-ids.txt")
OFF = "the same number of keys without limits" if a.off == "keys" else "the server token"
refusal = open(f"{a.work}/refusal.txt").read().strip() if os.path.exists(f"{a.work}/refusal.txt") else ""
machine = [x.rstrip("\n") for x in open(f"{a.work}/machine.txt")]
sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
trial = a.trial == "1"


def other_cores(p):
    # Busy time of the whole machine minus the two gateways, the fake, Redis and the two wrk clients, per second.
    known = (p["gateway_ticks"] + p.get("peer_ticks", 0) + p["fakes_ticks"] + p.get("redis_ticks", 0)) / 100 + p["client_cpu_s"]
    return max(0.0, (p["machine_ticks"] / 100 - known) / p["window_s"])


def agg(ps):
    reqs = sum(p["requests"] for p in ps)
    return dict(
        rps=statistics.mean(p["rps"] for p in ps),
        p50=statistics.median(p["latency_ms"]["p50"] for p in ps),
        p99=statistics.median(p["latency_ms"]["p99"] for p in ps),
        cpu=sum(p["gateway_ticks"] for p in ps) * TICK_US / reqs if reqs else float("nan"),
        errors=sum(p["errors"] for p in ps),
        non_2xx=sum(p["non_2xx"] for p in ps),
        requests=reqs,
        other=max(other_cores(p) for p in ps),
        load=max(float(p["loadavg"]) for p in ps),
    )


verdicts = []
rows, table_json = [], []
worst = None
for mode in ("plain", "stream"):
    for c in sorted({p["connections"] for p in points if p["mode"] == mode}):
        sel = [p for p in points if p["mode"] == mode and p["connections"] == c]
        s_off, s_on = [p for p in sel if p["label"] == "off"], [p for p in sel if p["label"] == "on"]
        if not s_off or not s_on:
            continue
        off, on = agg(s_off), agg(s_on)
        ratio = on["cpu"] / off["cpu"]
        rounds = []
        for r in sorted({p["round"] for p in sel}):
            ro, rn = [p for p in s_off if p["round"] == r], [p for p in s_on if p["round"] == r]
            if ro and rn and len(ro) == len(rn):
                rounds.append(agg(rn)["cpu"] / agg(ro)["cpu"])
        # Only the windows during which others took < 0.1 cores: a busy neighbour changes the gateway's CPU per request
        # (fewer idle cores: less spinning of the thread pool), so the ratio of quiet windows is the cleaner figure.
        qo = [p for p in s_off if other_cores(p) < QUIET]
        qn = [p for p in s_on if other_cores(p) < QUIET]
        quiet = f"{agg(qn)['cpu'] / agg(qo)['cpu']:.3f} ({len(qo)}+{len(qn)})" if qo and qn else f"— ({len(qo)}+{len(qn)})"
        # Redis serves both gateways at once: its CPU per request of either route, over the point's windows (each window
        # counted once: its two lines carry the same redis_ticks).
        redis_us = sum(p.get("redis_ticks", 0) for p in s_off) * TICK_US / (off["requests"] + on["requests"])
        worst = ratio if worst is None else max(worst, ratio)
        name = "non-streamed" if mode == "plain" else "streamed"
        spread = (f"{min(rounds):.3f}–{max(rounds):.3f}" if len(rounds) > 1 else f"{rounds[0]:.3f}") if rounds else "—"
        rows.append(
            f"| {name} | {c} | {off['rps']:,.0f} | {on['rps']:,.0f} ({on['rps'] / off['rps']:.1%}) | "
            f"{off['p50']:.2f} / {off['p99']:.2f} | {on['p50']:.2f} / {on['p99']:.2f} | "
            f"{off['cpu']:.1f} | {on['cpu']:.1f} | **{ratio:.3f}×** | {spread} | "
            f"{off['errors'] + on['errors']} / {off['non_2xx'] + on['non_2xx']} | {quiet} | {redis_us:.1f} | "
            f"{max(off['other'], on['other']):.2f} | {max(off['load'], on['load']):.2f} |")
        table_json.append(dict(mode=name, connections=c, off=off, on=on, cpu_ratio=ratio, round_cpu_ratios=rounds,
                               quiet_points=quiet, redis_cpu_us_per_request=redis_us))


# Every answer other than 200 in any wrk run (pre-warm, warm-ups, windows): a 429 is a limit that refused, a 401 a key
# the gateway did not know; either makes the "limits on" figures those of another path.
statuses = {}
for s in sent:
    for k, v in (s.get("statuses") or {}).items():
        statuses[k] = statuses.get(k, 0) + v
# wrk's errors count its answers ≥ 400 (non_2xx) too: socket errors are the rest.
bad = sum(s.get("errors", 0) - s.get("non_2xx", 0) for s in sent) + sum(statuses.values())
verdicts.append(("answers other than 200, or socket errors, in any wrk run (pre-warm, warm-ups, windows)", "0",
                 f"{bad:,}" + (f" (statuses {json.dumps(statuses)})" if statuses else "") + (f"; measurement stopped: {refusal}" if refusal else ""),
                 bad == 0 and not refusal))
# Refused requests are cheap ones: with any answer other than 200 the "limits on" figures are not those of the path.
if worst is not None:
    verdicts.insert(0, ("limits on ÷ off, gateway CPU µs per request, every mode and connection count (pooled over rounds)",
                        f"≤ {CPU_TARGET:.2f}×", f"worst {worst:.3f}×" + ("" if bad == 0 and not refusal else " (not valid: answers other than 200)"),
                        worst <= CPU_TARGET and bad == 0 and not refusal))
else:
    verdicts.insert(0, ("limits on ÷ off, gateway CPU µs per request", f"≤ {CPU_TARGET:.2f}×", "no point measured", False))


def sent_by(label):
    runs = [s for s in sent if s.get("label") == label]
    # Answers of 200 only (a refused request is not billed), and the connections of every wrk run.
    ok = sum(s["requests"] - sum((s.get("statuses") or {}).values()) for s in runs)
    return ok, sum(s.get("connections", 0) for s in runs if s.get("phase") != "check")


rows_spend = spend.get("data") or []
key_rows = [r for r in rows_spend if r.get("key_id") in key_ids]
billed_keys = sum(r.get("requests", 0) for r in key_rows)
# The off route's rows: its keys', or the server token's (every row but the keys').
off_rows = [r for r in rows_spend if (r.get("key_id") in off_ids if a.off == "keys" else r.get("key_id") not in key_ids)]
billed_off = sum(r.get("requests", 0) for r in off_rows)
other_rows = [r for r in rows_spend if r.get("key_id") not in key_ids and r not in off_rows]
sent_on, inflight_on = sent_by("on")
sent_off, inflight_off = sent_by("off")
per_key = sorted(r.get("requests", 0) for r in key_rows)
nkeys = int(a.keys)
verdicts.append(("keys with limits with a row in GET /acore/spend?group_by=key", f"{nkeys:,}", f"{len(key_rows):,}", len(key_rows) == nkeys == len(key_ids)))
if a.off == "keys":
    verdicts.append(("keys without limits with a row", f"{nkeys:,}", f"{len(off_rows):,}", len(off_rows) == nkeys == len(off_ids)))
# wrk counts the answers it read; a request in flight when wrk stopped may still have been answered and billed: at most
# one per connection of each run.
verdicts.append(("requests billed to the keys with limits vs 200 answers read with them (+ at most one in flight per connection per wrk run)",
                 f"{sent_on:,} – {sent_on + inflight_on:,}", f"{billed_keys:,}", sent_on > 0 and sent_on <= billed_keys <= sent_on + inflight_on))
verdicts.append((f"requests billed to {OFF} vs 200 answers read with {'them' if a.off == 'keys' else 'it'} (+ in flight, as above)",
                 f"{sent_off:,} – {sent_off + inflight_off:,}", f"{billed_off:,}" + (f" (rows: {', '.join(str(r.get('key_id')) for r in off_rows)})" if a.off == "token" and off_rows else ""),
                 sent_off > 0 and sent_off <= billed_off <= sent_off + inflight_off))
verdicts.append(("rows of anything else", "0", f"{len(other_rows):,}", not other_rows))

status = 0 if all(v[3] for v in verdicts) else 3
lines_md = [f"# Virtual keys: {nkeys:,} keys with limits on vs {OFF} ({sha})", ""]
if trial:
    lines_md += ["> **TRIAL RUN** (`bench/keys.sh --trial`): short windows, one round. It shows that the harness works end "
                 "to end; its figures are not the measurement.", ""]
pauses = sorted({(p["connections"], p.get("pause_ms", 0)) for p in points})
pacing = ("paced (each connection waits before each request: " + ", ".join(f"{ms} ms at {c} connections" for c, ms in pauses) +
          "; a closed loop saturates the 2 cores, and CPU per request then follows whatever CPU a gateway gets)"
          if any(ms for _, ms in pauses) else "closed loop")
lines_md += [
    "Produced by `bench/keys.sh`. A private Redis (no persistence), the TestKit fake upstream (zero latency) and two "
    "identical gateway processes (Release, the container image's runtime settings), both with `ConnectionStrings__cache` "
    "to that Redis (keys, limits and spend in Redis), the same server token and `OPENAI_COMPATIBLE_BASE_URL` to the fake. "
    f"{nkeys:,} keys made through `POST /acore/keys`, each with rpm, tpm, max_parallel and budget_usd set, high enough never "
    f"to refuse. Route **on**: each request with the next of the {nkeys:,} keys (round robin): key lookup, the lease limiter "
    "(rpm, tpm, parallel), the budget check, the key's rate-limit headers, its billing. Route **off**: "
    + (f"the same with {nkeys:,} more keys made without any limit or budget: key lookup and billing alike, no limiter, no "
       "budget check, no rate-limit headers. " if a.off == "keys" else
       "every request with the server token (no key at all, billed under `server`). ")
    + "Both routes run at the same time, one per gateway, and swap "
    "gateways every window, so what the host does meanwhile falls on both alike; wrk (`bench/keys.lua`), one thread per "
    f"gateway, {pacing}, the same body (non-streamed or streamed chat to `openai-compatible/fake-model`); a round is two "
    "windows (off on gateway 1 and on on gateway 2, then the other way round).", "",
    "## Verdict", "", "| target | wanted | measured | |", "|---|---|---|---|",
    *[f"| {t} | {w} | {m} | {'PASS' if ok else 'FAIL'} |" for t, w, m, ok in verdicts], "",
]
if rows:
    lines_md += [
        f"## Limits on ({nkeys:,} keys) vs off ({OFF}), at the same time on twin gateways", "",
        "CPU µs/req: the gateway process's user+system time (/proc/<pid>/stat) over the measured window ÷ requests, pooled "
        "over the rounds; \"per round\" gives the range of the on ÷ off ratio of each round. p50/p99: medians over the "
        "windows, whole response (streamed: to the end of the stream). Errors / non-2xx: wrk's socket errors and answers "
        "≥ 400. \"Quiet windows only\": on ÷ off CPU pooled over the windows during which others took < 0.1 cores (how many "
        "of each in brackets). Redis CPU µs/req: the Redis process's CPU over the windows ÷ the requests of both routes "
        "(it serves both gateways). \"Other\": the most cores any window saw taken by processes outside the bench (machine "
        "busy time − gateways − fake − Redis − wrk). Load: the highest 1-min load average read at the end of a window.", "",
        "| mode | conns | off req/s | on req/s (÷ off) | off p50 / p99 ms | on p50 / p99 ms | off CPU µs/req | "
        "on CPU µs/req | on ÷ off CPU | per round | errors / non-2xx | quiet windows only (n off+on) | Redis CPU µs/req | "
        "other cores | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|", *rows, "",
    ]
lines_md += [
    "## Spend recorded (`GET /acore/spend?group_by=key` on gateway 1, after the run)", "",
    f"- keys with limits with a row: **{len(key_rows):,}** of {len(key_ids):,}; their requests billed: **{billed_keys:,}** "
    f"(per key: min {per_key[0] if per_key else 0:,}, median {statistics.median(per_key) if per_key else 0:,.0f}, "
    f"max {per_key[-1] if per_key else 0:,}); cost ${sum(r.get('cost_usd', 0) for r in key_rows):,.6f}, "
    f"unpriced requests {sum(r.get('unpriced_requests', 0) for r in key_rows):,}",
    f"- requests sent with keys, every wrk run and check (pre-warm, warm-ups, windows): {sent_on:,} answered 200 (wrk and "
    f"curl); at most {inflight_on:,} more in flight when a run stopped",
    f"- the off route ({OFF}): {len(off_rows):,} rows, {billed_off:,} requests billed; {sent_off:,} answered 200 "
    f"(+ at most {inflight_off:,} in flight)",
    f"- other rows: " + (", ".join(f"`{r.get('key_id')}` {r.get('requests', 0):,} requests" for r in other_rows) or "none"),
    f"- total cost of all rows: ${spend.get('total_cost_usd', 0)}", "",
]
lines_md += ["## Machine", "", *[f"- {m}" for m in machine], ""]

open(a.out + ".md", "w").write("\n".join(lines_md))
json.dump(dict(commit=sha, trial=trial, keys=nkeys, off=a.off, verdicts=[dict(target=t, wanted=w, measured=m, ok=ok) for t, w, m, ok in verdicts],
               points_table=table_json, points=points, sent=sent, statuses=statuses,
               spend=dict(keys_with_rows=len(key_rows), key_requests_billed=billed_keys, key_requests_sent=sent_on,
                          key_requests_in_flight_max=inflight_on, off_rows=len(off_rows), off_requests_billed=billed_off,
                          off_requests_sent=sent_off, off_requests_in_flight_max=inflight_off,
                          per_key_requests=dict(min=per_key[0], median=statistics.median(per_key), max=per_key[-1]) if per_key else None,
                          other_rows=other_rows, total_cost_usd=spend.get("total_cost_usd")),
               refusal=refusal, machine=machine),
          open(a.out + ".json", "w"), indent=1, default=str)
print("\n".join(lines_md))
sys.exit(status)
