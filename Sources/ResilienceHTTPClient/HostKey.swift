import AsyncHTTPClient

/// The upstream a request URL points at — host and port — which selects the host's policies.
///
/// The host is a slice of the request's URL string, so looking up a known host allocates nothing; it is
/// lowercased (a copy) only when the URL spells it with capitals. `http` and `https` URLs without a port
/// get 80 and 443. URLs of other schemes (`http+unix`, `https+unix`, `unix`: a socket path) are keyed by
/// their authority as written, with port 0.
struct HostKey: Hashable, Sendable {
    /// The host, lowercased for http and https; an IPv6 address keeps its brackets.
    var host: Substring
    /// The port; 0 for schemes without one (Unix domain sockets).
    var port: Int

    init(host: Substring, port: Int) {
        self.host = host
        self.port = port
    }

    /// The key's text, `host:port` (`host` alone for port 0): the host's name in policy names, metric
    /// labels and ``ResilientHTTPClient`` overrides.
    var text: String { port == 0 ? String(host) : "\(host):\(port)" }

    /// The key of the upstream `url` points at.
    /// - Throws: `HTTPClientError.invalidURL` when `url` has no `scheme://`, or a port that is not a number
    ///   in 1...65535; `HTTPClientError.emptyHost` when it has no host. (The errors async-http-client throws
    ///   for such URLs.)
    init(url: String) throws(HTTPClientError) {
        guard let separator = url.firstRange(of: "://") else { throw .invalidURL }
        let scheme = url[..<separator.lowerBound]
        let rest = url[separator.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        let defaultPort: Int
        if scheme.elementsEqual("http", by: Self.caseInsensitive) {
            defaultPort = 80
        } else if scheme.elementsEqual("https", by: Self.caseInsensitive) {
            defaultPort = 443
        } else {
            guard !authority.isEmpty else { throw .emptyHost }
            self.init(host: authority, port: 0)
            return
        }
        let host: Substring
        let portText: Substring?
        if authority.first == "[" {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if after.isEmpty {
                portText = nil
            } else {
                guard after.first == ":" else { throw .invalidURL }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
            portText = nil
        }
        guard !host.isEmpty else { throw .emptyHost }
        let port: Int
        if let portText, !portText.isEmpty {
            guard portText.utf8.count <= 5, portText.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let number = Int(portText), (1...65_535).contains(number)
            else { throw .invalidURL }
            port = number
        } else {
            port = defaultPort
        }
        let hasCapitals = host.utf8.contains { (0x41...0x5A).contains($0) }
        self.init(host: hasCapitals ? Substring(host.lowercased()) : host, port: port)
    }

    /// Parses an override's key, `host:port`: a lowercase host (brackets around an IPv6 address) and a port
    /// in 1...65535.
    init?(overrideKey text: String) {
        guard let key = try? HostKey(url: "http://\(text)"), key.text == text, text.utf8.last.map({ (0x30...0x39).contains($0) }) == true,
            text.contains(":")
        else { return nil }
        self = key
    }

    private static func caseInsensitive(_ a: Character, _ b: Character) -> Bool {
        a.lowercased() == b.lowercased()
    }
}
