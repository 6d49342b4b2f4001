import Testing
@testable import Resilience

@Suite("Circuit breaker configuration")
struct CircuitBreakerConfigurationTests {
    @Test("the defaults are the documented ones and are valid")
    func defaults() throws {
        let c = CircuitBreakerConfiguration()
        try c.validate()
        #expect(c.window == .time)
        #expect(c.samplingDuration == .seconds(60))
        #expect(c.windowBuckets == 10)
        #expect(c.windowSize == 100)
        #expect(c.minimumThroughput == 10)
        #expect(c.failureRatio == 0.5)
        #expect(c.slowCallDuration == nil)
        #expect(c.slowCallRatio == 1.0)
        #expect(c.breakDuration == .seconds(30))
        #expect(c.breakDurationMultiplier == 1.0)
        #expect(c.maxBreakDuration == .seconds(300))
        #expect(c.halfOpenPermittedCalls == 5)
        #expect(c.halfOpenSuccessRatio == 0.6)
        #expect(c.halfOpenMaxDuration == .seconds(60))
    }

    static let ratioRange = "(0, 1] with at most 9 decimal places"
    static let invalid: [(String, CircuitBreakerConfiguration, ConfigurationError)] = {
        func error(_ key: String, _ value: String, _ allowed: String) -> ConfigurationError {
            ConfigurationError(key: key, value: value, allowed: allowed)
        }
        typealias C = CircuitBreakerConfiguration
        return [
            ("sampling 0", C(samplingDuration: .zero), error("samplingDuration", "0s", "> 0")),
            ("sampling < 0", C(samplingDuration: .seconds(-1)), error("samplingDuration", "-1s", "> 0")),
            ("buckets 0", C(windowBuckets: 0), error("windowBuckets", "0", "1...1000000")),
            ("buckets too fine", C(samplingDuration: .nanoseconds(5), windowBuckets: 10),
             error("samplingDuration", "5ns", "at least 1ns per bucket (windowBuckets = 10)")),
            ("size 0", C(windowSize: 0), error("windowSize", "0", "1...10000000")),
            ("minimum 0", C(minimumThroughput: 0), error("minimumThroughput", "0", ">= 1")),
            ("failure ratio 0", C(failureRatio: 0), error("failureRatio", "0.0", ratioRange)),
            ("failure ratio > 1", C(failureRatio: 1.01), error("failureRatio", "1.01", ratioRange)),
            ("failure ratio NaN", C(failureRatio: .nan), error("failureRatio", "nan", ratioRange)),
            ("failure ratio 1/3", C(failureRatio: 1.0 / 3.0), error("failureRatio", "0.3333333333333333", ratioRange)),
            ("slow duration 0", C(slowCallDuration: .zero), error("slowCallDuration", "0s", "> 0")),
            ("slow ratio 0", C(slowCallRatio: 0), error("slowCallRatio", "0.0", ratioRange)),
            ("break 0", C(breakDuration: .zero), error("breakDuration", "0s", "> 0")),
            ("multiplier < 1", C(breakDurationMultiplier: 0.5), error("breakDurationMultiplier", "0.5", ">= 1 and finite")),
            ("multiplier inf", C(breakDurationMultiplier: .infinity), error("breakDurationMultiplier", "inf", ">= 1 and finite")),
            ("max break < break", C(breakDuration: .seconds(30), maxBreakDuration: .seconds(10)),
             error("maxBreakDuration", "10s", ">= breakDuration (30s)")),
            ("permitted 0", C(halfOpenPermittedCalls: 0), error("halfOpenPermittedCalls", "0", ">= 1")),
            ("success ratio > 1", C(halfOpenSuccessRatio: 2), error("halfOpenSuccessRatio", "2.0", ratioRange)),
            ("half-open max 0", C(halfOpenMaxDuration: .zero), error("halfOpenMaxDuration", "0s", "> 0")),
        ]
    }()

    @Test("every out-of-range value is rejected with its key, value and range", arguments: invalid.indices)
    func rejects(_ index: Int) {
        let (_, configuration, expected) = Self.invalid[index]
        #expect(throws: expected) { try configuration.validate() }
    }

    @Test("off values and boundaries are accepted")
    func acceptsBoundaries() throws {
        try CircuitBreakerConfiguration(
            windowBuckets: 1, windowSize: 1, minimumThroughput: 1, failureRatio: 1, slowCallDuration: nil,
            slowCallRatio: 0.000000001, breakDurationMultiplier: 1, maxBreakDuration: .seconds(30),
            halfOpenPermittedCalls: 1, halfOpenSuccessRatio: 1, halfOpenMaxDuration: nil
        ).validate()
    }

    @Test("S = ceil(permitted × ratio) is exact", arguments: [
        (5, 0.6, 3), (10, 0.7, 7), (3, 0.1, 1), (1, 1.0, 1), (7, 0.5, 4), (100, 0.29, 29), (10, 0.3, 3),
    ])
    func probeThreshold(permitted: Int, ratio: Double, expected: Int) throws {
        let validated = try ValidatedCircuitBreakerConfiguration(
            CircuitBreakerConfiguration(halfOpenPermittedCalls: permitted, halfOpenSuccessRatio: ratio))
        #expect(validated.probeSuccessThreshold == expected)
    }

    @Test("ratio comparisons are exact at the threshold", arguments: [
        (0.3, 3, 10, true), (0.3, 2, 10, false), (0.7, 7, 10, true), (0.1, 1, 10, true), (0.6, 3, 5, true),
        (0.29, 29, 100, true), (0.29, 28, 100, false),
    ])
    func exactRatio(ratio: Double, part: Int, whole: Int, reached: Bool) throws {
        let exact = try #require(ExactRatio(ratio))
        #expect(exact.isReached(by: part, of: whole) == reached)
    }
}

@Suite("Duration text")
struct DurationTextTests {
    @Test("parses numbers with units", arguments: [
        ("250ms", Duration.milliseconds(250)), ("5s", .seconds(5)), ("2m", .seconds(120)), ("1h", .seconds(3600)),
        ("1.5s", .milliseconds(1500)), ("0.25ms", .microseconds(250)), ("10us", .microseconds(10)),
        ("7ns", .nanoseconds(7)), ("0s", .zero), ("0.001s", .milliseconds(1)),
    ])
    func parses(text: String, expected: Duration) throws {
        #expect(try DurationText.parse(text) == expected)
    }

    @Test("rejects anything else, naming the text", arguments: [
        "", "5", "s", "-5s", "+5s", "5 s", "5sec", "1e3ms", ".5s", "5.s", "1.2.3s", "5S", "abc",
    ])
    func rejects(text: String) {
        #expect(throws: DurationText.ParseError(text: text)) { try DurationText.parse(text) }
    }

    @Test("a duration too long or finer than a nanosecond says so", arguments: [
        ("99999999999999999999h", DurationText.ParseError.Problem.tooLarge), ("99999999999h", .tooLarge),
        ("9223372036.854775808s", .tooLarge), ("0.5ns", .partOfANanosecond),
    ])
    func rejectsWithReason(text: String, problem: DurationText.ParseError.Problem) {
        #expect(throws: DurationText.ParseError(text: text, problem: problem)) { try DurationText.parse(text) }
    }

    @Test("formats with the largest exact unit", arguments: [
        (Duration.milliseconds(250), "250ms"), (.seconds(5), "5s"), (.seconds(120), "2m"), (.milliseconds(1500), "1.5s"),
        (.seconds(3600), "1h"), (.zero, "0s"), (.nanoseconds(7), "7ns"), (.seconds(90), "1.5m"), (.seconds(-1), "-1s"),
    ])
    func formats(duration: Duration, expected: String) throws {
        #expect(DurationText.format(duration) == expected)
        if duration >= .zero { #expect(try DurationText.parse(expected) == duration) }
    }
}
