import Logging
import Metrics
@testable import Resilience

// The worked example of the article "Adding a policy" (Sources/Resilience/Resilience.docc/AddingAPolicy.md):
// a policy that keeps at least `spacing` between the calls it admits, built from the shell kit. It lives in
// the test target so that the article's code is compiled and tested; a real policy lives in
// Sources/Resilience/<Feature>/ with the same three parts.

// MARK: 1. The configuration: a public struct whose validate() names the key, the value and what is allowed.

/// How far apart a ``CallSpacing`` keeps the calls it admits.
public struct CallSpacingConfiguration: Sendable, Hashable {
    /// The least time between two admitted calls. In (0, 1 h]. Default: 100 ms.
    public var spacing: Duration

    public init(spacing: Duration = .milliseconds(100)) {
        self.spacing = spacing
    }

    /// - Throws: ``ConfigurationError`` naming `spacing` when it is out of range.
    public func validate() throws(ConfigurationError) {
        guard spacing > .zero, spacing <= .seconds(3_600) else {
            throw ConfigurationError(key: "spacing", value: DurationText.format(spacing), allowed: "(0, 1h]")
        }
    }
}

// MARK: 2. The state machine: pure logic; every method takes `now` as a ClockOffset and returns a decision.

/// Admits a call when at least `spacing` has passed since the last admitted one; otherwise rejects it
/// with the exact time left.
@usableFromInline
package struct CallSpacingStateMachine: Sendable {
    @usableFromInline let spacing: Int128
    /// When the last call was admitted (attoseconds), or `nil` before the first.
    @usableFromInline var lastAdmitted: Int128?

    @usableFromInline
    package enum Decision: Sendable, Hashable {
        case admitted
        case rejected(retryAfter: Duration)
    }

    package init(configuration: CallSpacingConfiguration) throws(ConfigurationError) {
        try configuration.validate()
        spacing = configuration.spacing.attoseconds
    }

    @inlinable
    package mutating func acquire(now: ClockOffset) -> Decision {
        if let lastAdmitted, now.attoseconds - lastAdmitted < spacing {
            return .rejected(retryAfter: Duration(attoseconds: lastAdmitted + spacing - now.attoseconds))
        }
        lastAdmitted = now.attoseconds
        return .admitted
    }
}

// MARK: 3. The shell: reads the clock, holds the lock around the machine only, runs the operation outside it.

/// Keeps at least `spacing` between the calls it lets through.
public final class CallSpacing<C: Clock>: ResiliencePolicy where C.Duration == Duration {
    /// The name used in errors, metrics labels and logs.
    public let name: String
    @usableFromInline let reader: ClockReader<C>
    @usableFromInline let machine: Locked<CallSpacingStateMachine>
    @usableFromInline let rejections: Counter

    /// - Parameters:
    ///   - name: a low-cardinality name for errors, metrics and logs.
    ///   - configuration: the spacing; validated here.
    ///   - clock: the clock the spacing is measured on; `ContinuousClock` by default.
    ///   - logger: accepted for symmetry with the other policies (this one logs nothing).
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    /// - Throws: ``ConfigurationError`` naming the invalid key.
    public init(
        name: String,
        configuration: CallSpacingConfiguration = CallSpacingConfiguration(),
        clock: C = ContinuousClock(),
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil
    ) throws(ConfigurationError) {
        self.name = name
        reader = ClockReader(clock: clock)
        machine = Locked(try CallSpacingStateMachine(configuration: configuration))
        let sinks = TelemetrySinks(logger: logger, metricsFactory: metricsFactory)
        rejections = Counter(
            label: "resilience_call_spacing_rejections_total", dimensions: [("policy", name)], factory: sinks.factory)
    }

    @inlinable
    public nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        let now = reader.offsetNow
        switch machine.withLock({ $0.acquire(now: now) }) {
        case .admitted:
            return try await operation(context)
        case .rejected(let retryAfter):
            rejections.increment()
            throw ResilienceError(code: .rateLimited, policyName: name, retryAfter: retryAfter)
        }
    }
}
