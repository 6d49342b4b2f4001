import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import Resilience
import Testing

@testable import ResilienceHTTPClient

@Suite("HTTP failure classification")
struct HTTPFailureClassifierTests {
    @Test("5xx, 408 and 429 are failures", arguments: [500, 501, 502, 503, 504, 511, 599, 408, 429])
    func failingStatuses(code: Int) {
        #expect(HTTPFailureClassifier.outcome(of: HTTPResponseStatus(statusCode: code)) == .failure)
        #expect(HTTPFailureClassifier.isFailure(HTTPResponseStatus(statusCode: code)))
    }

    @Test("other statuses, every other 4xx included, are successes",
        arguments: [100, 200, 201, 204, 301, 304, 400, 401, 403, 404, 405, 409, 410, 422, 451, 499])
    func passingStatuses(code: Int) {
        #expect(HTTPFailureClassifier.outcome(of: HTTPResponseStatus(statusCode: code)) == .success)
    }

    @Test("connection errors and timeouts are failures")
    func connectionErrors() {
        let failures: [any Error] = [
            HTTPClientError.connectTimeout, HTTPClientError.readTimeout, HTTPClientError.writeTimeout,
            HTTPClientError.remoteConnectionClosed, HTTPClientError.deadlineExceeded,
            HTTPClientError.getConnectionFromPoolTimeout, HTTPClientError.tlsHandshakeTimeout,
            HTTPClientError.uncleanShutdown, HTTPClientError.serverOfferedUnsupportedApplicationProtocol("h3"),
            ChannelError.connectTimeout(.seconds(1)), ChannelError.eof,
            IOError(errnoCode: 104, reason: "read"),  // ECONNRESET
            ResilienceError(code: .timedOut, policyName: "http.example.com:443"),
        ]
        for error in failures {
            #expect(HTTPFailureClassifier.outcome(of: error) == .failure, "\(error)")
        }
    }

    @Test("cancellation, request errors and inner rejections are ignored")
    func ignoredErrors() {
        let ignored: [any Error] = [
            CancellationError(), HTTPClientError.cancelled, HTTPClientError.invalidURL, HTTPClientError.emptyHost,
            HTTPClientError.emptyScheme, HTTPClientError.unsupportedScheme("ftp"), HTTPClientError.alreadyShutdown,
            HTTPClientError.invalidHeaderFieldNames(["bad name"]), HTTPClientError.invalidHeaderFieldValues(["a\nb"]),
            HTTPClientError.bodyLengthMismatch, HTTPClientError.redirectCycleDetected, HTTPClientError.redirectLimitReached,
            HTTPClientError.traceRequestWithBody, HTTPClientError.shutdownUnsupported,
            ResilienceError(code: .bulkheadFull, policyName: "b"), ResilienceError(code: .circuitOpen, policyName: "c"),
            HTTPHostLimitError(clientName: "http", maximumHosts: 1, host: "a:80"),
        ]
        for error in ignored {
            #expect(HTTPFailureClassifier.outcome(of: error) == .ignored, "\(error)")
        }
    }

    @Test("the FailureClassifier classifies responses and errors the same way")
    func failureClassifier() {
        let classifier = HTTPFailureClassifier.classifier
        #expect(classifier.classify(result: HTTPClientResponse(status: .serviceUnavailable)) == .failure)
        #expect(classifier.classify(result: HTTPClientResponse(status: .tooManyRequests)) == .failure)
        #expect(classifier.classify(result: HTTPClientResponse(status: .notFound)) == .success)
        #expect(classifier.classify(result: HTTPClientResponse(status: .ok)) == .success)
        #expect(classifier.classify(error: HTTPClientError.remoteConnectionClosed) == .failure)
        #expect(classifier.classify(error: HTTPClientError.invalidURL) == .ignored)
    }
}

@Suite("HTTP retry rules")
struct HTTPRetryRulesTests {
    @Test("idempotent methods (RFC 9110 §9.2.2)")
    func idempotentMethods() {
        for method: HTTPMethod in [.GET, .HEAD, .OPTIONS, .TRACE, .PUT, .DELETE] {
            #expect(HTTPRetryRules.isIdempotent(method), "\(method)")
        }
        for method: HTTPMethod in [.POST, .PATCH, .CONNECT, .RAW(value: "PURGE")] {
            #expect(!HTTPRetryRules.isIdempotent(method), "\(method)")
        }
    }

    @Test("bodies in memory can be replayed; streamed ones cannot")
    func replayableBodies() {
        #expect(HTTPRetryRules.canReplay(nil))
        #expect(HTTPRetryRules.canReplay(.bytes(ByteBuffer(string: "{}"))))
        #expect(HTTPRetryRules.canReplay(.bytes(Array("payload".utf8))))
        #expect(HTTPRetryRules.canReplay(.bytes(Array("payload".utf8), length: .known(Int64(7)))))
        let chunks = [ByteBuffer(string: "a"), ByteBuffer(string: "b")]
        #expect(!HTTPRetryRules.canReplay(.stream(chunks.async, length: .known(Int64(2)))))
        #expect(!HTTPRetryRules.canReplay(.stream(AsyncStream<ByteBuffer> { $0.finish() }, length: .unknown)))
    }

    @Test("a request is retryable by its method unless it says otherwise; a streamed body never is")
    func retryableRequests() {
        var get = HTTPClientRequest(url: "http://example.com/")
        #expect(HTTPRetryRules.isRetryable(get))
        #expect(!HTTPRetryRules.isRetryable(get, retryable: false))
        var post = HTTPClientRequest(url: "http://example.com/")
        post.method = .POST
        post.body = .bytes(ByteBuffer(string: "{}"))
        #expect(!HTTPRetryRules.isRetryable(post))
        #expect(HTTPRetryRules.isRetryable(post, retryable: true))
        get.method = .PUT
        get.body = .stream([ByteBuffer(string: "a")].async, length: .known(Int64(1)))
        #expect(!HTTPRetryRules.isRetryable(get))
        #expect(!HTTPRetryRules.isRetryable(get, retryable: true))
    }
}

/// An array's elements as an `AsyncSequence`.
struct AsyncArray<Element: Sendable>: AsyncSequence, Sendable {
    let elements: [Element]
    struct AsyncIterator: AsyncIteratorProtocol {
        var index = 0
        let elements: [Element]
        mutating func next() async -> Element? {
            guard index < elements.count else { return nil }
            defer { index += 1 }
            return elements[index]
        }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(elements: elements) }
}

extension Array where Element: Sendable {
    var async: AsyncArray<Element> { AsyncArray(elements: self) }
}
