/// The last good values of a caching fallback: pure logic, no locks, no clocks, no async. Every method
/// takes `now` as a ``ClockOffset`` (the shell's ``ClockReader`` counts from the shell's creation), so
/// that no resilient instant type is stored or compared on the hot path.
///
/// Rules:
/// - ``store(_:for:now:)`` keeps the value and the instant it was stored, replacing any earlier value
///   of the key.
/// - ``lookup(_:now:)`` measures `age = now − storedAt`: fresh when `age < timeToLive` (an age equal to
///   `timeToLive` is expired); stale when expired but `age < maximumAge` (any age when `maximumAge`
///   is `nil`); otherwise missing, and a value that old is dropped, since it can never be served.
/// - At most `capacity` keys are kept. Storing a new key when full evicts the key whose value was
///   stored longest ago: the stalest value, hence the least useful one. Reads do not count as use: a
///   fallback reads only while its dependency fails, and what matters then is how old the value is.
/// - `now` must not go backwards from one call to the next (the shell reads the clock under its lock).
///
/// Storing the key that was stored last (the common case of one key, or of a burst of one key)
/// replaces its value in place and touches no queue. Otherwise eviction is O(1) amortized: keys are
/// queued in store order, and a replaced or dropped key's old place in the queue is skipped when met.
/// The queue is compacted in place once it holds more than twice as many places as there are keys,
/// plus ``compactionSlack``: each compaction at least halves it, so its cost is spread over the
/// stores that grew it, and its memory follows the keys actually held, not `capacity`. Once the queue
/// has grown to its working size, storing allocates nothing.
@usableFromInline
struct FallbackCacheStateMachine<Key: Hashable, Value> {
    /// What a lookup found.
    @usableFromInline
    enum Lookup {
        /// A value younger than the time to live.
        case fresh(Value, age: Duration)
        /// A value past its time to live, but younger than the maximum age.
        case stale(Value, age: Duration)
        /// No value for the key, or only one too old to serve.
        case missing
    }

    @usableFromInline
    struct Entry {
        @usableFromInline var value: Value
        @usableFromInline var storedAt: ClockOffset
        /// The place of this value in `storeOrder`.
        @usableFromInline var sequence: UInt64

        @inlinable
        init(value: Value, storedAt: ClockOffset, sequence: UInt64) {
            self.value = value
            self.storedAt = storedAt
            self.sequence = sequence
        }
    }

    @usableFromInline let timeToLive: Duration
    /// The oldest a stale value may be; `nil`: any age. Equal to `timeToLive`: never stale.
    @usableFromInline let maximumAge: Duration?
    @usableFromInline let capacity: Int
    @usableFromInline var entries: [Key: Entry] = [:]
    /// A key's place in the store order: the sequence number its value was stored with.
    @usableFromInline
    struct Place {
        @usableFromInline let key: Key
        @usableFromInline let sequence: UInt64

        @inlinable
        init(key: Key, sequence: UInt64) {
            self.key = key
            self.sequence = sequence
        }
    }

    /// Keys in the order their values were stored; places before `head` are consumed.
    @usableFromInline var storeOrder: [Place] = []
    @usableFromInline var head = 0
    @usableFromInline var lastSequence: UInt64 = 0

    /// Creates an empty cache. `timeToLive` > 0, `maximumAge` ≥ `timeToLive`, `capacity` ≥ 1: the
    /// shells pass validated values.
    init(timeToLive: Duration, maximumAge: Duration?, capacity: Int) {
        precondition(timeToLive > .zero && capacity >= 1 && (maximumAge ?? timeToLive) >= timeToLive)
        self.timeToLive = timeToLive
        self.maximumAge = maximumAge
        self.capacity = capacity
    }

    /// Places the queue may hold beyond twice the number of keys before it is compacted, so that a
    /// cache of one or two keys is not compacted on every store.
    @usableFromInline static var compactionSlack: Int { 16 }

    /// How many keys hold a value.
    var count: Int { entries.count }

    /// Stores `value` for `key` at `now`.
    /// - Returns: the key evicted to make room, if any.
    @inlinable
    @discardableResult
    mutating func store(_ value: Value, for key: Key, now: ClockOffset) -> Key? {
        if let index = entries.index(forKey: key) {
            if entries.values[index].sequence == lastSequence {
                // The key was the last one stored: its place at the end of the queue stays right.
                entries.values[index] = Entry(value: value, storedAt: now, sequence: lastSequence)
                return nil
            }
            lastSequence += 1
            entries.values[index] = Entry(value: value, storedAt: now, sequence: lastSequence)
            enqueue(key)
            return nil
        }
        lastSequence += 1
        entries[key] = Entry(value: value, storedAt: now, sequence: lastSequence)
        enqueue(key)
        return entries.count > capacity ? evictOldest() : nil
    }

    /// Puts `key`, just stored with `lastSequence`, at the end of the queue; compacts it when due.
    @inlinable
    mutating func enqueue(_ key: Key) {
        storeOrder.append(Place(key: key, sequence: lastSequence))
        if storeOrder.count > 2 * entries.count + Self.compactionSlack {
            compact()
        }
    }

    /// The value of `key` at `now`, fresh or stale; drops a value too old to serve.
    @inlinable
    mutating func lookup(_ key: Key, now: ClockOffset) -> Lookup {
        guard let entry = entries[key] else { return .missing }
        let age = entry.storedAt.duration(to: now)
        if age < timeToLive { return .fresh(entry.value, age: age) }
        if let maximumAge, age >= maximumAge {
            entries[key] = nil
            return .missing
        }
        return .stale(entry.value, age: age)
    }

    /// Forgets every value.
    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        storeOrder.removeAll(keepingCapacity: true)
        head = 0
    }

    /// Whether the queue place `(key, sequence)` still names the key's current value.
    @inlinable
    func isCurrent(_ place: Place) -> Bool {
        entries[place.key]?.sequence == place.sequence
    }

    /// Removes the value stored longest ago. Called only when `entries` holds more than one key, so
    /// the queue holds a current place before the one just appended.
    @inlinable
    mutating func evictOldest() -> Key? {
        while head < storeOrder.count {
            let place = storeOrder[head]
            head += 1
            if isCurrent(place) {
                entries[place.key] = nil
                return place.key
            }
        }
        return nil
    }

    /// Keeps only the current places, in order, without reallocating the queue.
    @inlinable
    mutating func compact() {
        var write = 0
        for read in head..<storeOrder.count where isCurrent(storeOrder[read]) {
            storeOrder[write] = storeOrder[read]
            write += 1
        }
        storeOrder.removeLast(storeOrder.count - write)
        head = 0
    }
}
