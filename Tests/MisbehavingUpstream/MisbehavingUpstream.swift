import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback HTTP/1.1 server that misbehaves on purpose, for tests of HTTP clients, middleware and proxies.
///
/// ```swift
/// let upstream = try await MisbehavingUpstream.start(routes: [
///     "/flaky": .flapping(failures: 3, successes: 2),
///     "/throttled": .retryAfter(status: 429, .seconds(1)),
/// ])
/// defer { Task { try await upstream.shutdown() } }       // or: try await upstream.shutdown() at the end
/// let url = upstream.url("/flaky")                       // http://127.0.0.1:<port>/flaky
/// upstream.setBehaviour(.status(500), for: "/flaky")     // change it while it runs
/// #expect(upstream.requestCount(path: "/flaky") == 5)    // what reached it
/// #expect(upstream.maxConcurrentRequests <= 4)           // never more in flight than that
/// ```
///
/// - **Behaviours** (``UpstreamBehaviour``): healthy 200, any status (500s, 404, ...), slow (delay before the
///   head and between body chunks), connection reset (TCP RST after reading the request), 429 and 503 with
///   `Retry-After` (delay-seconds or an HTTP-date, and a `Date` field), flapping (fail N, succeed M, over
///   and over), and a streamed chunked body. One per path (the path without its query), and a default for
///   other paths; all changeable at run time.
/// - **What it saw**: every request (method, path, arrival instant on `ContinuousClock`, body size), per-path
///   counts, the requests in flight and their maximum — a request is in flight from the arrival of its
///   head until the server starts writing the end of its response (or its connection closes), so a
///   client-side bound on requests in flight is never below what this counts — and how many responses it
///   completed.
/// - **Where**: bound to 127.0.0.1 on a port the system chooses (``port``); one event loop thread of its own.
///   Loopback only: nothing leaves the machine.
///
/// Shut it down with ``shutdown()`` at the end of each test.
public final class MisbehavingUpstream: Sendable {
    /// The port it listens on, on 127.0.0.1.
    public let port: Int
    let state: UpstreamState
    let channel: any Channel
    let group: MultiThreadedEventLoopGroup

    init(port: Int, state: UpstreamState, channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.port = port
        self.state = state
        self.channel = channel
        self.group = group
    }

    /// Starts a server on 127.0.0.1, on a port the system chooses.
    /// - Parameters:
    ///   - defaultBehaviour: how it answers a path without a route of its own. Default: healthy.
    ///   - routes: behaviours by path (`/slow`, without a query).
    public static func start(
        defaultBehaviour: UpstreamBehaviour = .healthy, routes: [String: UpstreamBehaviour] = [:]
    ) async throws -> MisbehavingUpstream {
        let state = UpstreamState(defaultBehaviour: defaultBehaviour, routes: routes)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 256)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(UpstreamHandler(state: state))
                    }
                }
                .bind(host: "127.0.0.1", port: 0)
                .get()
            guard let port = channel.localAddress?.port else {
                try await channel.close()
                throw ChannelError.unknownLocalAddress
            }
            return MisbehavingUpstream(port: port, state: state, channel: channel, group: group)
        } catch {
            try await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening, closes every connection, and stops its thread.
    public func shutdown() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// The URL of `path` (which starts with `/`) on this server.
    public func url(_ path: String) -> String { baseURL + path }

    /// The host key a client sees for this server: `127.0.0.1:<port>`.
    public var hostAndPort: String { "127.0.0.1:\(port)" }

    /// Answers requests to `path` with `behaviour` from now on.
    public func setBehaviour(_ behaviour: UpstreamBehaviour, for path: String) {
        state.values.withLockedValue { $0.routes[path] = behaviour }
    }

    /// Answers requests to paths without a route of their own with `behaviour` from now on.
    public func setDefaultBehaviour(_ behaviour: UpstreamBehaviour) {
        state.values.withLockedValue { $0.defaultBehaviour = behaviour }
    }

    /// Every request received so far, in order of arrival.
    public var requests: [UpstreamRequest] { state.values.withLockedValue { $0.requests } }

    /// The requests received so far to `path`, in order of arrival.
    public func requests(path: String) -> [UpstreamRequest] { requests.filter { $0.path == path } }

    /// How many requests were received so far, all paths together.
    public var requestCount: Int { state.values.withLockedValue { $0.requests.count } }

    /// How many requests to `path` were received so far.
    public func requestCount(path: String) -> Int { state.values.withLockedValue { $0.requestsPerPath[path] ?? 0 } }

    /// Requests in flight now.
    public var requestsInFlight: Int { state.values.withLockedValue { $0.inFlight } }

    /// The most requests that were in flight at once so far.
    public var maxConcurrentRequests: Int { state.values.withLockedValue { $0.maxInFlight } }

    /// How many responses were written to their end so far.
    public var completedResponses: Int { state.values.withLockedValue { $0.completedResponses } }

    /// How many connections were reset on purpose (``UpstreamBehaviour/reset``).
    public var resets: Int { state.values.withLockedValue { $0.resets } }

    /// Forgets the requests received and the maximum in flight (requests in flight now stay counted).
    public func resetCounters() {
        state.values.withLockedValue { values in
            values.requests = []
            values.requestsPerPath = [:]
            values.maxInFlight = values.inFlight
            values.completedResponses = 0
            values.resets = 0
        }
    }
}
