import Testing
@testable import Resilience

/// `successBatch` and `recordSuccesses(_:in:)`: a shell counts fast successes without its lock and hands
/// them over later. The result must be exactly that of recording each success as it happened.
@Suite("State machine: batched successes")
struct SuccessBatchTests {
    /// Two machines fed the same random schedule: one records every call as it ends, the other follows
    /// the shell's protocol (count fast successes while the batch allows, hand them over before anything
    /// else touches the machine). Their stats must agree after every step.
    @Test("batched successes give exactly the stats of successes recorded one by one", arguments: 0..<120)
    func batchingIsExact(seed: Int) throws {
        var random = SeededGenerator(state: UInt64(seed) &+ 7_000)
        let configuration: CircuitBreakerConfiguration
        if seed.isMultiple(of: 2) {
            configuration = countConfig(
                size: Int.random(in: 1...12, using: &random), minimum: Int.random(in: 1...12, using: &random),
                failureRatio: 0.5, breakMs: 50, permitted: 3, successRatio: 0.6, halfOpenMaxMs: 200)
        } else {
            configuration = CircuitBreakerConfiguration(
                window: .time, samplingDuration: .milliseconds(Int64.random(in: 10...300, using: &random)),
                windowBuckets: Int.random(in: 1...7, using: &random),
                minimumThroughput: Int.random(in: 1...12, using: &random), failureRatio: 0.5,
                slowCallDuration: .milliseconds(20), slowCallRatio: 0.8, breakDuration: .milliseconds(50),
                halfOpenPermittedCalls: 3, halfOpenSuccessRatio: 0.6, halfOpenMaxDuration: .milliseconds(200))
        }
        var direct = try Machine(configuration: configuration)
        var batched = try Machine(configuration: configuration)
        var batch = batched.successBatch
        var pending = 0
        var now = 0

        /// The shell's lock: hand over the pending successes, run `body`, publish a new batch.
        func locked<T>(_ body: (inout Machine) -> T) -> T {
            if pending > 0, let batch { batched.recordSuccesses(pending, in: batch) }
            pending = 0
            let value = body(&batched)
            batch = batched.successBatch
            return value
        }

        for step in 0..<400 {
            now += Int.random(in: 0..<100, using: &random) < 90 ? Int.random(in: 0...3, using: &random) : 40
            let instant = ms(now)
            switch Int.random(in: 0..<100, using: &random) {
            case 0..<70:
                // A call admitted and ending at `now`, lasting 0 or 30 ms (slow in the time configuration).
                let outcome: CallOutcome = switch Int.random(in: 0..<10, using: &random) {
                case 0..<6: .success
                case 6..<9: .failure
                default: .ignored
                }
                let duration: Duration = Int.random(in: 0..<8, using: &random) == 0 ? .milliseconds(30) : .zero
                // The shell admits from the published batch when it can, otherwise under the lock.
                let decision = direct.acquire(now: instant).decision
                let shellDecision = batch.map { .permitted(Machine.Permit(generation: $0.generation)) }
                    ?? locked { $0.acquire(now: instant).decision }
                #expect(shellDecision == decision, "seed \(seed), step \(step)")
                guard case .permitted(let permit) = decision, case .permitted(let shellPermit) = shellDecision
                else { break }
                _ = direct.record(outcome, of: permit, duration: duration, now: instant)
                let fast = outcome == .success && !(configuration.slowCallDuration.map { duration >= $0 } ?? false)
                if fast, let batch, batch.generation == shellPermit.generation,
                   batch.bucketEnd.map({ Duration.milliseconds(now) < $0 }) ?? true {
                    pending += 1
                } else {
                    _ = locked { $0.record(outcome, of: shellPermit, duration: duration, now: instant) }
                }
            case 70..<75:
                _ = direct.forceClosed(now: instant)
                _ = locked { $0.forceClosed(now: instant) }
            case 75..<80:
                _ = direct.reset(now: instant)
                _ = locked { $0.reset(now: instant) }
            default:
                break
            }
            let expected = direct.stats(now: instant).stats
            let actual = locked { $0.stats(now: instant).stats }
            #expect(actual == expected, "seed \(seed), step \(step), at \(now) ms")
            if actual != expected { return }
        }
    }

    @Test("successes of an older generation only count in the lifetime counters")
    func staleBatch() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4))
        let batch = try #require(machine.successBatch)
        _ = machine.reset(now: ms(1))
        machine.recordSuccesses(3, in: batch)
        let stats = machine.stats(now: ms(1)).stats
        #expect(stats.successfulCalls == 3)
        #expect(stats.windowCalls == 0)
    }

    @Test("more successes than a count window holds replace all of it")
    func overfullCountWindow() throws {
        var machine = try Machine(configuration: countConfig(size: 4, minimum: 4, failureRatio: 1.0))
        machine.call(.failure, at: ms(0))
        let batch = try #require(machine.successBatch)
        machine.recordSuccesses(9, in: batch)
        let stats = machine.stats(now: ms(0)).stats
        #expect(stats.windowCalls == 4)
        #expect(stats.windowFailures == 0)
        #expect(stats.successfulCalls == 9)
        // Four failures in a row then replace the four successes, and only the fourth trips.
        for _ in 0..<3 { #expect(machine.call(.failure, at: ms(0)) == nil) }
        #expect(machine.call(.failure, at: ms(0))?.to == .open)
    }

    @Test("there is no batch where a success would do more than count: open, half-open, forced open")
    func noBatchOutsideClosedStates() throws {
        var machine = try Machine(configuration: countConfig(size: 2, minimum: 2, breakMs: 100))
        #expect(machine.successBatch?.bucketEnd == nil)
        machine.trip(at: ms(0), failures: 2)
        #expect(machine.successBatch == nil)
        #expect(machine.stateAt(ms(100)) == .halfOpen)
        #expect(machine.successBatch == nil)
        _ = machine.forceOpen(now: ms(100))
        #expect(machine.successBatch == nil)
        _ = machine.forceClosed(now: ms(100))
        #expect(machine.successBatch?.generation == machine.generation)
    }

    @Test("a time window's batch ends with its newest bucket")
    func timeBatchEndsWithBucket() throws {
        var machine = try Machine(
            configuration: CircuitBreakerConfiguration(samplingDuration: .seconds(10), windowBuckets: 5))
        #expect(machine.successBatch?.bucketEnd == .seconds(2))
        machine.call(.success, at: ms(4_500))
        #expect(machine.successBatch?.bucket == 2)
        #expect(machine.successBatch?.bucketEnd == .seconds(6))
    }
}
