import Resilience
import ResilienceConfiguration

/// The steps of ``ProxySettings/read(file:environment:)`` for the `proxy` section: each key checked with
/// its full path, every problem kept, the environment's `PROXY_*` variables over the files.
struct ProxyConfigurationReader {
    typealias Problem = ConfigurationProblems.Problem

    var problems: [Problem] = []
    var listen: ProxyListenAddress?
    var routes: [ProxyRoute]?
    /// Where each route came from, for problems found after reading (a policy that does not exist).
    var routeSources: [String] = []
    var maxBodyBytes: Int?
    var shutdownGracePeriod: Duration?
    var readTimeout: Duration?
    /// Whether any file has a `proxy` section.
    var sawSection = false

    static let keys = ["listen", "routes", "maxBodyBytes", "shutdownGracePeriod", "readTimeout"]
    static let routeKeys = ["prefix", "upstream", "policy"]
    /// The environment variable of each scalar key.
    static let environmentVariables: [(variable: String, key: String)] = [
        ("PROXY_LISTEN", "listen"), ("PROXY_MAX_BODY_BYTES", "maxBodyBytes"),
        ("PROXY_SHUTDOWN_GRACE_PERIOD", "shutdownGracePeriod"), ("PROXY_READ_TIMEOUT", "readTimeout"),
    ]

    /// Reads the `proxy` object of `document`, if it has one.
    mutating func read(_ document: ConfigurationDocument) {
        guard case .success(let root) = document.root, let value = root["proxy"] else { return }
        let file = document.file
        sawSection = true
        guard case .object(let object) = value else {
            problems.append(Problem(key: "proxy", message: "proxy must be an object, got \(value.kindDescription)", source: file))
            return
        }
        let reader = FieldReader(object, path: "proxy")
        for (key, message) in reader.unknownKeys(known: Self.keys) {
            problems.append(Problem(key: key, message: message, source: file))
        }
        listen = check("proxy.listen", file) { () throws(FieldError) in
            try reader.string("listen").map { (text) throws(FieldError) in try Self.listenAddress(text, key: "proxy.listen") }
        } ?? listen
        maxBodyBytes = check("proxy.maxBodyBytes", file) { () throws(FieldError) in
            try reader.integer("maxBodyBytes").map { (bytes) throws(FieldError) in try Self.bodyLimit(bytes, key: "proxy.maxBodyBytes") }
        } ?? maxBodyBytes
        shutdownGracePeriod = check("proxy.shutdownGracePeriod", file) { () throws(FieldError) in
            try reader.duration("shutdownGracePeriod").map { (period) throws(FieldError) in
                try Self.gracePeriod(period, key: "proxy.shutdownGracePeriod")
            }
        } ?? shutdownGracePeriod
        readTimeout = check("proxy.readTimeout", file) { () throws(FieldError) in
            try reader.duration("readTimeout").map { (timeout) throws(FieldError) in try Self.readTimeout(timeout, key: "proxy.readTimeout") }
        } ?? readTimeout
        readRoutes(object["routes"], file: file)
    }

    private mutating func readRoutes(_ value: JSONValue?, file: String) {
        guard let value else { return }
        guard case .array(let entries) = value else {
            problems.append(Problem(
                key: "proxy.routes", message: "proxy.routes must be a list of routes, got \(value.kindDescription)", source: file))
            return
        }
        var routes: [ProxyRoute] = []
        var sources: [String] = []
        var prefixes: [String: Int] = [:]
        for (index, entry) in entries.enumerated() {
            let path = "proxy.routes[\(index)]"
            guard case .object(let object) = entry else {
                problems.append(Problem(key: path, message: "\(path) must be an object with prefix, upstream and policy, got \(entry.kindDescription)", source: file))
                continue
            }
            let reader = FieldReader(object, path: path)
            let prefix: String?
            let upstream: ProxyUpstream?
            let policy: String?
            var valid = true
            for (key, message) in reader.unknownKeys(known: Self.routeKeys) {
                valid = false
                problems.append(Problem(key: key, message: message, source: file))
            }
            prefix = check("\(path).prefix", file) { () throws(FieldError) -> String? in
                guard let text = try reader.string("prefix") else { throw FieldError(message: "\(path).prefix is required: the path the route serves, such as \"/llm\"") }
                guard ProxyRoute.isValidPrefix(text) else {
                    throw FieldError(message: "\(path).prefix must be a path starting with /, without a trailing / (but / itself), an empty segment, ? or #, got \"\(text)\"")
                }
                if let first = prefixes[text] {
                    throw FieldError(message: "\(path).prefix \"\(text)\" is already the prefix of proxy.routes[\(first)]")
                }
                return text
            }
            if let prefix { prefixes[prefix] = index }
            upstream = check("\(path).upstream", file) { () throws(FieldError) -> ProxyUpstream? in
                guard let text = try reader.string("upstream") else { throw FieldError(message: "\(path).upstream is required: the URL requests go to, such as \"http://127.0.0.1:9000\"") }
                guard let parsed = ProxyUpstream(parsing: text) else {
                    throw FieldError(message: "\(path).upstream must be http://host[:port][/path] or https://..., without user, query or fragment, got \"\(text)\"")
                }
                return parsed
            }
            var policyValid = true
            policy = check("\(path).policy", file, valid: &policyValid) { () throws(FieldError) -> String? in
                guard let name = try reader.string("policy") else { return nil }
                guard ResilienceSettings.isPolicyName(name) else {
                    throw FieldError(message: "\(path).policy must be a policy name (lowercase letters, digits and -), got \"\(name)\"")
                }
                return name
            }
            valid = valid && policyValid
            if valid, let prefix, let upstream {  // a missing prefix or upstream was reported by its check
                routes.append(ProxyRoute(prefix: prefix, upstream: upstream, policy: policy))
                sources.append(file)
            }
        }
        if entries.isEmpty {
            problems.append(Problem(key: "proxy.routes", message: "proxy.routes must list at least one route", source: file))
        }
        self.routes = routes
        routeSources = sources
    }

    /// Reads the `PROXY_*` variables, which win over the files.
    mutating func readEnvironment(_ environment: [String: String]) {
        let known = Self.environmentVariables.map(\.variable)
        for name in environment.keys.sorted() where name.hasPrefix("PROXY_") && !known.contains(name) {
            problems.append(Problem(
                key: name, message: "\(name) is not a setting of resilience-proxy; known: \(known.joined(separator: ", "))",
                source: "environment"))
        }
        for (variable, key) in Self.environmentVariables {
            guard let text = environment[variable] else { continue }
            let path = "proxy.\(key)"
            switch key {
            case "listen":
                listen = check(path, variable) { () throws(FieldError) in try Self.listenAddress(text, key: path) } ?? listen
            case "maxBodyBytes":
                maxBodyBytes = check(path, variable) { () throws(FieldError) in
                    guard let bytes = Int(text) else { throw FieldError(message: "\(path) must be an integer, got \"\(text)\"") }
                    return try Self.bodyLimit(bytes, key: path)
                } ?? maxBodyBytes
            case "shutdownGracePeriod":
                shutdownGracePeriod = check(path, variable) { () throws(FieldError) in
                    try Self.gracePeriod(try Self.duration(text, key: path), key: path)
                } ?? shutdownGracePeriod
            default:
                readTimeout = check(path, variable) { () throws(FieldError) in
                    try Self.readTimeout(try Self.duration(text, key: path), key: path)
                } ?? readTimeout
            }
        }
    }

    /// Checks that every route's policy exists.
    mutating func checkPolicies(known: Set<String>) {
        for (index, route) in (routes ?? []).enumerated() {
            guard let policy = route.policy, !known.contains(policy) else { continue }
            let path = "proxy.routes[\(index)].policy"
            let names = known.sorted()
            problems.append(Problem(
                key: path,
                message: "\(path): no policy \"\(policy)\" under resilience.policies; "
                    + (names.isEmpty ? "the configuration has none" : "policies: \(names.joined(separator: ", "))"),
                source: routeSources[index]))
        }
    }

    /// The configuration read, or `nil` when a problem was found.
    mutating func configuration() -> ProxyConfiguration? {
        if !sawSection {
            problems.append(Problem(key: "proxy", message: "proxy is required: the section with listen and routes"))
        } else if routes == nil, !problems.contains(where: { $0.key.hasPrefix("proxy.routes") }) {
            problems.append(Problem(key: "proxy.routes", message: "proxy.routes is required: at least one route with prefix and upstream"))
        }
        guard problems.isEmpty, let routes else { return nil }
        let defaults = ProxyConfiguration(routes: routes)
        return ProxyConfiguration(
            listen: listen ?? defaults.listen, routes: routes, maxBodyBytes: maxBodyBytes ?? defaults.maxBodyBytes,
            shutdownGracePeriod: shutdownGracePeriod ?? defaults.shutdownGracePeriod, readTimeout: readTimeout ?? defaults.readTimeout)
    }

    // MARK: - Values

    /// What `read` returns, or `nil` with its problem kept under `key`.
    private mutating func check<Value>(_ key: String, _ source: String, _ read: () throws(FieldError) -> Value?) -> Value? {
        var valid = true
        return check(key, source, valid: &valid, read)
    }

    /// What `read` returns, or `nil` with its problem kept under `key` and `valid` set to `false`.
    private mutating func check<Value>(
        _ key: String, _ source: String, valid: inout Bool, _ read: () throws(FieldError) -> Value?
    ) -> Value? {
        do {
            return try read()
        } catch {
            problems.append(Problem(key: key, message: error.message, source: source))
            valid = false
            return nil
        }
    }

    static func listenAddress(_ text: String, key: String) throws(FieldError) -> ProxyListenAddress {
        guard let address = ProxyListenAddress(parsing: text) else {
            throw FieldError(message: "\(key) must be host:port with a port in 0...65535 (0 picks a free port; an IPv6 host in brackets), got \"\(text)\"")
        }
        return address
    }

    static func bodyLimit(_ bytes: Int, key: String) throws(FieldError) -> Int {
        guard (0...ProxyConfiguration.maximumBodyBytes).contains(bytes) else {
            throw FieldError(message: "\(key) must be in 0...\(ProxyConfiguration.maximumBodyBytes) (1 GiB), got \(bytes)")
        }
        return bytes
    }

    static func gracePeriod(_ period: Duration, key: String) throws(FieldError) -> Duration {
        guard period >= .zero, period <= .seconds(3_600) else {
            throw FieldError(message: "\(key) must be in [0s, 1h], got \(DurationText.format(period))")
        }
        return period
    }

    static func readTimeout(_ timeout: Duration, key: String) throws(FieldError) -> Duration {
        guard timeout > .zero, timeout <= .seconds(86_400) else {
            throw FieldError(message: "\(key) must be in (0s, 24h], got \(DurationText.format(timeout))")
        }
        return timeout
    }

    static func duration(_ text: String, key: String) throws(FieldError) -> Duration {
        do {
            return try DurationText.parse(text)
        } catch {
            throw FieldError(message: "\(key) must be a duration with a unit such as \"10s\", got \"\(text)\"")
        }
    }
}
