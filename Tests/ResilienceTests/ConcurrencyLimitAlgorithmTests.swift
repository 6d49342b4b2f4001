import Testing
@testable import Resilience

private typealias VirtualInstant = ClockOffset

private func at(_ milliseconds: Int64) -> VirtualInstant { Instant(.milliseconds(milliseconds)) }

private func isClose(_ value: Double, _ expected: Double) -> Bool { abs(value - expected) <= 1e-12 * max(1, abs(expected)) }

@Suite("Concurrency limit: AIMD update rule")
struct ConcurrencyLimitAIMDTests {
    @Test("slow start: +1 per sample while the caller uses half the limit or more; nothing below half")
    func slowStart() throws {
        var aimd = try AIMDLimit(parameters: .init(timeout: .milliseconds(100)), initialLimit: 10)
        do { let limit = aimd.update(rtt: .milliseconds(20), inFlight: 5, didDrop: false, now: at(20)); #expect(limit == 11) }
        do { let limit = aimd.update(rtt: .milliseconds(20), inFlight: 5, didDrop: false, now: at(21)); #expect(limit == 11) }  // 10 < 11
        do { let limit = aimd.update(rtt: .milliseconds(20), inFlight: 6, didDrop: false, now: at(22)); #expect(limit == 12) }
        #expect(aimd.isInSlowStart)
    }

    @Test("a drop, or a call slower than timeout, multiplies by backoffRatio (floor) and ends slow start")
    func decrease() throws {
        var aimd = try AIMDLimit(parameters: .init(timeout: .milliseconds(100)), initialLimit: 11)
        do { let limit = aimd.update(rtt: .milliseconds(101), inFlight: 1, didDrop: false, now: at(200)); #expect(limit == 9) }  // ⌊9.9⌋
        #expect(!aimd.isInSlowStart)
        #expect(aimd.lastDecreaseAt == at(200))
        // A call that started at 250 ms, after the decrease, is news: ⌊8.1⌋.
        do { let limit = aimd.update(rtt: .milliseconds(10), inFlight: 1, didDrop: true, now: at(260)); #expect(limit == 8) }
    }

    @Test("one decrease per round trip: a drop of a call started before the last decrease changes nothing")
    func oncePerRoundTrip() throws {
        var aimd = try AIMDLimit(parameters: .init(timeout: .milliseconds(100)), initialLimit: 20)
        do { let limit = aimd.update(rtt: .milliseconds(150), inFlight: 20, didDrop: false, now: at(1_000)); #expect(limit == 18) }
        // Started at 900 ms (before the decrease at 1000 ms): the old limit's drop.
        do { let limit = aimd.update(rtt: .milliseconds(150), inFlight: 20, didDrop: false, now: at(1_050)); #expect(limit == 18) }
        do { let limit = aimd.update(rtt: .milliseconds(5), inFlight: 20, didDrop: true, now: at(1_004)); #expect(limit == 18) }
        // Started exactly at the decrease: counts.
        do { let limit = aimd.update(rtt: .milliseconds(10), inFlight: 18, didDrop: true, now: at(1_010)); #expect(limit == 16) }
    }

    @Test("after slow start: +1 once per `limit` samples that use the limit")
    func additiveIncrease() throws {
        var aimd = try AIMDLimit(parameters: .init(timeout: .milliseconds(100)), initialLimit: 10)
        aimd.update(rtt: .milliseconds(10), inFlight: 10, didDrop: true, now: at(10))                  // 9
        for sample in 1...8 {
            let limit = aimd.update(rtt: .milliseconds(10), inFlight: 9, didDrop: false, now: at(100 + Int64(sample)))
            #expect(limit == 9)
        }
        // A sample below half the limit does not count towards the increase.
        do { let limit = aimd.update(rtt: .milliseconds(10), inFlight: 4, didDrop: false, now: at(200)); #expect(limit == 9) }
        #expect(aimd.samplesTowardIncrease == 8)
        do { let limit = aimd.update(rtt: .milliseconds(10), inFlight: 5, didDrop: false, now: at(201)); #expect(limit == 10) }
        #expect(aimd.samplesTowardIncrease == 0)
    }

    @Test("the limit stays in [minLimit, maxLimit]")
    func bounds() throws {
        var low = try AIMDLimit(initialLimit: 5, minLimit: 5, maxLimit: 6)
        do { let limit = low.update(rtt: .zero, inFlight: 5, didDrop: true, now: at(1)); #expect(limit == 5) }   // ⌊4.5⌋ → 5
        var high = try AIMDLimit(initialLimit: 6, minLimit: 5, maxLimit: 6)
        do { let limit = high.update(rtt: .zero, inFlight: 6, didDrop: false, now: at(1)); #expect(limit == 6) }
    }

    @Test("the product is exact: 100 × 0.57 is 57 (in floating point it is 56.99999999999999)")
    func exactProduct() throws {
        var aimd = try AIMDLimit(parameters: .init(backoffRatio: 0.57), initialLimit: 100)
        let limit = aimd.update(rtt: .zero, inFlight: 1, didDrop: true, now: at(0))
        #expect(limit == 57)
    }
}

/// Feeds `count` samples of `milliseconds` each, admitted with `inFlight` calls in flight; returns the last limit.
@discardableResult
private func feed<Limit: LatencyLimit>(
    _ limit: inout Limit, _ count: Int, milliseconds: Double, inFlight: Int, didDrop: Bool = false
) -> Int {
    var last = limit.limit
    for _ in 0..<count {
        last = limit.update(
            rtt: .nanoseconds(Int64(milliseconds * 1e6)), inFlight: inFlight, didDrop: didDrop, now: at(0))
    }
    return last
}

private protocol LatencyLimit {
    var limit: Int { get }
    mutating func update(rtt: Duration, inFlight: Int, didDrop: Bool, now: ClockOffset) -> Int
}

extension Gradient2Limit: LatencyLimit {}
extension VegasLimit: LatencyLimit {}

@Suite("Concurrency limit: Gradient2 update rule")
struct ConcurrencyLimitGradient2Tests {
    @Test("one decision per window of ⌊estimate⌋ samples; the first window's mean is the no-load latency")
    func firstWindow() throws {
        var gradient = try Gradient2Limit(initialLimit: 4)
        feed(&gradient, 3, milliseconds: 10, inFlight: 4)
        #expect(gradient.estimate == 4)
        #expect(gradient.noLoadRtt == nil)
        // Window closed: noLoad 10 ms, gradient min(1, 1.1) = 1: 4 × 0.8 + (4 + 4) × 0.2 = 4.8
        let limit = feed(&gradient, 1, milliseconds: 10, inFlight: 4)
        #expect(limit == 4)
        #expect(gradient.noLoadRtt == .milliseconds(10))
        #expect(isClose(gradient.estimate, 4.8))
        #expect(gradient.windowsSinceProbe == 1)
    }

    @Test("estimate × 0.8 + (estimate × clamp(1.1 × noLoad / mean, 0.5, 1) + growth) × 0.2, growth 4 only at gradient 1")
    func rule() throws {
        var gradient = try Gradient2Limit(initialLimit: 10)
        feed(&gradient, 10, milliseconds: 10, inFlight: 10)                  // noLoad 10 ms: 10.8
        #expect(isClose(gradient.estimate, 10.8))
        // Window of ⌊10.8⌋ = 10 samples, mean 10.5 ms: 1.1 × 10 / 10.5 > 1, gradient 1: + 4 × 0.2
        feed(&gradient, 5, milliseconds: 10, inFlight: 10)
        feed(&gradient, 5, milliseconds: 11, inFlight: 10)
        #expect(isClose(gradient.estimate, 11.6))
        // Mean 11.5 ms: gradient 1.1 × 10 / 11.5 < 1, no growth
        feed(&gradient, 11, milliseconds: 11.5, inFlight: 11)
        let expected = 11.6 * 0.8 + 11.6 * (1.1 * 10 / 11.5) * 0.2
        #expect(isClose(gradient.estimate, expected))
        #expect(gradient.limit == 11)                                        // 11.499…
        // Mean 40 ms: 1.1 × 10 / 40 = 0.275, clamped to 0.5: × (0.8 + 0.1)
        feed(&gradient, 11, milliseconds: 40, inFlight: 11)
        #expect(isClose(gradient.estimate, expected * 0.9))
        #expect(gradient.limit == 10)
    }

    @Test("a window whose highest inFlight is below half the estimate changes nothing; drops and zero samples are not used")
    func appLimitedDropsAndZero() throws {
        var gradient = try Gradient2Limit(initialLimit: 10)
        feed(&gradient, 9, milliseconds: 10, inFlight: 4)
        gradient.update(rtt: .zero, inFlight: 10, didDrop: false, now: at(0))       // not a sample
        feed(&gradient, 1, milliseconds: 10, inFlight: 4)                           // window closes: 4 < 5
        #expect(gradient.estimate == 10)
        #expect(gradient.noLoadRtt == .milliseconds(10))
        #expect(gradient.windowsSinceProbe == 1)
        // A dropped sample with a normal latency grows the limit like a success.
        feed(&gradient, 10, milliseconds: 10, inFlight: 5, didDrop: true)
        #expect(isClose(gradient.estimate, 10.8))
    }

    @Test("steady overload: windows at twice the no-load latency shrink the limit on every window, never grow it")
    func steadyOverloadShrinks() throws {
        var gradient = try Gradient2Limit(initialLimit: 50, maxLimit: 1_000)
        feed(&gradient, 50, milliseconds: 10, inFlight: 50)                  // noLoad 10 ms: 50.8
        var previous = gradient.estimate
        for _ in 1...10 {
            feed(&gradient, Int(gradient.estimate), milliseconds: 20, inFlight: 50)
            #expect(isClose(gradient.estimate, previous * (0.8 + 0.2 * 0.55)))   // gradient 1.1 × 10 / 20
            previous = gradient.estimate
        }
        #expect(gradient.limit == 19)                                        // 50.8 × 0.91^10 = 19.77
    }

    @Test("the probe limits to ⌊estimate × noLoad / (mean × 1.1)⌋, measures calls admitted under it, then restores the limit")
    func probe() throws {
        var gradient = try Gradient2Limit(parameters: .init(probeMultiplier: 1), initialLimit: 10)
        // First window: noLoad 10 ms, estimate 10.8; a probe is due after 1 window: ⌊10.8 × 10 / 11⌋ = 9.
        let probing = feed(&gradient, 10, milliseconds: 10, inFlight: 10)
        #expect(probing == 9)
        #expect(gradient.probeLimit == 9)
        #expect(gradient.windowsSinceProbe == 0)
        // Calls admitted before the probe (10 in flight) are not measured.
        feed(&gradient, 10, milliseconds: 30, inFlight: 10)
        #expect(gradient.noLoadRtt == .milliseconds(10))
        #expect(gradient.limit == 9)
        feed(&gradient, 8, milliseconds: 12, inFlight: 9)
        #expect(gradient.probeLimit == 9)
        let restored = feed(&gradient, 1, milliseconds: 12, inFlight: 9)
        #expect(restored == 10)                                              // ⌊10.8⌋
        #expect(gradient.probeLimit == nil)
        #expect(gradient.noLoadRtt == .milliseconds(12))
        // A loaded window (24 ms, gradient 0.55): 10.8 × 0.91 = 9.828; probe at ⌊9.828 × 12 / (24 × 1.1)⌋ = 4.
        let loaded = feed(&gradient, 10, milliseconds: 24, inFlight: 10)
        #expect(isClose(gradient.estimate, 9.828))
        #expect(loaded == 4)
        // The probe limit is at least minLimit.
        var floored = try Gradient2Limit(parameters: .init(probeMultiplier: 1), initialLimit: 10, minLimit: 10)
        feed(&floored, 10, milliseconds: 10, inFlight: 10)
        #expect(floored.probeLimit == 10)
    }

    @Test("a probe is due once ⌈jitter × probeMultiplier⌉ windows have closed; the jitter is in [0.5, 1) and drawn anew")
    func probeInterval() throws {
        var gradient = try Gradient2Limit(parameters: .init(probeMultiplier: 8), initialLimit: 4, probeSeed: 7)
        let jitter = gradient.probeJitter
        #expect(jitter >= 0.5 && jitter < 1)
        let windows = Int((jitter * 8).rounded(.up))
        feed(&gradient, 4 * (windows - 1), milliseconds: 10, inFlight: 1)          // app-limited: estimate stays 4
        #expect(gradient.probeLimit == nil)
        #expect(gradient.windowsSinceProbe == windows - 1)
        feed(&gradient, 4, milliseconds: 10, inFlight: 1)
        #expect(gradient.probeLimit == 3)                                         // ⌊4 × 10 / 11⌋
        #expect(gradient.probeJitter != jitter)
    }
}

@Suite("Concurrency limit: Vegas update rule")
struct ConcurrencyLimitVegasTests {
    @Test("once per window: queue = ⌈limit × (1 − noLoad / mean)⌉ against log, alpha = 3 log, beta = 6 log")
    func rule() throws {
        var vegas = try VegasLimit(initialLimit: 4)
        feed(&vegas, 3, milliseconds: 10, inFlight: 4)
        #expect(vegas.noLoadRtt == nil)
        #expect(vegas.limit == 4)
        // The first window sets noLoad (10 ms); queue 0 ≤ log(4) = 1: + beta (6)
        do { let limit = feed(&vegas, 1, milliseconds: 10, inFlight: 4); #expect(limit == 10) }
        #expect(vegas.noLoadRtt == .milliseconds(10))
        // queue ⌈10 × (1 − 10 / 12)⌉ = 2 < alpha 3: + log
        do { let limit = feed(&vegas, 10, milliseconds: 12, inFlight: 10); #expect(limit == 11) }
        // queue ⌈11 × 0.5⌉ = 6, in [alpha 3, beta 6]: unchanged
        do { let limit = feed(&vegas, 11, milliseconds: 20, inFlight: 11); #expect(limit == 11) }
        // queue ⌈11 × 0.75⌉ = 9 > 6: − log
        do { let limit = feed(&vegas, 11, milliseconds: 40, inFlight: 11); #expect(limit == 10) }
        // a window with a drop: − log, whatever the queue
        feed(&vegas, 9, milliseconds: 10, inFlight: 10)
        do { let limit = feed(&vegas, 1, milliseconds: 10, inFlight: 10, didDrop: true); #expect(limit == 9) }
        // a window whose highest inFlight × 2 is below the limit: unchanged
        do { let limit = feed(&vegas, 9, milliseconds: 10, inFlight: 4); #expect(limit == 9) }
        // a zero duration is not a sample
        vegas.update(rtt: .zero, inFlight: 9, didDrop: false, now: at(0))
        #expect(vegas.windowsSinceProbe == 6)
        #expect(vegas.noLoadRtt == .milliseconds(10))
    }

    @Test("smoothing: limit = (1 − s) × limit + s × target")
    func smoothing() throws {
        var vegas = try VegasLimit(parameters: .init(smoothing: 0.5), initialLimit: 4)
        feed(&vegas, 4, milliseconds: 10, inFlight: 4)
        #expect(vegas.estimate == 7)   // 2 + 0.5 × 10
    }

    @Test("log is max(1, ⌊log10⌋) below 1000 and ⌊√x⌋ from 1000 on")
    func logRoot() {
        #expect([1, 9, 99, 100, 999, 1_000, 1_023, 1_024].map(VegasLimit.logRoot) == [1, 1, 1, 2, 2, 31, 31, 32])
    }

    @Test("the probe limits to ⌊estimate × noLoad / mean⌋ − beta × log, measures calls admitted under it, then restores")
    func probe() throws {
        var vegas = try VegasLimit(parameters: .init(probeMultiplier: 1), initialLimit: 20, probeSeed: 7)
        // First window: noLoad 10 ms, + 6 → 26; probe at ⌊26 × 10 / 10⌋ − 6 = 20.
        let probing = feed(&vegas, 20, milliseconds: 10, inFlight: 20)
        #expect(probing == 20)
        #expect(vegas.probeLimit == 20)
        feed(&vegas, 26, milliseconds: 30, inFlight: 26)                   // admitted before the probe: not used
        #expect(vegas.noLoadRtt == .milliseconds(10))
        let restored = feed(&vegas, 20, milliseconds: 15, inFlight: 20)
        #expect(restored == 26)
        #expect(vegas.noLoadRtt == .milliseconds(15))
        #expect(vegas.probeLimit == nil)
        // A loaded window: queue ⌈26 × (1 − 15 / 30)⌉ = 13 > 6: 25; probe at ⌊25 × 15 / 30⌋ − 6 = 6.
        let loaded = feed(&vegas, 26, milliseconds: 30, inFlight: 26)
        #expect(vegas.estimate == 25)
        #expect(loaded == 6)
    }

    @Test("the probe's loaded samples do not become the no-load latency (Netflix's probe ratchets the limit up)")
    func probeUnderOverload() throws {
        var vegas = try VegasLimit(parameters: .init(probeMultiplier: 1), initialLimit: 50, maxLimit: 1_000, probeSeed: 7)
        feed(&vegas, 50, milliseconds: 10, inFlight: 50)                  // noLoad 10 ms, 56, probe at 50
        feed(&vegas, 50, milliseconds: 10, inFlight: 50)                  // measured: 10 ms, back to 56
        #expect(vegas.limit == 56)
        // Steady overload: every window at 20 ms; probes measure 10 ms at their lower limit.
        for _ in 1...5 {
            let window = vegas.limit
            feed(&vegas, window, milliseconds: 20, inFlight: window)
            let probeLimit = try #require(vegas.probeLimit)
            feed(&vegas, probeLimit, milliseconds: 10, inFlight: probeLimit)
            #expect(vegas.noLoadRtt == .milliseconds(10))
        }
        #expect(vegas.limit == 51)                                        // − 1 per window
    }
}

@Suite("Concurrency limit: configuration")
struct ConcurrencyLimitConfigurationTests {
    private func error(_ configuration: ConcurrencyLimitConfiguration) -> ConfigurationError? {
        do { try configuration.validate() } catch { return error }
        return nil
    }

    @Test("the defaults are valid and documented")
    func defaults() throws {
        let configuration = ConcurrencyLimitConfiguration()
        try configuration.validate()
        #expect(configuration.algorithm == .aimd(.init(backoffRatio: 0.9, timeout: .seconds(5))))
        #expect(configuration.initialLimit == 20 && configuration.minLimit == 1 && configuration.maxLimit == 200)
        #expect(configuration.maxQueued == 0 && configuration.maxWait == .milliseconds(100))
        #expect(ConcurrencyLimitConfiguration.Gradient2Parameters()
            == .init(smoothing: 0.2, rttTolerance: 1.1, queueSize: 4, probeMultiplier: 30))
        #expect(ConcurrencyLimitConfiguration.VegasParameters()
            == .init(smoothing: 1, alphaFactor: 3, betaFactor: 6, probeMultiplier: 30))
    }

    @Test("each bad value is named with its key, value and allowed range", arguments: [
        (ConcurrencyLimitConfiguration(minLimit: 0), ConfigurationError(key: "minLimit", value: "0", allowed: "1...1000000")),
        (ConcurrencyLimitConfiguration(initialLimit: 5, minLimit: 10, maxLimit: 9),
         ConfigurationError(key: "maxLimit", value: "9", allowed: "minLimit (10)...1000000")),
        (ConcurrencyLimitConfiguration(initialLimit: 201),
         ConfigurationError(key: "initialLimit", value: "201", allowed: "minLimit...maxLimit (1...200)")),
        (ConcurrencyLimitConfiguration(maxQueued: -1), ConfigurationError(key: "maxQueued", value: "-1", allowed: "0...100000")),
        (ConcurrencyLimitConfiguration(maxWait: .zero), ConfigurationError(key: "maxWait", value: "0s", allowed: "(0, 1h]")),
        (ConcurrencyLimitConfiguration(algorithm: .aimd(.init(backoffRatio: 1))),
         ConfigurationError(key: "aimd.backoffRatio", value: "1.0", allowed: "[0.5, 1), with at most 9 decimal places")),
        (ConcurrencyLimitConfiguration(algorithm: .aimd(.init(timeout: .zero))),
         ConfigurationError(key: "aimd.timeout", value: "0s", allowed: "> 0")),
        (ConcurrencyLimitConfiguration(algorithm: .gradient2(.init(smoothing: 0))),
         ConfigurationError(key: "gradient2.smoothing", value: "0.0", allowed: "(0, 1]")),
        (ConcurrencyLimitConfiguration(algorithm: .gradient2(.init(rttTolerance: 0.9))),
         ConfigurationError(key: "gradient2.rttTolerance", value: "0.9", allowed: "[1, 100]")),
        (ConcurrencyLimitConfiguration(algorithm: .gradient2(.init(probeMultiplier: 0))),
         ConfigurationError(key: "gradient2.probeMultiplier", value: "0", allowed: "1...100000")),
        (ConcurrencyLimitConfiguration(algorithm: .gradient2(.init(queueSize: -1))),
         ConfigurationError(key: "gradient2.queueSize", value: "-1", allowed: "0...1000")),
        (ConcurrencyLimitConfiguration(algorithm: .vegas(.init(smoothing: .nan))),
         ConfigurationError(key: "vegas.smoothing", value: "nan", allowed: "(0, 1]")),
        (ConcurrencyLimitConfiguration(algorithm: .vegas(.init(alphaFactor: 0))),
         ConfigurationError(key: "vegas.alphaFactor", value: "0", allowed: "1...1000")),
        (ConcurrencyLimitConfiguration(algorithm: .vegas(.init(alphaFactor: 4, betaFactor: 3))),
         ConfigurationError(key: "vegas.betaFactor", value: "3", allowed: "alphaFactor (4)...1000")),
        (ConcurrencyLimitConfiguration(algorithm: .vegas(.init(probeMultiplier: 0))),
         ConfigurationError(key: "vegas.probeMultiplier", value: "0", allowed: "1...100000")),
    ])
    func invalid(configuration: ConcurrencyLimitConfiguration, expected: ConfigurationError) {
        #expect(error(configuration) == expected)
    }

    @Test("the state machine, the shell and the algorithms refuse what validate() refuses")
    func everyEntryValidates() {
        let bad = ConcurrencyLimitConfiguration(maxLimit: 0)
        #expect(throws: ConfigurationError.self) { try ConcurrencyLimiterStateMachine(configuration: bad) }
        #expect(throws: ConfigurationError.self) { try AIMDLimit(parameters: .init(backoffRatio: 0.1)) }
        #expect(throws: ConfigurationError.self) { try Gradient2Limit(initialLimit: 0) }
        #expect(throws: ConfigurationError.self) { try VegasLimit(maxLimit: 2_000_000) }
    }
}
