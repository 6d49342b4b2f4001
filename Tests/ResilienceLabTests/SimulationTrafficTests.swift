import HeapModule
import Resilience
import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("Simulation: traffic")
struct SimulationTrafficTests {
    func openLoop(_ model: TrafficModel, duration: Duration, seed: UInt64 = 1) -> [TrafficArrival] {
        var generator = TrafficGenerator(model: model, duration: duration, seed: seed)
        var arrivals: [TrafficArrival] = []
        while let arrival = generator.nextOpenLoopArrival() { arrivals.append(arrival) }
        return arrivals
    }

    @Test("Poisson: 1,000/s over 100 s gives 100,000 ± 4σ calls, in time order, deterministic for a seed")
    func poissonCount() throws {
        let model = try TrafficModel(rates: [.init(from: .zero, ratePerSecond: 1_000)])
        let arrivals = openLoop(model, duration: .seconds(100))
        // σ = √100,000 ≈ 316.
        #expect(abs(arrivals.count - 100_000) < 1_265, "\(arrivals.count)")
        #expect(zip(arrivals, arrivals.dropFirst()).allSatisfy { $0.at <= $1.at })
        #expect(arrivals.allSatisfy { $0.at >= .zero && $0.at < .seconds(100) && $0.source == .poisson })
        #expect(openLoop(model, duration: .seconds(100)) == arrivals)
        #expect(openLoop(model, duration: .seconds(100), seed: 2) != arrivals)
        // Gaps are exponential: the share of gaps longer than the mean is e⁻¹ ≈ 0.368.
        let long = zip(arrivals, arrivals.dropFirst()).filter { $1.at - $0.at > .milliseconds(1) }.count
        #expect(abs(Double(long) / Double(arrivals.count) - 0.3679) < 0.01)
    }

    @Test("the rate changes at its instants; a quiet phase has no calls; no calls before the first rate")
    func rateChanges() throws {
        let model = try TrafficModel(rates: [
            .init(from: .seconds(10), ratePerSecond: 500),
            .init(from: .seconds(30), ratePerSecond: 0),
            .init(from: .seconds(40), ratePerSecond: 2_000),
        ])
        let arrivals = openLoop(model, duration: .seconds(50))
        func count(_ from: Int64, _ to: Int64) -> Int {
            arrivals.filter { $0.at >= .seconds(from) && $0.at < .seconds(to) }.count
        }
        #expect(count(0, 10) == 0)
        #expect(abs(count(10, 30) - 10_000) < 400)
        #expect(count(30, 40) == 0)
        #expect(abs(count(40, 50) - 20_000) < 570)
        // Second by second the rate is right up to the changes.
        #expect(abs(count(29, 30) - 500) < 90)
        #expect(abs(count(40, 41) - 2_000) < 180)
    }

    @Test("a burst adds exactly its calls, inside [at, at + over), merged in time order")
    func bursts() throws {
        let model = try TrafficModel(
            rates: [.init(from: .zero, ratePerSecond: 100)],
            bursts: [.init(at: .seconds(5), calls: 3_000, over: .seconds(1)), .init(at: .seconds(8), calls: 7, over: .zero)])
        let arrivals = openLoop(model, duration: .seconds(10))
        let first = arrivals.filter { $0.source == .burst(0) }
        let second = arrivals.filter { $0.source == .burst(1) }
        #expect(first.count == 3_000)
        #expect(first.allSatisfy { $0.at >= .seconds(5) && $0.at < .seconds(6) })
        // Uniform: about half in each half-second.
        #expect(abs(first.filter { $0.at < .milliseconds(5_500) }.count - 1_500) < 110)
        #expect(second.count == 7 && second.allSatisfy { $0.at == .seconds(8) })
        #expect(zip(arrivals, arrivals.dropFirst()).allSatisfy { $0.at <= $1.at })
        // Bursts do not change the Poisson arrivals (independent streams).
        let plain = openLoop(try TrafficModel(rates: [.init(from: .zero, ratePerSecond: 100)]), duration: .seconds(10))
        #expect(arrivals.filter { $0.source == .poisson } == plain)
    }

    @Test("priorities and operations follow their weights")
    func attributes() throws {
        let model = try TrafficModel(
            rates: [.init(from: .zero, ratePerSecond: 10_000)],
            priorities: WeightedMix([(.low, 0.25), (.critical, 0.75)]), operations: WeightedMix([("read", 0.9), ("write", 0.1)]))
        let arrivals = openLoop(model, duration: .seconds(4))
        let critical = arrivals.filter { $0.priority == .critical }.count
        let writes = arrivals.filter { $0.operation == 1 }.count
        #expect(abs(Double(critical) / Double(arrivals.count) - 0.75) < 0.01)
        #expect(abs(Double(writes) / Double(arrivals.count) - 0.1) < 0.01)
        #expect(Set(arrivals.map(\.priority)) == [.low, .critical])
    }

    @Test("closed-loop clients: the next call one think time after the previous ended, never two in flight")
    func closedLoop() throws {
        let model = try TrafficModel(closedLoop: .init(clients: 5, thinkTime: .constant(.milliseconds(100))))
        var generator = TrafficGenerator(model: model, duration: .seconds(10), seed: 1)
        var dependency = try SimulatedDependency(DependencyModel(
            workers: 2, maxQueue: 10, serviceTime: .logNormal(median: .milliseconds(30), p99: .milliseconds(300))))
        var random = SplitMix64(seed: 9)
        // Events: (instant, sequence, kind 0 = arrival / 1 = service end, client).
        struct Event: Comparable {
            var at: Duration
            var sequence: Int
            var kind: Int
            var client: Int
            static func < (a: Event, b: Event) -> Bool { (a.at, a.sequence) < (b.at, b.sequence) }
        }
        var events = Heap<Event>()
        var sequence = 0
        func schedule(_ at: Duration, _ kind: Int, _ client: Int) {
            sequence += 1
            events.insert(Event(at: at, sequence: sequence, kind: kind, client: client))
        }
        let first = generator.startClients()
        #expect(first.count == 5 && first.allSatisfy { $0.at == .milliseconds(100) })
        for arrival in first { if case .client(let c) = arrival.source { schedule(arrival.at, 0, c) } }
        var inFlight = Set<Int>()
        var lastEnd: [Int: Duration] = [:]
        var calls = 0
        var violations = 0
        while let event = events.popMin() {
            if event.kind == 0 {
                if inFlight.contains(event.client) { violations += 1 }
                if let end = lastEnd[event.client], event.at != end + .milliseconds(100) { violations += 1 }
                inFlight.insert(event.client)
                calls += 1
                switch dependency.arrive(call: UInt64(event.client), at: event.at, random: &random) {
                case .served(let answeredAt, _): schedule(answeredAt, 1, event.client)
                case .rejected: schedule(event.at, 2, event.client)
                case .queued: break
                }
            } else {
                if event.kind == 1 {
                    dependency.serviceEnded(at: event.at)
                    while let start = dependency.startNextWaiting(at: event.at, random: &random) {
                        schedule(start.answeredAt, 1, Int(start.call))
                    }
                }
                inFlight.remove(event.client)
                #expect(generator.hasCallInFlight(client: event.client))
                lastEnd[event.client] = event.at
                if let next = generator.clientCallEnded(client: event.client, at: event.at),
                   case .client(let c) = next.source {
                    #expect(c == event.client)
                    schedule(next.at, 0, c)
                }
            }
        }
        #expect(violations == 0)
        #expect(calls == generator.closedLoopCalls)
        // 5 clients, each cycle ≥ 100 ms think + service: well under 500 calls in 10 s, and more than 250.
        #expect(calls > 250 && calls < 500, "\(calls)")
    }
}
