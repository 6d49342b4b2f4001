import HeapModule

/// A priority queue of events tuned for simulations where most events come in streams that are
/// scheduled in increasing order: timers of one fixed length (timeouts, `maxWait`s) and open-loop
/// arrivals. Each such stream has a *lane*, a first-in first-out queue (O(1) both ways), and a stale
/// event there (a timeout whose call was answered first) costs nothing until it reaches the front.
/// Everything else, and an element that would break its lane's order, waits in a `Heap` (HeapModule).
///
/// Elements come out in exactly the order of one heap: the smallest first. Give equal elements a total
/// order (the run's events carry a sequence number): a heap returns equal elements in no particular
/// order.
///
/// ```swift
/// var calendar = EventCalendar<Int>(lanes: 1)
/// calendar.insert(10, lane: 0)
/// calendar.insert(20, lane: 0)
/// calendar.insert(15)
/// calendar.removeMinimum()   // 10, then 15, then 20
/// ```
struct EventCalendar<Element: Comparable> {
    private var heap = Heap<Element>()
    private var lanes: [OrderedLane]
    /// Bit `i` set: lane `i` is not empty (so that finding the smallest looks at those only).
    private var nonEmptyLanes: UInt64 = 0
    /// Where the smallest element is: a lane's number, `heapSource`, or `unknown` (to be found by a
    /// scan). Kept through insertions, found again after a removal.
    private var smallestSource: Int
    private static var heapSource: Int { -1 }
    private static var unknown: Int { -2 }

    /// An empty calendar with `lanes` lanes, numbered from 0.
    init(lanes: Int) {
        precondition((0...64).contains(lanes), "an event calendar has 0...64 lanes, not \(lanes)")
        self.lanes = Array(repeating: OrderedLane(), count: lanes)
        smallestSource = Self.unknown
    }

    /// The number of elements.
    var count: Int {
        lanes.reduce(heap.count) { $0 + $1.count }
    }

    /// The smallest element, if any.
    var minimum: Element? {
        mutating get {
            if smallestSource == Self.unknown { smallestSource = findSmallestSource() }
            return element(at: smallestSource)
        }
    }

    /// Adds `element`.
    mutating func insert(_ element: Element) {
        heap.insert(element)
        noteInserted(element, source: Self.heapSource)
    }

    /// Adds `element` to `lane` when it is not smaller than the lane's last element (the usual case for
    /// a stream scheduled in increasing order), to the heap otherwise.
    mutating func insert(_ element: Element, lane: Int) {
        if let last = lanes[lane].last, element < last {
            insert(element)
        } else {
            lanes[lane].append(element)
            nonEmptyLanes |= 1 << UInt64(lane)
            noteInserted(element, source: lane)
        }
    }

    /// Removes and returns the smallest element, if any.
    mutating func removeMinimum() -> Element? {
        if smallestSource == Self.unknown { smallestSource = findSmallestSource() }
        let source = smallestSource
        smallestSource = Self.unknown
        if source == Self.heapSource { return heap.popMin() }
        let element = lanes[source].removeFirst()
        if lanes[source].count == 0 { nonEmptyLanes &= ~(1 << UInt64(source)) }
        return element
    }

    /// Keeps ``smallestSource`` right after `element` went into `source`.
    @inline(__always)
    private mutating func noteInserted(_ element: Element, source: Int) {
        guard smallestSource != Self.unknown else { return }
        if let smallest = self.element(at: smallestSource), !(element < smallest) { return }
        smallestSource = source
    }

    @inline(__always)
    private func element(at source: Int) -> Element? {
        source == Self.heapSource ? heap.min : lanes[source].first
    }

    /// The source of the smallest element: the heap (also when everything is empty) or a lane.
    private func findSmallestSource() -> Int {
        var source = Self.heapSource
        var smallest = heap.min
        var remaining = nonEmptyLanes
        while remaining != 0 {
            let lane = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            guard let first = lanes[lane].first else { continue }  // a set bit means a non-empty lane
            if let current = smallest, !(first < current) { continue }
            smallest = first
            source = lane
        }
        return source
    }

    /// A first-in first-out queue: an array read from `head`, compacted once the read part is large.
    private struct OrderedLane {
        private var elements: [Element] = []
        private var head = 0

        var count: Int { elements.count - head }
        var first: Element? { head < elements.count ? elements[head] : nil }
        var last: Element? { head < elements.count ? elements[elements.count - 1] : nil }

        mutating func append(_ element: Element) {
            elements.append(element)
        }

        /// Amortized O(1): the read part is dropped in one move once it is at least 1,024 elements and
        /// half of the array (not each time the lane empties, which for a stream of one element at a
        /// time would cost a call into the array every time).
        mutating func removeFirst() -> Element {
            let first = elements[head]
            head += 1
            if head >= 1_024 && head * 2 >= elements.count {
                elements.removeFirst(head)
                head = 0
            }
            return first
        }
    }
}
