/// A binary min-heap: O(log n) insertion and removal of the smallest element, O(1) access to it.
///
/// Elements that compare equal come out in no particular order, so give them a total order (the
/// replay's events carry a sequence number for that).
struct MinimumHeap<Element: Comparable> {
    private var storage: [Element] = []

    /// The number of elements.
    var count: Int { storage.count }

    /// The smallest element, if any.
    var minimum: Element? { storage.first }

    /// Adds `element`.
    mutating func insert(_ element: Element) {
        storage.append(element)
        var child = storage.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard storage[child] < storage[parent] else { break }
            storage.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest element, if any.
    mutating func removeMinimum() -> Element? {
        guard let last = storage.popLast() else { return nil }
        guard !storage.isEmpty else { return last }
        let minimum = storage[0]
        storage[0] = last
        var parent = 0
        let count = storage.count
        while true {
            let left = 2 * parent + 1
            guard left < count else { break }
            let right = left + 1
            let smaller = right < count && storage[right] < storage[left] ? right : left
            guard storage[smaller] < storage[parent] else { break }
            storage.swapAt(smaller, parent)
            parent = smaller
        }
        return minimum
    }
}
