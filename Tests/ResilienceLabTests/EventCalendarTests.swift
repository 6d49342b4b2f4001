import HeapModule
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("Event calendar: the heap and its ordered lanes give exactly a heap's order")
struct EventCalendarTests {
    @Test("the documented example")
    func example() {
        var calendar = EventCalendar<Int>(lanes: 1)
        calendar.insert(10, lane: 0)
        calendar.insert(20, lane: 0)
        calendar.insert(15)
        #expect(calendar.count == 3)
        #expect(calendar.minimum == 10)
        #expect(calendar.removeMinimum() == 10)
        #expect(calendar.removeMinimum() == 15)
        #expect(calendar.removeMinimum() == 20)
        #expect(calendar.removeMinimum() == nil)
        #expect(calendar.minimum == nil)
    }

    @Test("an element smaller than its lane's last goes to the heap and still comes out in order")
    func outOfOrderLaneInsert() {
        var calendar = EventCalendar<Int>(lanes: 2)
        calendar.insert(30, lane: 1)
        calendar.insert(5, lane: 1)  // smaller than 30: the heap takes it
        calendar.insert(7, lane: 0)
        #expect(calendar.minimum == 5)
        calendar.insert(1)  // smaller than the known minimum
        #expect([calendar.removeMinimum(), calendar.removeMinimum(), calendar.removeMinimum(), calendar.removeMinimum()]
            == [1, 5, 7, 30])
    }

    @Test("random streams, mostly increasing per lane, interleaved with removals: sorted order, nothing lost")
    func againstSorting() {
        var random = SplitMix64(seed: 11)
        var calendar = EventCalendar<Int>(lanes: 3)
        var reference: [Int] = []
        var laneClock = [0, 0, 0]
        var removed: [Int] = []
        var unique = 0
        // Elements are value * 1_000_000 + a unique number, so that no two compare equal.
        func next(_ value: Int) -> Int {
            unique += 1
            return value * 1_000_000 + unique
        }
        var now = 0
        for _ in 0..<20_000 {
            switch SimulationMath.index(below: 10, &random) {
            case 0...3:
                let lane = SimulationMath.index(below: 3, &random)
                // Usually later than the lane's last; one time in eight earlier (out of order).
                let step = SimulationMath.index(below: 100, &random)
                laneClock[lane] = max(now, laneClock[lane] + (SimulationMath.index(below: 8, &random) == 0 ? -step : step))
                let element = next(laneClock[lane])
                calendar.insert(element, lane: lane)
                reference.append(element)
            case 4...6:
                let element = next(now + SimulationMath.index(below: 500, &random))
                calendar.insert(element)
                reference.append(element)
            default:
                let expected = reference.min()
                #expect(calendar.minimum == expected)
                guard let element = calendar.removeMinimum() else {
                    #expect(expected == nil)
                    continue
                }
                #expect(element == expected)
                reference.remove(at: reference.firstIndex(of: element)!)
                removed.append(element)
                now = element / 1_000_000
            }
            #expect(calendar.count == reference.count)
        }
        while let element = calendar.removeMinimum() { removed.append(element) }
        #expect(removed == removed.sorted())
        #expect(calendar.count == 0)
        #expect(Set(removed).count == unique)
    }

    @Test("a heap alone (the calendar's HeapModule Heap): the order over many sizes, duplicates included")
    func heapOrder() {
        var random = SplitMix64(seed: 5)
        for size in 0...64 {
            var heap = Heap<UInt64>()
            var values: [UInt64] = []
            for _ in 0..<size {
                let value = random.next() % 32  // duplicates on purpose: equal values are interchangeable
                heap.insert(value)
                values.append(value)
            }
            var out: [UInt64] = []
            while let value = heap.popMin() { out.append(value) }
            #expect(out == values.sorted(), "size \(size)")
        }
    }
}
