/// Permits taken at one instant, as a rate limiter's state machine remembers them: a reservation
/// waiting for its instant (token bucket and sliding window), or the calls admitted at once at that
/// instant (sliding window, which remembers every instant of its last window). 32 bytes.
@usableFromInline
struct PermitBooking: Sendable {
    /// The instant, in attoseconds (a ``ClockOffset``'s).
    @usableFromInline let offset: Int128
    /// The permits taken.
    @usableFromInline var permits: Int
    /// The reservation's id, or 0 for calls admitted at once.
    @usableFromInline let reservation: UInt64

    @inlinable
    init(offset: Int128, permits: Int, reservation: UInt64) {
        self.offset = offset
        self.permits = permits
        self.reservation = reservation
    }
}
