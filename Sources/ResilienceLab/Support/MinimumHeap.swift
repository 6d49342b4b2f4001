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
        storage.withUnsafeMutableBufferPointer { heap in
            // Move parents down into the hole until the element's place is found, then write it once.
            var hole = heap.count - 1
            while hole > 0 {
                let parent = (hole - 1) / 2
                guard element < heap[parent] else { break }
                heap[hole] = heap[parent]
                hole = parent
            }
            heap[hole] = element
        }
    }

    /// Removes and returns the smallest element, if any.
    mutating func removeMinimum() -> Element? {
        guard let last = storage.popLast() else { return nil }
        guard !storage.isEmpty else { return last }
        return storage.withUnsafeMutableBufferPointer { heap in
            let minimum = heap[0]
            // Floyd's bottom-up removal: move the hole at the root down to a leaf, pulling the smaller
            // child up (one comparison per level)...
            let count = heap.count
            var hole = 0
            while true {
                let left = 2 * hole + 1
                guard left < count else { break }
                let right = left + 1
                let smaller = right < count && heap[right] < heap[left] ? right : left
                heap[hole] = heap[smaller]
                hole = smaller
            }
            // ...then sift `last` up from there: it came from the bottom, so it rarely climbs.
            while hole > 0 {
                let parent = (hole - 1) / 2
                guard last < heap[parent] else { break }
                heap[hole] = heap[parent]
                hole = parent
            }
            heap[hole] = last
            return minimum
        }
    }
}
