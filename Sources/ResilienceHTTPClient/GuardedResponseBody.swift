import AsyncHTTPClient
import NIOCore
import Resilience
import Synchronization

/// The body of a response returned by a ``ResilientHTTPClient``: async-http-client's streamed body, passed
/// through chunk by chunk as it arrives, plus the two things that outlive the call that started it.
///
/// - **The host's bulkhead slot** is held until the body ends: read to its end, failed, ended by the
///   deadline, or dropped (its sequence and iterator released unread or half read). So a bulkhead bounds
///   the requests *in flight*, a long token stream included, not just the waits for a response head.
///   The slot is given back exactly once, on whichever comes first.
/// - **The rest of the attempt's `duration`**: a chunk that arrives after the attempt's whole-exchange
///   limit ends the body with `timedOut` and cancels the request (async-http-client's own deadline stops
///   at the response head; see ``HTTPTimeoutConfiguration``). The end of the body is never late: a body
///   whose last chunk came in time is complete.
struct GuardedResponseBody<C: Clock>: AsyncSequence, Sendable where C.Duration == Duration {
    typealias Element = ByteBuffer

    let lease: Lease

    /// What the body holds until it ends; given back on its first end, or when released.
    final class Lease: Sendable {
        let body: HTTPClientResponse.Body
        let bulkhead: Bulkhead<C>?
        let deadline: C.Instant
        let limit: Duration
        let clock: C
        let host: HostPolicies<C>
        let ended = Atomic<Bool>(false)

        init(
            body: HTTPClientResponse.Body, bulkhead: Bulkhead<C>?, deadline: C.Instant, limit: Duration, clock: C,
            host: HostPolicies<C>
        ) {
            self.body = body
            self.bulkhead = bulkhead
            self.deadline = deadline
            self.limit = limit
            self.clock = clock
            self.host = host
        }

        /// Gives the bulkhead slot back, the first time only.
        func end() {
            guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
            bulkhead?.releaseSlot()
        }

        deinit { end() }
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        /// async-http-client's iterator, `nil` once the body ended; dropping it cancels an unfinished request.
        var base: HTTPClientResponse.Body.AsyncIterator?
        let lease: Lease

        mutating func next() async throws -> ByteBuffer? {
            guard base != nil else { return nil }
            let chunk: ByteBuffer?
            do {
                chunk = try await base?.next()
            } catch {
                finish()
                throw error
            }
            guard let chunk else {
                finish()
                return nil
            }
            if lease.clock.now >= lease.deadline {
                finish()
                throw lease.host.timedOut(after: lease.limit, underlyingError: nil)
            }
            return chunk
        }

        /// Ends the body: the request is cancelled if unfinished, the slot given back.
        private mutating func finish() {
            base = nil
            lease.end()
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: lease.body.makeAsyncIterator(), lease: lease)
    }
}
