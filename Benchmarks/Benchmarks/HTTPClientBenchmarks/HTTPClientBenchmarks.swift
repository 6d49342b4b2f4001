// What ResilientHTTPClient adds to a GET through async-http-client, against a local server:
//
//     cd Benchmarks && swift package --disable-sandbox benchmark --target HTTPClientBenchmarks
//
// Each sample is one GET of a 2-byte body over a kept-alive loopback connection, the body read to its end.
// The malloc counter counts the whole process — async-http-client's event loop, the server's, the
// caller's task — so a row's count is not the client's alone; what the same server answers the same way
// in both rows, so the difference between the rows is what the resilient client adds.
//
// - "Plain AHC": `HTTPClient.execute(_:deadline:)` and `body.collect(upTo:)`.
// - "ResilientHTTPClient": the same request through a client with the default host policies (retry,
//   breaker, 30 s timeout as AHC's deadline, a bulkhead of 25), no metrics backend, no tracer.

@preconcurrency import Benchmark
import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Resilience
import ResilienceHTTPClient

/// Answers every request with `200 OK` and the body `ok`, keeping the connection alive.
final class OKHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "2")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// A server on 127.0.0.1, on a port the system chooses; it lives as long as the benchmark process.
let server: (port: Int, group: MultiThreadedEventLoopGroup) = {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let channel = try! ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                try channel.pipeline.syncOperations.addHandler(OKHandler())
            }
        }
        .bind(host: "127.0.0.1", port: 0).wait()
    return (channel.localAddress!.port!, group)
}()

func measure(_ benchmark: Benchmark, _ call: () async throws -> Int) async throws {
    for _ in 0..<10 { blackHole(try await call()) }  // the connection, the host's policies, the pools
    benchmark.startMeasurement()
    for _ in benchmark.scaledIterations {
        blackHole(try await call())
    }
    benchmark.stopMeasurement()
}

let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .microseconds,
        warmupIterations: 200,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 20_000
    )
    let url = "http://127.0.0.1:\(server.port)/"
    let httpClient = HTTPClient.shared
    let resilient = ResilientHTTPClient(name: "bench", httpClient: httpClient)

    Benchmark("GET, plain AHC", configuration: configuration) { benchmark in
        try await measure(benchmark) {
            let response = try await httpClient.execute(HTTPClientRequest(url: url), deadline: .now() + .seconds(30))
            return try await response.body.collect(upTo: 1 << 16).readableBytes
        }
    }

    Benchmark("GET, ResilientHTTPClient", configuration: configuration) { benchmark in
        try await measure(benchmark) {
            let response = try await resilient.execute(HTTPClientRequest(url: url))
            return try await response.body.collect(upTo: 1 << 16).readableBytes
        }
    }
}
