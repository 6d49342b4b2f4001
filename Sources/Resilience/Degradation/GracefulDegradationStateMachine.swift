/// The logic of a ``GracefulDegradation``, without locks: it derives the level from a
/// ``DegradationSnapshot`` and reports changes.
///
/// **Rules.** The level is the highest ``DegradationRule/level`` among the rules whose condition holds
/// on the snapshot, or `normal` when none holds; the reasons are the names of the rules that hold at
/// that level, in the order the rules were given. An override (``override(_:snapshot:)``) replaces the
/// derived level, with the reason `override`, until it is cleared. A change is reported only when the
/// level differs from the previous one.
@usableFromInline package struct GracefulDegradationStateMachine: Sendable {
    /// The rules, in the order given.
    @usableFromInline package let rules: [DegradationRule]
    /// The current level.
    @usableFromInline package private(set) var level: DegradationLevel = .normal
    /// The level forced by an operator, if any.
    @usableFromInline package private(set) var overrideLevel: DegradationLevel?

    /// A machine at level `normal` with `rules`.
    @usableFromInline package init(rules: [DegradationRule]) {
        self.rules = rules
    }

    /// Derives the level from `snapshot`; returns the change, if the level changed.
    @usableFromInline package mutating func evaluate(_ snapshot: DegradationSnapshot) -> DegradationLevelChange? {
        let (newLevel, reasons) = derive(from: snapshot)
        guard newLevel != level else { return nil }
        defer { level = newLevel }
        return DegradationLevelChange(from: level, to: newLevel, reasons: reasons)
    }

    /// Forces the level to `forced`, or goes back to the derived level when `forced` is `nil`;
    /// `snapshot` is what the level is derived from then.
    @usableFromInline package mutating func override(_ forced: DegradationLevel?, snapshot: DegradationSnapshot) -> DegradationLevelChange? {
        overrideLevel = forced
        return evaluate(snapshot)
    }

    /// The level `snapshot` asks for, and why.
    @usableFromInline package func derive(from snapshot: DegradationSnapshot) -> (level: DegradationLevel, reasons: [String]) {
        if let overrideLevel { return (overrideLevel, ["override"]) }
        let holding = rules.filter { $0.condition(snapshot) }
        guard let highest = holding.map(\.level).max() else { return (.normal, []) }
        return (highest, holding.filter { $0.level == highest }.map(\.name))
    }
}
