/// The exposition of ``PrometheusExpositionTests/Scenario`` after its run, normalized (families in name
/// order, series in label order, a histogram's lines together). Where each non-zero value comes from:
///
/// - breaker `payments`: 2 failures trip it (closed → open), 1 call rejected (`circuitOpen`), after the
///   5 s break the probe succeeds (open → halfOpen → closed): calls failure 2, success 1; one open
///   period of exactly 5 s (bucket le=5 inclusive); state `closed` 1; both ratios 0 (a new window).
/// - retry `inventory` in the named pipeline `inventory`: 1 retry, 100 ms after the failed first
///   attempt; the call's duration 0.1 s, `success` (bucket le=0.1 inclusive). Its budget allows
///   ⌊0.5 × 1 first attempt⌋ + ⌊0.2/s × 10 s⌋ = 2 retries: 1 granted, 1 remaining.
/// - bulkhead `pool`: 1 slot held for 1 s, 1 call rejected (`full`); no call waited (queue 0).
/// - load shedder `api`: 1 normal call in flight; a low call is shed (`in_flight`), a normal one admitted:
///   admitted normal 2, shed low 1.
///
/// Every other series is created with the policy, at 0: a dashboard's `rate()` sees it from the start.
let expectedScenarioExposition = """
# TYPE resilience_bulkhead_cancelled_waiters_total counter
resilience_bulkhead_cancelled_waiters_total{policy="pool"} 0
# TYPE resilience_bulkhead_in_flight gauge
resilience_bulkhead_in_flight{policy="pool"} 0.0
# TYPE resilience_bulkhead_max_concurrent gauge
resilience_bulkhead_max_concurrent{policy="pool"} 1.0
# TYPE resilience_bulkhead_queue_wait_seconds histogram
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="0.001"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="0.005"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="0.01"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="0.025"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="0.05"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="0.1"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="0.25"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="0.5"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="1.0"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="2.5"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="5.0"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="10.0"} 0
resilience_bulkhead_queue_wait_seconds_bucket{policy="pool",le="+Inf"} 0
resilience_bulkhead_queue_wait_seconds_sum{policy="pool"} 0.0
resilience_bulkhead_queue_wait_seconds_count{policy="pool"} 0
# TYPE resilience_bulkhead_queued gauge
resilience_bulkhead_queued{policy="pool"} 0.0
# TYPE resilience_bulkhead_rejections_total counter
resilience_bulkhead_rejections_total{policy="pool",reason="full"} 1
resilience_bulkhead_rejections_total{policy="pool",reason="maxWaitElapsed"} 0
# TYPE resilience_bulkhead_shadow_rejections_total counter
resilience_bulkhead_shadow_rejections_total{policy="pool",reason="full"} 0
# TYPE resilience_circuit_breaker_calls_total counter
resilience_circuit_breaker_calls_total{policy="payments",outcome="failure"} 2
resilience_circuit_breaker_calls_total{policy="payments",outcome="ignored"} 0
resilience_circuit_breaker_calls_total{policy="payments",outcome="success"} 1
# TYPE resilience_circuit_breaker_failure_ratio gauge
resilience_circuit_breaker_failure_ratio{policy="payments"} 0.0
# TYPE resilience_circuit_breaker_open_seconds histogram
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="1.0"} 0
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="5.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="10.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="30.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="60.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="120.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="300.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="600.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="1800.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="3600.0"} 1
resilience_circuit_breaker_open_seconds_bucket{policy="payments",le="+Inf"} 1
resilience_circuit_breaker_open_seconds_sum{policy="payments"} 5.0
resilience_circuit_breaker_open_seconds_count{policy="payments"} 1
# TYPE resilience_circuit_breaker_rejections_total counter
resilience_circuit_breaker_rejections_total{policy="payments",reason="circuitOpen"} 1
resilience_circuit_breaker_rejections_total{policy="payments",reason="halfOpenFull"} 0
# TYPE resilience_circuit_breaker_shadow_rejections_total counter
resilience_circuit_breaker_shadow_rejections_total{policy="payments",reason="circuitOpen"} 0
resilience_circuit_breaker_shadow_rejections_total{policy="payments",reason="halfOpenFull"} 0
# TYPE resilience_circuit_breaker_slow_call_ratio gauge
resilience_circuit_breaker_slow_call_ratio{policy="payments"} 0.0
# TYPE resilience_circuit_breaker_state gauge
resilience_circuit_breaker_state{policy="payments",state="closed"} 1.0
resilience_circuit_breaker_state{policy="payments",state="forcedClosed"} 0.0
resilience_circuit_breaker_state{policy="payments",state="forcedOpen"} 0.0
resilience_circuit_breaker_state{policy="payments",state="halfOpen"} 0.0
resilience_circuit_breaker_state{policy="payments",state="open"} 0.0
# TYPE resilience_circuit_breaker_transitions_total counter
resilience_circuit_breaker_transitions_total{policy="payments",from="closed",to="forcedClosed"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="closed",to="forcedOpen"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="closed",to="halfOpen"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="closed",to="open"} 1
resilience_circuit_breaker_transitions_total{policy="payments",from="forcedClosed",to="closed"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="forcedClosed",to="forcedOpen"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="forcedClosed",to="halfOpen"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="forcedClosed",to="open"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="forcedOpen",to="closed"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="forcedOpen",to="forcedClosed"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="forcedOpen",to="halfOpen"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="forcedOpen",to="open"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="halfOpen",to="closed"} 1
resilience_circuit_breaker_transitions_total{policy="payments",from="halfOpen",to="forcedClosed"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="halfOpen",to="forcedOpen"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="halfOpen",to="open"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="open",to="closed"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="open",to="forcedClosed"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="open",to="forcedOpen"} 0
resilience_circuit_breaker_transitions_total{policy="payments",from="open",to="halfOpen"} 1
# TYPE resilience_load_shedder_admitted_total counter
resilience_load_shedder_admitted_total{policy="api",priority="critical"} 0
resilience_load_shedder_admitted_total{policy="api",priority="high"} 0
resilience_load_shedder_admitted_total{policy="api",priority="low"} 0
resilience_load_shedder_admitted_total{policy="api",priority="normal"} 2
# TYPE resilience_load_shedder_in_flight gauge
resilience_load_shedder_in_flight{policy="api"} 0.0
# TYPE resilience_load_shedder_shadow_rejections_total counter
resilience_load_shedder_shadow_rejections_total{policy="api",reason="in_flight"} 0
resilience_load_shedder_shadow_rejections_total{policy="api",reason="queue_depth"} 0
# TYPE resilience_load_shedder_shed_total counter
resilience_load_shedder_shed_total{policy="api",priority="high",reason="in_flight"} 0
resilience_load_shedder_shed_total{policy="api",priority="high",reason="queue_depth"} 0
resilience_load_shedder_shed_total{policy="api",priority="low",reason="in_flight"} 1
resilience_load_shedder_shed_total{policy="api",priority="low",reason="queue_depth"} 0
resilience_load_shedder_shed_total{policy="api",priority="normal",reason="in_flight"} 0
resilience_load_shedder_shed_total{policy="api",priority="normal",reason="queue_depth"} 0
# TYPE resilience_operation_duration_seconds histogram
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="0.005"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="0.01"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="0.025"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="0.05"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="0.1"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="0.25"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="0.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="1.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="2.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="5.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="10.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="30.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="60.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="bulkheadFull",le="+Inf"} 0
resilience_operation_duration_seconds_sum{policy="inventory",outcome="bulkheadFull"} 0.0
resilience_operation_duration_seconds_count{policy="inventory",outcome="bulkheadFull"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="0.005"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="0.01"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="0.025"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="0.05"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="0.1"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="0.25"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="0.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="1.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="2.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="5.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="10.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="30.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="60.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="circuitOpen",le="+Inf"} 0
resilience_operation_duration_seconds_sum{policy="inventory",outcome="circuitOpen"} 0.0
resilience_operation_duration_seconds_count{policy="inventory",outcome="circuitOpen"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.005"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.01"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.025"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.05"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.1"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.25"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="0.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="1.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="2.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="5.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="10.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="30.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="60.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="failure",le="+Inf"} 0
resilience_operation_duration_seconds_sum{policy="inventory",outcome="failure"} 0.0
resilience_operation_duration_seconds_count{policy="inventory",outcome="failure"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="0.005"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="0.01"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="0.025"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="0.05"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="0.1"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="0.25"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="0.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="1.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="2.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="5.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="10.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="30.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="60.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="halfOpenFull",le="+Inf"} 0
resilience_operation_duration_seconds_sum{policy="inventory",outcome="halfOpenFull"} 0.0
resilience_operation_duration_seconds_count{policy="inventory",outcome="halfOpenFull"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="0.005"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="0.01"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="0.025"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="0.05"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="0.1"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="0.25"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="0.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="1.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="2.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="5.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="10.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="30.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="60.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="loadShed",le="+Inf"} 0
resilience_operation_duration_seconds_sum{policy="inventory",outcome="loadShed"} 0.0
resilience_operation_duration_seconds_count{policy="inventory",outcome="loadShed"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="0.005"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="0.01"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="0.025"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="0.05"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="0.1"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="0.25"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="0.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="1.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="2.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="5.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="10.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="30.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="60.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="rateLimited",le="+Inf"} 0
resilience_operation_duration_seconds_sum{policy="inventory",outcome="rateLimited"} 0.0
resilience_operation_duration_seconds_count{policy="inventory",outcome="rateLimited"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="0.005"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="0.01"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="0.025"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="0.05"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="0.1"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="0.25"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="0.5"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="1.0"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="2.5"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="5.0"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="10.0"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="30.0"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="60.0"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="success",le="+Inf"} 1
resilience_operation_duration_seconds_sum{policy="inventory",outcome="success"} 0.1
resilience_operation_duration_seconds_count{policy="inventory",outcome="success"} 1
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="0.005"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="0.01"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="0.025"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="0.05"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="0.1"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="0.25"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="0.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="1.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="2.5"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="5.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="10.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="30.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="60.0"} 0
resilience_operation_duration_seconds_bucket{policy="inventory",outcome="timedOut",le="+Inf"} 0
resilience_operation_duration_seconds_sum{policy="inventory",outcome="timedOut"} 0.0
resilience_operation_duration_seconds_count{policy="inventory",outcome="timedOut"} 0
# TYPE resilience_retry_budget_remaining gauge
resilience_retry_budget_remaining{policy="inventory"} 1.0
# TYPE resilience_retry_gave_up_total counter
resilience_retry_gave_up_total{policy="inventory",reason="attemptsExhausted"} 0
resilience_retry_gave_up_total{policy="inventory",reason="budgetExhausted"} 0
resilience_retry_gave_up_total{policy="inventory",reason="deadline"} 0
# TYPE resilience_retry_retries_total counter
resilience_retry_retries_total{policy="inventory"} 1
"""
