#!/usr/bin/env python3
"""The checks of .ci/prometheus-live, through a running Prometheus' HTTP API (standard library only).

Usage: prometheus-live-checks.py PROMETHEUS_URL DASHBOARD_JSON ALERT_NAME POLICY

Each check polls for at most TIMEOUT seconds, says what it waits for, and on failure exits 1 with the last
answer of the API:
  (a) resilience_* series were scraped, and the breaker state series of POLICY shows open;
  (b) every PromQL expression of the Grafana dashboard evaluates with status "success" (/api/v1/query),
      after its Grafana variables are replaced by values Prometheus accepts;
  (c) the alert ALERT_NAME is pending or firing (an ALERTS query).
"""

import json
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

TIMEOUT = 60  # seconds, for each check

# Grafana's built-in variables, replaced by durations a Prometheus query accepts.
BUILTINS = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__interval_ms": "15000",
    "__range": "5m",
    "__range_s": "300",
    "__range_ms": "300000",
}
VARIABLE = re.compile(r"\$\{(\w+)(?::[\w]+)?\}|\$(\w+)")


def api(base, path, **params):
    """GET base/path?params; the decoded JSON answer (an error answer of the API is returned as well)."""
    query = urllib.parse.urlencode([(k, v) for k, values in params.items() for v in (values if isinstance(values, list) else [values])])
    url = f"{base}{path}?{query}" if query else f"{base}{path}"
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:  # 400 and 422 carry Prometheus' error JSON
        try:
            return json.load(error)
        except ValueError:
            return {"status": "error", "error": f"HTTP {error.code}"}
    except (urllib.error.URLError, OSError, ValueError) as error:
        return {"status": "error", "error": str(error)}


def poll(what, fetch, explain=None):
    """Calls fetch() every second until its answer is nonempty, for at most TIMEOUT seconds; the answer.

    On failure, prints the last answer (and explain(), when given) and exits 1.
    """
    print(f"waiting for {what} (at most {TIMEOUT} s)", flush=True)
    start = time.monotonic()
    while True:
        answer = fetch()
        if nonempty(answer):
            print(f"  ok after {time.monotonic() - start:.1f} s", flush=True)
            return answer
        if time.monotonic() - start > TIMEOUT:
            print(f"FAILED: no {what} within {TIMEOUT} s; the last answer of the API:", file=sys.stderr)
            print(json.dumps(answer, indent=1)[:4000], file=sys.stderr)
            if explain:
                print(explain(), file=sys.stderr)
            sys.exit(1)
        time.sleep(1)


def nonempty(answer):
    """A successful answer with something in it: a list (series, label values) or a query's result."""
    data = answer.get("data")
    return answer.get("status") == "success" and bool(data.get("result") if isinstance(data, dict) else data)


def instant(base, expr):
    return api(base, "/api/v1/query", query=expr)


def dashboard_expressions(dashboard):
    """(where, expr) of every target of every panel, panels of rows included."""
    found = []

    def walk(panels, path):
        for panel in panels or []:
            title = f"{path}{panel.get('title', '?')}"
            for target in panel.get("targets") or []:
                if target.get("expr"):
                    found.append((f"panel '{title}' target {target.get('refId', '?')}", target["expr"]))
            walk(panel.get("panels"), f"{title} / ")

    walk(dashboard.get("panels"), "")
    return found


def substitute(expr, variables):
    """expr with Grafana's variables replaced; raises KeyError naming a variable it does not know."""

    def value(match):
        name = match.group(1) or match.group(2)
        if name in BUILTINS:
            return BUILTINS[name]
        if name in variables:
            return variables[name]
        raise KeyError(name)

    return VARIABLE.sub(value, expr)


def main():
    base, dashboard_path, alert_name, policy = sys.argv[1:5]

    # (a) the resilience_* series were scraped, and the breaker shows open.
    series = poll(
        "resilience_* series in Prometheus (/api/v1/series)",
        lambda: api(base, "/api/v1/series", **{"match[]": '{__name__=~"resilience_.*"}'}),
    )
    names = sorted({s["__name__"] for s in series["data"]})
    print(f"  {len(series['data'])} series of {len(names)} metrics: {', '.join(names)}")
    open_state = f'resilience_circuit_breaker_state{{policy="{policy}",state="open"}} == 1'
    poll(f"the breaker '{policy}' open in Prometheus ({open_state})", lambda: instant(base, open_state))
    # Rates and increases need two samples in their range: wait for three scrapes after the first series.
    scrapes = 'count_over_time(up{job="observability-demo"}[1m]) >= 3'
    poll(f"three scrapes of the demo ({scrapes})", lambda: instant(base, scrapes))

    # (b) every PromQL expression of the dashboard evaluates.
    with open(dashboard_path, encoding="utf-8") as file:
        dashboard = json.load(file)
    variables = {}
    checks = []  # (where, kind, text)
    for variable in dashboard.get("templating", {}).get("list", []):
        name, kind = variable.get("name"), variable.get("type")
        if kind == "interval":
            variables[name] = "1m"
        elif kind in ("query", "custom"):
            variables[name] = ".*"  # as "All" with a regex matcher
        if kind == "query":
            query = variable.get("query")
            query = query.get("query", "") if isinstance(query, dict) else (query or "")
            if query:
                checks.append((f"variable '{name}'", "variable", query))
    checks = [(where, "expr", expr) for where, expr in dashboard_expressions(dashboard)] + checks
    if not any(kind == "expr" for _, kind, _ in checks):
        print(f"FAILED: no targets[].expr found in {dashboard_path}", file=sys.stderr)
        sys.exit(1)

    failures, evaluated, label_queries, skipped, empty = [], 0, 0, 0, []
    for where, kind, text in checks:
        text = text.strip()
        if kind == "variable":
            # Grafana's functions of a variable query, not PromQL: label_values is asked of the label API.
            labels = re.fullmatch(r"label_values\(\s*(?:(.+?)\s*,\s*)?(\w+)\s*\)", text)
            result = re.fullmatch(r"query_result\((.*)\)", text, re.S)
            if labels:
                selector, label = labels.groups()
                params = {"match[]": substitute(selector, variables)} if selector else {}
                answer = api(base, f"/api/v1/label/{label}/values", **params)
                label_queries += 1
                if answer.get("status") != "success" or not answer.get("data"):
                    failures.append((where, text, answer))
                else:
                    print(f"  {where}: {text} -> {answer['data']}")
                continue
            if result:
                text = result.group(1)
            elif re.match(r"(label_names|metrics)\(", text):
                print(f"  {where}: {text} skipped (a Grafana function with no PromQL to check)")
                skipped += 1
                continue
        try:
            expr = substitute(text, variables)
        except KeyError as unknown:
            failures.append((where, text, {"error": f"unknown Grafana variable ${unknown.args[0]}"}))
            continue
        answer = instant(base, expr)
        evaluated += 1
        if answer.get("status") != "success":
            failures.append((where, expr, answer))
        elif not answer["data"]["result"]:
            empty.append(where)

    for where, expr, answer in failures:
        print(f"FAILED: {where}: {expr}\n  {json.dumps(answer)[:1000]}", file=sys.stderr)
    if failures:
        print(f"FAILED: {len(failures)} dashboard queries of {len(checks)} did not evaluate", file=sys.stderr)
        sys.exit(1)
    print(
        f"dashboard: {evaluated} PromQL expressions evaluated with status success"
        f" ({len(empty)} with no data yet), {label_queries} label_values queries answered, {skipped} skipped"
    )
    for where in empty:
        print(f"  no data yet (not an error): {where}")

    # (c) the breaker-open alert is pending or firing.
    alerts = f'ALERTS{{alertname="{alert_name}", alertstate=~"pending|firing"}}'

    def loaded_alerts():
        rules = api(base, "/api/v1/rules", type="alert")
        names = [r.get("name") for g in rules.get("data", {}).get("groups", []) for r in g.get("rules", [])]
        return f"alerting rules loaded: {names}"

    answer = poll(f"{alerts} non-empty", lambda: instant(base, alerts), explain=loaded_alerts)
    states = sorted({r["metric"].get("alertstate") for r in answer["data"]["result"]})
    print(f"  {alert_name}: {', '.join(states)}")


if __name__ == "__main__":
    main()
