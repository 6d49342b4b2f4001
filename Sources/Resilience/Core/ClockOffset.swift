/// An instant given as attoseconds since a ``ClockReader``'s origin: what a shell hands its state
/// machine instead of `C.Instant`.
///
/// The standard clocks' instants are resilient types of the standard library: their layout is not
/// known when a client is compiled. A state machine specialised for `ContinuousClock.Instant` therefore
/// copies and destroys every token, ticket and optional instant through value-witness calls and
/// runtime type metadata, and does its arithmetic through out-of-line `Duration` calls. For the
/// concurrency limiter that was most of the cost of an admitted call. This type has a fixed layout and
/// inline arithmetic; the shell converts it back to `C.Instant` with ``ClockReader``'s `instant(at:)`
/// only where the clock itself is needed (to sleep until a deadline).
@usableFromInline
struct ClockOffset: InstantProtocol {
    /// Attoseconds since the reader's origin (negative before it).
    @usableFromInline let attoseconds: Int128

    @inlinable
    init(attoseconds: Int128) {
        self.attoseconds = attoseconds
    }

    @inlinable
    func advanced(by duration: Duration) -> ClockOffset {
        ClockOffset(attoseconds: attoseconds + duration.attoseconds)
    }

    @inlinable
    func duration(to other: ClockOffset) -> Duration {
        Duration(attoseconds: other.attoseconds - attoseconds)
    }

    @inlinable
    static func < (lhs: ClockOffset, rhs: ClockOffset) -> Bool {
        lhs.attoseconds < rhs.attoseconds
    }
}
