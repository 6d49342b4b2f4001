import AsyncHTTPClient
import NIOHTTP1
import Resilience

/// What an HTTP exchange means to a circuit breaker and a retry: the library's HTTP-aware classification.
///
/// | outcome | responses | errors |
/// |---|---|---|
/// | failure | 5xx, 408 Request Timeout, 429 Too Many Requests | connection errors (refused, reset, closed, TLS), connect/read/write timeouts, the deadline (`timedOut`), any error not listed below |
/// | success | 1xx–3xx, every other 4xx (400, 401, 403, 404, 409, 422, ...) | — |
/// | ignored | — | cancellation (`CancellationError`, `HTTPClientError.cancelled`), errors conforming to `NotADependencyFailure`, rejections by inner policies other than `timedOut`, and errors in the *request* that no server could fix (invalid URL, empty host, unsupported scheme, invalid header names or values, a body whose length differs from its `Content-Length`, redirect loops, a client already shut down, ...) |
///
/// A 4xx other than 408 and 429 says the server is up and answering; the request was wrong. It passes
/// through and trips nothing (a breaker counts it as a success, as it would any answer). 408 and 429 are
/// the server saying it could not serve the request *now*: failures, retried (429 after its
/// `Retry-After`). An error in the request itself is ignored: a flood of malformed requests must not open
/// the breaker of a healthy upstream.
///
/// ```swift
/// let breaker = CircuitBreaker(name: "partner", classifier: HTTPFailureClassifier.classifier)
/// ```
public enum HTTPFailureClassifier {
    /// The outcome of a response with `status`: a failure for 5xx, 408 and 429, a success otherwise.
    public static func outcome(of status: HTTPResponseStatus) -> CallOutcome {
        isFailure(status) ? .failure : .success
    }

    /// Whether a response with `status` is a failure: 5xx, 408 or 429.
    public static func isFailure(_ status: HTTPResponseStatus) -> Bool {
        status.code >= 500 || status.code == 408 || status.code == 429
    }

    /// The outcome of an exchange that threw `error`: see the type's table.
    public static func outcome(of error: any Error) -> CallOutcome {
        if let failed = error as? FailedResponse {
            return outcome(of: failed.status)
        }
        if let error = error as? HTTPClientError {
            if error == .cancelled || isRequestError(error) { return .ignored }
            return .failure
        }
        return FailureClassifier.defaultErrorOutcome(error)
    }

    /// Whether `error` is an error in the request (or in the client's use) that no server could fix,
    /// rather than something the upstream or the network did: invalid URL, empty host or scheme, missing
    /// socket path, unsupported scheme, a client already shut down, identity coding present, a missing
    /// `Content-Length`, a TRACE with a body, invalid header names or values, a body length that differs from
    /// `Content-Length`, a write after the request was sent, a redirect limit or cycle, proxy authentication
    /// required, and invalid client configuration. (The two errors async-http-client 1.37 no longer throws,
    /// `chunkedSpecifiedMultipleTimes` and `incompatibleHeaders`, would count as failures.)
    public static func isRequestError(_ error: HTTPClientError) -> Bool {
        if requestErrors.contains(error) { return true }
        // The cases with associated values cannot be compared with `==`; their short descriptions are fixed
        // (async-http-client keeps them free of associated values for use as metric labels).
        return requestErrorDescriptions.contains(error.shortDescription)
    }

    /// The request errors without associated values.
    static let requestErrors: [HTTPClientError] = [
        .invalidURL, .emptyHost, .missingSocketPath, .alreadyShutdown, .emptyScheme, .identityCodingIncorrectlyPresent,
        .contentLengthMissing, .proxyAuthenticationRequired, .redirectLimitReached, .redirectCycleDetected,
        .traceRequestWithBody, .bodyLengthMismatch, .writeAfterRequestSent, .shutdownUnsupported, .invalidRedirectConfiguration, .invalidHTTPVersionConfiguration,
        .invalidDNSOverridesConfiguration, .invalidLocalAddress, .invalidProxyConfiguration,
    ]

    /// The short descriptions of the request errors with associated values.
    static let requestErrorDescriptions: Set<String> = [
        HTTPClientError.unsupportedScheme("").shortDescription,
        HTTPClientError.invalidHeaderFieldNames([]).shortDescription,
        HTTPClientError.invalidHeaderFieldValues([]).shortDescription,
    ]

    /// A `FailureClassifier` with this classification, for errors and for `HTTPClientResponse` results:
    /// use it with policies of your own around async-http-client calls.
    public static let classifier = FailureClassifier(errors: { outcome(of: $0) })
        .classifyingResults { (response: HTTPClientResponse) in outcome(of: response.status) }
}
