import AsyncHTTPClient
import NIOHTTP1

/// Which HTTP requests may be sent again: the idempotent-method rule and the replayable-body rule.
///
/// A retry sends the request again, so the server may act on it twice: a retried `POST /payments` whose
/// first attempt reached the server before its connection broke charges twice. RFC 9110 §9.2.2 names
/// the methods whose repetition has the same effect as one request, and says a client should not
/// automatically retry others (a widespread bug, filed against axios-retry, HTTP.jl, aioduct, Keycloak
/// and others: POSTs retried on a reset or a 5xx, duplicating side effects). Hence:
///
/// - **Idempotent methods** are retried by default: GET, HEAD, OPTIONS, TRACE, PUT, DELETE. Others
///   (POST, PATCH, CONNECT, and any extension method) are retried only when the request says so
///   (``HTTPRequestOptions/retryable``), for example because it carries an idempotency key the server
///   honours.
/// - **A body that cannot be replayed is never retried**, whatever the request says: a streamed
///   `HTTPClientRequest.Body` (`.stream(...)`, and the bodies async-http-client itself builds as a stream,
///   such as `.bytes` of a large non-contiguous collection) was consumed by the first attempt and cannot
///   be sent again. A body held in memory (`.bytes(ByteBuffer)`, `.bytes` of an array) can. This is
///   async-http-client's own rule for following a redirect with a body.
public enum HTTPRetryRules {
    /// Whether `method` is idempotent (RFC 9110 §9.2.2): GET, HEAD, OPTIONS, TRACE, PUT and DELETE.
    public static func isIdempotent(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE: true
        default: false
        }
    }

    /// Whether `body` can be sent again: no body, or one held in memory. A streamed body cannot.
    ///
    /// async-http-client 1.37 keeps this knowledge internal (it uses it to decide whether to follow a
    /// redirect), so it is read here by reflection over the body's storage. A storage this version does
    /// not recognise — a future release may change it — is treated as *not* replayable, so a change
    /// can only stop retries, never replay a consumed stream (a test pins the known cases).
    public static func canReplay(_ body: HTTPClientRequest.Body?) -> Bool {
        guard let body else { return true }
        guard let mode = Mirror(reflecting: body).children.first(where: { $0.label == "mode" })?.value,
            let modeCase = Mirror(reflecting: mode).children.first
        else { return false }
        switch modeCase.label {
        case "byteBuffer":
            return true
        case "sequence":
            let flag = Mirror(reflecting: modeCase.value).children.first { $0.label == "canBeConsumedMultipleTimes" }
            return flag?.value as? Bool ?? false
        default:
            return false  // "asyncSequence", a request writer, or something this version does not know
        }
    }

    /// Whether `request` may be retried: its body can be replayed, and either `retryable` says so or, when
    /// `retryable` is `nil`, its method is idempotent.
    public static func isRetryable(_ request: HTTPClientRequest, retryable: Bool? = nil) -> Bool {
        guard canReplay(request.body) else { return false }
        return retryable ?? isIdempotent(request.method)
    }
}
