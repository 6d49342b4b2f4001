import Testing
@testable import Resilience

@Suite("Concurrency limit: state machine")
struct ConcurrencyLimitStateMachineTests {
    typealias Machine = ConcurrencyLimiterStateMachine

    private func at(_ milliseconds: Int64) -> ClockOffset { .init(.milliseconds(milliseconds)) }

    /// A limit that never moves.
    private func fixed(_ limit: Int, maxQueued: Int = 0, maxWait: Duration = .milliseconds(100)) throws -> Machine {
        try Machine(configuration: .init(
            initialLimit: limit, minLimit: limit, maxLimit: limit, maxQueued: maxQueued, maxWait: maxWait))
    }

    private func admitted(_ decision: Machine.AcquireDecision) -> Machine.Token? {
        if case .admitted(let token) = decision { return token }
        return nil
    }

    private func enqueued(_ decision: Machine.AcquireDecision) -> (ticket: Machine.Ticket, evicted: Machine.Ticket?)? {
        if case .enqueued(let ticket, let evicted) = decision { return (ticket, evicted) }
        return nil
    }

    @Test("admits up to the limit, then rejects without retryAfter when there is no queue")
    func admission() throws {
        var machine = try fixed(2)
        let first = try #require(admitted(machine.acquire(now: at(0))))
        let second = try #require(admitted(machine.acquire(now: at(1))))
        #expect(first == .init(startedAt: at(0), inFlightAtAdmission: 1))
        #expect(second == .init(startedAt: at(1), inFlightAtAdmission: 2))
        let third = machine.acquire(now: at(2))
        #expect(third == .rejected(retryAfter: nil))
        #expect(machine.inFlight == 2)
        _ = machine.release(first, outcome: .success, now: at(3))
        #expect(machine.inFlight == 1)
        let fourth = machine.acquire(now: at(4))
        #expect(admitted(fourth) != nil)
    }

    @Test("a success or a drop is a sample with its latency and in-flight count; an ignored call is not")
    func samples() throws {
        var machine = try Machine(configuration: .init(
            algorithm: .aimd(.init(timeout: .milliseconds(100))), initialLimit: 2))
        let a = try #require(admitted(machine.acquire(now: at(0))))
        let b = try #require(admitted(machine.acquire(now: at(0))))
        // Ignored: in flight 2 of 2 would grow the limit, but this is no sample.
        do { let result = machine.release(b, outcome: .ignored, now: at(10)); #expect(result.limit == 2 && !result.limitChanged) }
        // A success of a call admitted with 1 in flight: 1 × 2 >= 2, slow start: 3.
        do { let result = machine.release(a, outcome: .success, now: at(10)); #expect(result.limit == 3 && result.limitChanged) }
        // A call that took 150 ms > timeout: a drop, ⌊3 × 0.9⌋ = 2.
        let slow = try #require(admitted(machine.acquire(now: at(20))))
        do { let result = machine.release(slow, outcome: .success, now: at(170)); #expect(result.limit == 2) }
        // An explicit drop, started after that decrease: ⌊2 × 0.9⌋ = 1.
        let failed = try #require(admitted(machine.acquire(now: at(180))))
        do { let result = machine.release(failed, outcome: .dropped, now: at(181)); #expect(result.limit == 1) }
        #expect(machine.inFlight == 0)
    }

    @Test("LIFO: the newest waiter is admitted first; a full queue evicts its oldest")
    func lifo() throws {
        var machine = try fixed(1, maxQueued: 3)
        let running = try #require(admitted(machine.acquire(now: at(0))))
        let b = try #require(enqueued(machine.acquire(now: at(1))))
        let c = try #require(enqueued(machine.acquire(now: at(2))))
        let d = try #require(enqueued(machine.acquire(now: at(3))))
        #expect(b.evicted == nil && c.evicted == nil && d.evicted == nil)
        #expect(machine.queued == 3)
        let e = try #require(enqueued(machine.acquire(now: at(4))))
        #expect(e.evicted == b.ticket)
        #expect(machine.queued == 3)

        let first = machine.release(running, outcome: .ignored, now: at(5))
        #expect(first.admitted.map(\.ticket) == [e.ticket])
        #expect(first.admitted.first?.token == .init(startedAt: at(5), inFlightAtAdmission: 1))
        let second = machine.release(first.admitted[0].token, outcome: .ignored, now: at(6))
        #expect(second.admitted.map(\.ticket) == [d.ticket])
        let third = machine.release(second.admitted[0].token, outcome: .ignored, now: at(7))
        #expect(third.admitted.map(\.ticket) == [c.ticket])
        #expect(machine.queued == 0 && machine.inFlight == 1)
    }

    @Test("a raised limit admits several waiters at once, newest first")
    func severalAdmitted() throws {
        var machine = try Machine(configuration: .init(initialLimit: 2, maxQueued: 5))
        let a = try #require(admitted(machine.acquire(now: at(0))))
        _ = try #require(admitted(machine.acquire(now: at(0))))
        let waiters = try (1...3).map { _ in try #require(enqueued(machine.acquire(now: at(1)))).ticket }
        // Admitted with 1 in flight of 2: slow start raises the limit to 3, so 2 slots free up.
        let result = machine.release(a, outcome: .success, now: at(2))
        #expect(result.limit == 3)
        #expect(result.admitted.map(\.ticket) == [waiters[2], waiters[1]])
        #expect(result.admitted.map(\.token.inFlightAtAdmission) == [2, 3])
        #expect(machine.queued == 1 && machine.inFlight == 3)
    }

    @Test("cancel removes a queued waiter exactly once; an admitted waiter cannot be cancelled")
    func cancel() throws {
        var machine = try fixed(1, maxQueued: 2)
        let running = try #require(admitted(machine.acquire(now: at(0))))
        let b = try #require(enqueued(machine.acquire(now: at(1)))).ticket
        let c = try #require(enqueued(machine.acquire(now: at(2)))).ticket
        do { let removed = machine.cancel(b); #expect(removed) }
        do { let removed = machine.cancel(b); #expect(!removed) }
        #expect(machine.queued == 1)
        let result = machine.release(running, outcome: .success, now: at(3))
        #expect(result.admitted.map(\.ticket) == [c])
        do { let removed = machine.cancel(c); #expect(!removed) }
        #expect(machine.inFlight == 1)
    }

    @Test("a waiter expires maxWait after it was queued, never before; a release expires rather than admits it")
    func expiry() throws {
        var machine = try fixed(1, maxQueued: 3, maxWait: .milliseconds(100))
        let running = try #require(admitted(machine.acquire(now: at(0))))
        let b = try #require(enqueued(machine.acquire(now: at(10)))).ticket
        let c = try #require(enqueued(machine.acquire(now: at(20)))).ticket
        let d = try #require(enqueued(machine.acquire(now: at(30)))).ticket
        #expect(b.deadline == at(110))
        #expect(machine.nextExpiry == at(110))
        do { let removed = machine.expire(b, now: at(109)); #expect(!removed) }
        do { let removed = machine.expire(b, now: at(110)); #expect(removed) }
        do { let removed = machine.expire(b, now: at(110)); #expect(!removed) }
        #expect(machine.nextExpiry == at(120))
        #expect(machine.expireWaiters(now: at(119)).isEmpty)
        // At 125 ms, c is past its deadline: expired, and d (the newest) takes the slot.
        let result = machine.release(running, outcome: .ignored, now: at(125))
        #expect(result.expired == [c])
        #expect(result.admitted.map(\.ticket) == [d])
        #expect(machine.queued == 0 && machine.nextExpiry == nil)
    }

    @Test("random operations: every admission is within the limit and the counts are exact")
    func randomWalk() throws {
        var random = SplitMix64(seed: 9)
        var machine = try Machine(configuration: .init(
            algorithm: .aimd(.init(timeout: .milliseconds(30))), initialLimit: 4, maxLimit: 12, maxQueued: 4,
            maxWait: .milliseconds(50)))
        var tokens: [Machine.Token] = []
        var waiters: Set<UInt64> = []
        var now: Int64 = 0
        func admit(_ token: Machine.Token, limit: Int) {
            #expect(token.inFlightAtAdmission <= limit)
            tokens.append(token)
        }
        for _ in 0..<20_000 {
            now += Int64(random.next() % 5)
            switch random.next() % 4 {
            case 0, 1:
                let limit = machine.limit
                switch machine.acquire(now: at(now)) {
                case .admitted(let token): admit(token, limit: limit)
                case .enqueued(let ticket, let evicted):
                    #expect(machine.inFlight >= machine.limit)
                    waiters.insert(ticket.id)
                    if let evicted { waiters.remove(evicted.id) }
                case .rejected: Issue.record("rejected with a queue")
                }
            case 2 where !tokens.isEmpty:
                let token = tokens.remove(at: Int(random.next() % UInt64(tokens.count)))
                let outcome: Machine.Outcome = [.success, .dropped, .ignored][Int(random.next() % 3)]
                let result = machine.release(token, outcome: outcome, now: at(now))
                for admission in result.admitted {
                    #expect(waiters.remove(admission.ticket.id) != nil)
                    #expect(admission.token.inFlightAtAdmission <= result.limit)
                    tokens.append(admission.token)
                }
                for ticket in result.expired { #expect(waiters.remove(ticket.id) != nil) }
            default:
                for ticket in machine.expireWaiters(now: at(now)) { #expect(waiters.remove(ticket.id) != nil) }
            }
            #expect(machine.inFlight == tokens.count)
            #expect(machine.queued == waiters.count)
            #expect(machine.queued == 0 || machine.inFlight >= machine.limit)
        }
    }
}

@Suite("Concurrency limit: state machine reconfigure")
struct ConcurrencyLimitReconfigureTests {
    typealias Machine = ConcurrencyLimiterStateMachine

    private func at(_ milliseconds: Int64) -> ClockOffset { .init(.milliseconds(milliseconds)) }

    private func configuration(
        _ algorithm: ConcurrencyLimitConfiguration.Algorithm = .aimd(.init(timeout: .milliseconds(100))),
        initial: Int = 4, min: Int = 1, max: Int = 100, maxQueued: Int = 0, maxWait: Duration = .milliseconds(100)
    ) -> ConcurrencyLimitConfiguration {
        .init(algorithm: algorithm, initialLimit: initial, minLimit: min, maxLimit: max, maxQueued: maxQueued, maxWait: maxWait)
    }

    @Test("The learnt limit is kept, moved into the new bounds; initialLimit does not apply again")
    func limitKept() throws {
        var machine = try Machine(configuration: configuration(initial: 10))
        let token = try #require({ if case .admitted(let token) = machine.acquire(now: at(0)) { token } else { nil } }())
        _ = machine.release(token, outcome: .dropped, now: at(5))  // AIMD backs off: 10 × 0.9 = 9
        #expect(machine.limit == 9)
        #expect(try machine.reconfigure(configuration(initial: 50, max: 200), now: at(6)).limit == 9)
        #expect(try machine.reconfigure(configuration(.gradient2(.init()), initial: 5, max: 6), now: at(7)).limit == 6)
        #expect(try machine.reconfigure(configuration(.vegas(.init()), initial: 20, min: 8, max: 20), now: at(8)).limit == 8)
        #expect(machine.configuration.algorithm == .vegas(.init()))
    }

    @Test("Calls in flight keep their slots when the limit shrinks below them, and their samples count")
    func inFlightKept() throws {
        var machine = try Machine(configuration: configuration(initial: 3, maxQueued: 2))
        var tokens: [Machine.Token] = []
        for _ in 0..<3 { if case .admitted(let token) = machine.acquire(now: at(0)) { tokens.append(token) } }
        let result = try machine.reconfigure(configuration(initial: 1, min: 1, max: 1, maxQueued: 2), now: at(1))
        #expect(result.limit == 1 && result.limitChanged)
        #expect(machine.inFlight == 3)
        guard case .enqueued(let waiter, evicted: nil) = machine.acquire(now: at(2)) else { Issue.record("expected to queue"); return }
        #expect(machine.release(tokens[0], outcome: .success, now: at(3)).admitted.isEmpty)  // 2 in flight ≥ 1
        #expect(machine.release(tokens[1], outcome: .success, now: at(4)).admitted.isEmpty)  // 1 in flight ≥ 1
        #expect(machine.release(tokens[2], outcome: .success, now: at(5)).admitted.map(\.ticket) == [waiter])
    }

    @Test("A shorter queue evicts its oldest waiters; a larger limit admits the newest; expired ones leave")
    func waitersSettled() throws {
        var machine = try Machine(configuration: configuration(initial: 1, min: 1, max: 1, maxQueued: 4, maxWait: .milliseconds(100)))
        guard case .admitted = machine.acquire(now: at(0)) else { Issue.record("expected a slot"); return }
        var tickets: [Machine.Ticket] = []
        for instant in [0, 50, 60, 70] as [Int64] {
            if case .enqueued(let ticket, _) = machine.acquire(now: at(instant)) { tickets.append(ticket) }
        }
        // At 100 ms the first waiter (queued at 0) is past its deadline: it expires; the limit grows to 2: the
        // newest waiter (70 ms) is admitted; the queue shrinks to 1: the oldest left (50 ms) is evicted; 60 ms waits on.
        let result = try machine.reconfigure(configuration(initial: 2, min: 2, max: 2, maxQueued: 1, maxWait: .seconds(1)), now: at(100))
        #expect(result.expired == [tickets[0]])
        #expect(result.admitted.map(\.ticket) == [tickets[3]])
        #expect(result.evicted == [tickets[1]])
        #expect(machine.queued == 1)
        #expect(machine.nextExpiry == tickets[2].deadline)  // its deadline stays 60 + 100 ms
    }

    @Test("An invalid configuration changes nothing")
    func invalid() throws {
        var machine = try Machine(configuration: configuration(initial: 4))
        #expect(throws: ConfigurationError.self) { _ = try machine.reconfigure(configuration(min: 10, max: 5), now: at(0)) }
        #expect(machine.configuration == configuration(initial: 4))
        #expect(machine.limit == 4)
    }
}
