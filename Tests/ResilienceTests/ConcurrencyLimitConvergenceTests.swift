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

    @Test("Gradient2 with its defaults does not converge: under steady overload it climbs to maxLimit")
    func gradient2() throws {
        let report = try run(capacity: 50, .init(algorithm: .gradient2()))
        #expect(report.minLimit == 200 && report.maxLimit == 200)     // maxLimit = 4 × C
        #expect(report.p99 >= 40)                                      // ms: 4 × the base latency
    }

    @Test("Vegas with its defaults swings outside ±25 % of C, with a bounded p99", arguments: [50, 100])
    func vegas(capacity: Int) throws {
        let report = try run(capacity: capacity, .init(algorithm: .vegas(), maxLimit: 20 * capacity))
        let c = Double(capacity)
        #expect(Double(report.minLimit) < 0.75 * c || Double(report.maxLimit) > 1.25 * c)
        #expect(report.p99 <= 25)
    }
}
