import Resilience
import ResilienceConfiguration

/// The admission-control stages of an attempt in a ``PolicyRun`` (rate limiter, concurrency limit,
/// timeout, bulkhead, entered in the order of ``PolicyRun/stages``), with the queues of the concurrency
/// limit and the bulkhead.
extension PolicyRun {

    /// The rate limiter takes a permit from the call's key's bucket: at once, after a reservation's
    /// wait, or not at all (`rateLimited`).
    mutating func enterRateLimiter(slot: Int, at now: Instant, stage: Int) throws(LabInputError) {
        guard rateLimiter != nil else { return try enterStage(stage + 1, slot: slot, at: now) }
        let decision: RateLimitDecision
        do {
            decision = try rateLimiter!.acquire(key: calls[slot].key, now: now.machineTime).decision
        } catch {
            // A call costs 1 permit, and a valid configuration's burst is at least 1.
            throw LabInputError(file: policyFile, message: "rateLimiter: \(error)")
        }
        switch decision {
        case .admitted:
            try enterStage(stage + 1, slot: slot, at: now)
        case .reserved(let reservation):
            // Shadow: the permits are booked, and the attempt goes on now.
            if shadowSections.contains(.rateLimiter) { return try enterStage(stage + 1, slot: slot, at: now) }
            calls[slot].resumesAfterRateLimiter = true
            schedule(.attemptStart, at: now.advanced(by: reservation.delay), slot: slot)
        case .rejected:
            if shadows(.rateLimiter, .rateLimited, slot: slot) { return try enterStage(stage + 1, slot: slot, at: now) }
            try endAttempt(slot: slot, with: .policy(.rateLimited), at: now)
        }
    }

    /// The concurrency limit admits the attempt, queues it (LIFO, evicting the oldest waiter from a
    /// full queue), or rejects it (`loadShed`).
    mutating func enterConcurrencyLimit(slot: Int, at now: Instant, stage: Int) throws(LabInputError) {
        guard concurrencyLimiter != nil else { return try enterStage(stage + 1, slot: slot, at: now) }
        if shadowSections.contains(.concurrencyLimit), concurrencyLimiter!.inFlight >= concurrencyLimiter!.limit {
            // Shadow: nothing queues; a call beyond the limit goes on without a slot, rejected only
            // where there is no queue (as the library's shadow limiter).
            if concurrencyLimiter!.configuration.maxQueued == 0 { _ = shadows(.concurrencyLimit, .loadShed, slot: slot) }
            return try enterStage(stage + 1, slot: slot, at: now)
        }
        switch concurrencyLimiter!.acquire(now: now.machineTime) {
        case .admitted(let token):
            calls[slot].concurrencyToken = token
            try enterStage(stage + 1, slot: slot, at: now)
        case .enqueued(let ticket, let evicted):
            calls[slot].concurrencyTicket = ticket
            concurrencyWaiters[ticket.id] = slot
            scheduleTimer(.waitEnd, at: Instant(offset: ticket.deadline.sinceOrigin), slot: slot, wait: .concurrencyMaxWait)
            if let evicted, let evictedSlot = concurrencyWaiters.removeValue(forKey: evicted.id) {
                calls[evictedSlot].concurrencyTicket = nil
                try endAttempt(slot: evictedSlot, with: .policy(.loadShed), at: now)
            }
        case .rejected:
            try endAttempt(slot: slot, with: .policy(.loadShed), at: now)
        }
    }

    /// The attempt's timeout starts: it bounds every later stage (the bulkhead's queue) and the
    /// dependency.
    mutating func startTimeout(slot: Int, at now: Instant, stage: Int) throws(LabInputError) {
        let deadline = timeout.map { now.advanced(by: $0) }
        // Shadow: the attempt is not cut; one that ends at or past this instant is noted.
        if shadowSections.contains(.timeout) { calls[slot].shadowDeadline = deadline } else { calls[slot].deadline = deadline }
        try enterStage(stage + 1, slot: slot, at: now)
    }

    /// The bulkhead admits, queues (FIFO) or rejects the attempt (`bulkheadFull`).
    mutating func enterBulkhead(slot: Int, at now: Instant, stage: Int) throws(LabInputError) {
        guard bulkhead != nil else { return try enterStage(stage + 1, slot: slot, at: now) }
        if shadowSections.contains(.bulkhead), bulkhead!.inFlight >= bulkhead!.maxConcurrent {
            // Shadow: nothing queues; a call that finds every slot taken goes on without one, rejected
            // only when the queue is full (as the library's shadow bulkhead).
            if bulkhead!.queued >= bulkhead!.maxQueued { _ = shadows(.bulkhead, .bulkheadFull, slot: slot) }
            return try enterStage(stage + 1, slot: slot, at: now)
        }
        switch bulkhead!.acquire() {
        case .admitted:
            calls[slot].holdsBulkheadSlot = true
            try enterStage(stage + 1, slot: slot, at: now)
        case .enqueued(let ticket):
            calls[slot].bulkheadTicket = ticket
            bulkheadWaiters[ticket.number] = slot
            if let maxWait = bulkheadMaxWait {
                scheduleTimer(.waitEnd, at: now.advanced(by: maxWait), slot: slot, wait: .bulkheadMaxWait)
            }
            if let deadline = calls[slot].deadline {
                scheduleTimer(.waitEnd, at: deadline, slot: slot, wait: .timeout)
            }
        case .rejected:
            try endAttempt(slot: slot, with: .policy(.bulkheadFull), at: now)
        }
    }

    /// A queued attempt's wait ends before it was admitted: it leaves its queue and ends `timedOut`,
    /// `bulkheadFull` or `loadShed`.
    mutating func waitEnded(slot: Int, because reason: WaitEnd, at now: Instant) throws(LabInputError) {
        switch reason {
        case .timeout, .bulkheadMaxWait:
            guard let ticket = calls[slot].bulkheadTicket else { return }
            let left = reason == .timeout ? bulkhead!.cancel(ticket) : bulkhead!.expire(ticket)
            guard left else { return }
            bulkheadWaiters[ticket.number] = nil
            calls[slot].bulkheadTicket = nil
            try endAttempt(slot: slot, with: .policy(reason == .timeout ? .timedOut : .bulkheadFull), at: now)
        case .concurrencyMaxWait:
            guard let ticket = calls[slot].concurrencyTicket, concurrencyLimiter!.expire(ticket, now: now.machineTime) else { return }
            concurrencyWaiters[ticket.id] = nil
            calls[slot].concurrencyTicket = nil
            try endAttempt(slot: slot, with: .policy(.loadShed), at: now)
        }
    }

    /// Gives back the bulkhead slot and the concurrency token the ending attempt holds, and admits the
    /// waiters they free, at `now`.
    mutating func releaseAdmission(slot: Int, end: AttemptEnd, at now: Instant) throws(LabInputError) {
        calls[slot].deadline = nil
        calls[slot].shadowDeadline = nil
        if calls[slot].holdsBulkheadSlot {
            calls[slot].holdsBulkheadSlot = false
            if let ticket = bulkhead!.release(), let next = bulkheadWaiters.removeValue(forKey: ticket.number) {
                calls[next].bulkheadTicket = nil
                calls[next].holdsBulkheadSlot = true
                calls[next].phase = nextPhase()  // its pending wait ends are stale now
                try enterStage(after: .bulkhead, slot: next, at: now)
            }
        }
        if let token = calls[slot].concurrencyToken {
            calls[slot].concurrencyToken = nil
            let released = concurrencyLimiter!.release(token, outcome: end.concurrencyOutcome, now: now.machineTime)
            for ticket in released.expired {
                guard let expiredSlot = concurrencyWaiters.removeValue(forKey: ticket.id) else { continue }
                calls[expiredSlot].concurrencyTicket = nil
                try endAttempt(slot: expiredSlot, with: .policy(.loadShed), at: now)
            }
            for admission in released.admitted {
                guard let next = concurrencyWaiters.removeValue(forKey: admission.ticket.id) else { continue }
                calls[next].concurrencyTicket = nil
                calls[next].concurrencyToken = admission.token
                calls[next].phase = nextPhase()
                try enterStage(after: .concurrencyLimit, slot: next, at: now)
            }
        }
    }
}
