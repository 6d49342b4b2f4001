/// The calls of a ``PolicyRun`` by slot: a buffer that the run owns alone (the table cannot be
/// copied), so that writing a field of a call is a store in place, without the copy-on-write check an
/// array needs (a call takes about twenty such writes on its way through the policies). Slots are
/// appended and never removed; the run reuses them.
///
/// ```swift
/// var table = CallTable<Int>()
/// table.append(7)
/// table[0] += 1   // 8
/// ```
struct CallTable<Element>: ~Copyable {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    /// The number of slots.
    private(set) var count = 0

    /// An empty table.
    init() {
        capacity = 64
        storage = .allocate(capacity: capacity)
    }

    deinit {
        storage.deinitialize(count: count)
        storage.deallocate()
    }

    /// The element at `slot` (`0..<count`), read and written in place.
    subscript(slot: Int) -> Element {
        unsafeAddress {
            precondition(slot >= 0 && slot < count, "slot outside the call table")
            return UnsafePointer(storage + slot)
        }
        unsafeMutableAddress {
            precondition(slot >= 0 && slot < count, "slot outside the call table")
            return storage + slot
        }
    }

    /// Adds `element` in a new slot, at index `count`.
    mutating func append(_ element: Element) {
        if count == capacity {
            let larger = UnsafeMutablePointer<Element>.allocate(capacity: capacity * 2)
            larger.moveInitialize(from: storage, count: count)
            storage.deallocate()
            storage = larger
            capacity *= 2
        }
        (storage + count).initialize(to: element)
        count += 1
    }
}
