/// The one error type with which resilience policies reject a call themselves.
///
/// Errors thrown by the protected operation are passed to the caller unchanged; a `ResilienceError`
/// means a policy refused or gave up on the call. Match on ``code``:
///
/// ```swift
/// do {
///     return try await breaker.execute { try await client.fetch() }
/// } catch let error as ResilienceError where error.code == .circuitOpen {
///     return cachedValue   // retry after error.retryAfter, if any
/// }
/// ```
///
/// New codes are added as new static members of ``Code``, so adding one never breaks a `switch` in
/// user code.
public struct ResilienceError: Error, Sendable, CustomStringConvertible {
    /// What kind of rejection this is. Compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        @usableFromInline
        enum Base: String, Sendable, Hashable, CaseIterable {
            case circuitOpen
            case halfOpenFull
            case timedOut
            case bulkheadFull
            case rateLimited
            case loadShed
        }

        @usableFromInline
        let base: Base

        @inlinable
        init(_ base: Base) { self.base = base }

        /// A circuit breaker is open (or forced open) and rejects calls without trying.
        public static let circuitOpen = Code(.circuitOpen)
        /// A circuit breaker is half-open and has already admitted all the probes it permits.
        public static let halfOpenFull = Code(.halfOpenFull)
        /// A timeout policy's duration (or the call's deadline) elapsed before the operation finished;
        /// the operation was cancelled. Unlike the other codes, this one reports the dependency's
        /// slowness rather than a refusal to try, so retry policies retry it by default.
        public static let timedOut = Code(.timedOut)
        /// A bulkhead has all its slots taken and its queue full, or a queued call waited longer than
        /// the bulkhead's `maxWait`.
        public static let bulkheadFull = Code(.bulkheadFull)
        /// A rate limiter has no permit for the call now (or not within its `maxWait`);
        /// ``ResilienceError/retryAfter`` says when one will be available.
        public static let rateLimited = Code(.rateLimited)
        /// A load shedder or an adaptive concurrency limit dropped the call to protect the service
        /// (too much work in flight or queued for the call's priority, pressure too high, or a
        /// cascade's fast-fail mode).
        public static let loadShed = Code(.loadShed)

        /// The code's name, for example `circuitOpen`; stable, suitable for logs and metric labels.
        public var description: String { base.rawValue }

        /// Every code this version of the library defines.
        public static var allCodes: [Code] { Base.allCases.map(Code.init) }

        /// The code with the given name (``description``), or `nil` when there is none.
        public init?(name: String) {
            guard let base = Base(rawValue: name) else { return nil }
            self.base = base
        }
    }

    /// What kind of rejection this is.
    public var code: Code
    /// The name of the policy that rejected the call.
    public var policyName: String
    /// How long the caller should wait before trying again, when the policy knows.
    public var retryAfter: Duration?
    /// The error that led to this rejection, where there is one.
    public var underlyingError: (any Error)?

    /// Creates a rejection error.
    public init(code: Code, policyName: String, retryAfter: Duration? = nil, underlyingError: (any Error)? = nil) {
        self.code = code
        self.policyName = policyName
        self.retryAfter = retryAfter
        self.underlyingError = underlyingError
    }

    public var description: String {
        var text = "ResilienceError.\(code) from policy '\(policyName)'"
        if let retryAfter { text += ", retry after \(retryAfter)" }
        if let underlyingError { text += ", underlying error: \(underlyingError)" }
        return text
    }
}
