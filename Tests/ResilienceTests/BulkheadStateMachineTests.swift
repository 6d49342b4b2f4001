import Testing
@testable import Resilience

/// A state machine with these limits (valid by construction in the tests).
private func machine(maxConcurrent: Int, maxQueued: Int) throws -> BulkheadStateMachine {
    try BulkheadStateMachine(configuration: BulkheadConfiguration(maxConcurrent: maxConcurrent, maxQueued: maxQueued))
}

/// The ticket of an `.enqueued` decision; records an issue for any other decision.
private func ticket(
    _ decision: BulkheadStateMachine.Decision, sourceLocation: SourceLocation = #_sourceLocation
) -> BulkheadStateMachine.Ticket? {
    guard case .enqueued(let ticket) = decision else {
        Issue.record("expected enqueued, got \(decision)", sourceLocation: sourceLocation)
        return nil
    }
    return ticket
}

@Suite("Bulkhead state machine")
struct BulkheadStateMachineTests {
    @Test("admits up to maxConcurrent, queues up to maxQueued, rejects beyond running + queued")
    func admissionAndRejection() throws {
        var bulkhead = try machine(maxConcurrent: 2, maxQueued: 1)
        let first = bulkhead.acquire()
        let second = bulkhead.acquire()
        #expect(first == .admitted)
        #expect(second == .admitted)
        let third = bulkhead.acquire()
        #expect(third == .enqueued(BulkheadStateMachine.Ticket(number: 0)))
        let fourth = bulkhead.acquire()
        let fifth = bulkhead.acquire()
        #expect(fourth == .rejected)
        #expect(fifth == .rejected)
        #expect(bulkhead.inFlight == 2)
        #expect(bulkhead.queued == 1)
        let stats = bulkhead.stats
        #expect(stats.admittedCalls == 2)
        #expect(stats.queuedCalls == 1)
        #expect(stats.rejectedCalls == 2)
        #expect(stats.availableSlots == 0)
    }

    @Test("without a queue (the default), the call after maxConcurrent is rejected at once")
    func noQueueByDefault() throws {
        var bulkhead = try BulkheadStateMachine()
        for _ in 0..<25 {
            let decision = bulkhead.acquire()
            #expect(decision == .admitted)
        }
        let rejected = bulkhead.acquire()
        #expect(rejected == .rejected)
        #expect(bulkhead.queued == 0)
        let handedOver = bulkhead.release()
        #expect(handedOver == nil)
        let admitted = bulkhead.acquire()
        #expect(admitted == .admitted)
    }

    @Test("a released slot goes to the waiters first in first out, one per release")
    func fifo() throws {
        var bulkhead = try machine(maxConcurrent: 1, maxQueued: 3)
        _ = bulkhead.acquire()
        let a = ticket(bulkhead.acquire())
        let b = ticket(bulkhead.acquire())
        let c = ticket(bulkhead.acquire())
        let first = bulkhead.release()
        #expect(first == a)
        #expect(bulkhead.inFlight == 1)
        #expect(bulkhead.queued == 2)
        // While anyone waits, a new arrival queues behind them, never barges in.
        let late = ticket(bulkhead.acquire())
        let second = bulkhead.release()
        let third = bulkhead.release()
        let fourth = bulkhead.release()
        #expect(second == b)
        #expect(third == c)
        #expect(fourth == late)
        let last = bulkhead.release()
        #expect(last == nil)
        #expect(bulkhead.inFlight == 0)
        #expect(bulkhead.queued == 0)
        #expect(bulkhead.stats.admittedAfterWaiting == 4)
    }

    @Test("a waiter cancelled while queued leaves at once and never takes a slot")
    func cancelWhileQueued() throws {
        var bulkhead = try machine(maxConcurrent: 1, maxQueued: 2)
        _ = bulkhead.acquire()
        let a = try #require(ticket(bulkhead.acquire()))
        let b = ticket(bulkhead.acquire())
        let cancelled = bulkhead.cancel(a)
        #expect(cancelled)
        #expect(bulkhead.queued == 1)
        #expect(!bulkhead.isWaiting(a))
        // Its place in the queue is free at once.
        let c = ticket(bulkhead.acquire())
        let next = bulkhead.release()
        #expect(next == b)                          // a is skipped
        let cancelledAgain = bulkhead.cancel(a)
        #expect(!cancelledAgain)                    // it already left: nothing to do
        let afterB = bulkhead.release()
        #expect(afterB == c)
        let end = bulkhead.release()
        #expect(end == nil)
        #expect(bulkhead.inFlight == 0)
        #expect(bulkhead.stats.cancelledWaiters == 1)
    }

    @Test("cancelling a waiter that was already handed a slot returns false; its holder releases it")
    func cancelAfterHandOver() throws {
        var bulkhead = try machine(maxConcurrent: 1, maxQueued: 1)
        _ = bulkhead.acquire()
        let a = try #require(ticket(bulkhead.acquire()))
        let handedOver = bulkhead.release()
        #expect(handedOver == a)
        let cancelled = bulkhead.cancel(a)
        let expired = bulkhead.expire(a)
        #expect(!cancelled)
        #expect(!expired)
        #expect(bulkhead.inFlight == 1)             // a holds the slot until it releases it
        #expect(bulkhead.stats.cancelledWaiters == 0)
        _ = bulkhead.release()
        #expect(bulkhead.inFlight == 0)
    }

    @Test("an expired waiter leaves at once; expire and cancel count separately and only once")
    func expire() throws {
        var bulkhead = try machine(maxConcurrent: 1, maxQueued: 3)
        _ = bulkhead.acquire()
        let a = try #require(ticket(bulkhead.acquire()))
        let b = try #require(ticket(bulkhead.acquire()))
        let expiredA = bulkhead.expire(a)
        let cancelledA = bulkhead.cancel(a)         // the cancellation lost the race to the expiry
        let cancelledB = bulkhead.cancel(b)
        let expiredB = bulkhead.expire(b)
        #expect(expiredA)
        #expect(!cancelledA)
        #expect(cancelledB)
        #expect(!expiredB)
        #expect(bulkhead.queued == 0)
        let next = bulkhead.release()
        #expect(next == nil)
        let stats = bulkhead.stats
        #expect(stats.expiredWaiters == 1)
        #expect(stats.cancelledWaiters == 1)
        #expect(stats.queuedCalls == stats.admittedAfterWaiting + stats.expiredWaiters + stats.cancelledWaiters + stats.queued)
    }

    @Test("growing the capacity admits waiters at once, oldest first, up to the new capacity")
    func growth() throws {
        var bulkhead = try machine(maxConcurrent: 2, maxQueued: 5)
        _ = bulkhead.acquire()
        _ = bulkhead.acquire()
        let tickets = (0..<4).compactMap { _ in ticket(bulkhead.acquire()) }
        _ = bulkhead.cancel(tickets[0])
        let admitted = try bulkhead.setMaxConcurrent(4)
        #expect(admitted == [tickets[1], tickets[2]])
        #expect(bulkhead.inFlight == 4)
        #expect(bulkhead.queued == 1)
        let more = try bulkhead.setMaxConcurrent(10)
        #expect(more == [tickets[3]])
        let nextArrival = bulkhead.acquire()
        #expect(nextArrival == .admitted)           // 6 of 10 in flight now
        #expect(bulkhead.inFlight == 6)
    }

    @Test("shrinking the capacity lets running calls finish and admits nobody until in-flight < new capacity")
    func shrink() throws {
        var bulkhead = try machine(maxConcurrent: 4, maxQueued: 2)
        for _ in 0..<4 { _ = bulkhead.acquire() }
        let admitted = try bulkhead.setMaxConcurrent(2)
        #expect(admitted.isEmpty)
        #expect(bulkhead.inFlight == 4)             // nobody is interrupted
        #expect(bulkhead.stats.availableSlots == 0)
        let waiter = ticket(bulkhead.acquire())     // queues: no slot under the new capacity
        let first = bulkhead.release()              // 3 in flight, still ≥ 2
        let second = bulkhead.release()             // 2 in flight, still ≥ 2
        #expect(first == nil)
        #expect(second == nil)
        #expect(bulkhead.queued == 1)
        let third = bulkhead.release()              // 1 in flight < 2: the waiter gets the slot
        #expect(third == waiter)
        #expect(bulkhead.inFlight == 2)
        let arrival = bulkhead.acquire()
        #expect(arrival != .admitted)
    }

    @Test("shrinking the queue keeps the waiters; arrivals are rejected until it is shorter than the bound")
    func shrinkQueue() throws {
        var bulkhead = try machine(maxConcurrent: 1, maxQueued: 3)
        _ = bulkhead.acquire()
        let waiters = (0..<3).compactMap { _ in ticket(bulkhead.acquire()) }
        try bulkhead.setMaxQueued(1)
        #expect(bulkhead.queued == 3)
        let rejected = bulkhead.acquire()
        #expect(rejected == .rejected)
        let first = bulkhead.release()
        let second = bulkhead.release()
        #expect(first == waiters[0])
        #expect(second == waiters[1])
        let stillRejected = bulkhead.acquire()      // 1 waiting, bound 1
        #expect(stillRejected == .rejected)
        let third = bulkhead.release()
        #expect(third == waiters[2])
        let queuedAgain = bulkhead.acquire()
        #expect(ticket(queuedAgain) != nil)
    }

    @Test("out-of-range capacities are refused, naming the key, and change nothing")
    func invalidCapacity() throws {
        var bulkhead = try machine(maxConcurrent: 2, maxQueued: 1)
        #expect(throws: ConfigurationError(key: "maxConcurrent", value: "0", allowed: "1...1000000")) {
            _ = try bulkhead.setMaxConcurrent(0)
        }
        #expect(throws: ConfigurationError(key: "maxQueued", value: "-1", allowed: "0...1000000")) {
            try bulkhead.setMaxQueued(-1)
        }
        #expect(bulkhead.maxConcurrent == 2)
        #expect(bulkhead.maxQueued == 1)
    }

    @Test("every admission is released exactly once whatever happens to the waiters")
    func releaseOnEveryPath() throws {
        var bulkhead = try machine(maxConcurrent: 2, maxQueued: 4)
        _ = bulkhead.acquire()
        _ = bulkhead.acquire()
        let a = try #require(ticket(bulkhead.acquire()))
        let b = try #require(ticket(bulkhead.acquire()))
        let c = try #require(ticket(bulkhead.acquire()))
        _ = bulkhead.expire(a)
        let handedToB = bulkhead.release()          // a running call ends: b gets the slot
        #expect(handedToB == b)
        _ = bulkhead.cancel(c)
        let afterSecond = bulkhead.release()        // the other running call ends: nobody waits
        #expect(afterSecond == nil)
        #expect(bulkhead.inFlight == 1)             // b
        let afterB = bulkhead.release()
        #expect(afterB == nil)
        #expect(bulkhead.inFlight == 0)
        #expect(bulkhead.queued == 0)
    }

    @Test("releasing more often than admitting traps")
    func doubleReleaseTraps() async {
        await #expect(processExitsWith: .failure) {
            var bulkhead = try BulkheadStateMachine()
            _ = bulkhead.acquire()
            _ = bulkhead.release()
            _ = bulkhead.release()
        }
    }

    @Test("cancelled tickets behind a long waiter do not pile up: the queue is compacted")
    func compaction() throws {
        var bulkhead = try machine(maxConcurrent: 1, maxQueued: 10)
        _ = bulkhead.acquire()
        let front = try #require(ticket(bulkhead.acquire()))
        for _ in 0..<10_000 {
            let churn = try #require(ticket(bulkhead.acquire()))
            _ = bulkhead.cancel(churn)
        }
        #expect(bulkhead.queued == 1)
        #expect(bulkhead.arrivalOrder.count <= 2 * bulkhead.queued + 16)
        let behind = ticket(bulkhead.acquire())
        let first = bulkhead.release()
        let second = bulkhead.release()
        #expect(first == front)
        #expect(second == behind)
    }

    /// A reference model with the obvious O(n) representation.
    struct Model {
        var maxConcurrent: Int
        var maxQueued: Int
        var inFlight = 0
        var queue: [UInt64] = []      // waiting ticket numbers, oldest first
        var nextTicket: UInt64 = 0

        mutating func acquire() -> BulkheadStateMachine.Decision {
            if inFlight < maxConcurrent { inFlight += 1; return .admitted }
            if queue.count < maxQueued {
                queue.append(nextTicket)
                nextTicket += 1
                return .enqueued(BulkheadStateMachine.Ticket(number: nextTicket - 1))
            }
            return .rejected
        }

        mutating func release() -> UInt64? {
            inFlight -= 1
            guard inFlight < maxConcurrent, !queue.isEmpty else { return nil }
            inFlight += 1
            return queue.removeFirst()
        }

        mutating func remove(_ number: UInt64) -> Bool {
            guard let index = queue.firstIndex(of: number) else { return false }
            queue.remove(at: index)
            return true
        }

        mutating func grow(to capacity: Int) -> [UInt64] {
            maxConcurrent = capacity
            var admitted: [UInt64] = []
            while inFlight < maxConcurrent, !queue.isEmpty {
                inFlight += 1
                admitted.append(queue.removeFirst())
            }
            return admitted
        }
    }

    @Test("random sequences agree exactly with a reference model", arguments: [1, 2, 3, 4, 5])
    func agreesWithModel(seed: UInt64) throws {
        var random = BulkheadTestRandom(seed: seed)
        var bulkhead = try machine(maxConcurrent: 3, maxQueued: 4)
        var model = Model(maxConcurrent: 3, maxQueued: 4)
        var issued: [UInt64] = []     // every ticket ever issued, to cancel or expire at random
        for _ in 0..<20_000 {
            switch random.next() % 10 {
            case 0...3:
                let decision = bulkhead.acquire()
                let expected = model.acquire()
                #expect(decision == expected)
                if case .enqueued(let ticket) = decision { issued.append(ticket.number) }
            case 4...6:
                guard model.inFlight > 0 else { continue }
                let handedOver = bulkhead.release()?.number
                let expected = model.release()
                #expect(handedOver == expected)
            case 7, 8:
                guard !issued.isEmpty else { continue }
                let number = issued[Int(random.next() % UInt64(issued.count))]
                let ticket = BulkheadStateMachine.Ticket(number: number)
                let removed = random.next() % 2 == 0 ? bulkhead.cancel(ticket) : bulkhead.expire(ticket)
                let expected = model.remove(number)
                #expect(removed == expected)
            default:
                let capacity = Int(random.next() % 5) + 1
                let admitted = try bulkhead.setMaxConcurrent(capacity).map(\.number)
                let expected = model.grow(to: capacity)
                #expect(admitted == expected)
            }
            #expect(bulkhead.inFlight == model.inFlight)
            #expect(bulkhead.queued == model.queue.count)
            #expect(bulkhead.arrivalOrder.count <= 2 * bulkhead.queued + 16)
        }
        let stats = bulkhead.stats
        #expect(stats.queuedCalls == stats.admittedAfterWaiting + stats.expiredWaiters + stats.cancelledWaiters + stats.queued)
    }
}

/// SplitMix64, seeded, so that the random tests replay exactly.
struct BulkheadTestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Bulkhead state machine: reconfigure keeps every call where it is")
struct BulkheadReconfigureTests {
    @Test("Shrinking maxConcurrent keeps the running calls' slots; nobody is admitted until fewer run than the new limit")
    func shrinkKeepsPermits() throws {
        var machine = try BulkheadStateMachine(configuration: BulkheadConfiguration(maxConcurrent: 4, maxQueued: 2, maxWait: .seconds(1)))
        for _ in 0..<4 { #expect(machine.acquire() == .admitted) }
        #expect(try machine.reconfigure(BulkheadConfiguration(maxConcurrent: 2, maxQueued: 2, maxWait: .seconds(1))) == [])
        #expect(machine.inFlight == 4)
        guard case .enqueued(let waiter) = machine.acquire() else { Issue.record("expected to wait"); return }
        #expect(machine.release() == nil)  // 3 in flight: still ≥ 2
        #expect(machine.release() == nil)  // 2 in flight
        #expect(machine.release() == waiter)  // 1 in flight: the waiter gets the slot
        #expect(machine.inFlight == 2)
    }

    @Test("Growing maxConcurrent admits waiters at once, oldest first; a shorter queue keeps its waiters")
    func growAdmitsWaiters() throws {
        var machine = try BulkheadStateMachine(configuration: BulkheadConfiguration(maxConcurrent: 1, maxQueued: 3, maxWait: .seconds(1)))
        #expect(machine.acquire() == .admitted)
        var tickets: [BulkheadStateMachine.Ticket] = []
        for _ in 0..<3 { if case .enqueued(let ticket) = machine.acquire() { tickets.append(ticket) } }
        #expect(try machine.reconfigure(BulkheadConfiguration(maxConcurrent: 3, maxQueued: 1, maxWait: .seconds(1))) == Array(tickets.prefix(2)))
        #expect(machine.queued == 1)
        #expect(machine.acquire() == .rejected)  // the queue holds 1 of at most 1
    }

    @Test("An invalid configuration changes nothing, not even its valid keys")
    func invalidChangesNothing() throws {
        var machine = try BulkheadStateMachine(configuration: BulkheadConfiguration(maxConcurrent: 2, maxQueued: 0))
        #expect(throws: ConfigurationError.self) {
            _ = try machine.reconfigure(BulkheadConfiguration(maxConcurrent: 0, maxQueued: 5, maxWait: .seconds(1)))
        }
        #expect(machine.maxQueued == 0)
        #expect(machine.maxConcurrent == 2)
    }
}
