import Testing
@testable import Resilience

@Suite("Timeout configuration: firstByte")
struct TimeoutConfigurationTests {
    @Test("firstByte defaults to nil: duration bounds the head too")
    func defaults() throws {
        let configuration = TimeoutConfiguration()
        #expect(configuration.firstByte == nil)
        #expect(configuration.duration == .seconds(30))
        try configuration.validate()
    }

    @Test("firstByte is accepted in (0, duration], its bounds included")
    func bounds() throws {
        try TimeoutConfiguration(duration: .seconds(2), firstByte: .nanoseconds(1)).validate()
        try TimeoutConfiguration(duration: .seconds(2), firstByte: .milliseconds(200)).validate()
        try TimeoutConfiguration(duration: .seconds(2), firstByte: .seconds(2)).validate()
    }

    @Test(
        "a firstByte outside (0, duration] is refused with the key, the value and the range",
        arguments: [
            (TimeoutConfiguration(duration: .seconds(2), firstByte: .zero),
             ConfigurationError(key: "firstByte", value: "0s", allowed: "(0, duration (2s)]")),
            (TimeoutConfiguration(duration: .seconds(2), firstByte: .milliseconds(-200)),
             ConfigurationError(key: "firstByte", value: "-200ms", allowed: "(0, duration (2s)]")),
            (TimeoutConfiguration(duration: .seconds(2), firstByte: .seconds(2) + .nanoseconds(1)),
             ConfigurationError(key: "firstByte", value: "2000000.001us", allowed: "(0, duration (2s)]")),
            (TimeoutConfiguration(duration: .milliseconds(200), firstByte: .seconds(1)),
             ConfigurationError(key: "firstByte", value: "1s", allowed: "(0, duration (200ms)]")),
            // An invalid duration is reported first: firstByte is checked against a valid one.
            (TimeoutConfiguration(duration: .zero, firstByte: .seconds(1)),
             ConfigurationError(key: "duration", value: "0s", allowed: "> 0")),
        ])
    func invalid(configuration: TimeoutConfiguration, expected: ConfigurationError) {
        #expect(throws: expected) { try configuration.validate() }
    }

    @Test("validationErrors reports a bad firstByte once and puts it back to nil to go on")
    func everyError() {
        let configuration = TimeoutConfiguration(duration: .zero, firstByte: .seconds(-1))
        #expect(configuration.validationErrors() == [
            ConfigurationError(key: "duration", value: "0s", allowed: "> 0"),
            ConfigurationError(key: "firstByte", value: "-1s", allowed: "(0, duration (30s)]"),
        ])
    }

    @Test("the Timeout policy does not enforce firstByte: it cuts an attempt at duration only")
    func policyIgnoresFirstByte() async throws {
        let clock = ManualClock()
        let timeout = Timeout(
            name: "test", configuration: TimeoutConfiguration(duration: .seconds(2), firstByte: .milliseconds(100)),
            clock: clock)
        let call = Task {
            try await timeout.execute(context: ResilienceContext()) { context in
                let deadline = try context.deadline(on: clock)
                try await clock.sleep(for: .seconds(1))
                return deadline
            }
        }
        await eventually { clock.sleeperCount == 2 }  // the operation and the timer
        clock.advance(by: .seconds(1))  // past firstByte, before duration
        #expect(try await call.value == ManualClock.Instant(offset: .seconds(2)))
        let late = Task { try await timeout.execute(context: ResilienceContext()) { _ in try await clock.sleep(for: .seconds(10)) } }
        await eventually { clock.sleeperCount == 2 }
        clock.advance(by: .seconds(2))
        await expectTimedOut(late)
    }
}
