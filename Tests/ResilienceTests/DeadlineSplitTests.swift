import Testing
@testable import Resilience

@Suite("Deadline split")
struct DeadlineSplitTests {
    static func at(_ seconds: Double) -> ManualClock.Instant {
        ManualClock.Instant(offset: .milliseconds(Int64(seconds * 1_000)))
    }

    @Test("weights 3:1 of 10 s: the first step gets 7.5 s; the second all that is left when it starts")
    func weighted() throws {
        let clock = ManualClock()
        var split = try DeadlineSplit(context: ResilienceContext(deadline: Self.at(10)), clock: clock, weights: [3, 1])
        #expect(try split.next().deadline(on: clock) == Self.at(7.5))
        clock.advance(by: .seconds(2))  // the first step ended early
        #expect(try split.next().deadline(on: clock) == Self.at(10))
    }

    @Test("equal steps re-divide the time left at each step")
    func equalSteps() throws {
        let clock = ManualClock()
        var split = try DeadlineSplit(context: ResilienceContext(deadline: Self.at(9)), clock: clock, steps: 3)
        #expect(try split.next().deadline(on: clock) == Self.at(3))
        clock.advance(by: .seconds(1))  // 8 s left for 2 steps
        #expect(try split.next().deadline(on: clock) == Self.at(5))
        clock.advance(by: .seconds(5))
        #expect(try split.next().deadline(on: clock) == Self.at(9))
        #expect(split.step == 3)
    }

    @Test("the share is exact to the attosecond, rounded down")
    func exactShare() throws {
        let clock = ManualClock()
        var split = try DeadlineSplit(
            context: ResilienceContext(deadline: ManualClock.Instant(offset: .seconds(1))), clock: clock, steps: 3)
        let first = try #require(try split.next().deadline(on: clock))
        #expect(first.offset.attoseconds == 333_333_333_333_333_333)
    }

    @Test("once the deadline has passed, every step gets the passed deadline")
    func passed() throws {
        let clock = ManualClock(now: Self.at(12))
        var split = try DeadlineSplit(context: ResilienceContext(deadline: Self.at(10)), clock: clock, steps: 2)
        #expect(try split.next().deadline(on: clock) == Self.at(10))
        #expect(try split.next().deadline(on: clock) == Self.at(10))
    }

    @Test("without a deadline every step gets the context unchanged")
    func noDeadline() throws {
        var split = try DeadlineSplit(context: ResilienceContext(operationName: "x"), clock: ManualClock(), steps: 2)
        let step = try split.next()
        #expect(step.deadline == nil)
        #expect(step.operationName == "x")
    }

    @Test("bad weights and a deadline of another clock are errors")
    func badInput() {
        #expect(throws: ConfigurationError(key: "weights", value: "[2, 0]", allowed: "at least one weight, each >= 1")) {
            try DeadlineSplit(context: ResilienceContext(), clock: ManualClock(), weights: [2, 0])
        }
        #expect(throws: ConfigurationError(key: "weights", value: "[]", allowed: "at least one weight, each >= 1")) {
            try DeadlineSplit(context: ResilienceContext(), clock: ManualClock(), weights: [])
        }
        #expect(throws: ConfigurationError(key: "steps", value: "0", allowed: ">= 1")) {
            try DeadlineSplit(context: ResilienceContext(), clock: ManualClock(), steps: 0)
        }
        #expect(throws: ResilienceContext.DeadlineClockMismatch.self) {
            try DeadlineSplit(context: ResilienceContext(deadline: ContinuousClock.now), clock: ManualClock(), steps: 1)
        }
    }

    @Test("bounded(by:) keeps the earlier deadline")
    func bounded() throws {
        let clock = ManualClock()
        let context = ResilienceContext(deadline: Self.at(5))
        #expect(try context.bounded(by: Self.at(3), on: clock).deadline(on: clock) == Self.at(3))
        #expect(try context.bounded(by: Self.at(8), on: clock).deadline(on: clock) == Self.at(5))
        #expect(try ResilienceContext().bounded(by: Self.at(8), on: clock).deadline(on: clock) == Self.at(8))
        #expect(try context.remainingTime(on: clock, now: Self.at(7)) == .seconds(-2))
    }
}
