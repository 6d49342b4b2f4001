import NIOCore
import NIOHTTP1
import NIOPosix

#if canImport(FoundationEssentials)
import struct FoundationEssentials.Date
#else
import struct Foundation.Date
#endif

/// Answers the requests of one connection as ``UpstreamState`` says. Runs on the connection's event loop
/// only (every delayed step is scheduled on it), so its stored properties need no lock.
final class UpstreamHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let state: UpstreamState
    /// The request being answered: its head, its path, and whether it still counts as in flight.
    var current: (head: HTTPRequestHead, path: String, behaviour: UpstreamBehaviour, index: Int)?
    var inFlight = false

    init(state: UpstreamState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let path = String(head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
            let (behaviour, index) = state.received(method: head.method.rawValue, path: path, at: .now)
            current = (head, path, behaviour, index)
            inFlight = true
        case .body(let buffer):
            if let current { state.receivedBody(bytes: buffer.readableBytes, path: current.path) }
        case .end:
            guard let current else { return }
            answer(current.head, behaviour: current.behaviour, index: current.index, context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(completed: false)
        context.fireChannelInactive()
    }

    /// The request stops counting as in flight (once).
    func finish(completed: Bool) {
        guard inFlight else { return }
        inFlight = false
        current = nil
        state.finished(completed: completed)
    }

    func answer(_ head: HTTPRequestHead, behaviour: UpstreamBehaviour, index: Int, context: ChannelHandlerContext) {
        switch behaviour {
        case .healthy:
            respond(head, status: 200, body: "ok", context: context)
        case .status(let code):
            respond(head, status: code, body: "status \(code)", context: context)
        case .slow(let headDelay, let chunks, let chunkDelay):
            let texts = (1...max(chunks, 1)).map { "chunk \($0)\n" }
            after(headDelay, context: context) { handler in
                handler.stream(head, chunks: texts, interval: chunkDelay, contentType: "text/plain", context: context)
            }
        case .reset:
            state.didReset()
            finish(completed: false)
            // SO_LINGER with a zero timeout makes close() send a RST instead of a FIN.
            if let provider = context.channel as? any SocketOptionProvider {
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).assumeIsolated().whenComplete { _ in
                    context.close(promise: nil)
                }
            } else {
                context.close(promise: nil)
            }
        case .retryAfter(let code, let value):
            let now = Int64(Date().timeIntervalSince1970.rounded(.down))
            var headers = HTTPHeaders()
            headers.add(name: "Date", value: IMFFixdate.format(secondsSince1970: now))
            switch value {
            case .seconds(let seconds): headers.add(name: "Retry-After", value: "\(seconds)")
            case .dateAfter(let seconds):
                headers.add(name: "Retry-After", value: IMFFixdate.format(secondsSince1970: now + Int64(seconds)))
            case .raw(let text): headers.add(name: "Retry-After", value: text)
            }
            respond(head, status: code, body: "status \(code)", extraHeaders: headers, context: context)
        case .flapping(let failures, let successes, let failureStatus):
            if index % max(failures + successes, 1) < failures {
                respond(head, status: failureStatus, body: "status \(failureStatus)", context: context)
            } else {
                respond(head, status: 200, body: "ok", context: context)
            }
        case .stream(let chunks, let interval):
            stream(head, chunks: chunks, interval: interval, contentType: "text/event-stream", context: context)
        case .sequence(let behaviours):
            answer(head, behaviour: behaviours.isEmpty ? .healthy : behaviours[min(index, behaviours.count - 1)],
                index: index, context: context)
        }
    }

    /// A response with a fixed body.
    func respond(
        _ request: HTTPRequestHead, status: Int, body: String, extraHeaders: HTTPHeaders = [:],
        context: ChannelHandlerContext
    ) {
        var headers = extraHeaders
        headers.add(name: "Content-Length", value: "\(body.utf8.count)")
        headers.add(name: "Content-Type", value: "text/plain")
        let head = HTTPResponseHead(version: request.version, status: HTTPResponseStatus(statusCode: status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        finish(completed: true)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// A chunked `200 OK`: the head and the first chunk at once, each next chunk `interval` later.
    func stream(
        _ request: HTTPRequestHead, chunks: [String], interval: Duration, contentType: String,
        context: ChannelHandlerContext
    ) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Transfer-Encoding", value: "chunked")
        context.writeAndFlush(
            wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: .ok, headers: headers))), promise: nil)
        writeChunks(chunks[...], interval: interval, context: context)
    }

    func writeChunks(_ chunks: ArraySlice<String>, interval: Duration, context: ChannelHandlerContext) {
        guard context.channel.isActive, inFlight else { return }
        guard let first = chunks.first else {
            finish(completed: true)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        context.writeAndFlush(
            wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: first)))), promise: nil)
        let rest = chunks.dropFirst()
        if rest.isEmpty {
            finish(completed: true)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            after(interval, context: context) { handler in handler.writeChunks(rest, interval: interval, context: context) }
        }
    }

    /// Runs `step` on the connection's event loop after `delay` (at once for zero), unless the connection
    /// closed meanwhile.
    func after(_ delay: Duration, context: ChannelHandlerContext, _ step: @escaping (UpstreamHandler) -> Void) {
        guard delay > .zero else { return step(self) }
        let nanoseconds = Int64(delay.components.seconds) * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) {
            guard context.channel.isActive else { return }
            step(self)
        }
    }
}
