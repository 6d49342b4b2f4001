extension Duration {
    /// The duration as a whole number of attoseconds, exactly.
    @usableFromInline
    var totalAttoseconds: Int128 {
        let (seconds, attoseconds) = components
        return Int128(seconds) * 1_000_000_000_000_000_000 + Int128(attoseconds)
    }

    /// `self × factor`, saturating at `cap` instead of overflowing. `factor` must be ≥ 1.
    @usableFromInline
    func multiplied(by factor: Double, cappedAt cap: Duration) -> Duration {
        let scaled = Double(totalAttoseconds) * factor
        if scaled >= Double(cap.totalAttoseconds) { return cap }
        return min(self * factor, cap)
    }
}
