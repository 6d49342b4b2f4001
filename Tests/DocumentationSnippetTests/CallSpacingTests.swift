import Resilience
import Testing

/// The tests of the article "Adding a policy", on its code as the article shows it (compiled from the
/// article into `Snippet_AddingAPolicy` by Scripts/extract-snippets.swift): the state machine at exact
/// instants, the shell on a ManualClock, and a bad configuration named.
@Suite("Adding a policy: the CallSpacing example")
struct CallSpacingTests {
    @Test("the state machine admits once the spacing has passed, and says exactly how long is left")
    func stateMachine() throws {
        var machine = try Snippet_AddingAPolicy.CallSpacingStateMachine(configuration: Snippet_AddingAPolicy.CallSpacingConfiguration(spacing: .milliseconds(100)))
        #expect(machine.acquire(now: ClockOffset(.milliseconds(0))) == .admitted)
        #expect(machine.acquire(now: ClockOffset(.milliseconds(30))) == .rejected(retryAfter: .milliseconds(70)))
        #expect(machine.acquire(now: ClockOffset(.milliseconds(100))) == .admitted)
    }

    @Test("the shell runs the operation when admitted and throws rateLimited with retryAfter when not")
    func shell() async throws {
        let clock = ManualClock()
        let spacing = Snippet_AddingAPolicy.CallSpacing(name: "example", configuration: .init(spacing: .seconds(1)), clock: clock)
        #expect(try await spacing.execute { 1 } == 1)
        clock.advance(by: .milliseconds(250))
        let error = await #expect(throws: ResilienceError.self) { try await spacing.execute { 2 } }
        #expect(error?.code == .rateLimited && error?.retryAfter == .milliseconds(750))
    }

    @Test("a bad configuration is an error naming the key; in code, it stops the process")
    func badConfiguration() async {
        #expect(throws: ConfigurationError(key: "spacing", value: "0s", allowed: "(0, 1h]")) {
            try Snippet_AddingAPolicy.CallSpacingConfiguration(spacing: .zero).validate()
        }
        await #expect(processExitsWith: .failure) {
            _ = Snippet_AddingAPolicy.CallSpacing(name: "example", configuration: .init(spacing: .zero))
        }
    }
}
