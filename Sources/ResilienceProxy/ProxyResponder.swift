import AsyncHTTPClient
import HTTPTypes
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import Prometheus
import Resilience
import ResilienceConfiguration
import ResilienceHTTPClient
import ResilienceHummingbird

/// Answers each request the proxy receives: `/metrics` and `/healthz` itself, every other path by its
/// route (404 without one), forwarded through the route's pipeline with the response streamed back.
///
/// **One exchange, one pipeline run.** The response head and body are written to the client *inside*
/// the route's pipeline, so a bulkhead slot, a concurrency permit and the timeout's `duration` cover
/// the whole exchange, a long token stream included, and no task is created per request. Once the head
/// is written the call's ``RetryPermission`` is revoked: what happens after (a reset in the middle of
/// the body, the deadline) is counted by the breaker but never retried, since the client already has
/// part of an answer; the connection is then closed, so the client sees a truncated response rather
/// than a complete-looking one.
final class ProxyResponder: Sendable {
    let routes: Locked<ProxyRouteTable>
    let httpClient: HTTPClient
    let registry: PrometheusCollectorRegistry
    let clock = ContinuousClock()

    init(routes: ProxyRouteTable, httpClient: HTTPClient, registry: PrometheusCollectorRegistry) {
        self.routes = Locked(routes)
        self.httpClient = httpClient
        self.registry = registry
    }

    /// The routes in force.
    var table: ProxyRouteTable { routes.withLock { $0 } }

    /// Replaces the routes, for requests that arrive from now on.
    func replaceRoutes(with table: ProxyRouteTable) {
        routes.withLock { $0 = table }
    }

    // MARK: - One request

    func respond(to request: Request, writer: consuming ResponseWriter, channel: any Channel) async throws {
        let path = request.uri.path
        if path == "/metrics" || path == "/healthz" {
            return try await serveOwn(path, request: request, writer: writer)
        }
        guard request.uri.string.hasPrefix("/") else {  // absolute-form or `*`: this is not a forward proxy
            return try await writer.write(response: Self.badTarget.head, body: Self.badTarget.body)
        }
        let table = self.table
        guard let entry = table.match(path: path) else {
            return try await writer.write(response: Self.notFound.head, body: Self.notFound.body)
        }
        let body: ByteBuffer?
        switch try await Self.readBody(of: request, limit: table.maxBodyBytes) {
        case .complete(let complete):
            body = complete
        case .tooLarge:
            // Answered before the body is read to its end; the connection is closed so that the rest of
            // the body is not read for nothing.
            let response = Self.tooLarge(limit: table.maxBodyBytes)
            try await writer.write(response: response.head, body: response.body)
            try? await channel.close()
            return
        }
        let clientAddress = channel.remoteAddress?.ipAddress
        var upstreamRequest = HTTPClientRequest(url: entry.route.upstream.origin + request.uri.string)
        upstreamRequest.method = HTTPMethod(rawValue: request.method.rawValue)
        upstreamRequest.headers = ProxyHeaders.upstreamRequestHeaders(
            of: request.headers, host: entry.route.upstream.hostHeader, clientAddress: clientAddress)
        if let body { upstreamRequest.body = .bytes(body) }
        let context = resilienceContext(of: request, entry: entry, clientAddress: clientAddress)
        try await forward(upstreamRequest, entry: entry, context: context, writer: writer)
    }

    /// The context of a request: `METHOD /prefix` as its operation name, `X-Priority` as its priority
    /// (unrecognized: `normal`, counted), `X-Client-Id` or the client's address as its client key, and
    /// a ``RetryPermission`` granted to idempotent methods only.
    func resilienceContext(of request: Request, entry: ProxyRouteTable.Entry, clientAddress: String?) -> ResilienceContext {
        var priority = Priority.normal
        if let header = RequestHeaderNames.value(of: RequestHeaderNames.priority, in: request.headers) {
            if let named = Priority(headerValue: header) {
                priority = named
            } else {
                entry.unrecognizedPriorities.increment()
            }
        }
        var context = ResilienceContext(operationName: "\(request.method.rawValue) \(entry.route.prefix)", priority: priority)
        context.metadata[RequestClientKey.self] = RequestHeaderNames.value(of: RequestHeaderNames.clientKey, in: request.headers) ?? clientAddress ?? "unknown"
        let idempotent = HTTPRetryRules.isIdempotent(HTTPMethod(rawValue: request.method.rawValue))
        context.metadata[RetryPermission.self] = RetryPermission(granted: idempotent)
        return context
    }

    /// Sends the request through the route's pipeline (or straight, on a pass-through route) and answers
    /// the client: the upstream's response, or the proxy's own for a rejection or an unreachable upstream.
    func forward(
        _ request: HTTPClientRequest, entry: ProxyRouteTable.Entry, context: ResilienceContext,
        writer: consuming ResponseWriter
    ) async throws {
        // Safe: a pipeline runs its attempts one after the other, each ending before the next starts (an
        // adaptive timeout runs one in a child task while this task waits for it), so the writer is never
        // touched by two tasks at once; the catch below runs after the last attempt ended.
        nonisolated(unsafe) var writer: ResponseWriter? = consume writer
        do {
            if let pipeline = entry.pipeline {
                try await pipeline.execute(context: context) { context in
                    try await self.attempt(request, entry: entry, context: context, writer: &writer)
                }
            } else {
                try await attempt(request, entry: entry, context: context, writer: &writer)
            }
        } catch {
            // The head was written: nothing can be said any more; closing the connection tells the client
            // the response is incomplete.
            guard let writer = writer.take() else { throw error }
            try await answer(error, entry: entry, writer: writer)
        }
    }

    /// One attempt: the upstream's head within the attempt's head deadline (async-http-client's own
    /// deadline: no timer task), a failed status thrown for the policies, any other response streamed.
    func attempt(
        _ request: HTTPClientRequest, entry: ProxyRouteTable.Entry, context: ResilienceContext,
        writer: inout ResponseWriter?
    ) async throws {
        let start = clock.now
        let deadline = try context.deadline(on: clock)
        var headDeadline = deadline
        if let firstByte = entry.firstByte {
            let firstByteDeadline = start.advanced(by: firstByte)
            headDeadline = min(firstByteDeadline, deadline ?? firstByteDeadline)
        }
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: Self.nioDeadline(headDeadline, from: start))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw ResilienceError(code: .timedOut, policyName: entry.policyName ?? "", underlyingError: error)
        }
        guard !HTTPFailureClassifier.isFailure(response.status) else {
            throw FailedResponse(response, decision: FailedResponse.retryHint(of: response).map(RetryDecision.retryAfter) ?? .retry)
        }
        guard let client = writer.take() else { throw ProxyExchangeError.alreadyAnswered }
        context.metadata[RetryPermission.self]?.revoke()
        try await stream(response, to: client, until: deadline, policyName: entry.policyName)
    }

    /// Writes `response` to the client as it arrives: its head, each chunk of its body, its end. A chunk
    /// that arrives at or after `deadline` ends the exchange with `timedOut` (the rest of the policy's
    /// `duration`; a body that stalls is cut by `proxy.readTimeout`).
    ///
    /// A small body of announced length (`Content-Length` up to ``coalescedBodyLimit``) is read whole
    /// first and written with its head in one write: an upstream that announces the length has the body
    /// ready, and one write instead of three (head, body, end) is a third of the system calls of a
    /// typical API response. Anything else — a chunked body, an event stream — is written as it comes.
    func stream(
        _ response: HTTPClientResponse, to client: consuming ResponseWriter, until deadline: ContinuousClock.Instant?,
        policyName: String?
    ) async throws {
        let head = ProxyHeaders.responseHead(of: response)
        if let length = head.headerFields[.contentLength].flatMap({ Int($0) }), length <= Self.coalescedBodyLimit {
            var whole = ByteBuffer()
            for try await chunk in response.body {
                try checkDeadline(deadline, policyName: policyName)
                whole.writeImmutableBuffer(chunk)
            }
            do {
                try await client.write(response: head, body: ResponseBody(byteBuffer: whole))
            } catch {
                throw ProxyExchangeError.clientGone(error)
            }
            return
        }
        var body = try await Self.writeHead(head, to: client)
        for try await chunk in response.body {
            try checkDeadline(deadline, policyName: policyName)
            try await ProxyExchangeError.client { try await body.write(chunk) }
        }
        try await ProxyExchangeError.client { try await body.finish(nil) }
    }

    /// The largest body of announced length that is read whole and written with its head: 64 KiB.
    static let coalescedBodyLimit = 64 * 1024

    /// Throws `timedOut` when `deadline` has passed.
    func checkDeadline(_ deadline: ContinuousClock.Instant?, policyName: String?) throws {
        if let deadline, clock.now >= deadline {
            throw ResilienceError(code: .timedOut, policyName: policyName ?? "")
        }
    }

    /// The proxy's answer to a call that ended without writing a response: the last failed upstream
    /// response unchanged, a rejection's response, 504 for a read timeout, 502 when the upstream could not
    /// be reached. A cancelled call (the client went away) is not answered.
    func answer(_ error: any Error, entry: ProxyRouteTable.Entry, writer: consuming ResponseWriter) async throws {
        switch error {
        case let failed as FailedResponse:
            guard let response = failed.takeResponse() else { throw error }
            try await stream(response, to: writer, until: nil, policyName: entry.policyName)
        case let rejection as ResilienceError:
            let response = ResilienceRejectionResponse.response(
                code: rejection.code.description, policyName: entry.policyName, retryAfter: rejection.retryAfter)
            try await writer.write(response: response.head, body: response.body)
        case is CancellationError, is ProxyExchangeError:
            throw error
        case let error as HTTPClientError where error == .cancelled:
            throw error
        case let error as HTTPClientError where error == .readTimeout:
            let response = ResilienceRejectionResponse.response(
                code: ResilienceError.Code.timedOut.description, policyName: entry.policyName, retryAfter: nil)
            try await writer.write(response: response.head, body: response.body)
        default:
            let response = ResilienceRejectionResponse.response(
                code: ResilienceRejectionResponse.upstreamUnavailable, policyName: entry.policyName, retryAfter: nil)
            try await writer.write(response: response.head, body: response.body)
        }
    }

    /// Writes the response head; a failure is the client's (``ProxyExchangeError/clientGone(_:)``).
    static func writeHead(
        _ head: HTTPResponse, to client: consuming ResponseWriter
    ) async throws -> some ResponseBodyWriter {
        do {
            return try await client.writeHead(head)
        } catch {
            throw ProxyExchangeError.clientGone(error)
        }
    }

    // MARK: - The proxy's own paths

    /// `GET /metrics` (the Prometheus text exposition) and `GET /healthz` (200); other methods: 405.
    func serveOwn(_ path: String, request: Request, writer: consuming ResponseWriter) async throws {
        guard request.method == .get || request.method == .head else {
            let response = Response(
                status: .methodNotAllowed, headers: [.allow: "GET, HEAD", .contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "\(path) answers GET and HEAD\n")))
            return try await writer.write(response: response.head, body: response.body)
        }
        let response: Response
        if path == "/metrics" {
            var bytes: [UInt8] = []
            registry.emit(into: &bytes)
            response = Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        } else {
            response = Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        try await writer.write(response: response.head, body: request.method == .head ? ResponseBody() : response.body)
    }

    // MARK: - Helpers

    static let notFound = Response(
        status: .notFound, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"error\": \"noRoute\"}")))

    static let badTarget = Response(
        status: .badRequest, headers: [.contentType: "application/json"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"error\": \"requestTargetNotAPath\"}")))

    static func tooLarge(limit: Int) -> Response {
        Response(
            status: .contentTooLarge, headers: [.contentType: "application/json", .connection: "close"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: "{\"error\": \"bodyTooLarge\", \"maxBodyBytes\": \(limit)}")))
    }

    /// What reading a request's body found.
    enum BodyRead {
        /// The whole body (`nil`: none), within the limit.
        case complete(ByteBuffer?)
        /// More than the limit: by its `Content-Length`, before reading, or as it was read.
        case tooLarge
    }

    /// Reads the request's body into one buffer, up to `limit` bytes.
    static func readBody(of request: Request, limit: Int) async throws -> BodyRead {
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit { return .tooLarge }
        var collected: ByteBuffer?
        for try await chunk in request.body {
            let size = (collected?.readableBytes ?? 0) + chunk.readableBytes
            guard size <= limit else { return .tooLarge }
            if collected == nil { collected = chunk } else { collected!.writeImmutableBuffer(chunk) }
        }
        return .complete(collected)
    }

    /// async-http-client's deadline for `deadline` (an instant of the proxy's clock), or none.
    static func nioDeadline(_ deadline: ContinuousClock.Instant?, from start: ContinuousClock.Instant) -> NIODeadline {
        guard let deadline else { return .distantFuture }
        return .fromNow(start.duration(to: deadline))
    }
}

/// Why an exchange ended without a response from the proxy: the client went away, or (a defect) a
/// second attempt found the response already written. Not the upstream's failure: the breaker ignores it.
enum ProxyExchangeError: Error, NotADependencyFailure {
    /// Writing to the client failed: it closed its connection.
    case clientGone(any Error)
    /// An attempt found the response head already written (retries stop at the head, so this is a defect).
    case alreadyAnswered

    /// Runs a write to the client, reporting its failure as ``clientGone(_:)``.
    static func client<T>(_ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch {
            throw ProxyExchangeError.clientGone(error)
        }
    }
}
