import Testing
@testable import Resilience

/// The limit against a simulated server of capacity C (``SimulatedServer``): 10 ms of work per call
/// (± 10 %), processor sharing beyond C calls in flight, Poisson arrivals at twice the capacity,
/// 20 s of virtual time, statistics over the last 10 s. A fixed limit of 10 × C lets the latency grow
/// tenfold; the adaptive limits are measured against it.
@Suite("Concurrency limit: convergence against a simulated server")
struct ConcurrencyLimitConvergenceTests {
    static let base = Duration.milliseconds(10)

    private func run(capacity: Int, _ configuration: ConcurrencyLimitConfiguration) throws -> SimulatedServer.Report {
        let report = try SimulatedServer.run(.init(capacity: capacity), configuration: configuration)
        print("capacity \(capacity), \(configuration.algorithm.name): \(report)")
        return report
    }

    private func fixedLimit(capacity: Int) throws -> SimulatedServer.Report {
        let limit = 10 * capacity
        let report = try SimulatedServer.run(
            .init(capacity: capacity),
            configuration: .init(initialLimit: limit, minLimit: limit, maxLimit: limit))
        print("capacity \(capacity), fixed limit \(limit): \(report)")
        return report
    }

    @Test("AIMD (timeout 12 ms = 1.2 × the base latency) settles within ±25 % of C and bounds p99", arguments: [50, 100])
    func aimd(capacity: Int) throws {
        let report = try run(
            capacity: capacity,
            .init(algorithm: .aimd(.init(timeout: .milliseconds(12))), maxLimit: 20 * capacity))
        let c = Double(capacity)
        #expect(report.meanLimit >= 0.75 * c && report.meanLimit <= 1.25 * c)
        #expect(Double(report.minLimit) >= 0.75 * c && Double(report.maxLimit) <= 1.25 * c)
        #expect(report.p99 <= 15)                           // ms: 1.5 × the base latency
        #expect(report.throughput >= 0.95 * c / 0.010)      // the server stays busy

        let fixed = try fixedLimit(capacity: capacity)
        #expect(fixed.p99 >= 100)                            // ms: 10 × the base latency
    }

    @Test("Gradient2 with its defaults settles within ±25 % of C and bounds p99", arguments: [50, 100])
    func gradient2(capacity: Int) throws {
        let report = try run(capacity: capacity, .init(algorithm: .gradient2(), maxLimit: 20 * capacity))
        expectConverged(report, capacity: capacity)
    }

    @Test("Gradient2 with the default maxLimit (200 = 4 × C) no longer climbs to it")
    func gradient2DefaultMaxLimit() throws {
        let report = try run(capacity: 50, .init(algorithm: .gradient2()))
        expectConverged(report, capacity: 50)
    }

    @Test("Vegas with its defaults settles within ±25 % of C and bounds p99", arguments: [50, 100])
    func vegas(capacity: Int) throws {
        let report = try run(capacity: capacity, .init(algorithm: .vegas(), maxLimit: 20 * capacity))
        expectConverged(report, capacity: capacity)
    }

    private func expectConverged(_ report: SimulatedServer.Report, capacity: Int) {
        let c = Double(capacity)
        #expect(report.meanLimit >= 0.75 * c && report.meanLimit <= 1.25 * c)
        #expect(Double(report.minLimit) >= 0.75 * c && Double(report.maxLimit) <= 1.25 * c)
        #expect(report.p99 <= 15)                           // ms: 1.5 × the base latency
        #expect(report.throughput >= 0.95 * c / 0.010)      // the server stays busy
    }
}

/// The limit against a server that changes at 10 s of 20 s (``SimulatedServer/Change``): its capacity
/// doubles or halves, or its base latency doubles. Arrivals stay at twice the larger phase's
/// throughput, so both phases are overloaded. Statistics over the last 8 s: the limit has followed
/// within 2 s.
@Suite("Concurrency limit: following a server that changes")
struct ConcurrencyLimitCapacityChangeTests {
    struct Case: Sendable, CustomStringConvertible {
        var capacity: Int
        var change: (capacity: Int, base: Duration)
        var description: String {
            "C \(capacity) → \(change.capacity), base 10 ms → \(Int(change.base.seconds * 1000)) ms"
        }
    }

    static let cases = [
        Case(capacity: 50, change: (100, .milliseconds(10))),
        Case(capacity: 100, change: (50, .milliseconds(10))),
        Case(capacity: 50, change: (50, .milliseconds(20))),
    ]

    private func run(_ c: Case, _ algorithm: ConcurrencyLimitConfiguration.Algorithm) throws -> SimulatedServer.Report {
        var scenario = SimulatedServer.Scenario(capacity: c.capacity, warmup: .seconds(12))
        scenario.change = .init(at: .seconds(10), capacity: c.change.capacity, baseLatency: c.change.base)
        let report = try SimulatedServer.run(scenario, configuration: .init(algorithm: algorithm, maxLimit: 2_000))
        print("\(c), \(algorithm.name): \(report)")
        return report
    }

    private func expectFollowed(_ report: SimulatedServer.Report, _ c: Case) {
        let capacity = Double(c.change.capacity)
        let base = c.change.base.seconds * 1000
        #expect(report.meanLimit >= 0.9 * capacity && report.meanLimit <= 1.25 * capacity)
        #expect(Double(report.minLimit) >= 0.7 * capacity && Double(report.maxLimit) <= 1.3 * capacity)
        #expect(report.p99 <= 1.5 * base)
        #expect(report.throughput >= 0.95 * capacity / (base / 1000))
    }

    @Test("Gradient2 follows the change", arguments: cases)
    func gradient2(_ c: Case) throws {
        expectFollowed(try run(c, .gradient2()), c)
    }

    @Test("Vegas follows the change", arguments: cases)
    func vegas(_ c: Case) throws {
        expectFollowed(try run(c, .vegas()), c)
    }

    @Test("AIMD (timeout 12 ms) follows a change of capacity", arguments: cases.prefix(2))
    func aimd(_ c: Case) throws {
        expectFollowed(try run(c, .aimd(.init(timeout: .milliseconds(12)))), c)
    }
}
