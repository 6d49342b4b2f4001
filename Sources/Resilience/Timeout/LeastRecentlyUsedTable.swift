/// A dictionary of at most `capacity` entries that evicts the least recently used entry to make room.
/// Pure: no locks.
///
/// Lookup, use, insertion and eviction are O(1): the entries form a doubly linked list, most recently
/// used first, threaded through an array by index (no allocation per use). Slots of evicted entries are
/// reused, so the array never grows beyond `capacity`.
struct LeastRecentlyUsedTable<Key: Hashable, Value> {
    private struct Node {
        var key: Key
        var value: Value
        /// The next more recently used node, or -1.
        var newer: Int
        /// The next less recently used node, or -1.
        var older: Int
    }

    /// The most entries held.
    let capacity: Int
    /// Entries evicted to make room since creation.
    private(set) var evictions = 0

    private var slots: [Key: Int] = [:]
    private var nodes: [Node] = []
    private var newest = -1
    private var oldest = -1

    /// An empty table.
    /// - Precondition: `capacity ≥ 1`.
    init(capacity: Int) {
        precondition(capacity >= 1, "LeastRecentlyUsedTable: capacity must be >= 1, got \(capacity)")
        self.capacity = capacity
    }

    /// The number of entries.
    var count: Int { slots.count }

    /// The keys, most recently used first.
    var keysByRecency: [Key] {
        var keys: [Key] = []
        keys.reserveCapacity(count)
        var slot = newest
        while slot >= 0 {
            keys.append(nodes[slot].key)
            slot = nodes[slot].older
        }
        return keys
    }

    /// The value of `key`, without marking it used.
    func peek(_ key: Key) -> Value? {
        slots[key].map { nodes[$0].value }
    }

    /// The value of `key`, marked most recently used.
    mutating func use(_ key: Key) -> Value? {
        guard let slot = slots[key] else { return nil }
        moveToFront(slot)
        return nodes[slot].value
    }

    /// The value of `key`, marked most recently used; if there is none, `value` is inserted as most
    /// recently used, evicting the least recently used entry when the table is full.
    /// - Returns: the value now held for `key`, and the key evicted, if any.
    mutating func use(_ key: Key, insertingIfAbsent value: Value) -> (value: Value, evicted: Key?) {
        if let existing = use(key) { return (existing, nil) }
        if slots.count < capacity {
            let slot = nodes.count
            nodes.append(Node(key: key, value: value, newer: -1, older: -1))
            slots[key] = slot
            linkAtFront(slot)
            return (value, nil)
        }
        // Reuse the least recently used node's slot.
        let slot = oldest
        let evicted = nodes[slot].key
        slots[evicted] = nil
        slots[key] = slot
        nodes[slot].key = key
        nodes[slot].value = value
        moveToFront(slot)
        evictions += 1
        return (value, evicted)
    }

    private mutating func moveToFront(_ slot: Int) {
        guard slot != newest else { return }
        // Unlink: `slot` is not the newest, so it has a newer neighbour.
        let newer = nodes[slot].newer
        let older = nodes[slot].older
        nodes[newer].older = older
        if older >= 0 { nodes[older].newer = newer } else { oldest = newer }
        linkAtFront(slot)
    }

    private mutating func linkAtFront(_ slot: Int) {
        nodes[slot].newer = -1
        nodes[slot].older = newest
        if newest >= 0 { nodes[newest].newer = slot } else { oldest = slot }
        newest = slot
    }
}
