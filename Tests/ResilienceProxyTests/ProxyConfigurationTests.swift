import Foundation
import Resilience
import ResilienceConfiguration
import Testing
@testable import ResilienceProxy

/// Reads `text` as a configuration file named `name` (YAML or JSON by its extension).
func readProxySettings(_ text: String, name: String = "proxy.yaml", environment: [String: String] = [:]) throws(ConfigurationProblems) -> ProxySettings {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-config-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent(name).path
    try? text.write(toFile: file, atomically: false, encoding: .utf8)
    return try ProxySettings.read(file: file, environment: environment)
}

/// The problems reading `text` reports, as `key: message` lines.
func proxyProblems(_ text: String, environment: [String: String] = [:]) -> [String] {
    do {
        _ = try readProxySettings(text, environment: environment)
        return []
    } catch {
        return error.problems.map { "\($0.key): \($0.message)" }
    }
}

@Suite("resilience-proxy configuration")
struct ProxyConfigurationTests {
    static let valid = """
        proxy:
          listen: 127.0.0.1:8080
          routes:
            - prefix: /llm
              upstream: http://127.0.0.1:9000
              policy: llm
            - prefix: /
              upstream: https://api.example.com/base/
        resilience:
          policies:
            llm:
              circuitBreaker: {window: count, windowSize: 10, minimumThroughput: 5, failureRatio: 0.5, breakDuration: 2s}
              timeout: {duration: 1s}
        """

    @Test("the issue's example reads, with the documented defaults")
    func readsExample() throws {
        let settings = try readProxySettings(Self.valid)
        #expect(settings.proxy.listen == ProxyListenAddress(host: "127.0.0.1", port: 8080))
        #expect(settings.proxy.routes.map(\.prefix) == ["/llm", "/"])
        #expect(settings.proxy.routes.map(\.policy) == ["llm", nil])
        #expect(settings.proxy.routes[1].upstream.origin == "https://api.example.com/base")
        #expect(settings.proxy.routes[1].upstream.hostHeader == "api.example.com")
        #expect(settings.proxy.routes[0].upstream.hostHeader == "127.0.0.1:9000")
        #expect(settings.proxy.maxBodyBytes == 1_048_576)
        #expect(settings.proxy.shutdownGracePeriod == .seconds(10))
        #expect(settings.proxy.readTimeout == .seconds(60))
        #expect(settings.resilience.policies["llm"]?.timeout?.duration == .seconds(1))
    }

    @Test("JSON reads the same as YAML")
    func json() throws {
        let json = #"{"proxy": {"listen": "[::1]:0", "routes": [{"prefix": "/a", "upstream": "http://[::1]:9000"}]}}"#
        let settings = try readProxySettings(json, name: "proxy.json")
        #expect(settings.proxy.listen == ProxyListenAddress(host: "::1", port: 0))
        #expect(settings.proxy.listen.description == "[::1]:0")
        #expect(settings.proxy.routes[0].upstream.hostHeader == "[::1]:9000")
    }

    @Test("every bad key is reported at once, each naming its path")
    func problems() {
        let problems = proxyProblems("""
            proxy:
              listen: 127.0.0.1:99999
              maxBodyBytes: -1
              shutdownGracePeriod: 2h
              readTimeout: 0s
              colour: blue
              routes:
                - prefix: /llm/
                  upstream: ftp://x
                - prefix: /b
                  upstream: http://h:9000
                  policy: nope
                  weight: 2
                - prefix: /b
                  upstream: http://h:9000?x=1
            """)
        #expect(problems == [
            #"proxy.colour: unknown key "proxy.colour"; known: listen, routes, maxBodyBytes, shutdownGracePeriod, readTimeout"#,
            #"proxy.listen: proxy.listen must be host:port with a port in 0...65535 (0 picks a free port; an IPv6 host in brackets), got "127.0.0.1:99999""#,
            "proxy.maxBodyBytes: proxy.maxBodyBytes must be in 0...1073741824 (1 GiB), got -1",
            "proxy.shutdownGracePeriod: proxy.shutdownGracePeriod must be in [0s, 1h], got 2h",
            "proxy.readTimeout: proxy.readTimeout must be in (0s, 24h], got 0s",
            #"proxy.routes[0].prefix: proxy.routes[0].prefix must be a path starting with /, without a trailing / (but / itself), an empty segment, ? or #, got "/llm/""#,
            #"proxy.routes[0].upstream: proxy.routes[0].upstream must be http://host[:port][/path] or https://..., without user, query or fragment, got "ftp://x""#,
            #"proxy.routes[1].weight: unknown key "proxy.routes[1].weight"; known: prefix, upstream, policy"#,
            #"proxy.routes[2].prefix: proxy.routes[2].prefix "/b" is already the prefix of proxy.routes[1]"#,
            #"proxy.routes[2].upstream: proxy.routes[2].upstream must be http://host[:port][/path] or https://..., without user, query or fragment, got "http://h:9000?x=1""#,
        ])
    }

    @Test("a route's policy must exist under resilience.policies")
    func unknownPolicy() {
        let problems = proxyProblems(Self.valid.replacingOccurrences(of: "policy: llm", with: "policy: lm"))
        #expect(problems == [#"proxy.routes[0].policy: proxy.routes[0].policy: no policy "lm" under resilience.policies; policies: llm"#])
    }

    @Test("a problem under resilience is reported with the proxy's, by its full path")
    func resilienceProblems() {
        let problems = proxyProblems(Self.valid.replacingOccurrences(of: "failureRatio: 0.5", with: "failureRatio: 2"))
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("resilience.policies.llm.circuitBreaker.failureRatio: ") == true)
    }

    @Test("no proxy section, no routes, an empty list: each is an error")
    func required() {
        #expect(proxyProblems("resilience: {}") == ["proxy: proxy is required: the section with listen and routes"])
        #expect(proxyProblems("proxy: {listen: 127.0.0.1:0}") == [
            "proxy.routes: proxy.routes is required: at least one route with prefix and upstream",
        ])
        #expect(proxyProblems("proxy: {routes: []}") == ["proxy.routes: proxy.routes must list at least one route"])
        #expect(proxyProblems("proxy: {routes: [{prefix: /a}]}") == [
            #"proxy.routes[0].upstream: proxy.routes[0].upstream is required: the URL requests go to, such as "http://127.0.0.1:9000""#,
        ])
    }

    @Test("PROXY_* variables win over the file; an unknown one is an error")
    func environment() throws {
        let settings = try readProxySettings(Self.valid, environment: [
            "PROXY_LISTEN": "0.0.0.0:9090", "PROXY_MAX_BODY_BYTES": "2048", "PROXY_SHUTDOWN_GRACE_PERIOD": "3s",
            "PROXY_READ_TIMEOUT": "5s",
        ])
        #expect(settings.proxy.listen == ProxyListenAddress(host: "0.0.0.0", port: 9090))
        #expect(settings.proxy.maxBodyBytes == 2_048)
        #expect(settings.proxy.shutdownGracePeriod == .seconds(3))
        #expect(settings.proxy.readTimeout == .seconds(5))
        #expect(proxyProblems(Self.valid, environment: ["PROXY_LISTN": "x", "PROXY_READ_TIMEOUT": "soon"]) == [
            "PROXY_LISTN: PROXY_LISTN is not a setting of resilience-proxy; known: PROXY_LISTEN, PROXY_MAX_BODY_BYTES, PROXY_SHUTDOWN_GRACE_PERIOD, PROXY_READ_TIMEOUT",
            #"proxy.readTimeout: proxy.readTimeout must be a duration with a unit such as "10s", got "soon""#,
        ])
    }

    @Test("listen addresses: host:port, IPv6 in brackets, port 0...65535")
    func listenAddresses() {
        #expect(ProxyListenAddress(parsing: "localhost:0") == ProxyListenAddress(host: "localhost", port: 0))
        #expect(ProxyListenAddress(parsing: "[::]:80") == ProxyListenAddress(host: "::", port: 80))
        for bad in ["8080", ":8080", "::1:8080", "host:-1", "host:65536", "host:80x", "[::1]", "[]:80", "a b:80"] {
            #expect(ProxyListenAddress(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("upstreams: http(s), host, port, base path; nothing else")
    func upstreams() {
        let plain = ProxyUpstream(parsing: "http://Example.com")
        #expect(plain?.host == "example.com")
        #expect(plain?.port == 80)
        #expect(plain?.hostHeader == "example.com")
        #expect(ProxyUpstream(parsing: "https://h:8443/v1//")?.origin == "https://h:8443/v1")
        #expect(ProxyUpstream(parsing: "https://h:443")?.hostHeader == "h")
        for bad in ["h:80", "http://", "http://:80", "http://u@h", "http://h/p?q", "http://h#f", "http://h:0", "http://h:70000", "http://[::1"] {
            #expect(ProxyUpstream(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test("prefixes match by whole segments; the longest wins")
    func matching() throws {
        let route = ProxyRoute(prefix: "/llm", upstream: try #require(ProxyUpstream(parsing: "http://h")))
        #expect(route.matches(path: "/llm"))
        #expect(route.matches(path: "/llm/"))
        #expect(route.matches(path: "/llm/v1/chat"))
        #expect(!route.matches(path: "/llmx"))
        #expect(!route.matches(path: "/ll"))
        #expect(!route.matches(path: "/LLM"))
        let root = ProxyRoute(prefix: "/", upstream: route.upstream)
        #expect(root.matches(path: "/anything"))
        for valid in ["/", "/a", "/a/b", "/a-b_c.d"] { #expect(ProxyRoute.isValidPrefix(valid), "\(valid)") }
        for invalid in ["", "a", "/a/", "//", "/a//b", "/a?b", "/a#b", "/a b"] { #expect(!ProxyRoute.isValidPrefix(invalid), "\(invalid)") }
    }
}
