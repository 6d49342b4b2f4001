import Testing
@testable import Resilience

/// A random source that returns the given values in turn, forever.
struct FixedRandom: RandomNumberGenerator, Sendable {
    let values: [UInt64]
    var index = 0
    init(_ values: UInt64...) { self.values = values }
    mutating func next() -> UInt64 {
        defer { index = (index + 1) % values.count }
        return values[index]
    }
}

/// The middle of the random range: draws land on lower + ⌊(upper − lower + 1) / 2⌋.
let half: UInt64 = 1 << 63

@Suite("Retry schedule: backoff, jitter and cap")
struct RetryScheduleTests {
    /// The first `count` delays, in milliseconds.
    func delays(
        _ backoff: RetryConfiguration.Backoff, _ jitter: RetryConfiguration.Jitter, random: UInt64,
        multiplier: Double = 2, count: Int = 8
    ) throws -> [Double] {
        var schedule = try RetrySchedule(configuration: RetryConfiguration(
            backoff: backoff, multiplier: multiplier, jitter: jitter))
        var source = FixedRandom(random)
        return (0..<count).map { _ in milliseconds(schedule.next(using: &source).delay) }
    }

    func milliseconds(_ duration: Duration) -> Double {
        Double(duration.attoseconds) / 1e15
    }

    @Test("no jitter: constant, linear and exponential from 200 ms, capped at 10 s")
    func withoutJitter() throws {
        #expect(try delays(.constant, .none, random: 0) == [200, 200, 200, 200, 200, 200, 200, 200])
        #expect(try delays(.linear, .none, random: 0) == [200, 400, 600, 800, 1000, 1200, 1400, 1600])
        #expect(try delays(.exponential, .none, random: 0) == [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
    }

    @Test("full jitter draws in [0, d]: the low end, the middle and the top")
    func fullJitter() throws {
        #expect(try delays(.exponential, .full, random: 0) == [0, 0, 0, 0, 0, 0, 0, 0])
        #expect(try delays(.exponential, .full, random: half) == [100, 200, 400, 800, 1600, 3200, 6400, 10_000])
        #expect(try delays(.exponential, .full, random: .max) == [200, 400, 800, 1600, 3200, 6400, 10_000, 10_000])
        #expect(try delays(.linear, .full, random: half) == [100, 200, 300, 400, 500, 600, 700, 800])
        #expect(try delays(.constant, .full, random: half) == [100, 100, 100, 100, 100, 100, 100, 100])
    }

    @Test("equal jitter draws in [d/2, d]")
    func equalJitter() throws {
        #expect(try delays(.exponential, .equal, random: 0) == [100, 200, 400, 800, 1600, 3200, 6400, 10_000])
        #expect(try delays(.exponential, .equal, random: half) == [150, 300, 600, 1200, 2400, 4800, 9600, 10_000])
        #expect(try delays(.linear, .equal, random: half) == [150, 300, 450, 600, 750, 900, 1050, 1200])
        #expect(try delays(.constant, .equal, random: .max) == [200, 200, 200, 200, 200, 200, 200, 200])
    }

    @Test("decorrelated jitter draws in [base, previous × 3], whatever the backoff curve")
    func decorrelatedJitter() throws {
        // [200, 600] → 400; [200, 1200] → 700; [200, 2100] → 1150; [200, 3450] → 1825; ...
        let expected: [Double] = [400, 700, 1150, 1825, 2837.5, 4356.25, 6634.375, 10_000]
        #expect(try delays(.exponential, .decorrelated, random: half) == expected)
        #expect(try delays(.constant, .decorrelated, random: half) == expected)
        #expect(try delays(.exponential, .decorrelated, random: 0) == [200, 200, 200, 200, 200, 200, 200, 200])
        #expect(try delays(.linear, .decorrelated, random: .max) == [600, 1800, 5400, 10_000, 10_000, 10_000, 10_000, 10_000])
    }

    @Test("the bounds are the jitter's range before the cap")
    func bounds() throws {
        var schedule = try RetrySchedule(configuration: RetryConfiguration(maxAttempts: 10, jitter: .equal))
        var random = FixedRandom(0)
        var last = schedule.next(using: &random)
        for _ in 0..<6 { last = schedule.next(using: &random) }
        // Retry 7: d = 200 ms × 2⁶ = 12.8 s, so the range is [6.4 s, 12.8 s]; the draw 6.4 s is under the cap.
        #expect(last == RetrySchedule.Delay(
            retry: 7, delay: .milliseconds(6_400), lowerBound: .milliseconds(6_400), upperBound: .milliseconds(12_800),
            isHint: false))
        last = schedule.next(using: &random)
        #expect(last.delay == .seconds(10))
        #expect(last.lowerBound == .milliseconds(12_800))
    }

    @Test("multipliers are exact decimals: 1.5 and 1.000000001")
    func exactMultipliers() throws {
        #expect(try delays(.exponential, .none, random: 0, multiplier: 1.5, count: 6) == [200, 300, 450, 675, 1012.5, 1518.75])
        var schedule = try RetrySchedule(configuration: RetryConfiguration(multiplier: 1.000000001, jitter: .none))
        var random = FixedRandom(0)
        _ = schedule.next(using: &random)
        #expect(schedule.next(using: &random).delay == Duration(attoseconds: 200_000_000_200_000_000))
    }

    @Test("a huge multiplier saturates instead of overflowing")
    func saturates() throws {
        var schedule = try RetrySchedule(configuration: RetryConfiguration(
            maxAttempts: 1_000, multiplier: 1_000_000, jitter: .none))
        var random = FixedRandom(0)
        var last = schedule.next(using: &random)
        for _ in 0..<999 { last = schedule.next(using: &random) }
        #expect(last.delay == .seconds(10))
        #expect(last.upperBound == Duration(attoseconds: .max))
        var full = try RetrySchedule(configuration: RetryConfiguration(
            maxAttempts: 1_000, multiplier: 1_000_000, jitter: .full))
        var top = FixedRandom(.max)
        for _ in 0..<999 { _ = full.next(using: &top) }
        #expect(full.next(using: &top).delay == .seconds(10))
    }

    @Test("a server hint replaces the backoff, capped by maxDelay, and consumes no randomness")
    func hints() throws {
        var schedule = try RetrySchedule(configuration: RetryConfiguration())
        var random = FixedRandom(half, 0)
        #expect(schedule.next(hint: .seconds(3), using: &random).delay == .seconds(3))
        #expect(schedule.next(hint: .seconds(30), using: &random).delay == .seconds(10))
        let third = schedule.next(using: &random)
        #expect(third.retry == 3)
        #expect(third.delay == .milliseconds(400))    // d = 800 ms, full jitter, r = half
        #expect(!third.isHint)
    }

    @Test("invalid keys are named with their allowed range")
    func validation() {
        func error(_ configuration: RetryConfiguration) -> ConfigurationError? {
            do { try configuration.validate(); return nil } catch { return error }
        }
        #expect(error(RetryConfiguration(maxAttempts: 0))?.key == "maxAttempts")
        #expect(error(RetryConfiguration(maxAttempts: 1_001))?.allowed == "1...1000")
        #expect(error(RetryConfiguration(baseDelay: .milliseconds(-1)))?.key == "baseDelay")
        #expect(error(RetryConfiguration(multiplier: 0.5))?.key == "multiplier")
        #expect(error(RetryConfiguration(multiplier: 1.0 / 3.0))?.key == "multiplier")
        #expect(error(RetryConfiguration(baseDelay: .seconds(20)))?.key == "maxDelay")
        #expect(error(RetryConfiguration(budgetRatio: -0.1))?.key == "budgetRatio")
        #expect(error(RetryConfiguration(budgetRatio: 1_000.5))?.key == "budgetRatio")
        #expect(error(RetryConfiguration(budgetMinPerSecond: -1))?.key == "budgetMinPerSecond")
        #expect(error(RetryConfiguration(budgetWindow: .zero))?.key == "budgetWindow")
        #expect(error(RetryConfiguration(budgetWindow: .seconds(3_601)))?.allowed == "1ms...1h")
        #expect(error(RetryConfiguration()) == nil)
        #expect(error(RetryConfiguration(maxAttempts: 1, baseDelay: .zero, jitter: .none, budgetRatio: 0, budgetMinPerSecond: 0)) == nil)
    }
}
