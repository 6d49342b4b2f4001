/// A snapshot of a load shedder's counts.
public struct LoadShedderStats: Sendable, Hashable {
    /// Calls admitted and not yet released, all priorities.
    public var inFlight: Int
    /// Calls admitted and not yet released, by priority (every priority present).
    public var inFlightByPriority: [Priority: Int]
    /// Calls admitted since creation, by priority (every priority present).
    public var admitted: [Priority: Int]
    /// Calls shed since creation, by priority (every priority present; critical is always 0).
    public var shed: [Priority: Int]
    /// Calls shed since creation, by reason (reasons that shed nothing are absent).
    public var shedByReason: [LoadShedReason: Int]
}
