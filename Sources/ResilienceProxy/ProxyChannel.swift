import HummingbirdCore
import Logging
import NIOCore

/// HummingbirdCore's HTTP/1.1 channel, plus what a proxy needs: a client that closes its connection
/// cancels the task serving it, so the upstream call it was waiting for is cancelled too
/// (async-http-client cancels a request whose task is cancelled) and the policies see a cancellation,
/// which they do not count against the upstream.
///
/// One child task per connection watches the connection's close; nothing per request.
struct ProxyChannel: ServerChildChannel {
    let http: HTTP1Channel

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<HTTP1Channel.Value> {
        http.setup(channel: channel, logger: logger)
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
