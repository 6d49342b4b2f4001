/// The cache shell shared by ``CachedFallback`` and ``StaleDataFallback``: reads the clock and holds
/// the lock only around the ``FallbackCacheStateMachine``.
@usableFromInline
final class FallbackCacheStore<Value: Sendable, C: Clock>: Sendable where C.Duration == Duration {
    @usableFromInline typealias Machine = FallbackCacheStateMachine<FallbackCacheKey, Value>

    @usableFromInline let machine: Locked<Machine>
    /// Reads the clock; the machine's instants are offsets from the store's creation.
    @usableFromInline let reader: ClockReader<C>
    @usableFromInline let keying: FallbackCacheKeying
    @usableFromInline let classifier: FailureClassifier

    init(
        configuration: FallbackCacheConfiguration, maximumAge: Duration?, keying: FallbackCacheKeying,
        classifier: FailureClassifier, clock: C
    ) {
        machine = Locked(Machine(
            timeToLive: configuration.timeToLive, maximumAge: maximumAge, capacity: configuration.maximumKeys))
        reader = ClockReader(clock: clock)
        self.keying = keying
        self.classifier = classifier
    }

    /// Stores the value of a successful call, unless the classifier counts it as a failure or the call
    /// has no key. The clock is read under the lock, so stored instants never go backwards.
    @inlinable
    func store(_ value: Value, context: ResilienceContext) {
        guard classifier.classify(result: value) != .failure, let key = keying.key(for: context) else { return }
        machine.withLock { machine in
            _ = machine.store(value, for: key, now: reader.offsetNow)
        }
    }

    /// The cached value for a call with `context`.
    func lookup(context: ResilienceContext) -> Machine.Lookup {
        guard let key = keying.key(for: context) else { return .missing }
        return machine.withLock { machine in machine.lookup(key, now: reader.offsetNow) }
    }

    /// How many keys hold a value.
    var count: Int { machine.withLock { $0.count } }

    /// Forgets every value.
    func removeAll() { machine.withLock { $0.removeAll() } }
}
