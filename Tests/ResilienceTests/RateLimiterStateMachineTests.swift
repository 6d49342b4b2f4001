import Testing
@testable import Resilience

/// The instant `offset` after a manual clock's zero.
private func at(_ offset: Duration) -> ClockOffset { ClockOffset(offset) }

private typealias Bucket = TokenBucketStateMachine

private func bucket(_ permitsPerSecond: Double, burst: Double? = nil, maxWait: Duration = .zero) throws -> Bucket {
    try Bucket(
        configuration: RateLimiterConfiguration(permitsPerSecond: permitsPerSecond, burst: burst, maxWait: maxWait))
}

private let attosecondsPerSecond: Int128 = 1_000_000_000_000_000_000

@Suite("Token bucket state machine")
struct RateLimiterStateMachineTests {
    @Test("2.5 permits per second, default burst 2.5: two at once, the third after exactly the missing half permit (0.2 s)")
    func fractionalRateAndBurst() throws {
        var machine = try bucket(2.5)
        #expect(machine.configuration.burst == 2.5)
        let first = try machine.acquire(now: .zero)
        let second = try machine.acquire(now: .zero)
        let third = try machine.acquire(now: .zero)
        #expect(first == .admitted)
        #expect(second == .admitted)
        #expect(third == .rejected(retryAfter: .milliseconds(200)))
        let justBefore = try machine.acquire(now: at(.milliseconds(200) - Duration(attoseconds: 1)))
        #expect(justBefore == .rejected(retryAfter: Duration(attoseconds: 1)))
        let onTime = try machine.acquire(now: at(.milliseconds(200)))
        #expect(onTime == .admitted)
        let next = try machine.acquire(now: at(.milliseconds(200)))
        #expect(next == .rejected(retryAfter: .milliseconds(400)))
    }

    @Test("0.5 permits per second: one call every 2 s, retryAfter exact to the attosecond")
    func slowRate() throws {
        var machine = try bucket(0.5)
        #expect(machine.configuration.burst == 1)
        let first = try machine.acquire(now: .zero)
        let second = try machine.acquire(now: at(.seconds(1)))
        let third = try machine.acquire(now: at(.seconds(2)))
        #expect(first == .admitted)
        #expect(second == .rejected(retryAfter: .seconds(1)))
        #expect(third == .admitted)
    }

    @Test("1/3 s per permit: waits rounded up to the attosecond, and 3000 permits after a burst take exactly 1000 s (no drift)")
    func noDriftAtThreePerSecond() throws {
        /// Takes `burst` permits at 0, then 3000 more, each by waiting exactly its `retryAfter`; returns when the last went.
        func lastOf3000(burst: Double) throws -> Duration {
            var machine = try bucket(3, burst: burst)
            for _ in 0..<Int(burst) { _ = try machine.acquire(now: .zero) }
            var now = Duration.zero
            for _ in 1...3_000 {
                var decision = try machine.acquire(now: at(now))
                if case .rejected(let retryAfter) = decision {
                    now += retryAfter
                    decision = try machine.acquire(now: at(now))
                }
                #expect(decision == .admitted)
            }
            return now
        }
        // The k-th permit goes at exactly ⌈k/3 s⌉: the state is exact, only the instants handed out are rounded.
        #expect(try lastOf3000(burst: 2) == .seconds(1_000))
        // With burst 1 each call finds the bucket at its cap, which discards the rounding (under 1 as per call), as
        // a bucket sampled at whole attoseconds must: never more than the rate, 2000 as late after 1000 s.
        #expect(try lastOf3000(burst: 1) == .seconds(1_000) + Duration(attoseconds: 2_000))
        // The first wait: 333 333 333 333 333 333⅓ as, rounded up.
        var fresh = try bucket(3, burst: 1)
        _ = try fresh.acquire(now: .zero)
        let wait = try fresh.acquire(now: .zero)
        #expect(wait == .rejected(retryAfter: Duration(attoseconds: 333_333_333_333_333_334)))
    }

    @Test("the bucket never holds more than burst: after 10 s idle at 10/s with burst 5, only 5 pass at once")
    func refillIsCapped() throws {
        var machine = try bucket(10, burst: 5)
        for _ in 1...5 {
            let decision = try machine.acquire(now: .zero)
            #expect(decision == .admitted)
        }
        for _ in 1...5 {
            let decision = try machine.acquire(now: at(.seconds(10)))
            #expect(decision == .admitted)
        }
        let sixth = try machine.acquire(now: at(.seconds(10)))
        #expect(sixth == .rejected(retryAfter: .milliseconds(100)))
        #expect(machine.availablePermits(now: at(.seconds(10))) == 0)
        #expect(machine.availablePermits(now: at(.seconds(10) + .milliseconds(250))) == 2.5)
    }

    @Test("a call may take several permits; a cost outside 1...⌊burst⌋ is an error that changes nothing")
    func costs() throws {
        var machine = try bucket(10, burst: 5.5)
        #expect(throws: RateLimitCostError(cost: 6, maximumCost: 5)) { try machine.acquire(cost: 6, now: .zero) }
        #expect(throws: RateLimitCostError(cost: 0, maximumCost: 5)) { try machine.acquire(cost: 0, now: .zero) }
        let five = try machine.acquire(cost: 5, now: .zero)
        #expect(five == .admitted)
        // 0.5 left: 3 permits need 2.5 more, at 10/s 250 ms.
        let three = try machine.acquire(cost: 3, now: .zero)
        #expect(three == .rejected(retryAfter: .milliseconds(250)))
        let later = try machine.acquire(cost: 3, now: at(.milliseconds(250)))
        #expect(later == .admitted)
        #expect(RateLimitCostError(cost: 6, maximumCost: 5).description.contains("1...5"))
    }

    @Test("waiting: reservations back to back in arrival order; a wait beyond maxWait fails fast and changes nothing")
    func reservations() throws {
        var machine = try bucket(1, maxWait: .seconds(2))
        let first = try machine.acquire(now: .zero)
        #expect(first == .admitted)
        guard case .reserved(let second) = try machine.acquire(now: .zero),
            case .reserved(let third) = try machine.acquire(now: .zero)
        else { Issue.record("expected two reservations"); return }
        #expect(second.delay == .seconds(1))
        #expect(third.delay == .seconds(2))
        #expect(third.readyAt == at(.seconds(2)))
        #expect(machine.waitingCount(now: .zero) == 2)
        // The fourth would wait 3 s: rejected at once, with the exact retryAfter, twice (nothing changed).
        let fourth = try machine.acquire(now: .zero)
        let again = try machine.acquire(now: .zero)
        #expect(fourth == .rejected(retryAfter: .seconds(3)))
        #expect(again == .rejected(retryAfter: .seconds(3)))
        // A larger maxWait for one call.
        let patient = try machine.acquire(now: .zero, maxWait: .seconds(3))
        if case .reserved(let reservation) = patient { #expect(reservation.delay == .seconds(3)) } else {
            Issue.record("expected a reservation, got \(patient)")
        }
        // At 1 s the second goes ahead; the third and the patient one still wait.
        let atOne = try machine.acquire(now: at(.seconds(1)), maxWait: .zero)
        #expect(atOne == .rejected(retryAfter: .seconds(3)))
        #expect(machine.waitingCount(now: at(.seconds(1))) == 2)
    }

    @Test("returning the last reservation gives its exact instant to the next caller")
    func returnLastReservation() throws {
        var machine = try bucket(1, maxWait: .seconds(5))
        _ = try machine.acquire(now: .zero)
        guard case .reserved(let waiting) = try machine.acquire(now: .zero) else { Issue.record("expected a wait"); return }
        let returned1 = machine.returnReservation(waiting, now: at(.milliseconds(300)))
        #expect(returned1)
        #expect(machine.waitingCount(now: at(.milliseconds(300))) == 0)
        let returned2 = machine.returnReservation(waiting, now: at(.milliseconds(300)))
        #expect(!returned2) // only once
        let next = try machine.acquire(now: at(.milliseconds(300)))
        guard case .reserved(let taken) = next else { Issue.record("expected a wait, got \(next)"); return }
        #expect(taken.readyAt == at(.seconds(1)))
        #expect(taken.delay == .milliseconds(700))
    }

    @Test("returning a reservation with calls waiting behind it: they keep their instants, newcomers use what the bucket can hold")
    func returnMiddleReservation() throws {
        // burst 2: the returned permit can be held until the last waiter's instant, so the next caller goes then too.
        var roomy = try bucket(1, burst: 2, maxWait: .seconds(5))
        _ = try roomy.acquire(cost: 2, now: .zero)
        guard case .reserved(let c) = try roomy.acquire(now: .zero), case .reserved(let d) = try roomy.acquire(now: .zero)
        else { Issue.record("expected waits"); return }
        #expect(c.delay == .seconds(1))
        #expect(d.delay == .seconds(2))
        let returned3 = roomy.returnReservation(c, now: .zero)
        #expect(returned3)
        guard case .reserved(let e) = try roomy.acquire(now: .zero) else { Issue.record("expected a wait"); return }
        #expect(e.delay == .seconds(2))  // with d, at 2 s: 4 permits in [0, 2 s] = burst + 2 s × rate

        // burst 1: the bucket cannot hold the returned permit while d waits; in arrival order, e goes after d.
        var tight = try bucket(1, burst: 1, maxWait: .seconds(5))
        _ = try tight.acquire(now: .zero)
        guard case .reserved(let c1) = try tight.acquire(now: .zero), case .reserved = try tight.acquire(now: .zero)
        else { Issue.record("expected waits"); return }
        let returned4 = tight.returnReservation(c1, now: .zero)
        #expect(returned4)
        guard case .reserved(let e1) = try tight.acquire(now: .zero) else { Issue.record("expected a wait"); return }
        #expect(e1.delay == .seconds(3))
    }

    @Test("a reservation whose instant a later request has passed is settled and cannot be returned")
    func settledReservation() throws {
        var machine = try bucket(1, maxWait: .seconds(5))
        _ = try machine.acquire(now: .zero)
        guard case .reserved(let waiting) = try machine.acquire(now: .zero) else { Issue.record("expected a wait"); return }
        _ = try machine.acquire(now: at(.seconds(1)), maxWait: .zero)
        #expect(machine.waitingCount(now: at(.seconds(1))) == 0)
        let returned5 = machine.returnReservation(waiting, now: at(.seconds(1)))
        #expect(!returned5)
    }

    @Test("random traffic: every admitted schedule conforms (≤ burst + L × rate in any interval L), and every retryAfter is the exact minimum")
    func randomTrafficConforms() throws {
        for (rate, burst) in [(2.5, 3.0), (3.0, 1.0), (0.5, 2.0), (7.0, 7.0)] {
            var generator = SeededGenerator(state: 42)
            var machine = try bucket(rate, burst: burst, maxWait: .seconds(1))
            var schedule: [UInt64: (offset: Int128, cost: Int)] = [:]  // reservations by id; admissions by negative keys
            var admittedCount: UInt64 = 0
            var now: Int128 = 0
            for _ in 0..<2_000 {
                now += Int128(generator.next() % 400_000_000) * 1_000_000_000  // 0 to 0.4 s, in attoseconds
                let cost = Int(generator.next() % UInt64(burst)) + 1
                let maxWait = Int128(generator.next() % 3) * 500_000_000_000_000_000
                let probe = machine
                let decision = try machine.acquire(cost: cost, now: ClockOffset(attoseconds: now), maxWait: Duration(attoseconds: maxWait))
                switch decision {
                case .admitted:
                    admittedCount += 1
                    schedule[UInt64.max - admittedCount] = (now, cost)
                case .reserved(let reservation):
                    schedule[reservation.id] = (reservation.readyAt.attoseconds, cost)
                    if generator.next() % 4 == 0 {
                        let returned6 = machine.returnReservation(reservation, now: ClockOffset(attoseconds: now))
                        #expect(returned6)
                        schedule[reservation.id] = nil
                    }
                case .rejected(let retryAfter):
                    // Exact: admitted (or reserved with no wait) at now + retryAfter, not one attosecond before.
                    var onTime = probe
                    var early = probe
                    let ready = now + retryAfter.attoseconds
                    let onTimeDecision = try onTime.acquire(cost: cost, now: ClockOffset(attoseconds: ready), maxWait: Duration(attoseconds: 0))
                    let earlyDecision = try early.acquire(cost: cost, now: ClockOffset(attoseconds: ready - 1), maxWait: Duration(attoseconds: 0))
                    #expect(onTimeDecision == .admitted)
                    #expect(earlyDecision == .rejected(retryAfter: Duration(attoseconds: 1)))
                }
            }
            try expectConforms(Array(schedule.values), rate: rate, burst: burst)
        }
    }

    // MARK: - Keyed

    private typealias Keyed = KeyedTokenBucketStateMachine<String>

    @Test("keys have independent buckets")
    func independentKeys() throws {
        var machine = try Keyed(configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1))
        let a = try machine.acquire(key: "a", now: .zero)
        let aAgain = try machine.acquire(key: "a", now: .zero)
        let b = try machine.acquire(key: "b", now: .zero)
        #expect(a.decision == .admitted)
        #expect(aAgain.decision == .rejected(retryAfter: .seconds(1)))
        #expect(b.decision == .admitted)
        #expect(machine.keyCount == 2)
        #expect(throws: RateLimitCostError(cost: 2, maximumCost: 1)) { try machine.acquire(key: "c", cost: 2, now: .zero) }
        #expect(machine.keyCount == 2)
    }

    @Test("a key is dropped only once its bucket is full again, and behaves exactly as if it had never been")
    func expiryChangesNothing() throws {
        var machine = try Keyed(configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, burst: 2))
        var reference = try bucket(1, burst: 2)
        _ = try machine.acquire(key: "a", cost: 2, now: .zero)
        _ = try reference.acquire(cost: 2, now: .zero)
        machine.sweep(now: at(.seconds(2) - Duration(attoseconds: 1)))
        #expect(machine.keyCount == 1)
        machine.sweep(now: at(.seconds(2)))
        #expect(machine.keyCount == 0)
        #expect(machine.droppedKeys == 1)
        for step in 0..<6 {
            let now = at(.seconds(2) + .milliseconds(300 * step))
            let keyed = try machine.acquire(key: "a", now: now).decision
            let plain = try reference.acquire(now: now)
            #expect(keyed == plain)
        }
    }

    @Test("a key with a waiting call is not dropped, and its reservation can be returned")
    func waitersKeepTheirKey() throws {
        var machine = try Keyed(
            configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, maxWait: .seconds(5)))
        _ = try machine.acquire(key: "a", now: .zero)
        guard case .reserved(let waiting) = try machine.acquire(key: "a", now: .zero).decision else {
            Issue.record("expected a wait"); return
        }
        machine.sweep(now: at(.milliseconds(1_500)))
        #expect(machine.keyCount == 1)
        let returned7 = machine.returnReservation(waiting, key: "a", now: at(.milliseconds(500)))
        #expect(returned7)
        let returned8 = machine.returnReservation(waiting, key: "b", now: at(.milliseconds(500)))
        #expect(!returned8)
        machine.sweep(now: at(.seconds(1)))
        #expect(machine.keyCount == 0)
    }

    @Test("at maxKeys a new key is rejected until a bucket is full again, with the exact retryAfter; held keys are served")
    func keyBound() throws {
        var machine = try Keyed(
            configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, maxKeys: 2))
        _ = try machine.acquire(key: "a", now: .zero)
        _ = try machine.acquire(key: "b", now: at(.milliseconds(200)))
        let c = try machine.acquire(key: "c", now: at(.milliseconds(500)))
        #expect(c.decision == .rejected(retryAfter: .milliseconds(500)))
        #expect(c.atKeyLimit)
        #expect(machine.consecutiveKeyLimitRejections == 1)
        let cAgain = try machine.acquire(key: "c", now: at(.milliseconds(700)))
        #expect(cAgain.decision == .rejected(retryAfter: .milliseconds(300)))
        #expect(machine.consecutiveKeyLimitRejections == 2)
        let held = try machine.acquire(key: "b", now: at(.milliseconds(700)))
        #expect(held.decision == .rejected(retryAfter: .milliseconds(500)))
        #expect(!held.atKeyLimit)
        // b took nothing (rejected), so at 1 s a is full and dropped: c gets in.
        let cLater = try machine.acquire(key: "c", now: at(.seconds(1)))
        #expect(cLater.decision == .admitted)
        #expect(!cLater.atKeyLimit)
        #expect(machine.keyLimitRejections == 2)
        #expect(machine.consecutiveKeyLimitRejections == 0)
        #expect(machine.keyCount == 2)
    }

    @Test("idle full buckets are swept after as many requests as there are keys (at least 64)")
    func periodicSweep() throws {
        var machine = try Keyed(configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1))
        for index in 0..<10 { _ = try machine.acquire(key: "k\(index)", now: .zero) }
        #expect(machine.keyCount == 10)
        for _ in 0..<53 { _ = try machine.acquire(key: "hot", now: at(.seconds(5))) }
        #expect(machine.keyCount == 11)  // 63 requests: no sweep yet
        _ = try machine.acquire(key: "hot", now: at(.seconds(5)))
        #expect(machine.keyCount == 1)  // the 64th swept the 10 full buckets; "hot" is refilling
        #expect(machine.droppedKeys == 10)
    }
}

/// Checks a schedule of (instant, cost) against the token-bucket bound: in every interval [a, b], the
/// permits of calls going ahead in it are at most burst + (b − a) × rate. Exact integer arithmetic.
func expectConforms(
    _ schedule: [(offset: Int128, cost: Int)], rate: Double, burst: Double,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let sorted = schedule.sorted { $0.offset < $1.offset }
    let rate = try #require(ExactRatio(rate))
    let burst = try #require(ExactRatio(burst))
    // Σcost ≤ b/p + Δ × r / (q × 10¹⁸)  ⇔  (Σcost × p − b) × q × 10¹⁸ ≤ Δ × r × p
    let (r, q) = (Int128(rate.numerator), Int128(rate.denominator))
    let (b, p) = (Int128(burst.numerator), Int128(burst.denominator))
    for start in sorted.indices {
        var permits: Int128 = 0
        for end in start..<sorted.count {
            permits += Int128(sorted[end].cost)
            let span = sorted[end].offset - sorted[start].offset
            let ok = (permits * p - b) * q * attosecondsPerSecond <= span * r * p
            if !ok {
                Issue.record(
                    "\(permits) permits in \(Duration(attoseconds: span)) exceed the bucket", sourceLocation: sourceLocation)
                return
            }
        }
    }
}

@Suite("Token bucket state machine: reconfigure keeps what the bucket gave")
struct RateLimiterReconfigureTests {
    @Test("A drained bucket stays drained and refills at the new rate")
    func drainedRefillsAtNewRate() throws {
        var machine = try bucket(10, burst: 10)
        for _ in 0..<10 { let result = try machine.acquire(now: .zero); #expect(result == .admitted) }
        try machine.reconfigure(RateLimiterConfiguration(permitsPerSecond: 20, burst: 10), now: .zero)
        do { let result = try machine.acquire(now: .zero); #expect(result == .rejected(retryAfter: .milliseconds(50))) }
        do { let result = try machine.acquire(now: at(.milliseconds(50))); #expect(result == .admitted) }
        do { let result = try machine.acquire(now: at(.milliseconds(50))); #expect(result == .rejected(retryAfter: .milliseconds(50))) }
    }

    @Test("A smaller burst caps what the bucket lacks; a full bucket stays full")
    func burstCapsLack() throws {
        var drained = try bucket(10, burst: 10)
        for _ in 0..<10 { _ = try drained.acquire(now: .zero) }
        try drained.reconfigure(RateLimiterConfiguration(permitsPerSecond: 10, burst: 2), now: .zero)
        do { let result = try drained.acquire(now: at(.milliseconds(99))); #expect(result == .rejected(retryAfter: .milliseconds(1))) }
        do { let result = try drained.acquire(now: at(.milliseconds(100))); #expect(result == .admitted) }

        var full = try bucket(10, burst: 10)
        try full.reconfigure(RateLimiterConfiguration(permitsPerSecond: 1, burst: 5), now: at(.seconds(3)))
        for _ in 0..<5 { let result = try full.acquire(now: at(.seconds(3))); #expect(result == .admitted) }
        do { let result = try full.acquire(now: at(.seconds(3))); #expect(result == .rejected(retryAfter: .seconds(1))) }
    }

    @Test("A waiting call keeps its instant; the permits lacking are converted to the new rate behind it")
    func waiterKeepsInstant() throws {
        var machine = try bucket(10, burst: 1, maxWait: .seconds(10))
        do { let result = try machine.acquire(now: .zero); #expect(result == .admitted) }
        guard case .reserved(let reservation) = try machine.acquire(now: .zero) else { Issue.record("expected a reservation"); return }
        #expect(reservation.readyAt == at(.milliseconds(100)))
        try machine.reconfigure(RateLimiterConfiguration(permitsPerSecond: 1, burst: 1, maxWait: .seconds(10)), now: .zero)
        // The admitted call's permit is 1 s to refill at 1/s; the waiter (at 100 ms) takes the next: full at 2 s.
        guard case .reserved(let next) = try machine.acquire(now: .zero) else { Issue.record("expected a reservation"); return }
        #expect(next.readyAt == at(.seconds(2)))
        let returned = machine.returnReservation(reservation, now: .zero)
        #expect(returned)
    }

    @Test("The same rate and burst with another maxWait leave the bucket exactly as it was")
    func maxWaitOnly() throws {
        var machine = try bucket(3, burst: 2)
        for _ in 0..<2 { _ = try machine.acquire(now: .zero) }
        try machine.reconfigure(RateLimiterConfiguration(permitsPerSecond: 3, burst: 2, maxWait: .seconds(1)), now: .zero)
        guard case .reserved(let reservation) = try machine.acquire(now: .zero) else { Issue.record("expected a reservation"); return }
        #expect(reservation.readyAt == ClockOffset(attoseconds: attosecondsPerSecond / 3 + 1))  // ⌈1/3 s⌉, as before
    }

    @Test("Keyed: every key keeps its bucket; a smaller maxKeys drops only full buckets")
    func keyed() throws {
        var machine = try KeyedTokenBucketStateMachine<String>(
            configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 1, burst: 1, maxKeys: 3))
        do { let result = try machine.acquire(key: "a", now: .zero).decision; #expect(result == .admitted) }
        do { let result = try machine.acquire(key: "b", now: at(.milliseconds(500))).decision; #expect(result == .admitted) }
        do { let result = try machine.acquire(key: "c", now: at(.milliseconds(900))).decision; #expect(result == .admitted) }
        // At 1 s "a" is full again and may go; "b" and "c" are still refilling: kept, though over the new bound.
        try machine.reconfigure(KeyedRateLimiterConfiguration(permitsPerSecond: 2, burst: 1, maxKeys: 1), now: at(.seconds(1)))
        #expect(machine.keyCount == 2)
        #expect(machine.configuration.maxKeys == 1)
        // "b" lacked half a permit at 1/s: 250 ms at 2/s.
        do { let result = try machine.acquire(key: "b", now: at(.seconds(1))).decision; #expect(result == .rejected(retryAfter: .milliseconds(250))) }
        do { let result = try machine.acquire(key: "d", now: at(.seconds(1))).atKeyLimit; #expect(result) }
    }
}
