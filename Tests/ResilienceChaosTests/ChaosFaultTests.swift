import MetricsTestKit
import Resilience
import ResilienceChaos
import Testing

@Suite("ChaosFault: which calls fail, exactly")
struct ChaosFaultTests {
    @Test("Rate 0.25, seed 42: exactly calls 2, 5, 7, 11, 16, 17 and 19 of the first 20 fail")
    func seededRate() async {
        // SplitMix64(seed: 42)'s first 20 numbers, top 53 bits × 2⁻⁵³ (checked against an independent
        // implementation): 0.742 0.160 0.279 0.344 0.038 0.868 0.218 0.801 0.340 0.618 0.205 0.493 0.513
        // 0.520 0.665 0.203 0.104 0.495 0.093 0.689; the calls whose number is below 0.25 are injected.
        let fault = ChaosFault(name: "db", rate: 0.25, enabled: true, error: Injected(), random: ChaosRandom(seed: 42))
        #expect(await injectedCalls(fault, calls: 20) == [2, 5, 7, 11, 16, 17, 19])
    }

    @Test("The same seed gives the same calls on every run")
    func repeatable() async {
        let first = ChaosFault(name: "db", rate: 0.3, enabled: true, error: Injected(), random: ChaosRandom(seed: 9))
        let second = ChaosFault(name: "db", rate: 0.3, enabled: true, error: Injected(), random: ChaosRandom(seed: 9))
        let calls = await injectedCalls(first, calls: 200)
        #expect(await injectedCalls(second, calls: 200) == calls)
        #expect((40...80).contains(calls.count))  // 30 % of 200, give or take
    }

    @Test("Rate 0 never injects and draws nothing; rate 1 always injects")
    func extremes() async {
        let random = ChaosRandom(seed: 42)
        let never = ChaosFault(name: "db", rate: 0, enabled: true, error: Injected(), random: random)
        #expect(await injectedCalls(never, calls: 1_000) == [])
        // Nothing was drawn: a rate-0.25 strategy on the same source still sees the sequence from its start.
        let after = ChaosFault(name: "db", rate: 0.25, enabled: true, error: Injected(), random: random)
        #expect(await injectedCalls(after, calls: 20) == [2, 5, 7, 11, 16, 17, 19])
        let always = ChaosFault(name: "db", rate: 1, enabled: true, error: Injected(), random: ChaosRandom(seed: 1))
        #expect(await injectedCalls(always, calls: 1_000) == Array(1...1_000))
    }

    @Test("A disabled strategy never injects, draws nothing and counts nothing")
    func disabled() async throws {
        let metrics = TestMetrics()
        let random = ChaosRandom(seed: 42)
        let fault = ChaosFault(name: "db", rate: 1, enabled: false, error: Injected(), random: random, metricsFactory: metrics)
        #expect(await injectedCalls(fault, calls: 100) == [])
        #expect(try metrics.expectCounter("resilience_chaos_injections_total", [("policy", "db"), ("kind", "fault")]).totalValue == 0)
        #expect(random.nextUnit() == 0x1.7bae644c5fd6dp-1)  // still SplitMix64(42)'s first number, 0.7415648787718233
    }

    @Test("Turning the switch on at run time: the next call is decided, and the draws start where they stood")
    func enableAtRunTime() async {
        let staging = ChaosSwitch(false)
        let fault = ChaosFault(name: "db", rate: 0.25, enabled: staging, error: Injected(), random: ChaosRandom(seed: 42))
        #expect(await injectedCalls(fault, calls: 10) == [])
        staging.set(true)
        #expect(await injectedCalls(fault, calls: 20) == [2, 5, 7, 11, 16, 17, 19])
        staging.set(false)
        #expect(await injectedCalls(fault, calls: 10) == [])
        #expect(fault.enabled === staging)
    }

    @Test("An injected call throws the error unchanged and never runs the operation; others run it unchanged")
    func errorAndOperation() async throws {
        let reached = Reached()
        let fault = ChaosFault(name: "db", rate: 0.25, enabled: true, error: Injected(), random: ChaosRandom(seed: 42))
        var errors: [Int: any Error] = [:]
        for call in 1...7 {
            do {
                _ = try await fault.execute { () async throws -> Int in
                    reached.record(call)
                    if call == 3 { throw OperationFailure() }
                    return call
                }
            } catch {
                errors[call] = error
            }
        }
        #expect(reached.numbers == [1, 3, 4, 6])
        #expect(errors[2] is Injected && errors[5] is Injected && errors[7] is Injected)
        #expect(errors[3] is OperationFailure)
        #expect(errors.count == 4)
    }

    @Test("The error can be made per call, from the call's context")
    func errorPerCall() async throws {
        struct Named: Error { var operation: String }
        let fault = ChaosFault(name: "db", rate: 1, enabled: true) { context in Named(operation: context.operationName) }
        await #expect { try await fault.execute(operationName: "orders.get") { 1 } } throws: { error in
            (error as? Named)?.operation == "orders.get"
        }
    }

    @Test("The rate changes at run time; a rate outside [0, 1] is refused naming the key, and changes nothing")
    func setRate() async throws {
        let fault = ChaosFault(name: "db", rate: 0, enabled: true, error: Injected(), random: ChaosRandom(seed: 42))
        #expect(await injectedCalls(fault, calls: 5) == [])
        try fault.setRate(0.25)
        #expect(await injectedCalls(fault, calls: 20) == [2, 5, 7, 11, 16, 17, 19])
        for bad in [1.5, -0.1, Double.nan, .infinity] {
            #expect(throws: ConfigurationError(key: "rate", value: "\(bad)", allowed: "[0, 1]")) { try fault.setRate(bad) }
        }
        #expect(fault.rate == 0.25)
    }

    @Test("Counted only when injected: resilience_chaos_injections_total{policy, kind=fault}")
    func metric() async throws {
        let metrics = TestMetrics()
        let fault = ChaosFault(
            name: "payments", rate: 0.25, enabled: true, error: Injected(), random: ChaosRandom(seed: 42), metricsFactory: metrics)
        _ = await injectedCalls(fault, calls: 20)
        let counter = try metrics.expectCounter("resilience_chaos_injections_total", [("policy", "payments"), ("kind", "fault")])
        #expect(counter.totalValue == 7)
    }
}
