import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Resilience

/// The HTTP response that answers a call a resilience policy refused: the one function with which the
/// middleware and `resilience-proxy` answer a rejection, so that a client sees the same status,
/// headers and body from both.
///
/// | code | status |
/// |---|---|
/// | `rateLimited` | 429 Too Many Requests |
/// | `timedOut` | 504 Gateway Timeout |
/// | `upstreamUnavailable` (the proxy's own: the upstream could not be reached after the retries) | 502 Bad Gateway |
/// | `circuitOpen`, `halfOpenFull`, `bulkheadFull`, `loadShed`, and any other code | 503 Service Unavailable |
///
/// Headers: `X-Resilience-Rejected: <code>`, `Content-Type: application/json`, and, when the policy
/// knows when to come back, `Retry-After` in whole seconds, rounded up, at least 1. Body:
/// `{"error": "<code>", "policy": "<name>"}`, with `"policy": null` when no policy is named.
///
/// A rejection is always a response: never a dropped connection.
public enum ResilienceRejectionResponse {
    /// The header naming the rejection code.
    public static let rejectedHeader = HTTPField.Name("X-Resilience-Rejected")!

    /// The code of the proxy's own rejection: the upstream could not be reached after the retries.
    public static let upstreamUnavailable = "upstreamUnavailable"

    /// The response to `error`.
    public static func response(for error: ResilienceError) -> Response {
        response(code: error.code.description, policyName: error.policyName, retryAfter: error.retryAfter)
    }

    /// The response to a rejection with `code` (a ``ResilienceError/Code`` name, or
    /// ``upstreamUnavailable``) by the policy `policyName` (`nil`: none), with the hint `retryAfter`.
    public static func response(code: String, policyName: String?, retryAfter: Duration?) -> Response {
        var headers: HTTPFields = [rejectedHeader: code, .contentType: "application/json"]
        if let retryAfter { headers[.retryAfter] = String(retryAfterSeconds(retryAfter)) }
        let body = "{\"error\": \(jsonString(code)), \"policy\": \(policyName.map(jsonString) ?? "null")}"
        return Response(status: status(forCode: code), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }

    /// The status that answers a rejection with `code`: see the type's table.
    public static func status(forCode code: String) -> HTTPResponse.Status {
        switch code {
        case ResilienceError.Code.rateLimited.description: .tooManyRequests
        case ResilienceError.Code.timedOut.description: .gatewayTimeout
        case upstreamUnavailable: .badGateway
        default: .serviceUnavailable
        }
    }

    /// `Retry-After`'s value for `duration`: whole seconds, rounded up, at least 1 (a hint of 0 would
    /// invite an immediate retry that the policy would refuse again).
    public static func retryAfterSeconds(_ duration: Duration) -> Int64 {
        let attoseconds = duration.attoseconds
        let perSecond: Int128 = 1_000_000_000_000_000_000
        let seconds = (attoseconds + perSecond - 1) / perSecond
        return Int64(clamping: max(seconds, 1))
    }

    /// `text` as a JSON string literal, quotes and escapes included.
    static func jsonString(_ text: String) -> String {
        // JSONSerialization escapes quotes, backslashes and control characters. A String is always a
        // valid JSON fragment, so this cannot throw.
        let data = try! JSONSerialization.data(withJSONObject: text, options: [.fragmentsAllowed, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
