import NIOCore

extension NIODeadline {
    /// The deadline `remaining` from now, for async-http-client: whole nanoseconds, at least 1 (a limit
    /// already reached still gives the request a deadline rather than none). `remaining` is at most a day
    /// where the library uses it, so nothing overflows.
    package static func fromNow(_ remaining: Duration) -> NIODeadline {
        .now() + .nanoseconds(max(Int64(remaining.attoseconds / 1_000_000_000), 1))
    }
}
