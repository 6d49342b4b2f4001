import Logging
import Metrics

/// Answers a failed call with a value: a static one, one computed from why the call failed, or one
/// given per call.
///
/// ```swift
/// let recommendations = Fallback<[Product]>(name: "recommendations", .empty)
/// let products = try await recommendations.execute(context: context) { context in
///     try await pipeline.execute(context: context) { _ in try await api.recommendations(for: user) }
/// }
/// ```
///
/// Strategies (see ``FallbackStrategy``): ``FallbackStrategy/value(_:)``,
/// ``FallbackStrategy/computed(_:)``, ``FallbackStrategy/failOpen`` and
/// ``FallbackStrategy/failClosed`` for `Bool` checks, `.empty` for collections, strings, sets and dictionaries. For
/// the last good value, see ``CachedFallback`` and ``StaleDataFallback``.
///
/// Rules:
/// - What is handled is decided by the ``FallbackPredicate``: by default every rejection by a policy
///   inside (its code is visible in the ``FallbackCause``) and every failure of the
///   ``FailureClassifier``; not ``NotADependencyFailure`` errors (bad input, not found), which reach
///   the caller as they are.
/// - `CancellationError` is never handled, and nothing is handled while the calling task is
///   cancelled: a cancelled caller gets the error as it was thrown, normally `CancellationError`.
/// - A strategy may ``FallbackDecision/decline``: the caller then gets the original error, unchanged,
///   never wrapped. A fallback created without a strategy declines every call, except through
///   ``execute(context:_:otherwise:)``.
/// - A strategy that throws gives the caller its own error.
///
/// ## Example: a privacy redaction step
///
/// A chat service redacts personal data before storing messages. When the redactor is down, the
/// user's message must still be shown to them, but must never be stored unredacted. The fallback
/// returns the original text *marked do-not-persist*, and the store keeps only what may be persisted:
///
/// ```swift
/// struct RedactedMessage: Sendable { var text: String; var mayPersist: Bool }
///
/// let redaction = Fallback<RedactedMessage>(name: "redaction")
///
/// func prepare(_ text: String, context: ResilienceContext) async throws -> RedactedMessage {
///     try await redaction.execute(context: context) { context in
///         try await pipeline.execute(context: context) { _ in
///             RedactedMessage(text: try await redactor.redact(text), mayPersist: true)
///         }
///     } otherwise: { _ in
///         .value(RedactedMessage(text: text, mayPersist: false))     // show it, never store it
///     }
/// }
///
/// let message = try await prepare(incoming, context: context)
/// if message.mayPersist { try await store.save(message.text) }
/// ```
///
/// Cost: a successful call runs the operation and returns; no lock, no clock read, no allocation.
/// The cause, the strategy and the telemetry are touched only after a failure.
public final class Fallback<Value: Sendable>: FallbackPolicy {
    /// A fallback of this kind returns the value itself.
    public typealias Output = Value

    /// The name used in metrics labels and logs. Keep it low-cardinality.
    public let name: String
    /// Decides which failed calls are handled.
    public var predicate: FallbackPredicate { core.predicate }
    /// The configured strategy, or `nil` when values are given per call.
    public var strategy: FallbackStrategy<Value>? { core.strategy }

    @usableFromInline let core: FallbackCore<Value>

    /// Creates a fallback.
    /// - Parameters:
    ///   - name: a low-cardinality name for metrics and logs.
    ///   - strategy: where the value comes from; `nil` when every call gives its own handler through
    ///     ``execute(context:_:otherwise:)``.
    ///   - predicate: which failed calls are handled.
    ///   - logger: receives a `debug` line per handled call; by default nothing is logged.
    ///   - metricsFactory: where the metrics go; by default the bootstrapped `MetricsSystem` factory.
    ///   - onFallback: called after each handled call, on the caller's task.
    public init(
        name: String,
        _ strategy: FallbackStrategy<Value>? = nil,
        handling predicate: FallbackPredicate = .default,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        onFallback: (@Sendable (FallbackEvent) -> Void)? = nil
    ) {
        self.name = name
        self.core = FallbackCore(
            name: name, predicate: predicate, strategy: strategy, logger: logger, metricsFactory: metricsFactory,
            onFallback: onFallback)
    }

    /// Runs `operation`; answers a handled failure with the configured strategy.
    /// - Returns: the operation's value, or the strategy's.
    /// - Throws: the operation's error, unchanged, when it is not handled or the strategy declines;
    ///   the strategy's error when it throws.
    @inlinable
    public nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        do {
            return try await operation(context)
        } catch {
            return try await recover(from: error, context: context)
        }
    }

    /// Runs `operation`; answers a handled failure with `handler` instead of the configured strategy.
    /// See ``FallbackPolicy/execute(context:_:otherwise:)``.
    @inlinable
    public nonisolated(nonsending) func execute(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value,
        otherwise handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Value>
    ) async throws -> Value {
        do {
            return try await operation(context)
        } catch {
            return try await recover(from: error, context: context, with: handler)
        }
    }

    /// The failure path with the configured strategy.
    @usableFromInline
    nonisolated(nonsending) func recover(from error: any Error, context: ResilienceContext) async throws -> Value {
        guard let cause = core.cause(of: error, context: context) else { throw error }
        return try await core.resolve(cause, rethrowing: error) { cause in try await core.decideWithStrategy(cause) }
    }

    /// The failure path with a per-call handler.
    @usableFromInline
    nonisolated(nonsending) func recover(
        from error: any Error, context: ResilienceContext,
        with handler: nonisolated(nonsending) (FallbackCause) async throws -> FallbackDecision<Value>
    ) async throws -> Value {
        guard let cause = core.cause(of: error, context: context) else { throw error }
        return try await core.resolve(cause, rethrowing: error, with: handler)
    }
}
