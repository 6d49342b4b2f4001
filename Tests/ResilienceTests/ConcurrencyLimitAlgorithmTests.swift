import Testing
@testable import Resilience

private typealias VirtualInstant = ManualClock.Instant

private func at(_ milliseconds: Int64) -> VirtualInstant { Instant(offset: .milliseconds(milliseconds)) }

private func isClose(_ value: Double, _ expected: Double) -> Bool { abs(value - expected) <= 1e-12 * max(1, abs(expected)) }

@Suite("Concurrency limit: AIMD update rule")
struct ConcurrencyLimitAIMDTests {
    @Test("slow start: +1 per sample while the caller uses half the limit or more; nothing below half")
    func slowStart() throws {
        var aimd = try AIMDLimit<VirtualInstant>(parameters: .init(timeout: .milliseconds(100)), initialLimit: 10)
        do { let limit = aimd.update(rtt: .milliseconds(20), inFlight: 5, didDrop: false, now: at(20)); #expect(limit == 11) }
        do { let limit = aimd.update(rtt: .milliseconds(20), inFlight: 5, didDrop: false, now: at(21)); #expect(limit == 11) }  // 10 < 11
        do { let limit = aimd.update(rtt: .milliseconds(20), inFlight: 6, didDrop: false, now: at(22)); #expect(limit == 12) }
        #expect(aimd.isInSlowStart)
    }

    @Test("a drop, or a call slower than timeout, multiplies by backoffRatio (floor) and ends slow start")
    func decrease() throws {
        var aimd = try AIMDLimit<VirtualInstant>(parameters: .init(timeout: .milliseconds(100)), initialLimit: 11)
        do { let limit = aimd.update(rtt: .milliseconds(101), inFlight: 1, didDrop: false, now: at(200)); #expect(limit == 9) }  // ⌊9.9⌋
        #expect(!aimd.isInSlowStart)
        #expect(aimd.lastDecreaseAt == at(200))
        // A call that started at 250 ms, after the decrease, is news: ⌊8.1⌋.
        do { let limit = aimd.update(rtt: .milliseconds(10), inFlight: 1, didDrop: true, now: at(260)); #expect(limit == 8) }
    }

    @Test("one decrease per round trip: a drop of a call started before the last decrease changes nothing")
    func oncePerRoundTrip() throws {
        var aimd = try AIMDLimit<VirtualInstant>(parameters: .init(timeout: .milliseconds(100)), initialLimit: 20)
        do { let limit = aimd.update(rtt: .milliseconds(150), inFlight: 20, didDrop: false, now: at(1_000)); #expect(limit == 18) }
        // Started at 900 ms (before the decrease at 1000 ms): the old limit's drop.
        do { let limit = aimd.update(rtt: .milliseconds(150), inFlight: 20, didDrop: false, now: at(1_050)); #expect(limit == 18) }
        do { let limit = aimd.update(rtt: .milliseconds(5), inFlight: 20, didDrop: true, now: at(1_004)); #expect(limit == 18) }
        // Started exactly at the decrease: counts.
        do { let limit = aimd.update(rtt: .milliseconds(10), inFlight: 18, didDrop: true, now: at(1_010)); #expect(limit == 16) }
    }

    @Test("after slow start: +1 once per `limit` samples that use the limit")
    func additiveIncrease() throws {
        var aimd = try AIMDLimit<VirtualInstant>(parameters: .init(timeout: .milliseconds(100)), initialLimit: 10)
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
        var low = try AIMDLimit<VirtualInstant>(initialLimit: 5, minLimit: 5, maxLimit: 6)
        do { let limit = low.update(rtt: .zero, inFlight: 5, didDrop: true, now: at(1)); #expect(limit == 5) }   // ⌊4.5⌋ → 5
        var high = try AIMDLimit<VirtualInstant>(initialLimit: 6, minLimit: 5, maxLimit: 6)
        do { let limit = high.update(rtt: .zero, inFlight: 6, didDrop: false, now: at(1)); #expect(limit == 6) }
    }

    @Test("the product is exact: 100 × 0.57 is 57 (in floating point it is 56.99999999999999)")
    func exactProduct() throws {
        var aimd = try AIMDLimit<VirtualInstant>(parameters: .init(backoffRatio: 0.57), initialLimit: 100)
        let limit = aimd.update(rtt: .zero, inFlight: 1, didDrop: true, now: at(0))
        #expect(limit == 57)
    }
}

@Suite("Concurrency limit: Gradient2 update rule")
struct ConcurrencyLimitGradient2Tests {
    @Test("estimate = est × 0.8 + (est × clamp(1.5 × long / short, 0.5, 1) + 4) × 0.2, long the warm-up mean")
    func rule() throws {
        var gradient = try Gradient2Limit(initialLimit: 20)
        // long = 10 ms, gradient 1: 20 × 0.8 + 24 × 0.2 = 20.8
        do { let limit = gradient.update(rtt: .milliseconds(10), inFlight: 20, didDrop: false, now: at(0)); #expect(limit == 20) }
        #expect(isClose(gradient.estimate, 20.8))
        // long = 20 ms, gradient min(1, 1.5 × 20 / 30) = 1: 20.8 × 0.8 + 24.8 × 0.2 = 21.6
        do { let limit = gradient.update(rtt: .milliseconds(30), inFlight: 20, didDrop: false, now: at(0)); #expect(limit == 21) }
        #expect(isClose(gradient.estimate, 21.6))
        // long = 80 ms, gradient 1.5 × 80 / 200 = 0.6: 21.6 × 0.8 + (12.96 + 4) × 0.2 = 20.672
        do { let limit = gradient.update(rtt: .milliseconds(200), inFlight: 20, didDrop: false, now: at(0)); #expect(limit == 20) }
        #expect(isClose(gradient.estimate, 20.672))
        #expect(isClose(gradient.longRttNanoseconds, 80e6))
        // long = 310 ms, 1.5 × 310 / 1000 = 0.465 → 0.5: 20.672 × 0.8 + (10.336 + 4) × 0.2 = 19.4048
        do { let limit = gradient.update(rtt: .milliseconds(1_000), inFlight: 20, didDrop: false, now: at(0)); #expect(limit == 19) }
        #expect(isClose(gradient.estimate, 19.4048))
    }

    @Test("a caller using less than half the limit moves only the long average; drops and zero samples are not used")
    func appLimitedDropsAndZero() throws {
        var gradient = try Gradient2Limit(initialLimit: 20)
        gradient.update(rtt: .milliseconds(10), inFlight: 9, didDrop: false, now: at(0))
        #expect(gradient.estimate == 20)
        #expect(isClose(gradient.longRttNanoseconds, 10e6))
        gradient.update(rtt: .zero, inFlight: 20, didDrop: true, now: at(0))
        #expect(gradient.estimate == 20)
        #expect(isClose(gradient.longRttNanoseconds, 10e6))
        // A drop with a normal latency grows the limit like a success.
        gradient.update(rtt: .milliseconds(10), inFlight: 20, didDrop: true, now: at(0))
        #expect(isClose(gradient.estimate, 20.8))
    }

    @Test("after 10 samples the long average is exponential (weight 2 / 601); long / short > 2 decays it by 0.95")
    func longAverage() throws {
        var gradient = try Gradient2Limit(initialLimit: 20)
        for _ in 0..<10 { gradient.update(rtt: .milliseconds(10), inFlight: 1, didDrop: false, now: at(0)) }
        gradient.update(rtt: .milliseconds(70), inFlight: 1, didDrop: false, now: at(0))
        #expect(isClose(gradient.longRttNanoseconds, 10e6 + 60e6 * 2 / 601))
        let long = gradient.longRttNanoseconds
        let short = 1e6
        gradient.update(rtt: .milliseconds(1), inFlight: 1, didDrop: false, now: at(0))
        let averaged = long * (1 - 2.0 / 601) + short * 2 / 601
        #expect(isClose(gradient.longRttNanoseconds, averaged * 0.95))
    }

    @Test("steady latency: the gradient stays 1 and the limit climbs by queueSize × smoothing per sample to maxLimit")
    func steadyOverloadDrift() throws {
        var gradient = try Gradient2Limit(initialLimit: 20, maxLimit: 30)
        for sample in 1...13 {
            gradient.update(rtt: .milliseconds(500), inFlight: 30, didDrop: false, now: at(0))
            #expect(isClose(gradient.estimate, min(30, 20 + 0.8 * Double(sample))))
        }
        #expect(gradient.limit == 30)
    }
}

@Suite("Concurrency limit: Vegas update rule")
struct ConcurrencyLimitVegasTests {
    @Test("queue = ⌈limit × (1 − noLoad / rtt)⌉ against log, alpha = 3 log, beta = 6 log")
    func rule() throws {
        var vegas = try VegasLimit(initialLimit: 20)
        // The first sample only sets the no-load latency.
        do { let limit = vegas.update(rtt: .milliseconds(10), inFlight: 20, didDrop: false, now: at(0)); #expect(limit == 20) }
        #expect(vegas.noLoadRtt == .milliseconds(10))
        // queue 0 ≤ log(20) = 1: + beta (6)
        do { let limit = vegas.update(rtt: .milliseconds(10), inFlight: 20, didDrop: false, now: at(0)); #expect(limit == 26) }
        // queue ⌈26 × 0.2⌉ = 6, in [alpha 3, beta 6]: unchanged
        do { let limit = vegas.update(rtt: .microseconds(12_500), inFlight: 26, didDrop: false, now: at(0)); #expect(limit == 26) }
        // queue ⌈26 × 0.5⌉ = 13 > 6: − log
        do { let limit = vegas.update(rtt: .milliseconds(20), inFlight: 26, didDrop: false, now: at(0)); #expect(limit == 25) }
        // queue ⌈25 × (1 − 10 / 10.5)⌉ = 2 < alpha 3: + log
        do { let limit = vegas.update(rtt: .microseconds(10_500), inFlight: 25, didDrop: false, now: at(0)); #expect(limit == 26) }
        // a drop: − log, whatever the queue
        do { let limit = vegas.update(rtt: .milliseconds(10), inFlight: 26, didDrop: true, now: at(0)); #expect(limit == 25) }
        // a caller using less than half: unchanged
        do { let limit = vegas.update(rtt: .milliseconds(10), inFlight: 12, didDrop: false, now: at(0)); #expect(limit == 25) }
        // a faster call lowers the no-load latency and changes nothing else
        do { let limit = vegas.update(rtt: .milliseconds(8), inFlight: 25, didDrop: false, now: at(0)); #expect(limit == 25) }
        #expect(vegas.noLoadRtt == .milliseconds(8))
        #expect(vegas.samplesSinceProbe == 8)
    }

    @Test("smoothing: limit = (1 − s) × limit + s × target")
    func smoothing() throws {
        var vegas = try VegasLimit(parameters: .init(smoothing: 0.5), initialLimit: 20)
        vegas.update(rtt: .milliseconds(10), inFlight: 20, didDrop: false, now: at(0))
        vegas.update(rtt: .milliseconds(10), inFlight: 20, didDrop: false, now: at(0))
        #expect(vegas.estimate == 23)   // 10 + 0.5 × 26
    }

    @Test("log is max(1, ⌊log10⌋) below 1000 and ⌊√x⌋ from 1000 on")
    func logRoot() {
        #expect([1, 9, 99, 100, 999, 1_000, 1_023, 1_024].map(VegasLimit.logRoot) == [1, 1, 1, 2, 2, 31, 31, 32])
    }

    @Test("the probe takes the sample after ⌈jitter × probeMultiplier × limit⌉ samples as the new no-load latency")
    func probe() throws {
        var vegas = try VegasLimit(parameters: .init(probeMultiplier: 1), initialLimit: 10, probeSeed: 7)
        #expect(vegas.probeJitter >= 0.5 && vegas.probeJitter < 1)
        let probeAt = Int((vegas.probeJitter * 10).rounded(.up))
        for _ in 1..<probeAt { vegas.update(rtt: .milliseconds(10), inFlight: 1, didDrop: false, now: at(0)) }
        #expect(vegas.noLoadRtt == .milliseconds(10))
        vegas.update(rtt: .milliseconds(50), inFlight: 1, didDrop: false, now: at(0))
        #expect(vegas.noLoadRtt == .milliseconds(50))
        #expect(vegas.samplesSinceProbe == 0)
        #expect(vegas.limit == 10)
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
            == .init(smoothing: 0.2, rttTolerance: 1.5, longWindow: 600, queueSize: 4))
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
        (ConcurrencyLimitConfiguration(algorithm: .gradient2(.init(longWindow: 0))),
         ConfigurationError(key: "gradient2.longWindow", value: "0", allowed: "1...1000000")),
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
        #expect(throws: ConfigurationError.self) { try ConcurrencyLimiterStateMachine<ManualClock.Instant>(configuration: bad) }
        #expect(throws: ConfigurationError.self) { try ConcurrencyLimiter(name: "x", configuration: bad, clock: ManualClock()) }
        #expect(throws: ConfigurationError.self) { try AIMDLimit<ManualClock.Instant>(parameters: .init(backoffRatio: 0.1)) }
        #expect(throws: ConfigurationError.self) { try Gradient2Limit(initialLimit: 0) }
        #expect(throws: ConfigurationError.self) { try VegasLimit(maxLimit: 2_000_000) }
    }
}
