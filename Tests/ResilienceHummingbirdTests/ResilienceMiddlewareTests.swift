import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import HummingbirdTesting
import Metrics
import MetricsTestKit
import Resilience
import Synchronization
import Testing
@testable import ResilienceHummingbird

/// Waits until `condition` holds, yielding (each check is instant; a test bounds the wait by its work).
func eventually(_ condition: () -> Bool) async {
    for _ in 0..<100_000 where !condition() { await Task.yield() }
}

/// The body of a test response as a string.
func text(_ response: TestResponse) -> String { String(buffer: response.body) }

@Suite("Rejections as HTTP responses")
struct ResilienceRejectionResponseTests {
    @Test("each code gets its status; the header names the code; the body is the documented JSON")
    func statusesAndBodies() {
        let cases: [(ResilienceError.Code, HTTPResponse.Status)] = [
            (.rateLimited, .tooManyRequests), (.timedOut, .gatewayTimeout), (.circuitOpen, .serviceUnavailable),
            (.halfOpenFull, .serviceUnavailable), (.bulkheadFull, .serviceUnavailable), (.loadShed, .serviceUnavailable),
        ]
        #expect(Set(cases.map(\.0.description)) == Set(ResilienceError.Code.allCodes.map(\.description)))
        for (code, status) in cases {
            let response = ResilienceRejectionResponse.response(for: ResilienceError(code: code, policyName: "llm"))
            #expect(response.status == status)
            #expect(response.headers[ResilienceRejectionResponse.rejectedHeader] == code.description)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[.retryAfter] == nil)
        }
        let unavailable = ResilienceRejectionResponse.response(code: "upstreamUnavailable", policyName: nil, retryAfter: nil)
        #expect(unavailable.status == .badGateway)
    }

    @Test("Retry-After is whole seconds, rounded up, at least 1")
    func retryAfter() {
        #expect(ResilienceRejectionResponse.retryAfterSeconds(.milliseconds(1)) == 1)
        #expect(ResilienceRejectionResponse.retryAfterSeconds(.zero) == 1)
        #expect(ResilienceRejectionResponse.retryAfterSeconds(.seconds(2)) == 2)
        #expect(ResilienceRejectionResponse.retryAfterSeconds(.milliseconds(2_001)) == 3)
        #expect(ResilienceRejectionResponse.retryAfterSeconds(.seconds(3_600)) == 3_600)
        let response = ResilienceRejectionResponse.response(
            for: ResilienceError(code: .circuitOpen, policyName: "llm", retryAfter: .milliseconds(2_500)))
        #expect(response.headers[.retryAfter] == "3")
    }

    @Test("the body: the code and the policy's name as JSON strings, null without a policy")
    func bodies() async throws {
        func body(_ response: Response) async throws -> String {
            let router = Router()
            router.get("x") { _, _ in response }
            return try await Application(router: router).test(.router) { client in
                try await client.execute(uri: "/x", method: .get) { text($0) }
            }
        }
        #expect(try await body(ResilienceRejectionResponse.response(code: "circuitOpen", policyName: "llm", retryAfter: nil))
            == #"{"error": "circuitOpen", "policy": "llm"}"#)
        #expect(try await body(ResilienceRejectionResponse.response(code: "upstreamUnavailable", policyName: nil, retryAfter: nil))
            == #"{"error": "upstreamUnavailable", "policy": null}"#)
        #expect(try await body(ResilienceRejectionResponse.response(code: "loadShed", policyName: #"a "quoted" \ name"#, retryAfter: nil))
            == #"{"error": "loadShed", "policy": "a \"quoted\" \\ name"}"#)
    }
}

@Suite("ResilienceMiddleware")
struct ResilienceMiddlewareTests {
    @Test("per-client rate limit: X-Client-Id keys the bucket; the second call of a client gets 429 with Retry-After")
    func perClientRateLimit() async throws {
        let clock = ManualClock()
        let limiter = KeyedRateLimiter(
            name: "api", configuration: KeyedRateLimiterConfiguration(permitsPerSecond: 0.5, burst: 1),
            key: RequestClientKey.key(of:), clock: clock)
        let router = Router()
        router.add(middleware: ResilienceMiddleware(name: "api", limiter))
        router.get("hello") { _, _ in "hello" }
        try await Application(router: router).test(.router) { client in
            let alice: HTTPFields = [RequestResilienceMapping<BasicRequestContext>.clientKeyHeader: "alice"]
            let bob: HTTPFields = [RequestResilienceMapping<BasicRequestContext>.clientKeyHeader: "bob"]
            try await client.execute(uri: "/hello", method: .get, headers: alice) { #expect($0.status == .ok) }
            try await client.execute(uri: "/hello", method: .get, headers: alice) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] == "2")  // one permit every 2 s
                #expect(response.headers[ResilienceRejectionResponse.rejectedHeader] == "rateLimited")
                #expect(text(response) == #"{"error": "rateLimited", "policy": "api"}"#)
            }
            try await client.execute(uri: "/hello", method: .get, headers: bob) { #expect($0.status == .ok) }
            clock.advance(by: .seconds(2))
            try await client.execute(uri: "/hello", method: .get, headers: alice) { #expect($0.status == .ok) }
        }
    }

    @Test("a bulkhead on a route group: a request beyond its slots and queue gets 503; other routes are not bounded")
    func bulkheadPerGroup() async throws {
        let clock = ManualClock()
        let bulkhead = Bulkhead(name: "slow", configuration: BulkheadConfiguration(maxConcurrent: 1, maxQueued: 0), clock: clock)
        let router = Router()
        router.group("slow").add(middleware: ResilienceMiddleware(name: "slow", bulkhead))
            .get("work") { _, _ in
                try await clock.sleep(for: .seconds(1))
                return "done"
            }
        router.get("fast") { _, _ in "fast" }
        try await Application(router: router).test(.router) { client in
            async let first = client.execute(uri: "/slow/work", method: .get) { ($0.status, text($0)) }
            await eventually { clock.sleeperCount == 1 }
            try await client.execute(uri: "/slow/work", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[ResilienceRejectionResponse.rejectedHeader] == "bulkheadFull")
                #expect(response.headers[.retryAfter] == nil)
            }
            try await client.execute(uri: "/fast", method: .get) { #expect($0.status == .ok) }
            clock.advance(by: .seconds(1))
            let (status, body) = try await first
            #expect(status == .ok)
            #expect(body == "done")
        }
    }

    @Test("priority load shedding from X-Priority: low is shed first; an unknown value is normal, and counted")
    func priorityShedding() async throws {
        let clock = ManualClock()
        let metrics = TestMetrics()
        let shedder = LoadShedder(
            name: "api", configuration: LoadShedderConfiguration(inFlight: LoadShedThresholds(low: 1, normal: 2, high: 3)),
            clock: clock)
        let router = Router()
        router.add(middleware: ResilienceMiddleware(name: "api", shedder, metricsFactory: metrics))
        router.get("work") { request, _ in
            if request.uri.queryParameters.get("hold") != nil { try await clock.sleep(for: .seconds(1)) }
            return "done"
        }
        try await Application(router: router).test(.router) { client in
            async let held = client.execute(uri: "/work?hold=1", method: .get) { $0.status }
            await eventually { clock.sleeperCount == 1 }
            let priority = RequestResilienceMapping<BasicRequestContext>.priorityHeader
            try await client.execute(uri: "/work", method: .get, headers: [priority: "low"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[ResilienceRejectionResponse.rejectedHeader] == "loadShed")
                #expect(response.headers[.retryAfter] == "1")  // the shedder's default hint
            }
            try await client.execute(uri: "/work", method: .get, headers: [priority: "urgent!"]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/work", method: .get, headers: [priority: " HIGH "]) { #expect($0.status == .ok) }
            clock.advance(by: .seconds(1))
            #expect(try await held == .ok)
        }
        #expect(try metrics.expectCounter("resilience_http_unrecognized_priority_total", [("policy", "api")]).totalValue == 1)
    }

    @Test("a timeout answers 504; the handler's own errors pass through unchanged")
    func timeoutAndHandlerErrors() async throws {
        let clock = ManualClock()
        let timeout = Timeout(name: "api", configuration: TimeoutConfiguration(duration: .seconds(2)), clock: clock)
        let router = Router()
        router.add(middleware: ResilienceMiddleware(name: "api", timeout))
        router.get("slow") { _, _ in
            try await clock.sleep(for: .seconds(10))
            return "too late"
        }
        router.get("missing") { _, _ -> String in throw HTTPError(.notFound) }
        try await Application(router: router).test(.router) { client in
            async let slow = client.execute(uri: "/slow", method: .get) { ($0.status, $0.headers[ResilienceRejectionResponse.rejectedHeader]) }
            await eventually { clock.sleeperCount == 2 }  // the handler and the timer
            clock.advance(by: .seconds(2))
            let (status, code) = try await slow
            #expect(status == .gatewayTimeout)
            #expect(code == "timedOut")
            try await client.execute(uri: "/missing", method: .get) { #expect($0.status == .notFound) }
        }
    }

    @Test("the context: the route's template as operation name, the priority, the client key")
    func mapping() async throws {
        let recorder = ContextRecorder()
        let router = Router()
        router.add(middleware: ResilienceMiddleware(name: "api", recorder))
        router.get("users/{id}") { _, _ in "user" }
        try await Application(router: router).test(.router) { client in
            try await client.execute(
                uri: "/users/42", method: .get,
                headers: [
                    RequestResilienceMapping<BasicRequestContext>.priorityHeader: "critical",
                    RequestResilienceMapping<BasicRequestContext>.clientKeyHeader: "tenant-7",
                ]) { #expect($0.status == .ok) }
            try await client.execute(uri: "/users/43", method: .get) { #expect($0.status == .ok) }
        }
        let contexts = recorder.seen.withLock { $0 }
        #expect(contexts.map(\.operationName) == ["GET /users/{id}", "GET /users/{id}"])
        #expect(contexts.map(\.priority) == [.critical, .normal])
        #expect(contexts.map { RequestClientKey.key(of: $0) } == ["tenant-7", "unknown"])
    }
}

@Suite("X-Priority")
struct PriorityHeaderTests {
    /// What `Priority(headerValue:)` did before it stopped allocating: Foundation's trimming, then `lowercased()`.
    static func reference(_ value: String) -> Priority? {
        switch value.trimmingCharacters(in: .whitespaces).lowercased() {
        case "low": .low
        case "normal": .normal
        case "high": .high
        case "critical": .critical
        default: nil
        }
    }

    @Test("the four names in any case, surrounded by spaces or tabs; anything else is nil")
    func names() {
        #expect(Priority(headerValue: "low") == .low)
        #expect(Priority(headerValue: "Normal") == .normal)
        #expect(Priority(headerValue: " HIGH ") == .high)
        #expect(Priority(headerValue: "\tcRiTiCaL\u{3000}\u{200B}") == .critical)
        for value in ["", " ", "\t", "urgent", "lo w", "highest", "hig", "high,low", "l\u{0301}ow", "\u{212A}"] {
            #expect(Priority(headerValue: value) == nil, "\(value)")
        }
    }

    @Test("a header is read as HTTPFields reads it: none, one field in any case, several fields joined")
    func headerValue() {
        let name = RequestHeaderNames.clientKey
        var fields: HTTPFields = [.contentType: "text/plain"]
        #expect(RequestHeaderNames.value(of: name, in: fields) == nil)
        fields.append(HTTPField(name: HTTPField.Name("x-client-ID")!, value: "alice"))
        #expect(RequestHeaderNames.value(of: name, in: fields) == "alice")
        fields.append(HTTPField(name: .accept, value: "*/*"))
        fields.append(HTTPField(name: name, value: "bob"))
        #expect(RequestHeaderNames.value(of: name, in: fields) == "alice, bob")
        #expect(fields[name] == "alice, bob")
    }

    @Test("the same as Foundation's trimming and lowercased(), with any scalar around, in or instead of a letter")
    func sameAsFoundation() {
        // Every scalar of the Basic Multilingual Plane, where all the spaces and the canonical equivalents
        // of ASCII letters (the Kelvin sign) are, and those of the other planes that have a case mapping.
        let scalars = (UInt32(0)...0x10FFFF).lazy.compactMap(Unicode.Scalar.init).filter {
            $0.value <= 0xFFFF || $0.properties.changesWhenCaseMapped
        }
        var mismatches: [String] = []
        for scalar in scalars {
            let c = String(Character(scalar))
            for header in [c, "\(c)high\(c)", "\(c)\(c)Low", "nor\(c)mal", "hi\(c)h", "\(c)ow"]
            where Priority(headerValue: header) != Self.reference(header) {
                mismatches.append(header)
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20).map { Array($0.unicodeScalars) })")
    }
}

/// A policy that records the contexts it sees and runs the operation.
final class ContextRecorder: ResiliencePolicy {
    let seen = Mutex<[ResilienceContext]>([])
    nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        seen.withLock { $0.append(context) }
        return try await operation(context)
    }
}
