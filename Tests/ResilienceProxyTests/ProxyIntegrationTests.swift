import AsyncHTTPClient
import Foundation
import MisbehavingUpstream
import NIOCore
import NIOHTTP1
import Testing

/// A proxy with a protected route `/llm` (a breaker that trips after 4 calls, half of them failed; one
/// retry 10 ms later; a 1 s timeout) and a pass-through route `/pass`.
let llmConfiguration = """
    proxy:
      listen: 127.0.0.1:0
      maxBodyBytes: 16
      routes:
        - prefix: /llm
          upstream: UPSTREAM
          policy: llm
        - prefix: /pass
          upstream: UPSTREAM
    resilience:
      policies:
        llm:
          circuitBreaker: {window: count, windowSize: 4, minimumThroughput: 4, failureRatio: 0.5, breakDuration: 1s, halfOpenPermittedCalls: 1, halfOpenSuccessRatio: 1}
          retry: {maxAttempts: 2, baseDelay: 10ms, jitter: none}
          timeout: {duration: 1s}
    """

/// A proxy with one route, `/api`, whose policy `api` is the one section `policy` (a YAML line).
func apiConfiguration(policy: String) -> String {
    """
    proxy:
      listen: 127.0.0.1:0
      routes:
        - prefix: /api
          upstream: UPSTREAM
          policy: api
    resilience:
      policies:
        api:
          \(policy)
    """
}

@Suite("resilience-proxy on loopback, in front of a misbehaving upstream", .timeLimit(.minutes(2)))
struct ProxyIntegrationTests {
    @Test("forwards method, path and query, and returns the upstream's answer; 404 without a route, by whole segments")
    func forwards() async throws {
        try await withProxy(llmConfiguration) { proxy in
            let answer = try await proxy.send("/pass/echo?x=1")
            #expect(answer.status == 200)
            #expect(answer.body == "ok")
            #expect(proxy.upstream.requests(path: "/pass/echo").map(\.method) == ["GET"])
            #expect(try await proxy.send("/llm").status == 200)  // the prefix itself matches
            let none = try await proxy.send("/llmx/a")
            #expect(none.status == 404)
            #expect(none.headers["X-Resilience-Rejected"].isEmpty)
            #expect(try await proxy.send("/").status == 404)
            #expect(proxy.upstream.requestCount(path: "/llmx/a") == 0)
            #expect(try await proxy.send("/healthz").status == 200)
            let metrics = try await proxy.send("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains("# TYPE resilience_circuit_breaker_state gauge"))
            #expect(try await proxy.send("/metrics", method: .POST).status == 405)
        }
    }

    @Test("a failing upstream trips the breaker: 503 circuitOpen with Retry-After, no call reaches it while open; half-open recovers it")
    func tripsAndRecovers() async throws {
        try await withProxy(llmConfiguration, upstreamRoutes: ["/llm/fail": .status(500)]) { proxy in
            var statuses: [Int] = []
            var rejection: (status: Int, headers: HTTPHeaders, body: String)?
            for _ in 0..<6 where rejection == nil {
                let answer = try await proxy.send("/llm/fail")
                statuses.append(answer.status)
                if answer.status == 503 { rejection = answer }
            }
            // Two calls of two failed attempts each reach the minimum throughput of 4: the third call is refused.
            #expect(statuses == [500, 500, 503])
            let open = try #require(rejection)
            #expect(open.headers["X-Resilience-Rejected"] == ["circuitOpen"])
            #expect(open.headers["Retry-After"] == ["1"])
            #expect(open.headers["Content-Type"] == ["application/json"])
            #expect(open.body == #"{"error": "circuitOpen", "policy": "llm"}"#)
            let reached = proxy.upstream.requestCount(path: "/llm/fail")
            #expect(reached == 4)
            for _ in 0..<5 { #expect(try await proxy.send("/llm/fail").status == 503) }
            #expect(proxy.upstream.requestCount(path: "/llm/fail") == reached)

            proxy.upstream.setBehaviour(.healthy, for: "/llm/fail")
            try await Task.sleep(for: .milliseconds(1_100))
            #expect(try await proxy.send("/llm/fail").status == 200)  // the half-open probe
            #expect(try await proxy.send("/llm/fail").status == 200)  // closed again
            #expect(proxy.upstream.requestCount(path: "/llm/fail") == reached + 2)
        }
    }

    @Test("when the retries end on a 5xx, the last upstream response comes back unchanged; a POST is sent once")
    func lastFailedResponse() async throws {
        try await withProxy(llmConfiguration, upstreamRoutes: ["/llm/down": .status(502)]) { proxy in
            let answer = try await proxy.send("/llm/down")
            #expect(answer.status == 502)
            #expect(answer.body == "status 502")
            #expect(answer.headers["X-Resilience-Rejected"].isEmpty)
            #expect(proxy.upstream.requestCount(path: "/llm/down") == 2)  // retried once
            proxy.upstream.resetCounters()
            let post = try await proxy.send("/llm/down", method: .POST, body: "order")
            #expect(post.status == 502)
            #expect(proxy.upstream.requests(path: "/llm/down").map(\.method) == ["POST"])  // never retried
            #expect(proxy.upstream.requests(path: "/llm/down").map(\.bodyBytes) == [5])
        }
    }

    @Test("a 429's Retry-After sets the retry's delay")
    func honoursRetryAfter() async throws {
        try await withProxy(
            llmConfiguration, upstreamRoutes: ["/llm/throttled": .sequence([.retryAfter(status: 429, .seconds(1)), .healthy])]
        ) { proxy in
            let answer = try await proxy.send("/llm/throttled")
            #expect(answer.status == 200)
            let arrivals = proxy.upstream.requests(path: "/llm/throttled").map(\.receivedAt)
            #expect(arrivals.count == 2)
            if arrivals.count == 2 { #expect(arrivals[0].duration(to: arrivals[1]) >= .milliseconds(990)) }
        }
    }

    @Test("an unreachable upstream is 502 upstreamUnavailable; a slow one past the timeout 504 timedOut")
    func unreachableAndSlow() async throws {
        try await withProxy(
            llmConfiguration,
            upstreamRoutes: ["/llm/reset": .reset, "/pass/reset": .reset, "/llm/slow": .slow(headDelay: .seconds(3))]
        ) { proxy in
            let reset = try await proxy.send("/llm/reset")
            #expect(reset.status == 502)
            #expect(reset.headers["X-Resilience-Rejected"] == ["upstreamUnavailable"])
            #expect(reset.body == #"{"error": "upstreamUnavailable", "policy": "llm"}"#)
            let pass = try await proxy.send("/pass/reset")
            #expect(pass.status == 502)
            #expect(pass.body == #"{"error": "upstreamUnavailable", "policy": null}"#)
            // The upstream would answer 200 after 3 s: a 504 is the 1 s timeout's (no elapsed time is asserted).
            let slow = try await proxy.send("/llm/slow")
            #expect(slow.status == 504)
            #expect(slow.headers["X-Resilience-Rejected"] == ["timedOut"])
            #expect(proxy.upstream.requestCount(path: "/llm/slow") == 2)  // the timeout was retried once
        }
    }

    @Test("timeout.firstByte bounds the wait for the head, duration the whole exchange: a slow head is 504, a long stream is not")
    func firstByte() async throws {
        let configuration = llmConfiguration.replacingOccurrences(of: "timeout: {duration: 1s}", with: "timeout: {duration: 5s, firstByte: 300ms}")
        try await withProxy(
            configuration,
            upstreamRoutes: [
                "/llm/slowhead": .slow(headDelay: .seconds(2)),
                "/llm/events": .stream(chunks: ["a\n", "b\n", "c\n"], interval: .milliseconds(250)),
            ]
        ) { proxy in
            // The head comes after 2 s, within the 5 s duration: only firstByte can make this a 504.
            let slow = try await proxy.send("/llm/slowhead")
            #expect(slow.status == 504)
            #expect(slow.headers["X-Resilience-Rejected"] == ["timedOut"])
            let stream = try await proxy.send("/llm/events")  // 500 ms of body after a prompt head
            #expect(stream.status == 200)
            #expect(stream.body == "a\nb\nc\n")
        }
    }

    @Test("a bulkhead bounds the requests in flight upstream; the others get 503 bulkheadFull")
    func bulkhead() async throws {
        let configuration = apiConfiguration(policy: "bulkhead: {maxConcurrent: 2}")
        try await withProxy(configuration, defaultBehaviour: .slow(headDelay: .milliseconds(300))) { proxy in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 { group.addTask { try await proxy.send("/api/\(index)").status } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 8)
            #expect(statuses.filter { $0 == 200 }.count >= 2)
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 503 })
            #expect(proxy.upstream.maxConcurrentRequests <= 2)
        }
    }

    @Test("a streamed body passes through as it arrives, on a protected route too")
    func streams() async throws {
        // Two events a second apart: the first must reach the client while the upstream is still sending (its
        // response not completed), which no buffering proxy could do. Causal, not timed.
        let configuration = llmConfiguration.replacingOccurrences(of: "timeout: {duration: 1s}", with: "timeout: {duration: 20s}")
        try await withProxy(
            configuration, defaultBehaviour: .stream(chunks: ["data: 1\n\n", "data: 2\n\n"], interval: .seconds(1))
        ) { proxy in
            for path in ["/pass/events", "/llm/events"] {
                let completedBefore = proxy.upstream.completedResponses
                let response = try await proxy.client.execute(HTTPClientRequest(url: proxy.baseURL + path), timeout: .seconds(20))
                #expect(response.status == .ok)
                #expect(response.headers["Content-Type"] == ["text/event-stream"])
                var chunks: [String] = []
                var upstreamDoneAtFirstChunk: Bool?
                for try await chunk in response.body {
                    if upstreamDoneAtFirstChunk == nil { upstreamDoneAtFirstChunk = proxy.upstream.completedResponses > completedBefore }
                    chunks.append(String(buffer: chunk))
                }
                #expect(chunks.joined() == "data: 1\n\ndata: 2\n\n")
                #expect(upstreamDoneAtFirstChunk == false)
            }
        }
    }

    @Test("a body larger than maxBodyBytes is 413 and never forwarded")
    func bodyLimit() async throws {
        try await withProxy(llmConfiguration) { proxy in
            let large = try await proxy.send("/pass/upload", method: .PUT, body: String(repeating: "x", count: 17))
            #expect(large.status == 413)
            #expect(proxy.upstream.requestCount(path: "/pass/upload") == 0)
            let fits = try await proxy.send("/pass/upload", method: .PUT, body: String(repeating: "x", count: 16))
            #expect(fits.status == 200)
            #expect(proxy.upstream.requests(path: "/pass/upload").map(\.bodyBytes) == [16])
        }
    }

    @Test("a client that goes away cancels its upstream call")
    func clientDisconnect() async throws {
        try await withProxy(llmConfiguration, upstreamRoutes: ["/pass/slow": .slow(headDelay: .seconds(8))]) { proxy in
            await #expect(throws: (any Error).self) {
                _ = try await proxy.client.execute(HTTPClientRequest(url: proxy.baseURL + "/pass/slow"), timeout: .milliseconds(300))
            }
            #expect(proxy.upstream.requestCount(path: "/pass/slow") == 1)
            // The upstream sees its connection closed long before its 8 s answer.
            try await waitUntil(timeout: .seconds(6)) { proxy.upstream.requestsInFlight == 0 }
        }
    }

    @Test("X-Client-Id keys the rate limiter, one bucket per client; an unknown X-Priority is counted")
    func clientKeysAndPriorities() async throws {
        let configuration = apiConfiguration(policy: "rateLimiter: {permitsPerSecond: 0.1, burst: 1}")
        try await withProxy(configuration) { proxy in
            #expect(try await proxy.send("/api/a", headers: [("X-Client-Id", "alice")]).status == 200)
            let limited = try await proxy.send("/api/a", headers: [("X-Client-Id", "alice")])
            #expect(limited.status == 429)
            #expect(limited.headers["X-Resilience-Rejected"] == ["rateLimited"])
            #expect(limited.body == #"{"error": "rateLimited", "policy": "api"}"#)
            #expect(try await proxy.send("/api/a", headers: [("X-Client-Id", "bob"), ("X-Priority", "urgent")]).status == 200)
            let metrics = try await proxy.send("/metrics").body
            #expect(metrics.contains(#"resilience_http_unrecognized_priority_total{policy="api"} 1"#))
        }
    }

    @Test("a reload applies new routes and policies and keeps the open breaker open; an invalid file is rejected whole")
    func reload() async throws {
        let before = llmConfiguration.replacingOccurrences(of: "breakDuration: 1s", with: "breakDuration: 20s")
        try await withProxy(before, upstreamRoutes: ["/llm/fail": .status(500)]) { proxy in
            for _ in 0..<3 { _ = try await proxy.send("/llm/fail") }
            #expect(try await proxy.send("/llm/fail").status == 503)
            #expect(try await proxy.send("/other/x").status == 404)
            let after = before
                .replacingOccurrences(of: "maxAttempts: 2", with: "maxAttempts: 3")
                .replacingOccurrences(of: "    - prefix: /pass", with: "    - prefix: /other\n      upstream: UPSTREAM\n    - prefix: /pass")
            try proxy.rewrite(proxyConfiguration(after, upstream: proxy.upstream))
            try await waitUntil { try await proxy.send("/other/x").status == 200 }
            // The breaker kept its state: still open (a new one would be closed and let the call through).
            let reached = proxy.upstream.requestCount(path: "/llm/fail")
            #expect(try await proxy.send("/llm/fail").status == 503)
            #expect(proxy.upstream.requestCount(path: "/llm/fail") == reached)

            try proxy.rewrite("proxy: [")
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await proxy.send("/other/x").status == 200)
        }
    }
}
