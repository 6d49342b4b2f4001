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
    @inlinable public static var priorityHeader: HTTPField.Name { RequestHeaderNames.priority }
    /// The header that carries the client's key.
    @inlinable public static var clientKeyHeader: HTTPField.Name { RequestHeaderNames.clientKey }

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
    @inlinable
    @Sendable public static func routeName(_ request: Request, _ context: Context) -> String {
        "\(request.method.rawValue) \(context.endpointPath ?? request.uri.path)"
    }

    /// The priority named by `X-Priority`: `normal` when absent, `nil` when unrecognized.
    @inlinable
    @Sendable public static func priorityFromHeader(_ request: Request, _ context: Context) -> Priority? {
        guard let value = RequestHeaderNames.value(of: priorityHeader, in: request.headers) else { return .normal }
        return Priority(headerValue: value)
    }

    /// `X-Client-Id`, or `unknown`.
    @inlinable
    @Sendable public static func clientKeyFromHeader(_ request: Request, _ context: Context) -> String {
        RequestHeaderNames.value(of: clientKeyHeader, in: request.headers) ?? "unknown"
    }
}

extension RequestResilienceMapping where Context: RemoteAddressRequestContext {
    /// A mapping whose client key falls back to the remote address (its IP, without the port) when
    /// `X-Client-Id` is absent.
    public static var withRemoteAddress: Self { Self(clientKey: Self.clientKeyFromHeaderOrAddress) }

    /// `X-Client-Id`, else the remote address's IP, else `unknown`.
    @inlinable
    @Sendable public static func clientKeyFromHeaderOrAddress(_ request: Request, _ context: Context) -> String {
        if let key = RequestHeaderNames.value(of: clientKeyHeader, in: request.headers) { return key }
        return context.remoteAddress?.ipAddress ?? "unknown"
    }
}

/// The names of the headers a request's context is read from, made once: a name made from a string is
/// validated and lowercased each time (the generic mapping cannot store them itself).
@usableFromInline package enum RequestHeaderNames {
    @usableFromInline package static let priority = HTTPField.Name("X-Priority")!
    @usableFromInline package static let clientKey = HTTPField.Name("X-Client-Id")!

    /// `fields[name]`: the value of the field `name`, the values of several joined with `, `, `nil` when
    /// there is none. The one field a request usually has is read without the subscript, which joins
    /// even one value through unspecialized generic code (a metadata lookup per read).
    @inlinable
    package static func value(of name: HTTPField.Name, in fields: HTTPFields) -> String? {
        guard let index = fields.firstIndex(where: { $0.name == name }) else { return nil }
        if fields[fields.index(after: index)...].contains(where: { $0.name == name }) { return fields[name] }
        return fields[index].value
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
    ///
    /// Spaces are those of Foundation's `CharacterSet.whitespaces` (a tab, any Unicode space separator,
    /// the zero-width space), and the comparison ignores ASCII case: exactly what trimming with Foundation and
    /// comparing `lowercased()` gives for these four words (a test compares the two on every Unicode
    /// scalar), without the three allocations those made for every request that sent the header.
    public init?(headerValue: String) {
        let scalars = headerValue.unicodeScalars
        guard let start = scalars.firstIndex(where: { !Self.isSpace($0) }),
            let end = scalars.lastIndex(where: { !Self.isSpace($0) })
        else { return nil }
        let word = scalars[start...end]
        if Self.word(word, is: "low") {
            self = .low
        } else if Self.word(word, is: "normal") {
            self = .normal
        } else if Self.word(word, is: "high") {
            self = .high
        } else if Self.word(word, is: "critical") {
            self = .critical
        } else {
            return nil
        }
    }

    /// Whether `scalar` is in Foundation's `CharacterSet.whitespaces`: a tab, a space separator, or
    /// the zero-width space.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return scalar == " " || scalar == "\t" }  // the only ASCII ones, without a table lookup
        return scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator
    }

    /// Whether `word` is `lowercase` (ASCII lowercase letters) in any ASCII case.
    private static func word(_ word: Substring.UnicodeScalarView, is lowercase: StaticString) -> Bool {
        guard word.count == lowercase.utf8CodeUnitCount else { return false }
        return lowercase.withUTF8Buffer { expected in
            // Only `byte` and its uppercase letter give `byte` with the bit 0x20 set.
            zip(word, expected).allSatisfy { scalar, byte in (scalar.value | 0x20) == UInt32(byte) }
        }
    }
}
