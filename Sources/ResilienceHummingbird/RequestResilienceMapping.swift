import Foundation
import HTTPTypes
import Hummingbird
import Resilience

/// How an HTTP request becomes the ``ResilienceContext`` its policies see: the operation's name, its
/// priority (for load shedding) and the client's key (for per-client rate limiting).
///
/// The defaults:
/// - **operation name:** the method and the route's path template, `GET /users/{id}` (the request's
///   path when no route matched): low-cardinality, since it becomes a metric label and a span name;
/// - **priority:** the header `X-Priority: low|normal|high|critical`; absent: `normal`; any other value:
///   `normal`, and counted in `resilience_http_unrecognized_priority_total{policy}`;
/// - **client key:** the header `X-Client-Id`; absent: the remote address when the request context
///   knows it (`RemoteAddressRequestContext`), else `unknown`. Stored in the context's metadata under
///   ``RequestClientKey``, which a `KeyedRateLimiter` reads with `key: RequestClientKey.key(of:)`.
///   Metadata never becomes a label.
public struct RequestResilienceMapping<Context: RequestContext>: Sendable {
    /// The header that carries the priority.
    public static var priorityHeader: HTTPField.Name { HTTPField.Name("X-Priority")! }
    /// The header that carries the client's key.
    public static var clientKeyHeader: HTTPField.Name { HTTPField.Name("X-Client-Id")! }

    /// The operation name of a request.
    public var operationName: @Sendable (Request, Context) -> String
    /// The priority of a request, or `nil` when its header holds an unrecognized value (then `normal`,
    /// counted).
    public var priority: @Sendable (Request, Context) -> Priority?
    /// The client's key of a request.
    public var clientKey: @Sendable (Request, Context) -> String

    /// A mapping; each part defaults to the type's documented default.
    public init(
        operationName: @escaping @Sendable (Request, Context) -> String = Self.routeName,
        priority: @escaping @Sendable (Request, Context) -> Priority? = Self.priorityFromHeader,
        clientKey: @escaping @Sendable (Request, Context) -> String = Self.clientKeyFromHeader
    ) {
        self.operationName = operationName
        self.priority = priority
        self.clientKey = clientKey
    }

    /// `GET /users/{id}`: the method and the route's path template, or the request's path when no
    /// route matched.
    @Sendable public static func routeName(_ request: Request, _ context: Context) -> String {
        "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)"
    }

    /// The priority named by `X-Priority`: `normal` when absent, `nil` when unrecognized.
    @Sendable public static func priorityFromHeader(_ request: Request, _ context: Context) -> Priority? {
        guard let value = request.headers[priorityHeader] else { return .normal }
        return Priority(headerValue: value)
    }

    /// `X-Client-Id`, or `unknown`.
    @Sendable public static func clientKeyFromHeader(_ request: Request, _ context: Context) -> String {
        request.headers[clientKeyHeader] ?? "unknown"
    }
}

extension RequestResilienceMapping where Context: RemoteAddressRequestContext {
    /// A mapping whose client key falls back to the remote address (its IP, without the port) when
    /// `X-Client-Id` is absent.
    public static var withRemoteAddress: Self { Self(clientKey: Self.clientKeyFromHeaderOrAddress) }

    /// `X-Client-Id`, else the remote address's IP, else `unknown`.
    @Sendable public static func clientKeyFromHeaderOrAddress(_ request: Request, _ context: Context) -> String {
        if let key = request.headers[clientKeyHeader] { return key }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// The client's key of an HTTP request, in its ``ResilienceContext``'s metadata: see
/// ``RequestResilienceMapping``.
public enum RequestClientKey: ResilienceContextKey {
    public typealias Value = String

    /// The client's key stored in `context`, or `unknown`: for `KeyedRateLimiter(key:)`.
    @Sendable public static func key(of context: ResilienceContext) -> String {
        context.metadata[RequestClientKey.self] ?? "unknown"
    }
}

extension Priority {
    /// The priority a header names, `low`, `normal`, `high` or `critical` (any case, surrounding spaces
    /// ignored), or `nil`.
    public init?(headerValue: String) {
        switch headerValue.trimmingCharacters(in: .whitespaces).lowercased() {
        case "low": self = .low
        case "normal": self = .normal
        case "high": self = .high
        case "critical": self = .critical
        default: return nil
        }
    }
}
