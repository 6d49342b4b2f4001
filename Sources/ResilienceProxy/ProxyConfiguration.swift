import Resilience
import ResilienceConfiguration

/// What `resilience-proxy` serves: the `proxy` section of its configuration file. The policies the
/// routes name live beside it, under `resilience.policies` (``ResilienceSettings``).
///
/// ```yaml
/// proxy:
///   listen: 127.0.0.1:8080            # host:port; port 0 picks a free port
///   routes:                           # longest matching prefix wins
///     - prefix: /llm
///       upstream: http://127.0.0.1:9000
///       policy: llm                   # a name under resilience.policies; no policy: pass-through
///   maxBodyBytes: 1048576
///   shutdownGracePeriod: 10s
///   readTimeout: 60s
/// resilience:
///   policies:
///     llm:
///       circuitBreaker: {window: count, windowSize: 10, minimumThroughput: 5, failureRatio: 0.5, breakDuration: 2s}
///       retry: {maxAttempts: 2, baseDelay: 50ms, jitter: none}
///       timeout: {duration: 1s}
/// ```
///
/// | key | default | meaning |
/// |---|---|---|
/// | `listen` | `127.0.0.1:8080` | `host:port` to accept connections on (an IPv6 host in brackets); port 0 picks a free port. Loopback by default: listening on every interface is a choice to write down |
/// | `routes` | (required, at least one) | each with `prefix` (a path starting with `/`, matched by whole segments), `upstream` (`http://` or `https://`, a host, an optional port and base path; no query) and an optional `policy` |
/// | `maxBodyBytes` | 1 MiB | the largest request body forwarded (it is buffered, so that a retry can send it again); a larger one is answered 413. In 0...1 GiB |
/// | `shutdownGracePeriod` | 10 s | on `SIGTERM`, how long requests in flight may take to finish. In [0, 1h] |
/// | `readTimeout` | 60 s | the longest wait for the upstream between two reads (the head, each chunk of the body), as nginx's `proxy_read_timeout`: what bounds a body that stalls, since the policy's `timeout` is checked as each chunk arrives. In (0, 24h] |
///
/// Each scalar key may also come from the environment, which wins over the file: `PROXY_LISTEN`,
/// `PROXY_MAX_BODY_BYTES`, `PROXY_SHUTDOWN_GRACE_PERIOD`, `PROXY_READ_TIMEOUT` (the mapping of
/// ``ResilienceSettings/read(files:environment:profile:)``). Another `PROXY_*` variable is an error, as
/// an unknown key in the file is.
public struct ProxyConfiguration: Sendable, Hashable {
    /// `proxy.listen`.
    public var listen: ProxyListenAddress
    /// `proxy.routes`, in file order.
    public var routes: [ProxyRoute]
    /// `proxy.maxBodyBytes`.
    public var maxBodyBytes: Int
    /// `proxy.shutdownGracePeriod`.
    public var shutdownGracePeriod: Duration
    /// `proxy.readTimeout`.
    public var readTimeout: Duration

    /// The default of `proxy.maxBodyBytes`: 1 MiB.
    public static let defaultMaxBodyBytes = 1 << 20
    /// The largest `proxy.maxBodyBytes`: 1 GiB.
    public static let maximumBodyBytes = 1 << 30

    /// A configuration with the documented defaults, changed where you pass a value.
    public init(
        listen: ProxyListenAddress = ProxyListenAddress(host: "127.0.0.1", port: 8080),
        routes: [ProxyRoute],
        maxBodyBytes: Int = ProxyConfiguration.defaultMaxBodyBytes,
        shutdownGracePeriod: Duration = .seconds(10),
        readTimeout: Duration = .seconds(60)
    ) {
        self.listen = listen
        self.routes = routes
        self.maxBodyBytes = maxBodyBytes
        self.shutdownGracePeriod = shutdownGracePeriod
        self.readTimeout = readTimeout
    }
}

/// Where the proxy accepts connections: `proxy.listen`, `host:port`.
public struct ProxyListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host as written (an IPv6 address without its brackets).
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` (`127.0.0.1:8080`, `localhost:0`, `[::1]:8080`); `nil` when it is not one, or
    /// the port is not in 0...65535.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = Substring(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), portText.allSatisfy(\.isASCII), (0...65_535).contains(port) else { return nil }
        if host.hasPrefix("[") {
            guard host.hasSuffix("]"), host.count > 2 else { return nil }
            host = host.dropFirst().dropLast()
        } else if host.contains(":") {
            return nil  // an IPv6 address needs its brackets
        }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self.init(host: String(host), port: port)
    }

    /// `host:port`, with an IPv6 host in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}
