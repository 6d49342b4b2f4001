import AsyncHTTPClient
import NIOHTTP1
import Resilience
import Synchronization

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Date
#else
import struct Foundation.Date
#endif

/// A response that counts as a failure (5xx, 408, 429), thrown inside a ``ResilientHTTPClient`` call so
/// that its breaker counts it and its retry decides on it, and turned back into the response when the
/// call ends with it: the caller gets the last upstream response unchanged, never this error.
///
/// Why an error rather than a classified result: a response the retry discards must give its connection
/// and its bulkhead slot back *before* the retry's delay, not after the next attempt. The retry's hook
/// before each delay (`onRetry`) sees the error that caused the retry, not a returned value; it takes the
/// response out of this error's box and drops it, which cancels the body (async-http-client cancels a
/// request whose body is dropped unread, and its connection is closed or, if the body was complete,
/// already back in the pool) and frees the bulkhead slot the body held.
package struct FailedResponse: Error, RetryAfterProviding, CustomStringConvertible {
    /// The response's status.
    package let status: HTTPResponseStatus
    /// What the retry should do: retry after the backoff, after the server's `Retry-After`, or not at all
    /// (a hint that reaches past the call's deadline).
    package let decision: RetryDecision
    /// The response, until it is taken (returned to the caller, or discarded before a retry).
    let box: Box

    package init(_ response: HTTPClientResponse, decision: RetryDecision) {
        status = response.status
        self.decision = decision
        box = Box(response)
    }

    /// Holds the response so that whichever copy of the error is at hand can take it out.
    final class Box: Sendable {
        let response: Mutex<HTTPClientResponse?>
        init(_ response: HTTPClientResponse) { self.response = Mutex(response) }
    }

    /// Takes the response out (once).
    package func takeResponse() -> HTTPClientResponse? {
        box.response.withLock { response in
            defer { response = nil }
            return response
        }
    }

    /// The decision's hint, for a retry that reads `RetryAfterProviding` (a pipeline built from
    /// configuration, as `resilience-proxy`'s).
    package var retryAfter: Duration? {
        if case .retryAfter(let hint) = decision { return hint }
        return nil
    }

    /// The server's hint of when to try again: the `Retry-After` of a 429 or a 503 (delay-seconds or an
    /// HTTP-date, see ``RetryAfter``); `nil` for other statuses or without a valid header.
    package static func retryHint(of response: HTTPClientResponse) -> Duration? {
        guard response.status == .tooManyRequests || response.status == .serviceUnavailable else { return nil }
        return RetryAfter.delay(in: response.headers, localNow: Date())
    }

    /// Drops the response of the error that caused a retry, if it is one: its body is cancelled and its
    /// bulkhead slot given back, before the retry's delay.
    static func discard(causing event: RetryEvent) {
        guard let failed = event.error as? FailedResponse else { return }
        _ = failed.takeResponse()
    }

    package var description: String {
        "the upstream answered \(status.code) \(status.reasonPhrase)"
    }
}
