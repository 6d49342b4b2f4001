/// Where a fallback's value comes from: a fixed value, or a handler that looks at the cause.
///
/// | strategy | value | typical use |
/// |---|---|---|
/// | ``value(_:)`` | the given value | a default, a placeholder |
/// | ``computed(_:)`` | what the handler decides from the ``FallbackCause`` | a value per rejection code; declining some causes |
/// | ``failOpen`` | `true` | a feature flag or a non-critical check: when the check cannot run, let the call through |
/// | ``failClosed`` | `false` | authorization: when the check cannot run, deny |
/// | `empty` | an empty collection, string, set or dictionary | "no recommendations" rather than an error |
///
/// A computed handler may suspend and may throw: when it throws, the caller gets the handler's error
/// (not the original one), so a handler should throw only when that is the better error to report.
/// To leave a call unhandled, return ``FallbackDecision/decline``: the caller then gets the original
/// error unchanged.
public struct FallbackStrategy<Value: Sendable>: Sendable {
    /// A computed strategy's handler; runs on the caller's executor.
    @usableFromInline
    typealias Handler = nonisolated(nonsending) @Sendable (FallbackCause) async throws -> FallbackDecision<Value>

    @usableFromInline
    enum Kind: Sendable {
        case value(Value)
        case computed(Handler)
    }

    @usableFromInline let kind: Kind

    @usableFromInline
    init(kind: Kind) { self.kind = kind }

    /// Always this value.
    public static func value(_ value: Value) -> FallbackStrategy {
        FallbackStrategy(kind: .value(value))
    }

    /// What `handler` decides from the cause: a value, or ``FallbackDecision/decline``.
    ///
    /// The handler runs only for causes the fallback's ``FallbackPredicate`` handles. If it throws, the
    /// caller gets the thrown error.
    public static func computed(
        _ handler: nonisolated(nonsending) @escaping @Sendable (FallbackCause) async throws -> FallbackDecision<Value>
    ) -> FallbackStrategy {
        FallbackStrategy(kind: .computed(handler))
    }

    /// The decision for `cause`.
    @usableFromInline
    nonisolated(nonsending) func decide(_ cause: FallbackCause) async throws -> FallbackDecision<Value> {
        switch kind {
        case .value(let value): .value(value)
        case .computed(let handler): try await handler(cause)
        }
    }
}

extension FallbackStrategy where Value == Bool {
    /// `true`: when the check cannot run, let the call through. For checks whose failure must not
    /// block users, such as feature flags or optional quota checks.
    public static var failOpen: FallbackStrategy { .value(true) }

    /// `false`: when the check cannot run, deny. For authorization and anything where letting a call
    /// through by mistake is worse than refusing it.
    public static var failClosed: FallbackStrategy { .value(false) }
}

extension FallbackStrategy where Value: RangeReplaceableCollection {
    /// An empty collection: `[]` for arrays, `""` for strings, an empty `Data`.
    public static var empty: FallbackStrategy { .value(Value()) }
}

extension FallbackStrategy where Value: SetAlgebra {
    /// An empty set (or option set).
    public static var empty: FallbackStrategy { .value(Value()) }
}

extension FallbackStrategy where Value: ExpressibleByDictionaryLiteral {
    /// An empty dictionary.
    public static var empty: FallbackStrategy { .value([:]) }
}

/// What a fallback handler decides for one failed call.
public enum FallbackDecision<Value: Sendable>: Sendable {
    /// Return this value to the caller instead of the error.
    case value(Value)
    /// Do not handle this call: the caller gets the original error, unchanged.
    case decline
}
