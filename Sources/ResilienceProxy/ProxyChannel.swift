import HummingbirdCore
import Logging
import NIOCore

/// HummingbirdCore's HTTP/1.1 channel, plus what a proxy needs: a client that goes away cancels the task
/// serving it, so the upstream call it was waiting for is cancelled too (async-http-client cancels a
/// request whose task is cancelled) and the policies see a cancellation, which they do not count against
/// the upstream.
///
/// "Goes away" is the connection closing, or the client closing its sending side: HummingbirdCore allows
/// half-closed connections, where a client's end of input would otherwise go unnoticed while the
/// response is awaited. As nginx does (`proxy_ignore_client_abort off`), the proxy treats it as the
/// client abandoning the request.
///
/// One child task per connection watches the connection's close; nothing per request.
struct ProxyChannel: ServerChildChannel {
    let http: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http.setup(channel: channel, logger: logger).flatMapThrowing { value in
            // First in the pipeline, so that the HTTP handlers cannot hold the event back.
            try channel.pipeline.syncOperations.addHandler(ClientInputClosedHandler(), position: .first)
            return value
        }
    }

    func handle(value: HTTP1Channel.Value, logger: Logger) async {
        await withDiscardingTaskGroup { group in
            group.addTask { await http.handle(value: value, logger: logger) }
            // Completes when the connection is closed, by either side; serving it ends then anyway.
            try? await value.channel.closeFuture.get()
            group.cancelAll()
        }
    }
}

/// Closes the connection when the client closes its sending side.
final class ClientInputClosedHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}
