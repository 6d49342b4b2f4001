/// Entry points for the separate Benchmarks package to the state machines it measures alone (no lock,
/// no clock). The machines are `package` API; the Benchmarks package is another package, so it reaches
/// them through this SPI: `@_spi(Benchmarks) import Resilience`. Not for use outside the benchmarks.
@_spi(Benchmarks)
public enum StateMachineBenchmarks {
    /// A circuit breaker's state machine.
    public struct CircuitBreaker: Sendable {
        @usableFromInline var machine: CircuitBreakerStateMachine

        /// A closed breaker at offset zero.
        public init(configuration: CircuitBreakerConfiguration) throws(ConfigurationError) {
            machine = try CircuitBreakerStateMachine(configuration: configuration)
        }

        /// Acquires at `now` (an offset from zero) and records `outcome` there with a zero duration.
        /// - Returns: whether the call was permitted.
        @inlinable
        public mutating func acquireAndRecord(_ outcome: CallOutcome, at now: Duration) -> Bool {
            guard case .permitted(let permit) = machine.acquire(now: ClockOffset(now)).decision else { return false }
            _ = machine.record(outcome, of: permit, duration: .zero, now: ClockOffset(now))
            return true
        }
    }

    /// A token bucket's state machine.
    public struct TokenBucket: Sendable {
        @usableFromInline var machine: TokenBucketStateMachine

        /// A full bucket at offset zero.
        public init(configuration: RateLimiterConfiguration) throws(ConfigurationError) {
            machine = try TokenBucketStateMachine(configuration: configuration)
        }

        /// Asks for one permit at `now`; returns whether it was admitted at once.
        @inlinable
        public mutating func acquire(at now: Duration) throws(RateLimitCostError) -> Bool {
            try machine.acquire(now: ClockOffset(now)) == .admitted
        }
    }

    /// A sliding-window rate limiter's state machine.
    public struct SlidingWindow: Sendable {
        @usableFromInline var machine: SlidingWindowRateLimiterStateMachine

        /// An empty window at offset zero.
        public init(configuration: SlidingWindowRateLimiterConfiguration) throws(ConfigurationError) {
            machine = try SlidingWindowRateLimiterStateMachine(configuration: configuration)
        }

        /// Asks for one permit at `now`; returns whether it was admitted at once.
        @inlinable
        public mutating func acquire(at now: Duration) throws(RateLimitCostError) -> Bool {
            try machine.acquire(now: ClockOffset(now)) == .admitted
        }
    }

    /// A bulkhead's state machine.
    public struct Bulkhead: Sendable {
        @usableFromInline var machine: BulkheadStateMachine

        /// An empty bulkhead.
        public init(configuration: BulkheadConfiguration = BulkheadConfiguration()) throws(ConfigurationError) {
            machine = try BulkheadStateMachine(configuration: configuration)
        }

        /// Acquires a slot and releases it; returns whether the slot was granted at once.
        @inlinable
        public mutating func acquireAndRelease() -> Bool {
            guard case .admitted = machine.acquire() else { return false }
            return machine.release() == nil
        }
    }

    /// A concurrency limiter's state machine.
    public struct ConcurrencyLimiter: Sendable {
        @usableFromInline var machine: ConcurrencyLimiterStateMachine

        /// A limiter at the configuration's initial limit.
        public init(configuration: ConcurrencyLimitConfiguration, randomSeed: UInt64) throws(ConfigurationError) {
            machine = try ConcurrencyLimiterStateMachine(configuration: configuration, randomSeed: randomSeed)
        }

        /// Acquires at `now` and releases the call there as a success; returns the limit after it, or
        /// `nil` when the call was not admitted.
        @inlinable
        public mutating func acquireAndRelease(at now: Duration) -> Int? {
            guard case .admitted(let token) = machine.acquire(now: ClockOffset(now)) else { return nil }
            return machine.release(token, outcome: .success, now: ClockOffset(now)).limit
        }
    }
}
