import DequeModule

/// A priority queue of events tuned for simulations where many events are timers of one fixed length
/// (timeouts, `maxWait`s): those are scheduled in increasing order, so they wait in a first-in
/// first-out queue (O(1)) instead of the heap, and stale ones (a timeout whose call was answered first)
/// cost nothing until they reach the front. Everything else waits in a ``MinimumHeap``.
///
/// Elements come out in exactly the order of one heap: the smallest first (give equal elements a total
/// order, as ``MinimumHeap`` asks).
struct EventCalendar<Element: Comparable> {
    private var heap = MinimumHeap<Element>()
    private var timers = Deque<Element>()

    /// The number of elements.
    var count: Int { heap.count + timers.count }

    /// The smallest element, if any.
    var minimum: Element? {
        guard let timer = timers.first else { return heap.minimum }
        guard let other = heap.minimum else { return timer }
        return other < timer ? other : timer
    }

    /// Adds `element`.
    mutating func insert(_ element: Element) {
        heap.insert(element)
    }

    /// Adds `element`, a timer: into the first-in first-out queue when it is not smaller than the last
    /// timer there (the usual case), into the heap otherwise.
    mutating func insertTimer(_ element: Element) {
        if let last = timers.last, element < last {
            heap.insert(element)
        } else {
            timers.append(element)
        }
    }

    /// Removes and returns the smallest element, if any.
    mutating func removeMinimum() -> Element? {
        guard let timer = timers.first else { return heap.removeMinimum() }
        if let other = heap.minimum, other < timer { return heap.removeMinimum() }
        return timers.removeFirst()
    }
}
