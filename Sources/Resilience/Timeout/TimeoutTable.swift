/// Timeouts per kind of operation, with a default: the duration for a call is the one listed for its
/// context's ``ResilienceContext/operationType``, or the default.
///
/// ```swift
/// let table = TimeoutTable(default: .seconds(30), byOperationType: [
///     "llm": .seconds(60), "auth": .seconds(5), "db": .seconds(10), "http": .seconds(15),
/// ])
/// let timeout = Timeout(name: "backend", table: table)
/// try await timeout.execute(context: ResilienceContext(operationName: "complete", operationType: "llm")) { _ in
///     try await llm.complete(prompt)          // up to 60 s
/// }
/// ```
///
/// A call whose type is not listed, or that has none, gets the default: an unknown type is not an
/// error, since types come from call sites and the table from configuration.
public struct TimeoutTable: Sendable, Hashable {
    /// The duration for calls whose type is not listed. > 0.
    public var defaultDuration: Duration
    /// The duration per operation type. Each > 0; types are non-empty.
    public var byOperationType: [String: Duration]

    /// A table of `byOperationType`, with `default` for the rest.
    public init(default defaultDuration: Duration = .seconds(30), byOperationType: [String: Duration] = [:]) {
        self.defaultDuration = defaultDuration
        self.byOperationType = byOperationType
    }

    /// The example table from the documentation: default 30 s, `llm` 60 s, `auth` 5 s, `db` 10 s,
    /// `http` 15 s.
    public static let typicalService = TimeoutTable(default: .seconds(30), byOperationType: [
        "llm": .seconds(60), "auth": .seconds(5), "db": .seconds(10), "http": .seconds(15),
    ])

    /// The duration for a call of type `operationType`.
    @inlinable
    public func duration(for operationType: String?) -> Duration {
        guard let operationType, let listed = byOperationType[operationType] else { return defaultDuration }
        return listed
    }

    /// Checks the default and every listed duration.
    /// - Throws: ``ConfigurationError`` naming the key (`default`, or `byOperationType.<type>`).
    public func validate() throws(ConfigurationError) {
        try ConfigurationError.check(
            defaultDuration > .zero, "default", DurationText.format(defaultDuration), "> 0")
        for (type, duration) in byOperationType.sorted(by: { $0.key < $1.key }) {
            try ConfigurationError.check(!type.isEmpty, "byOperationType", "an empty operation type", "non-empty types")
            try ConfigurationError.check(
                duration > .zero, "byOperationType.\(type)", DurationText.format(duration), "> 0")
        }
    }
}
