#!/usr/bin/env python3
"""Writes the example incident replayed by `resilience-lab` with no arguments.

The story: a checkout service calls a payment provider about 10 times a second. At 1:00 the provider
degrades: most calls fail after hanging for ~2 s (a gateway timeout), the rest are slow. At 3:00 it
recovers. An operator force-opens the breaker during a deploy at 4:10 and resets it at 4:20.

Deterministic (fixed seed): running it again writes the same files.
"""
import json
import pathlib
import random

random.seed(20261123)
out = pathlib.Path(__file__).resolve().parent.parent / "Sources" / "resilience-lab" / "ExampleIncident"
lines = []
t = 0.0
end = 300_000.0
controls = {250_000: "forceOpen", 260_000: "reset"}
next_observe = 30_000
while t < end:
    t += random.expovariate(10 / 1000.0)  # ~10 calls per second
    t = round(t, 1)
    for at in sorted(controls):
        if at <= t:
            lines.append({"at": at, "control": controls.pop(at)})
    if next_observe <= t:
        lines.append({"at": next_observe, "observe": "state"})
        next_observe += 30_000
    if t >= end:
        break
    degraded = 60_000 <= t < 180_000
    r = random.random()
    if degraded and r < 0.85:
        call = {"at": t, "outcome": "failure", "duration": round(random.uniform(1900, 2100))}
    elif degraded:
        call = {"at": t, "outcome": "success", "duration": round(random.uniform(800, 1500))}
    elif r < 0.01:
        call = {"at": t, "outcome": "failure", "duration": round(random.uniform(20, 60))}
    elif r < 0.02:
        call = {"at": t, "outcome": "ignored", "duration": round(random.uniform(10, 30))}  # a 404: not a failure
    else:
        call = {"at": t, "outcome": "success", "duration": round(random.lognormvariate(4.0, 0.4))}
    lines.append(call)
out.mkdir(parents=True, exist_ok=True)
(out / "trace.jsonl").write_text("".join(json.dumps(line, separators=(", ", ": ")) + "\n" for line in lines))
policy = {
    "circuitBreaker": {
        "window": "time", "samplingDuration": "30s", "windowBuckets": 10, "minimumThroughput": 20,
        "failureRatio": 0.5, "slowCallDuration": "1s", "slowCallRatio": 0.8,
        "breakDuration": "10s", "breakDurationMultiplier": 2.0, "maxBreakDuration": "1m",
        "halfOpenPermittedCalls": 5, "halfOpenSuccessRatio": 0.6, "halfOpenMaxDuration": "30s",
    }
}
(out / "policy.json").write_text(json.dumps(policy, indent=2) + "\n")
print(f"wrote {len(lines)} lines to {out / 'trace.jsonl'}")
