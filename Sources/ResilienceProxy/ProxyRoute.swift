/// One entry of `proxy.routes`: the requests whose path starts with ``prefix`` (by whole segments) go to
/// ``upstream`` through the policy named ``policy``.
public struct ProxyRoute: Sendable, Hashable {
    /// The path prefix: `/` alone, or segments without a trailing `/` (`/llm`, `/api/v1`). `/llm`
    /// matches `/llm` and `/llm/...`, never `/llmx`.
    public var prefix: String
    /// Where matching requests go.
    public var upstream: ProxyUpstream
    /// The name of the policy under `resilience.policies`; `nil`: requests pass through unprotected.
    public var policy: String?

    public init(prefix: String, upstream: ProxyUpstream, policy: String? = nil) {
        self.prefix = prefix
        self.upstream = upstream
        self.policy = policy
    }

    /// Whether `path` (a request's path, without its query) is under ``prefix``, by whole segments.
    public func matches(path: some StringProtocol) -> Bool {
        if prefix == "/" { return path.hasPrefix("/") }
        guard path.hasPrefix(prefix) else { return false }
        let rest = path.utf8.dropFirst(prefix.utf8.count)
        return rest.first == nil || rest.first == UInt8(ascii: "/")
    }

    /// Whether `text` can be a prefix: starts with `/`, no trailing `/` (but `/` itself), no empty
    /// segment, no `?`, `#`, space or control character.
    public static func isValidPrefix(_ text: String) -> Bool {
        guard text.hasPrefix("/") else { return false }
        if text == "/" { return true }
        guard !text.hasSuffix("/"), !text.contains("//") else { return false }
        return !text.unicodeScalars.contains { $0 == "?" || $0 == "#" || $0 == " " || $0.value < 0x20 || $0.value == 0x7F }
    }
}

/// An upstream of a route: `http://` or `https://`, a host, an optional port and an optional base path
/// that every forwarded path is appended to.
public struct ProxyUpstream: Sendable, Hashable, CustomStringConvertible {
    /// `http` or `https`.
    public var scheme: String
    /// The host (an IPv6 address without brackets).
    public var host: String
    /// The port: the one written, else 80 or 443.
    public var port: Int
    /// The base path, without a trailing `/` (`""` when none).
    public var basePath: String

    /// Parses an upstream URL; `nil` when it is not `http(s)://host[:port][/path]` (no user, query or
    /// fragment, a port in 1...65535).
    public init?(parsing text: String) {
        let scheme: String
        if text.hasPrefix("http://") { scheme = "http" } else if text.hasPrefix("https://") { scheme = "https" } else { return nil }
        let rest = text.dropFirst(scheme.count + 3)
        guard !rest.contains(where: { $0 == "?" || $0 == "#" || $0 == "@" || $0 == " " || $0 == "\\" }) else { return nil }
        let authority = rest.prefix { $0 != "/" }
        var basePath = String(rest.dropFirst(authority.count))
        while basePath.hasSuffix("/") { basePath.removeLast() }
        var host = Substring(authority)
        var port = scheme == "https" ? 443 : 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let after = host[host.index(after: close)...]
            let inner = host[host.index(after: host.startIndex)..<close]
            if !after.isEmpty {
                guard after.hasPrefix(":"), let parsed = Int(after.dropFirst()), (1...65_535).contains(parsed) else { return nil }
                port = parsed
            }
            host = inner
        } else if let colon = host.firstIndex(of: ":") {
            guard let parsed = Int(host[host.index(after: colon)...]), (1...65_535).contains(parsed) else { return nil }
            port = parsed
            host = host[..<colon]
        }
        guard !host.isEmpty else { return nil }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.basePath = basePath
    }

    /// The `Host` header a forwarded request carries: the host, and the port when it is not the
    /// scheme's default.
    public var hostHeader: String {
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        let isDefault = (scheme == "http" && port == 80) || (scheme == "https" && port == 443)
        return isDefault ? host : "\(host):\(port)"
    }

    /// The URL of the upstream's root, base path included, without a trailing `/`.
    public var origin: String { "\(scheme)://\(hostHeader)\(basePath)" }

    /// ``origin``.
    public var description: String { origin }
}
