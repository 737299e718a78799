#!/usr/bin/env python3
"""bench/routing.sh's report: turns the run's raw files into <name>.md and <name>.json; exit code 3 when a target is missed.

Inputs in --work: points.jsonl (stage 1, one wrk point a line, with the gateway's CPU ticks of the window), spread.json
(stage 1, which deployment answered 200 alias requests), chaos.json
(stage 2, AbstractCore.Bench chaos's JSON line), chaos-upstream.txt (the failing fake's own counts), machine.txt.
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
ap.add_argument("--chaos-fail", default="0.3")
ap.add_argument("--chaos-cut", default="0.05")
ap.add_argument("--chaos-connections", default="16")
ap.add_argument("--alias-deployments", default="2")
a = ap.parse_args()

TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")
CPU_TARGET = 1.05
QUIET = 0.1
points = [json.loads(line) for line in open(f"{a.work}/points.jsonl") if line.strip()]
chaos = json.load(open(f"{a.work}/chaos.json")) if os.path.getsize(f"{a.work}/chaos.json") > 3 else {}
def read_json(name):
    path = f"{a.work}/{name}"
    return json.load(open(path)) if os.path.exists(path) and os.path.getsize(path) > 2 else {}


before, after = read_json("chaos-upstream-before.json"), read_json("chaos-upstream-after.json")
chaos_upstream = {k: after.get(k, 0) - before.get(k, 0) for k in ("requests", "failed_500", "cut", "ok")} if after else {}
aliases = read_json("chaos-aliases.json")
answered_by = read_json("spread.json")
machine = [line.rstrip("\n") for line in open(f"{a.work}/machine.txt")]
sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
trial = a.trial == "1"


def other_cores(p):
    # Busy time of the whole machine minus the two gateways, the fakes and the two wrk clients, per second of the window.
    known = (p["gateway_ticks"] + p.get("peer_ticks", 0) + p["fakes_ticks"]) / 100 + p["client_cpu_s"]
    return max(0.0, (p["machine_ticks"] / 100 - known) / p["window_s"])


def agg(ps):
    reqs = sum(p["requests"] for p in ps)
    return dict(
        rps=statistics.mean(p["rps"] for p in ps),
        p50=statistics.median(p["latency_ms"]["p50"] for p in ps),
        p99=statistics.median(p["latency_ms"]["p99"] for p in ps),
        cpu=sum(p["gateway_ticks"] for p in ps) * TICK_US / reqs if reqs else float("nan"),
        errors=sum(p["errors"] for p in ps),
        requests=reqs,
        other=max(other_cores(p) for p in ps),
        load=max(float(p["loadavg"]) for p in ps),
    )


verdicts = []
stage1_rows, stage1_json = [], []
worst_cpu = None
for mode in ("plain", "stream"):
    for c in sorted({p["connections"] for p in points if p["mode"] == mode}):
        sel = [p for p in points if p["mode"] == mode and p["connections"] == c]
        plain, alias = agg([p for p in sel if p["label"] == "plain"]), agg([p for p in sel if p["label"] == "alias"])
        ratio = alias["cpu"] / plain["cpu"]
        rounds = []
        for r in sorted({p["round"] for p in sel}):
            rp = agg([p for p in sel if p["round"] == r and p["label"] == "plain"])
            ra = agg([p for p in sel if p["round"] == r and p["label"] == "alias"])
            rounds.append(ra["cpu"] / rp["cpu"])
        # Only the points during which others took < 0.1 cores: a busy neighbour changes the gateway's CPU per request
        # (fewer idle cores: less spinning of the thread pool), so the ratio of quiet points is the cleaner figure.
        qp = [p for p in sel if p["label"] == "plain" and other_cores(p) < QUIET]
        qa = [p for p in sel if p["label"] == "alias" and other_cores(p) < QUIET]
        quiet = f"{agg(qa)['cpu'] / agg(qp)['cpu']:.3f} ({len(qp)}+{len(qa)})" if qp and qa else f"— ({len(qp)}+{len(qa)})"
        worst_cpu = ratio if worst_cpu is None else max(worst_cpu, ratio)
        name = "non-streamed" if mode == "plain" else "streamed"
        spread = f"{min(rounds):.3f}–{max(rounds):.3f}" if len(rounds) > 1 else f"{rounds[0]:.3f}"
        stage1_rows.append(
            f"| {name} | {c} | {plain['rps']:,.0f} | {alias['rps']:,.0f} ({alias['rps'] / plain['rps']:.1%}) | "
            f"{plain['p50']:.2f} / {plain['p99']:.2f} | {alias['p50']:.2f} / {alias['p99']:.2f} | "
            f"{plain['cpu']:.1f} | {alias['cpu']:.1f} | **{ratio:.3f}×** | {spread} | {plain['errors'] + alias['errors']} | "
            f"{quiet} | {max(plain['other'], alias['other']):.2f} | {max(plain['load'], alias['load']):.2f} |")
        stage1_json.append(dict(mode=name, connections=c, plain=plain, alias=alias, cpu_ratio=ratio, round_cpu_ratios=rounds,
                                quiet_points=quiet))
if points:
    answers = sum(answered_by.values())
    share = answered_by.get("b", 0) / answers if answers else 0.0
    counted = ", ".join(f"{k}: {v}" for k, v in sorted(answered_by.items())) or "no X-AbstractCore-Deployment header"
    if a.alias_deployments == "1":
        verdicts.append(("stage 1: the alias over deployment a only (BENCH_ALIAS_DEPLOYMENTS=1): answers from b, of 200",
                         "0", counted, answers > 0 and share == 0))
    else:
        verdicts.append(("stage 1: the alias's load reached both deployments (X-AbstractCore-Deployment of 200 answers)",
                         "b 25–75%", counted, 0.25 <= share <= 0.75))
    errors = sum(p["errors"] for p in points)
    verdicts.append(("alias CPU µs per request ÷ plain route, every mode and connection count (pooled over rounds)",
                     f"≤ {CPU_TARGET:.2f}×", f"worst {worst_cpu:.3f}×", worst_cpu <= CPU_TARGET))
    verdicts.append(("errors or non-2xx answers in stage 1", "0", str(errors), errors == 0))

o = chaos.get("outcomes", {})


def total(prefix):
    return sum(v for k, v in o.items() if k.startswith(prefix))


chaos_rows = []
if chaos:
    plain_total, plain_ok = total("plain."), o.get("plain.ok", 0)
    s_total, s_done = total("stream."), o.get("stream.completed", 0)
    s_inband, s_http, s_unrep = total("stream.reported_in_band"), total("stream.http_error"), total("stream.unreported")
    verdicts.append(("chaos: non-streamed requests answered 200 with the whole text", "100%",
                     f"{plain_ok / plain_total:.3%} ({plain_ok:,} of {plain_total:,})" if plain_total else "none sent",
                     plain_total > 0 and plain_ok == plain_total))
    reached = chaos_upstream.get("requests", 0)
    verdicts.append(("chaos: requests that reached the failing deployment a (the run tests something)", "> 0",
                     f"{reached:,}: {chaos_upstream.get('failed_500', 0):,} answered 500, {chaos_upstream.get('cut', 0):,} streams cut"
                     if chaos_upstream else "unknown (no /bench/stats)", reached > 0))
    verdicts.append(("chaos: streamed failures not reported (no [DONE] or wrong text, and no in-band error)", "0",
                     f"{s_unrep:,} of {s_total:,} streams", s_total > 0 and s_unrep == 0))
    pct = lambda n, d: f"{n:,} ({n / d:.2%})" if d else f"{n:,}"
    chaos_rows += [
        f"| non-streamed requests | {plain_total:,} |",
        f"| … answered 200 with the fake's whole text | {pct(plain_ok, plain_total)} |",
        *[f"| … {k[len('plain.'):]} | {pct(v, plain_total)} |" for k, v in sorted(o.items()) if k.startswith("plain.") and k != "plain.ok"],
        f"| streamed requests | {s_total:,} |",
        f"| … completed ([DONE], finish_reason stop, the whole text) | {pct(s_done, s_total)} |",
        f"| … failure reported in-band (`data:` chunk with `error` / finish_reason `error`) | {pct(s_inband, s_total)} |",
        *[f"|    · {k[len('stream.reported_in_band.'):]} | {v:,} |" for k, v in sorted(o.items()) if k.startswith("stream.reported_in_band.")],
        f"| … answered with an HTTP error status before the stream (reported, not in-band) | {pct(s_http, s_total)} |",
        *[f"|    · {k[len('stream.'):]} | {v:,} |" for k, v in sorted(o.items()) if k.startswith("stream.http_error")],
        f"| … **failure NOT reported** | {pct(s_unrep, s_total)} |",
        *[f"|    · {k[len('stream.unreported.'):]} | {v:,} |" for k, v in sorted(o.items()) if k.startswith("stream.unreported.")],
    ]

status = 0 if all(v[3] for v in verdicts) else 3
lines = [f"# Routing policies: alias overhead and chaos ({sha})", ""]
if trial:
    lines += ["> **TRIAL RUN** (`bench/routing.sh --trial`): short points, one round, 30 s of chaos. It shows that the harness "
              "works end to end; its figures are not the measurement.", ""]
pauses = sorted({(p["connections"], p.get("pause_ms", 0)) for p in points})
pacing = ("paced (each connection waits before each request: " + ", ".join(f"{ms} ms at {c} connections" for c, ms in pauses) +
          "; a closed loop saturates the 2 cores, and CPU per request then follows whatever CPU a gateway gets)"
          if any(ms for _, ms in pauses) else "closed loop")
lines += [
    "Produced by `bench/routing.sh`. Stage 1: two identical gateway processes (Release, the container image's runtime "
    "settings), each with an alias `bench/alias` over two zero-latency deployments (two TestKit fake upstreams on two "
    "ports of one process) and the plain provider route `openai-compatible/fake-model` (OPENAI_COMPATIBLE_BASE_URL to the "
    "first fake). Both routes run at the same time, one per gateway, and swap gateways every window, so what the host "
    f"does meanwhile falls on both alike; wrk, one thread per gateway, {pacing}, the same body; a round is two windows "
    "(plain on gateway 1 and alias on gateway 2, then the other way round). Stage 2: another gateway, alias `bench/chaos` over "
    f"deployment a (the bench's failing fake: {float(a.chaos_fail):.0%} of requests HTTP 500, {float(a.chaos_cut):.0%} of "
    f"streams cut after 2 content chunks) and b (healthy), {a.chaos_connections} closed loops alternating non-streamed and "
    "streamed, every answer checked.", "",
    "## Verdict", "", "| target | wanted | measured | |", "|---|---|---|---|",
    *[f"| {t} | {w} | {m} | {'PASS' if ok else 'FAIL'} |" for t, w, m, ok in verdicts], "",
]
if stage1_rows:
    lines += [
        "## Stage 1: alias over two deployments vs the plain provider route, at the same time on twin gateways", "",
        "CPU µs/req: the gateway process's user+system time (/proc/<pid>/stat) over the measured window ÷ requests, pooled "
        "over the rounds; \"per round\" gives the range of the alias ÷ plain ratio of each round. p50/p99: medians over the "
        "points, whole response (streamed: to the end of the stream). \"Other\": the most cores any point saw taken by "
        "processes outside the bench (machine busy time − gateways − fakes − wrk). Load: the highest 1-min load average "
        "read at the end of a point. \"Quiet points only\": alias ÷ plain CPU pooled over the points during which "
        "others took < 0.1 cores (how many of each in brackets): a busy neighbour lowers the gateway's CPU per request "
        "(fewer idle cores for the thread pool to spin on), so points are only comparable at like disturbance.", "",
        "| mode | conns | plain req/s | alias req/s (÷ plain) | plain p50 / p99 ms | alias p50 / p99 ms | plain CPU µs/req | "
        "alias CPU µs/req | alias ÷ plain CPU | per round | errors | quiet points only (n plain+alias) | other cores | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|", *stage1_rows, "",
    ]
if chaos_rows:
    cpu = chaos.get("cpu_s", {})
    lines += [
        f"## Stage 2: chaos, {chaos['duration_s']:.0f} s", "",
        "| outcome | count |", "|---|---|", *chaos_rows, "",
        "What the failing fake a itself counted during the run (`GET /bench/stats`, after − before): "
        + ", ".join(f"{k} {v:,}" for k, v in chaos_upstream.items()) + ".", "",
        f"The alias: `{json.dumps(aliases)}`.", "",
        "`X-AbstractCore-Deployment` of the answers: " + ", ".join(f"{k}: {v:,}" for k, v in chaos.get("deployment_header", {}).items()) + "; "
        "`X-AbstractCore-Attempts`: " + ", ".join(f"{k}: {v:,}" for k, v in chaos.get("attempts_header", {}).items()) + ".", "",
        f"Latency of the good answers: non-streamed p50 {chaos['plain_ok_latency_ms']['p50']:.2f} ms, p99 "
        f"{chaos['plain_ok_latency_ms']['p99']:.2f} ms; completed streams p50 {chaos['stream_completed_latency_ms']['p50']:.2f} ms, "
        f"p99 {chaos['stream_completed_latency_ms']['p99']:.2f} ms. CPU seconds over the run: "
        + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()) + ".", "",
    ]
    if chaos.get("samples"):
        lines += ["A sample of each answer that was not a plain success (the first one seen; a long one keeps its "
                  "first and last lines, where a stream's failure is):", ""]
        for k, v in sorted(chaos["samples"].items()):
            if v:
                body = [x for x in v[0].splitlines() if x.strip()]
                if len(body) > 4:
                    body = body[:1] + ["…"] + body[-3:]
                lines += [f"- `{k}`:", "", "  ```", *["  " + (x if len(x) <= 600 else x[:300] + " … " + x[-300:]) for x in body],
                          "  ```", ""]
lines += ["## Machine", "", *[f"- {m}" for m in machine], ""]

open(a.out + ".md", "w").write("\n".join(lines))
json.dump(dict(commit=sha, trial=trial, verdicts=[dict(target=t, wanted=w, measured=m, ok=ok) for t, w, m, ok in verdicts],
               stage1=stage1_json, stage1_points=points, chaos=chaos, chaos_upstream=chaos_upstream, machine=machine),
          open(a.out + ".json", "w"), indent=1)
print("\n".join(lines))
sys.exit(status)
