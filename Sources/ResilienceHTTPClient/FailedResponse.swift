import AsyncHTTPClient
import NIOHTTP1
import Resilience
import Synchronization

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
struct FailedResponse: Error, CustomStringConvertible {
    /// The response's status.
    let status: HTTPResponseStatus
    /// What the retry should do: retry after the backoff, after the server's `Retry-After`, or not at all
    /// (a hint that reaches past the call's deadline).
    let decision: RetryDecision
    /// The response, until it is taken (returned to the caller, or discarded before a retry).
    let box: Box

    init(_ response: HTTPClientResponse, decision: RetryDecision) {
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
    func takeResponse() -> HTTPClientResponse? {
        box.response.withLock { response in
            defer { response = nil }
            return response
        }
    }

    /// Drops the response of the error that caused a retry, if it is one: its body is cancelled and its
    /// bulkhead slot given back, before the retry's delay.
    static func discard(causing event: RetryEvent) {
        guard let failed = event.error as? FailedResponse else { return }
        _ = failed.takeResponse()
    }

    var description: String {
        "the upstream answered \(status.code) \(status.reasonPhrase)"
    }
}
