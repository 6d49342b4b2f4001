import Testing
@testable import Resilience

private func at(_ offset: Duration) -> ClockOffset { ClockOffset(offset) }

private typealias Window = SlidingWindowRateLimiterStateMachine

private func window(_ limit: Int, per length: Duration, maxWait: Duration = .zero) throws -> Window {
    try Window(
        configuration: SlidingWindowRateLimiterConfiguration(limit: limit, window: length, maxWait: maxWait))
}

@Suite("Sliding window rate limiter state machine")
struct SlidingWindowRateLimiterStateMachineTests {
    @Test("3 per second: the 4th waits until the oldest call leaves the window, to the attosecond")
    func exactBoundaries() throws {
        var machine = try window(3, per: .seconds(1))
        for offset in [Duration.zero, .milliseconds(100), .milliseconds(200)] {
            let decision = try machine.acquire(now: at(offset))
            #expect(decision == .admitted)
        }
        let fourth = try machine.acquire(now: at(.milliseconds(500)))
        #expect(fourth == .rejected(retryAfter: .milliseconds(500)))
        let justBefore = try machine.acquire(now: at(.seconds(1) - Duration(attoseconds: 1)))
        #expect(justBefore == .rejected(retryAfter: Duration(attoseconds: 1)))
        let onTime = try machine.acquire(now: at(.seconds(1)))  // [1 s, 2 s) holds 0.1, 0.2 → 2 before this one
        #expect(onTime == .admitted)
        let next = try machine.acquire(now: at(.milliseconds(1_050)))
        #expect(next == .rejected(retryAfter: .milliseconds(50)))
        #expect(machine.availablePermits(now: at(.milliseconds(1_100))) == 1)
    }

    @Test("no 2 × limit at a boundary: 100 calls at 0.9 s, then none at 1.1 s, 100 again at 1.9 s")
    func noBoundaryBurst() throws {
        var machine = try window(100, per: .seconds(1))
        for _ in 0..<100 {
            let decision = try machine.acquire(now: at(.milliseconds(900)))
            #expect(decision == .admitted)
        }
        let after = try machine.acquire(now: at(.milliseconds(1_100)))
        #expect(after == .rejected(retryAfter: .milliseconds(800)))
        #expect(machine.entryCount == 1)  // calls at one instant share an entry
        for _ in 0..<100 {
            let decision = try machine.acquire(now: at(.milliseconds(1_900)))
            #expect(decision == .admitted)
        }
    }

    @Test("costs: the oldest permits leave until enough room; a cost above the limit is an error that changes nothing")
    func costs() throws {
        var machine = try window(5, per: .seconds(10))
        #expect(throws: RateLimitCostError(cost: 6, maximumCost: 5)) { try machine.acquire(cost: 6, now: .zero) }
        let three = try machine.acquire(cost: 3, now: .zero)
        let two = try machine.acquire(cost: 2, now: at(.seconds(1)))
        #expect(three == .admitted)
        #expect(two == .admitted)
        // 4 permits need both entries gone: the second leaves at 11 s.
        let four = try machine.acquire(cost: 4, now: at(.seconds(2)))
        #expect(four == .rejected(retryAfter: .seconds(9)))
        // 3 permits need only the first: it leaves at 10 s.
        let threeMore = try machine.acquire(cost: 3, now: at(.seconds(2)))
        #expect(threeMore == .rejected(retryAfter: .seconds(8)))
        let atTen = try machine.acquire(cost: 3, now: at(.seconds(10)))
        #expect(atTen == .admitted)
    }

    @Test("waiting: reservations in arrival order, a wait beyond maxWait fails fast, a returned reservation goes to the next caller")
    func reservations() throws {
        var machine = try window(2, per: .seconds(1), maxWait: .milliseconds(1_200))
        _ = try machine.acquire(now: .zero)
        _ = try machine.acquire(now: at(.milliseconds(400)))
        guard case .reserved(let third) = try machine.acquire(now: at(.milliseconds(500))),
            case .reserved(let fourth) = try machine.acquire(now: at(.milliseconds(500)))
        else { Issue.record("expected two reservations"); return }
        #expect(third.readyAt == at(.seconds(1)))
        #expect(fourth.readyAt == at(.milliseconds(1_400)))
        let fifth = try machine.acquire(now: at(.milliseconds(500)))
        #expect(fifth == .rejected(retryAfter: .milliseconds(1_500)))  // once the third has left: 2 s
        let returned = machine.returnReservation(fourth, now: at(.milliseconds(600)))
        #expect(returned)
        guard case .reserved(let next) = try machine.acquire(now: at(.milliseconds(600))) else {
            Issue.record("expected a reservation"); return
        }
        #expect(next.readyAt == at(.milliseconds(1_400)))
        let again = machine.returnReservation(fourth, now: at(.milliseconds(600)))
        #expect(!again)
    }

    @Test("random traffic with waits and returns: no window of the length ever holds more than the limit, retryAfter is the exact minimum")
    func randomTrafficNeverExceeds() throws {
        var generator = SeededGenerator(state: 7)
        let limit = 10
        let length: Int128 = 1_000_000_000_000_000_000
        var machine = try window(limit, per: .seconds(1), maxWait: .milliseconds(500))
        var admitted: [UInt64: (offset: Int128, cost: Int)] = [:]
        var counter: UInt64 = 0
        var now: Int128 = 0
        for _ in 0..<3_000 {
            now += Int128(generator.next() % 150) * 1_000_000_000_000_000  // 0 to 150 ms
            let cost = Int(generator.next() % 3) + 1
            let maxWait = Int128(generator.next() % 2) * 500_000_000_000_000_000
            let probe = machine
            switch try machine.acquire(cost: cost, now: ClockOffset(attoseconds: now), maxWait: Duration(attoseconds: maxWait)) {
            case .admitted:
                counter += 1
                admitted[UInt64.max - counter] = (now, cost)
            case .reserved(let reservation):
                admitted[reservation.id] = (reservation.readyAt.attoseconds, cost)
                if generator.next() % 3 == 0 {
                    let returned = machine.returnReservation(reservation, now: ClockOffset(attoseconds: now))
                    #expect(returned)
                    admitted[reservation.id] = nil
                }
            case .rejected(let retryAfter):
                var onTime = probe
                var early = probe
                let ready = now + retryAfter.attoseconds
                let onTimeDecision = try onTime.acquire(cost: cost, now: ClockOffset(attoseconds: ready), maxWait: Duration(attoseconds: 0))
                let earlyDecision = try early.acquire(cost: cost, now: ClockOffset(attoseconds: ready - 1), maxWait: Duration(attoseconds: 0))
                #expect(onTimeDecision == .admitted)
                #expect(earlyDecision == .rejected(retryAfter: Duration(attoseconds: 1)))
            }
        }
        let sorted = admitted.values.sorted { $0.offset < $1.offset }
        #expect(machine.entryCount <= limit * 2)
        for start in sorted.indices {
            var permits = 0
            for end in start..<sorted.count where sorted[end].offset - sorted[start].offset < length {
                permits += sorted[end].cost
            }
            #expect(permits <= limit)
        }
    }
}
