import AsyncHTTPClient
import MisbehavingUpstream
import NIOCore
import NIOHTTP1
import Resilience
import ResilienceHTTPClient
import Synchronization
import Testing

/// The client against a real server on loopback that misbehaves on purpose. Each test sends at most a few
/// dozen requests and waits at most a few seconds; the suite runs its tests one at a time so that their
/// timings are not disturbed by each other.
@Suite("ResilientHTTPClient against a misbehaving upstream", .serialized, .timeLimit(.minutes(1)))
struct ResilientHTTPClientTests {
    // MARK: - Circuit breaker

    @Test("500s trip the breaker; while open it fails fast and the upstream sees no request")
    func tripsAndFailsFast() async throws {
        try await withUpstream(routes: ["/fail": .status(500)]) { upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient,
                configuration: hostConfiguration(maxAttempts: 1, circuitBreaker: trippingBreaker(calls: 4)))
            for _ in 1...4 {
                let response = try await client.execute(get(upstream.url("/fail")))
                #expect(response.status == .internalServerError)
                #expect(try await text(of: response) == "status 500")  // returned unchanged
            }
            #expect(client.circuitBreakers.states[upstream.hostAndPort] == .open)
            #expect(upstream.requestCount == 4)
            for _ in 1...10 {
                let error = await expectRejection(.circuitOpen) { try await client.execute(get(upstream.url("/fail"))) }
                #expect(error?.policyName == "t.\(upstream.hostAndPort)")
                #expect(error?.retryAfter != nil)
            }
            #expect(upstream.requestCount == 4)  // not one of the ten reached it
        }
    }

    @Test("after the break a half-open probe reaches the upstream, and its success closes the breaker")
    func recoversThroughHalfOpen() async throws {
        try await withUpstream(routes: ["/flaky": .status(503)]) { upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient,
                configuration: hostConfiguration(
                    maxAttempts: 1, circuitBreaker: trippingBreaker(calls: 2, breakDuration: .milliseconds(300))))
            for _ in 1...2 { _ = try await client.execute(get(upstream.url("/flaky"))) }
            #expect(client.circuitBreakers.states[upstream.hostAndPort] == .open)
            await expectRejection(.circuitOpen) { try await client.execute(get(upstream.url("/flaky"))) }
            #expect(upstream.requestCount == 2)

            upstream.setBehaviour(.healthy, for: "/flaky")
            try await Task.sleep(for: .milliseconds(350))
            #expect(client.circuitBreakers.states[upstream.hostAndPort] == .halfOpen)
            let probe = try await client.execute(get(upstream.url("/flaky")))
            #expect(probe.status == .ok)
            #expect(upstream.requestCount == 3)
            #expect(client.circuitBreakers.states[upstream.hostAndPort] == .closed)
            for _ in 1...3 { #expect(try await client.execute(get(upstream.url("/flaky"))).status == .ok) }
            #expect(upstream.requestCount == 6)
        }
    }

    @Test("404 and 400 pass through once each and trip nothing")
    func clientErrorsTripNothing() async throws {
        try await withUpstream(routes: ["/missing": .status(404), "/bad": .status(400), "/conflict": .status(409)]) {
            upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient, configuration: hostConfiguration(circuitBreaker: trippingBreaker(calls: 4)))
            for index in 0..<20 {
                let path = ["/missing", "/bad", "/conflict"][index % 3]
                let response = try await client.execute(get(upstream.url(path)))
                #expect(response.status.code == [404, 400, 409][index % 3])
            }
            #expect(upstream.requestCount == 20)  // none retried
            #expect(client.circuitBreakers.states[upstream.hostAndPort] == .closed)
            #expect(client.circuitBreakers.stats[upstream.hostAndPort]?.windowFailures == 0)
        }
    }

    // MARK: - Retry

    @Test("a GET failing with 5xx is retried, and the last response is returned unchanged when retries run out")
    func retriesExhaustedReturnLastResponse() async throws {
        try await withUpstream(routes: ["/down": .status(502)]) { upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 3))
            let response = try await client.execute(get(upstream.url("/down")))
            #expect(response.status == .badGateway)
            #expect(response.headers["Content-Type"] == ["text/plain"])
            #expect(try await text(of: response) == "status 502")
            #expect(upstream.requestCount(path: "/down") == 3)
        }
    }

    @Test("flapping: a GET is retried until the upstream answers")
    func flappingRecovers() async throws {
        try await withUpstream(routes: ["/flap": .flapping(failures: 2, successes: 1)]) { upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 3))
            for round in 1...3 {
                let response = try await client.execute(get(upstream.url("/flap")))
                #expect(response.status == .ok, "round \(round)")
                #expect(upstream.requestCount(path: "/flap") == 3 * round)  // fail, fail, succeed
            }
        }
    }

    @Test("429 with Retry-After: 1 delays the retry by one second, not by the backoff")
    func retryAfterSeconds() async throws {
        try await withUpstream(routes: ["/throttled": .sequence([.retryAfter(status: 429, .seconds(1)), .healthy])]) {
            upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 3, baseDelay: .milliseconds(10)))
            let response = try await client.execute(get(upstream.url("/throttled")))
            #expect(response.status == .ok)
            let arrivals = upstream.requests(path: "/throttled").map(\.receivedAt)
            try #require(arrivals.count == 2)
            let gap = arrivals[0].duration(to: arrivals[1])
            #expect(gap >= .seconds(1) && gap < .milliseconds(1_500), "gap \(gap.inSeconds) s")
        }
    }

    @Test("503 with Retry-After as an HTTP-date delays the retry until that date")
    func retryAfterHTTPDate() async throws {
        try await withUpstream(routes: ["/maintenance": .sequence([.retryAfter(status: 503, .dateAfter(seconds: 1)), .healthy])]) {
            upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 2))
            let response = try await client.execute(get(upstream.url("/maintenance")))
            #expect(response.status == .ok)
            let arrivals = upstream.requests(path: "/maintenance").map(\.receivedAt)
            try #require(arrivals.count == 2)
            let gap = arrivals[0].duration(to: arrivals[1])
            // The date is one second after the response's Date field: exactly one second, whatever the clocks.
            #expect(gap >= .seconds(1) && gap < .milliseconds(1_500), "gap \(gap.inSeconds) s")
        }
    }

    @Test("a Retry-After longer than maxDelay waits maxDelay")
    func retryAfterCappedByMaxDelay() async throws {
        try await withUpstream(routes: ["/throttled": .sequence([.retryAfter(status: 429, .seconds(30)), .healthy])]) {
            upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient,
                configuration: hostConfiguration(maxAttempts: 2, baseDelay: .milliseconds(10), maxDelay: .milliseconds(200)))
            #expect(try await client.execute(get(upstream.url("/throttled"))).status == .ok)
            let arrivals = upstream.requests(path: "/throttled").map(\.receivedAt)
            try #require(arrivals.count == 2)
            let gap = arrivals[0].duration(to: arrivals[1])
            #expect(gap >= .milliseconds(200) && gap < .milliseconds(700), "gap \(gap.inSeconds) s")
        }
    }

    @Test("a Retry-After reaching past the call's deadline ends the retries: the 429 is returned at once")
    func retryAfterBeyondDeadline() async throws {
        try await withUpstream(routes: ["/throttled": .retryAfter(status: 429, .seconds(5))]) { upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 3, maxDelay: .seconds(1)))
            let clock = ContinuousClock()
            let start = clock.now
            let context = ResilienceContext(deadline: start.advanced(by: .seconds(2)))
            let response = try await client.execute(get(upstream.url("/throttled")), context: context)
            #expect(response.status == .tooManyRequests)
            #expect(response.headers["Retry-After"] == ["5"])
            #expect(upstream.requestCount == 1)
            #expect(start.duration(to: clock.now) < .milliseconds(500))
        }
    }

    @Test("a POST is not retried unless the request says so")
    func postNotRetried() async throws {
        try await withUpstream(routes: ["/orders": .status(500)]) { upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 3))
            var post = get(upstream.url("/orders"))
            post.method = .POST
            post.body = .bytes(ByteBuffer(string: #"{"item": 1}"#))
            #expect(try await client.execute(post).status == .internalServerError)
            #expect(upstream.requestCount(path: "/orders") == 1)

            #expect(try await client.execute(post, options: HTTPRequestOptions(retryable: true)).status == .internalServerError)
            #expect(upstream.requestCount(path: "/orders") == 4)  // 1 + 3 attempts
            #expect(upstream.requests(path: "/orders").allSatisfy { $0.bodyBytes == 11 })  // the body was replayed whole

            var get = get(upstream.url("/orders"))
            _ = try await client.execute(get, options: HTTPRequestOptions(retryable: false))
            #expect(upstream.requestCount(path: "/orders") == 5)
            get.method = .DELETE
            _ = try await client.execute(get)
            #expect(upstream.requestCount(path: "/orders") == 8)
        }
    }

    @Test("a request whose streamed body cannot be replayed is never retried, even when it says it may be")
    func streamedBodyNeverRetried() async throws {
        try await withUpstream(routes: ["/upload": .status(503)]) { upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 3))
            var put = get(upstream.url("/upload"))
            put.method = .PUT
            let parts = AsyncArray(elements: [ByteBuffer(string: "part 1 "), ByteBuffer(string: "part 2")])
            put.body = HTTPClientRequest.Body.stream(parts, length: .known(Int64(13)))
            let streamed = try await client.execute(put, options: HTTPRequestOptions(retryable: true))
            #expect(streamed.status == .serviceUnavailable)
            #expect(upstream.requestCount(path: "/upload") == 1)
            #expect(upstream.requests(path: "/upload").first?.bodyBytes == 13)

            put.body = .bytes(ByteBuffer(string: "part 1 part 2"))  // in memory: a PUT is retried
            let inMemory = try await client.execute(put)
            #expect(inMemory.status == .serviceUnavailable)
            #expect(upstream.requestCount(path: "/upload") == 4)
        }
    }

    @Test("a connection reset is retried for a GET, not for a POST")
    func connectionResetRetried() async throws {
        try await withUpstream(routes: ["/reset-once": .sequence([.reset, .healthy]), "/reset": .reset]) { upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 3))
            let response = try await client.execute(get(upstream.url("/reset-once")))
            #expect(response.status == .ok)
            #expect(upstream.requestCount(path: "/reset-once") == 2)
            #expect(upstream.resets == 1)

            var post = get(upstream.url("/reset"))
            post.method = .POST
            await #expect(throws: (any Error).self) { try await client.execute(post) }
            #expect(upstream.requestCount(path: "/reset") == 1)

            // A GET that keeps being reset: every attempt made, then the connection error itself.
            do {
                _ = try await client.execute(get(upstream.url("/reset")))
                Issue.record("expected a connection error")
            } catch {
                #expect(!(error is ResilienceError), "\(error)")
                #expect(HTTPFailureClassifier.outcome(of: error) == .failure, "\(error)")
            }
            #expect(upstream.requestCount(path: "/reset") == 4)
        }
    }

    // MARK: - Bulkhead

    @Test("the bulkhead bound is never exceeded at the upstream")
    func bulkheadBound() async throws {
        try await withUpstream(routes: ["/slow": .slow(headDelay: .milliseconds(100), chunks: 2, chunkDelay: .milliseconds(20))]) {
            upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient,
                configuration: hostConfiguration(bulkhead: BulkheadConfiguration(maxConcurrent: 3, maxQueued: 30)))
            try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 1...12 {
                    group.addTask { try await text(of: client.execute(get(upstream.url("/slow")))) }
                }
                for try await body in group { #expect(body == "chunk 1\nchunk 2\n") }
            }
            #expect(upstream.requestCount == 12)
            #expect(upstream.maxConcurrentRequests == 3)  // reached, never exceeded
            #expect(client.bulkheads.stats[upstream.hostAndPort]?.inFlight == 0)
        }
    }

    @Test("a streamed response holds its bulkhead slot until its body is read; a discarded one frees it before the retry")
    func slotSpansTheBody() async throws {
        try await withUpstream(routes: [
            "/events": .stream(chunks: ["data: 1\n\n", "data: 2\n\n"], interval: .milliseconds(200)),
            "/fail-once": .sequence([.status(500), .healthy]),
        ]) { upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient,
                configuration: hostConfiguration(maxAttempts: 2, bulkhead: BulkheadConfiguration(maxConcurrent: 1)))
            let stream = try await client.execute(get(upstream.url("/events")))
            #expect(client.bulkheads.stats[upstream.hostAndPort]?.inFlight == 1)
            await expectRejection(.bulkheadFull) { try await client.execute(get(upstream.url("/other"))) }
            #expect(upstream.requestCount(path: "/other") == 0)
            #expect(try await text(of: stream) == "data: 1\n\ndata: 2\n\n")
            #expect(client.bulkheads.stats[upstream.hostAndPort]?.inFlight == 0)

            // The 500 is discarded before the retry: were its slot still held, the retry would be refused.
            #expect(try await client.execute(get(upstream.url("/fail-once"))).status == .ok)
            #expect(upstream.requestCount(path: "/fail-once") == 2)

            // A response dropped unread gives its slot back too.
            _ = try await client.execute(get(upstream.url("/events")))
            #expect(client.bulkheads.stats[upstream.hostAndPort]?.inFlight == 0)
        }
    }

    // MARK: - Timeout

    @Test("a slow upstream hits the deadline: timedOut, the breaker counts it, the retry retries it")
    func slowUpstreamTimesOut() async throws {
        try await withUpstream(routes: ["/slow": .slow(headDelay: .seconds(3))]) { upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient,
                configuration: hostConfiguration(maxAttempts: 2, timeout: HTTPTimeoutConfiguration(duration: .milliseconds(200))))
            let clock = ContinuousClock()
            let start = clock.now
            let error = await expectRejection(.timedOut) { try await client.execute(get(upstream.url("/slow"))) }
            let elapsed = start.duration(to: clock.now)
            #expect(error?.policyName == "t.\(upstream.hostAndPort)")
            #expect((error?.underlyingError as? HTTPClientError) == .deadlineExceeded)
            #expect(elapsed >= .milliseconds(400) && elapsed < .milliseconds(1_500), "\(elapsed.inSeconds) s")
            #expect(upstream.requestCount(path: "/slow") == 2)
            #expect(client.circuitBreakers.stats[upstream.hostAndPort]?.windowFailures == 2)
        }
    }

    @Test("firstByte bounds the wait for the head apart from duration")
    func firstByteTimeout() async throws {
        try await withUpstream(routes: ["/slow": .slow(headDelay: .milliseconds(600))]) { upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient,
                configuration: hostConfiguration(
                    maxAttempts: 1, timeout: HTTPTimeoutConfiguration(duration: .seconds(10), firstByte: .milliseconds(200))))
            let clock = ContinuousClock()
            let start = clock.now
            await expectRejection(.timedOut) { try await client.execute(get(upstream.url("/slow"))) }
            #expect(start.duration(to: clock.now) < .milliseconds(550))
        }
    }

    @Test("duration bounds the whole exchange: a body still arriving after it ends with timedOut")
    func bodyTimeout() async throws {
        try await withUpstream(routes: ["/trickle": .slow(headDelay: .zero, chunks: 10, chunkDelay: .milliseconds(100))]) {
            upstream, httpClient in
            let client = ResilientHTTPClient(
                name: "t", httpClient: httpClient,
                configuration: hostConfiguration(maxAttempts: 1, timeout: HTTPTimeoutConfiguration(duration: .milliseconds(350))))
            let response = try await client.execute(get(upstream.url("/trickle")))
            #expect(response.status == .ok)
            var chunks = 0
            let error = await expectRejection(.timedOut) {
                for try await _ in response.body { chunks += 1 }
            }
            #expect(error?.policyName == "t.\(upstream.hostAndPort)")
            #expect((3...5).contains(chunks), "\(chunks) chunks before the limit")
            #expect(upstream.completedResponses == 0)
            #expect(client.bulkheads.stats[upstream.hostAndPort]?.inFlight == 0)
        }
    }

    @Test("the call's deadline becomes AHC's deadline")
    func contextDeadline() async throws {
        try await withUpstream(routes: ["/slow": .slow(headDelay: .seconds(3))]) { upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 3))
            let clock = ContinuousClock()
            let start = clock.now
            await expectRejection(.timedOut) {
                try await client.execute(get(upstream.url("/slow")), context: ResilienceContext(deadline: start.advanced(by: .milliseconds(300))))
            }
            let elapsed = start.duration(to: clock.now)
            #expect(elapsed >= .milliseconds(300) && elapsed < .milliseconds(900), "\(elapsed.inSeconds) s")
            #expect(upstream.requestCount(path: "/slow") == 1)  // no retry fits in what is left
            // A deadline already past sends nothing.
            await expectRejection(.timedOut) {
                try await client.execute(get(upstream.url("/slow")), context: ResilienceContext(deadline: clock.now))
            }
            #expect(upstream.requestCount(path: "/slow") == 1)
        }
    }

    // MARK: - Streaming

    @Test("the response body streams: the first chunk arrives before the upstream has finished")
    func bodyStreams() async throws {
        let events = ["data: token-1\n\n", "data: token-2\n\n", "data: token-3\n\n"]
        try await withUpstream(routes: ["/sse": .stream(chunks: events, interval: .milliseconds(300))]) { upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient)
            let clock = ContinuousClock()
            let start = clock.now
            let response = try await client.execute(get(upstream.url("/sse")))
            #expect(response.headers["Content-Type"] == ["text/event-stream"])
            var received: [String] = []
            var firstAt: Duration?
            var finishedWhenFirstArrived: Int?
            for try await chunk in response.body {
                if firstAt == nil {
                    firstAt = start.duration(to: clock.now)
                    finishedWhenFirstArrived = upstream.completedResponses
                }
                received.append(String(buffer: chunk))
            }
            #expect(received.joined() == events.joined())
            #expect(finishedWhenFirstArrived == 0)
            #expect(firstAt.map { $0 < .milliseconds(250) } == true, "first chunk after \(firstAt?.inSeconds ?? -1) s")
            #expect(start.duration(to: clock.now) >= .milliseconds(600))
            #expect(upstream.completedResponses == 1)
        }
    }

    @Test("cancelling the caller cancels the upstream request")
    func cancellationReachesUpstream() async throws {
        try await withUpstream(routes: ["/sse": .stream(chunks: (1...50).map { "data: \($0)\n\n" }, interval: .milliseconds(50))]) {
            upstream, httpClient in
            let client = ResilientHTTPClient(name: "t", httpClient: httpClient)
            let firstChunk = Mutex(false)
            let reader = Task {
                let response = try await client.execute(get(upstream.url("/sse")))
                for try await _ in response.body { firstChunk.withLock { $0 = true } }
            }
            while !firstChunk.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(10)) }
            reader.cancel()
            _ = await reader.result
            var waited = 0
            while upstream.requestsInFlight > 0, waited < 100 {
                try await Task.sleep(for: .milliseconds(10))
                waited += 1
            }
            #expect(upstream.requestsInFlight == 0)
            #expect(upstream.completedResponses == 0)
            #expect(client.bulkheads.stats[upstream.hostAndPort]?.inFlight == 0)
        }
    }

    // MARK: - Hosts

    @Test("each host has its own policies, named after it; a new host beyond the bound is refused unsent")
    func hostsAreBounded() async throws {
        try await withUpstream(routes: ["/fail": .status(500)]) { first, httpClient in
            let second = try await MisbehavingUpstream.start()
            do { try await hostsAreBounded(first, second, httpClient) } catch {
                try? await second.shutdown()
                throw error
            }
            try await second.shutdown()
        }
    }

    func hostsAreBounded(_ first: MisbehavingUpstream, _ second: MisbehavingUpstream, _ httpClient: HTTPClient) async throws {
        let client = ResilientHTTPClient(
            name: "t", httpClient: httpClient, configuration: hostConfiguration(maxAttempts: 1),
            hostOverrides: [first.hostAndPort: hostConfiguration(maxAttempts: 1, circuitBreaker: trippingBreaker(calls: 2))],
            maximumHosts: 2)
        for _ in 1...2 { _ = try await client.execute(get(first.url("/fail"))) }
        #expect(try await client.execute(get(second.url("/"))).status == .ok)  // the other host is unaffected
        #expect(client.circuitBreakers.states == [first.hostAndPort: .open, second.hostAndPort: .closed])
        do {
            _ = try await client.execute(get("http://localhost:\(first.port)/"))
            Issue.record("expected HTTPHostLimitError")
        } catch let error as HTTPHostLimitError {
            #expect(error == HTTPHostLimitError(clientName: "t", maximumHosts: 2, host: "localhost:\(first.port)"))
        }
        #expect(first.requestCount == 2)
    }
}
