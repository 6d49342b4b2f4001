import AsyncHTTPClient
import Foundation
import Logging
import MisbehavingUpstream
import NIOCore
import NIOHTTP1
import ResilienceProxy
import ServiceLifecycle
import Testing

/// A running proxy under test: its base URL, its configuration file, and the upstream behind it.
struct RunningProxy {
    let baseURL: String
    let file: String
    let upstream: MisbehavingUpstream
    let client: HTTPClient
    let group: ServiceGroup

    /// Sends `method` to `path` through the proxy; returns the status, the headers and the whole body.
    func send(
        _ path: String, method: HTTPMethod = .GET, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> (status: Int, headers: HTTPHeaders, body: String) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await client.execute(request, timeout: .seconds(20))
        let text = String(buffer: try await response.body.collect(upTo: 4 << 20))
        return (Int(response.status.code), response.headers, text)
    }

    /// Rewrites the configuration file (the reloader polls it every 100 ms in tests).
    func rewrite(_ yaml: String) throws {
        try yaml.write(toFile: file, atomically: false, encoding: .utf8)
    }
}

/// The configuration file `yaml` with `UPSTREAM` replaced by the upstream's base URL.
func proxyConfiguration(_ yaml: String, upstream: MisbehavingUpstream) -> String {
    yaml.replacingOccurrences(of: "UPSTREAM", with: upstream.baseURL)
}

/// Runs `body` with a ``MisbehavingUpstream`` and a `ResilienceProxy` configured by `yaml` (where
/// `UPSTREAM` stands for the upstream's base URL and `listen` should be `127.0.0.1:0`), then shuts both
/// down gracefully, also when `body` throws.
func withProxy(
    _ yaml: String, upstreamRoutes: [String: UpstreamBehaviour] = [:], defaultBehaviour: UpstreamBehaviour = .healthy,
    _ body: (RunningProxy) async throws -> Void
) async throws {
    let upstream = try await MisbehavingUpstream.start(defaultBehaviour: defaultBehaviour, routes: upstreamRoutes)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("proxy-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let file = directory.appendingPathComponent("proxy.yaml").path
    try proxyConfiguration(yaml, upstream: upstream).write(toFile: file, atomically: false, encoding: .utf8)
    let settings = try ProxySettings.read(file: file, environment: [:])
    let (addresses, continuation) = AsyncStream.makeStream(of: ProxyListenAddress.self)
    var logger = Logger(label: "proxy-test")
    logger.logLevel = .error
    let proxy = try ResilienceProxy(
        settings: settings, file: file, environment: [:], reloadPollInterval: .milliseconds(100), logger: logger,
        onListening: { continuation.yield($0) })
    let group = ServiceGroup(configuration: .init(services: [.init(service: proxy)], logger: logger))
    let running = Task { try await group.run() }
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init())
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await running.value
        try? await client.shutdown()
        try? await upstream.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }
    var iterator = addresses.makeAsyncIterator()
    guard let address = await iterator.next() else {
        await stop()
        Issue.record("the proxy never listened")
        return
    }
    do {
        try await body(RunningProxy(
            baseURL: "http://127.0.0.1:\(address.port)", file: file, upstream: upstream, client: client, group: group))
    } catch {
        await stop()
        throw error
    }
    await stop()
}

/// Polls `condition` every 20 ms until it holds; records an issue after `timeout`.
func waitUntil(
    timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("the condition did not hold within \(timeout)", sourceLocation: sourceLocation)
}
