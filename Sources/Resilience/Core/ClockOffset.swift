/// An instant given as attoseconds since an origin: the one time representation of every state
/// machine. A shell's ``ClockReader`` gives offsets from the shell's creation; the lab's offsets count
/// from the simulation's zero; tests write them directly.
///
/// Why not `C.Instant`: the standard clocks' instants are resilient types of the standard library,
/// whose layout is not known when a client is compiled. A state machine generic over
/// `ContinuousClock.Instant` copies and destroys every token, ticket and optional instant through
/// value-witness calls and runtime type metadata, and does its arithmetic through out-of-line
/// `Duration` calls (for the concurrency limiter that was most of the cost of an admitted call). This
/// type has a fixed layout and inline arithmetic; a shell converts it back to `C.Instant` with
/// ``ClockReader``'s `instant(at:)` only where the clock itself is needed (to sleep until a deadline).
@usableFromInline
package struct ClockOffset: InstantProtocol {
    /// Attoseconds since the origin (negative before it).
    @usableFromInline package let attoseconds: Int128

    @inlinable
    package init(attoseconds: Int128) {
        self.attoseconds = attoseconds
    }

    /// The instant `sinceOrigin` after the origin.
    @inlinable
    package init(_ sinceOrigin: Duration) {
        attoseconds = sinceOrigin.attoseconds
    }

    /// The origin.
    @inlinable
    package static var zero: ClockOffset { ClockOffset(attoseconds: 0) }

    /// The time since the origin.
    @inlinable
    package var sinceOrigin: Duration { Duration(attoseconds: attoseconds) }

    @inlinable
    package func advanced(by duration: Duration) -> ClockOffset {
        ClockOffset(attoseconds: attoseconds + duration.attoseconds)
    }

    @inlinable
    package func duration(to other: ClockOffset) -> Duration {
        Duration(attoseconds: other.attoseconds - attoseconds)
    }

    @inlinable
    package static func < (lhs: ClockOffset, rhs: ClockOffset) -> Bool {
        lhs.attoseconds < rhs.attoseconds
    }
}
