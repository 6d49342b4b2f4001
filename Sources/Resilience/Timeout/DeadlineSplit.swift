/// Shares the time left before a call's deadline among sequential steps, by weight.
///
/// ```swift
/// // An LLM call, then a database write, inside a request with a 2 s deadline.
/// var split = try DeadlineSplit(context: context, clock: clock, weights: [3, 1])
/// let answer = try await llmTimeout.execute(context: try split.next()) { _ in try await llm.complete(prompt) }
/// try await dbTimeout.execute(context: try split.next()) { _ in try await db.save(answer) }
/// ```
///
/// Step i (from 0) gets the deadline `now + remaining × wᵢ / (wᵢ + … + wₙ₋₁)`, where `remaining` is the
/// time left at the moment the step starts (when ``next()`` is called). Time a step leaves unused
/// goes to the steps after it; the last step gets all that is left, so the split never extends the
/// caller's deadline. The arithmetic is exact (attoseconds, rounded down).
///
/// A context without a deadline gives every step the context unchanged: there is nothing to split.
public struct DeadlineSplit<C: Clock>: Sendable where C.Duration == Duration {
    let context: ResilienceContext
    let clock: C
    let weights: [Int]
    /// The step the next call to ``next()`` is for.
    public private(set) var step = 0

    /// A split of `context`'s deadline among `weights.count` steps.
    /// - Throws: ``ConfigurationError`` (key `weights`) unless there is at least one weight and every
    ///   weight is ≥ 1; ``ResilienceContext/DeadlineClockMismatch`` when the deadline is not an instant
    ///   of `clock`.
    public init(context: ResilienceContext, clock: C, weights: [Int]) throws {
        try ConfigurationError.check(
            !weights.isEmpty && weights.allSatisfy { $0 >= 1 }, "weights", "\(weights)",
            "at least one weight, each >= 1")
        _ = try context.deadline(on: clock)
        self.context = context
        self.clock = clock
        self.weights = weights
    }

    /// A split of `context`'s deadline into `steps` equal shares.
    /// - Throws: as ``init(context:clock:weights:)``; `steps` must be ≥ 1.
    public init(context: ResilienceContext, clock: C, steps: Int) throws {
        try ConfigurationError.check(steps >= 1, "steps", "\(steps)", ">= 1")
        try self.init(context: context, clock: clock, weights: Array(repeating: 1, count: steps))
    }

    /// The context for the next step, with its share of the time left as its deadline.
    /// - Precondition: fewer calls than steps so far.
    public mutating func next() throws(ResilienceContext.DeadlineClockMismatch) -> ResilienceContext {
        precondition(step < weights.count, "DeadlineSplit.next(): all \(weights.count) steps were already given")
        defer { step += 1 }
        let now = clock.now
        guard let remaining = try context.remainingTime(on: clock, now: now) else { return context }
        let share: Duration
        if step == weights.count - 1 || remaining <= .zero {
            share = remaining
        } else {
            let weight = Int128(weights[step])
            let total = weights[step...].reduce(Int128(0)) { $0 + Int128($1) }
            share = Duration(attoseconds: remaining.attoseconds * weight / total)
        }
        var stepContext = context
        stepContext.deadline = now.advanced(by: share)
        return stepContext
    }
}
