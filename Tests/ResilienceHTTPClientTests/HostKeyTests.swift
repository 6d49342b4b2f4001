import AsyncHTTPClient
import Resilience
import Testing

@testable import ResilienceHTTPClient

@Suite("Host keys and configuration")
struct HostKeyTests {
    @Test("the host and port of a URL, with the scheme's default port", arguments: [
        ("http://example.com/a?b#c", "example.com:80"),
        ("https://example.com", "example.com:443"),
        ("HTTPS://Example.COM:8443/x", "example.com:8443"),
        ("http://user:secret@example.com:81/", "example.com:81"),
        ("http://127.0.0.1:54321/slow", "127.0.0.1:54321"),
        ("http://[::1]:8080/", "[::1]:8080"),
        ("https://[2001:db8::1]/", "[2001:db8::1]:443"),
        ("http://example.com?x=1", "example.com:80"),
        ("http+unix://%2Ftmp%2Fapp.sock/path", "%2Ftmp%2Fapp.sock"),
    ])
    func keys(url: String, expected: String) throws {
        #expect(try HostKey(url: url).text == expected)
    }

    @Test("URLs without a usable host or port are refused with AHC's errors", arguments: [
        ("example.com/path", HTTPClientError.invalidURL),
        ("http://example.com:0/", .invalidURL),
        ("http://example.com:65536/", .invalidURL),
        ("http://example.com:80a/", .invalidURL),
        ("http://[::1/", .invalidURL),
        ("http:///path", .emptyHost),
        ("http://:80/", .emptyHost),
    ])
    func invalid(url: String, expected: HTTPClientError) {
        #expect(throws: expected) { try HostKey(url: url) }
    }

    @Test("a known host is found without copying it out of the URL")
    func sliceOfURL() throws {
        let key = try HostKey(url: "http://api.example.com:8080/orders/42")
        #expect(key == HostKey(host: "api.example.com", port: 8080))
    }

    @Test("override keys must be host:port with a lowercase host")
    func overrideKeys() {
        #expect(HostKey(overrideKey: "api.example.com:443") != nil)
        #expect(HostKey(overrideKey: "[::1]:8080") != nil)
        for bad in ["api.example.com", "API.example.com:443", "api.example.com:0", "api.example.com:443/x", "", ":80"] {
            #expect(HostKey(overrideKey: bad) == nil, "\(bad)")
        }
    }

    @Test("invalid configurations name the key")
    func validation() {
        func key(_ body: () throws -> Void) -> String? {
            do { try body() } catch let error as ConfigurationError { return error.key } catch { return "\(error)" }
            return nil
        }
        #expect(key { try ResilientHTTPClient<ContinuousClock>.validate(maximumHosts: 0) } == "maximumHosts")
        #expect(key {
            try ResilientHTTPClient<ContinuousClock>.validate(
                configuration: HTTPHostConfiguration(
                    timeout: HTTPTimeoutConfiguration(duration: .seconds(1), firstByte: .seconds(2))))
        } == "default.timeout.firstByte")
        #expect(key {
            try ResilientHTTPClient<ContinuousClock>.validate(
                configuration: HTTPHostConfiguration(timeout: HTTPTimeoutConfiguration(duration: .zero)))
        } == "default.timeout.duration")
        #expect(key {
            try ResilientHTTPClient<ContinuousClock>.validate(
                configuration: HTTPHostConfiguration(timeout: HTTPTimeoutConfiguration(duration: .seconds(86_401))))
        } == "default.timeout.duration")
        #expect(key {
            try ResilientHTTPClient<ContinuousClock>.validate(
                hostOverrides: ["api.example.com:443": HTTPHostConfiguration(retry: RetryConfiguration(maxAttempts: 0))])
        } == "hostOverrides[api.example.com:443].retry.maxAttempts")
        #expect(key {
            try ResilientHTTPClient<ContinuousClock>.validate(
                hostOverrides: ["api.example.com:443": HTTPHostConfiguration(bulkhead: BulkheadConfiguration(maxConcurrent: 0))])
        } == "hostOverrides[api.example.com:443].bulkhead.maxConcurrent")
        #expect(key {
            try ResilientHTTPClient<ContinuousClock>.validate(
                hostOverrides: ["api.example.com:443": HTTPHostConfiguration(circuitBreaker: CircuitBreakerConfiguration(failureRatio: 2))])
        } == "hostOverrides[api.example.com:443].circuitBreaker.failureRatio")
        #expect(key { try ResilientHTTPClient<ContinuousClock>.validate(hostOverrides: ["API.example.com:443": HTTPHostConfiguration()]) }
            == "hostOverrides[API.example.com:443]")
        #expect(key { try ResilientHTTPClient<ContinuousClock>.validate(hostOverrides: ["api.example.com": HTTPHostConfiguration()]) }
            == "hostOverrides[api.example.com]")
        #expect(key { try ResilientHTTPClient<ContinuousClock>.validate() } == nil)
    }

    @Test("the error names the key, the value and the range")
    func errorText() {
        #expect(throws: ConfigurationError(key: "firstByte", value: "2s", allowed: "(0, duration (1s)]")) {
            try HTTPTimeoutConfiguration(duration: .seconds(1), firstByte: .seconds(2)).validate()
        }
    }
}
