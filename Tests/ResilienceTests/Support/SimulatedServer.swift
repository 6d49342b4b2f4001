import Foundation
@testable import Resilience

/// A deterministic discrete-event simulation of a client with a concurrency limiter in front of a
/// server of capacity `capacity`, in virtual time: no clock, no sleeping.
///
/// - Arrivals are open-loop Poisson at `overload × capacity / baseLatency` per second (above what the
///   server can serve when `overload > 1`), from a seeded generator. With a ``Scenario/change`` (the
///   server's capacity and base latency change at an instant), the higher of the two phases'
///   `capacity / baseLatency` is used, so that both phases are overloaded.
/// - The server shares itself among the calls in flight (processor sharing): with `n` calls in flight
///   each progresses at rate `min(1, capacity / n)`. A call needs `baseLatency × U(1 − spread, 1 + spread)`
///   of work, so its latency is its work while `n ≤ capacity` and grows as `n / capacity` beyond.
/// - The limiter is the pure ``ConcurrencyLimiterStateMachine``, driven directly: `acquire` on
///   arrival, `release(.success)` on completion (AIMD sees a drop when the latency exceeds its `timeout`).
struct SimulatedServer {
    struct Scenario {
        var capacity: Int
        var baseLatency: Duration = .milliseconds(10)
        var spread: Double = 0.1
        var overload: Double = 2
        var duration: Duration = .seconds(20)
        /// Statistics are taken after this much virtual time.
        var warmup: Duration = .seconds(10)
        var seed: UInt64 = 42
        /// The server's capacity and base latency from an instant on (`nil`: no change).
        var change: Change?
    }

    /// A change of the server at `at`: from then on, `capacity` and `baseLatency` (calls in flight keep
    /// the work they still need).
    struct Change {
        var at: Duration
        var capacity: Int
        var baseLatency: Duration
    }

    struct Report: CustomStringConvertible {
        var meanLimit: Double
        var minLimit: Int
        var maxLimit: Int
        var finalLimit: Int
        var p50: Double
        var p99: Double
        var throughput: Double
        var rejectedRatio: Double

        var description: String {
            func f(_ x: Double) -> String { String(Double(Int(x * 10)) / 10) }
            return "limit mean \(f(meanLimit)) [\(minLimit), \(maxLimit)] final \(finalLimit); "
                + "latency p50 \(f(p50)) ms p99 \(f(p99)) ms; throughput \(Int(throughput))/s; "
                + "rejected \(f(rejectedRatio * 100)) %"
        }
    }

    typealias Machine = ConcurrencyLimiterStateMachine

    private struct Call {
        var finishWork: Double
        var token: Machine.Token
    }

    static func run(_ scenario: Scenario, configuration: ConcurrencyLimitConfiguration) throws -> Report {
        var machine = try Machine(configuration: configuration, randomSeed: scenario.seed)
        var random = SplitMix64(seed: scenario.seed)
        var base = scenario.baseLatency.seconds
        var capacity = Double(scenario.capacity)
        var pendingChange = scenario.change
        let phaseRates = [capacity / base] + (pendingChange.map { [Double($0.capacity) / $0.baseLatency.seconds] } ?? [])
        let arrivalRate = scenario.overload * phaseRates.max()!
        let end = scenario.duration.seconds
        let warmup = scenario.warmup.seconds

        var now = 0.0
        var work = 0.0                                // work done per call in flight since 0 (processor sharing)
        var calls = MinHeap<Call>(by: { $0.finishWork < $1.finishWork })
        var nextArrival = random.exponential(rate: arrivalRate)
        var latencies: [Double] = []
        var limitArea = 0.0
        var minLimit = Int.max
        var maxLimit = Int.min
        var arrivals = 0
        var rejected = 0

        while true {
            let rate = calls.isEmpty ? 0 : min(1, capacity / Double(calls.count))
            let nextCompletion = calls.peek.map { now + ($0.finishWork - work) / rate } ?? .infinity
            let changeAt = pendingChange?.at.seconds ?? .infinity
            let next = min(nextArrival, nextCompletion, end, changeAt)
            if next > warmup {
                let from = max(now, warmup)
                limitArea += Double(machine.limit) * (next - from)
            }
            work += rate * (next - now)
            now = next
            if now >= end { break }
            if let change = pendingChange, now >= changeAt {
                capacity = Double(change.capacity)
                base = change.baseLatency.seconds
                pendingChange = nil
                continue
            }
            let instant = ClockOffset(.nanoseconds(Int64(now * 1e9)))
            if nextCompletion <= nextArrival {
                let call = calls.pop()!
                let result = machine.release(call.token, outcome: .success, now: instant)
                precondition(result.admitted.isEmpty && result.expired.isEmpty)
                if now > warmup { latencies.append(call.token.startedAt.duration(to: instant).seconds) }
            } else {
                nextArrival = now + random.exponential(rate: arrivalRate)
                if now > warmup { arrivals += 1 }
                switch machine.acquire(now: instant) {
                case .admitted(let token):
                    let need = base * (1 + scenario.spread * (2 * random.unit() - 1))
                    calls.push(Call(finishWork: work + need, token: token))
                case .rejected:
                    if now > warmup { rejected += 1 }
                case .enqueued:
                    preconditionFailure("the simulation runs without a queue")
                }
            }
            if now > warmup {
                minLimit = min(minLimit, machine.limit)
                maxLimit = max(maxLimit, machine.limit)
            }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double {
            latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(p * Double(latencies.count)))] * 1000
        }
        return Report(
            meanLimit: limitArea / (end - warmup), minLimit: minLimit, maxLimit: maxLimit, finalLimit: machine.limit,
            p50: percentile(0.5), p99: percentile(0.99), throughput: Double(latencies.count) / (end - warmup),
            rejectedRatio: arrivals == 0 ? 0 : Double(rejected) / Double(arrivals))
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension SplitMix64 {
    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }

    /// Exponentially distributed with the given rate.
    mutating func exponential(rate: Double) -> Double { -log1p(-unit()) / rate }
}

/// A binary min-heap ordered by `areInIncreasingOrder`.
struct MinHeap<Element> {
    private var elements: [Element] = []
    private let areInIncreasingOrder: (Element, Element) -> Bool

    init(by areInIncreasingOrder: @escaping (Element, Element) -> Bool) {
        self.areInIncreasingOrder = areInIncreasingOrder
    }

    var isEmpty: Bool { elements.isEmpty }
    var count: Int { elements.count }
    var peek: Element? { elements.first }

    mutating func push(_ element: Element) {
        elements.append(element)
        var child = elements.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard areInIncreasingOrder(elements[child], elements[parent]) else { break }
            elements.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Element? {
        guard !elements.isEmpty else { return nil }
        elements.swapAt(0, elements.count - 1)
        let top = elements.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < elements.count && areInIncreasingOrder(elements[left], elements[smallest]) { smallest = left }
            if right < elements.count && areInIncreasingOrder(elements[right], elements[smallest]) { smallest = right }
            if smallest == parent { break }
            elements.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}
