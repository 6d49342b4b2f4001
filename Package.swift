// swift-tools-version:6.2
import PackageDescription

let strictSwift6: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-resilience",
    // Duration.attoseconds and Int128 (used for exact time arithmetic) need the Swift 6.2 runtime.
    platforms: [.macOS(.v26)],
    products: [
        .library(name: "Resilience", targets: ["Resilience"]),
        .library(name: "ResilienceConfiguration", targets: ["ResilienceConfiguration"]),
        .library(name: "ResilienceHummingbird", targets: ["ResilienceHummingbird"]),
        .library(name: "ResilienceChaos", targets: ["ResilienceChaos"]),
        .library(name: "ResilienceLab", targets: ["ResilienceLab"]),
        .executable(name: "resilience-lab", targets: ["resilience-lab"]),
        .library(name: "ResilienceHTTPClient", targets: ["ResilienceHTTPClient"]),
        // A sidecar that protects any upstream with no code change (a configuration file: routes and policies).
        .executable(name: "resilience-proxy", targets: ["resilience-proxy"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        // A span per execution of a named pipeline, with the policies' decisions as span events.
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // ResilienceHummingbird: router middleware. No trait: its swift-configuration integration is not used.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // HTTPField and ByteBuffer, which Hummingbird's API uses (already in the graph through it); SwiftNIO also
        // serves MisbehavingUpstream, the loopback test server.
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        // resilience-proxy's /metrics, and the exact Prometheus exposition of the policies' metrics
        // (ResiliencePrometheusTests).
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // Environment variables, precedence, access reporting and reloading of ResilienceConfiguration. Only the
        // reloading machinery is enabled: files are parsed by the module's own JSON and YAML readers (swift-configuration's
        // drop JSON null and reject lists of mappings).
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["Reloading"]),
        // FilePath, which swift-configuration's file providers take (already in the graph through it).
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // `swift package generate-documentation` (the DocC catalog in Sources/Resilience/Resilience.docc).
        // A command plugin: it builds nothing unless that command is run.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
        // ResilienceHTTPClient: the resilient client over async-http-client (its own product: the core pays nothing).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        .target(
            name: "Resilience",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                // FIFO and LIFO waiter queues of the bulkhead, rate limiter and concurrency limiter.
                .product(name: "DequeModule", package: "swift-collections"),
                // The background sampler of pressure signals (CPU, memory) for load shedding.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift6
        ),
        // Fault, latency, outcome and behaviour injection (Polly's Simmy): pipeline strategies, no HTTP.
        .target(
            name: "ResilienceChaos",
            dependencies: [
                "Resilience",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "ResilienceConfiguration",
            dependencies: [
                "Resilience",
                "ResilienceChaos",
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "SystemPackage", package: "swift-system"),
                // YAML files: Yams' node tree is converted into the JSONValue that FieldReader checks.
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "ResilienceHummingbird",
            dependencies: [
                "Resilience",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSwift6
        ),
        .target(
            name: "ResilienceLab",
            dependencies: [
                "Resilience",
                "ResilienceConfiguration",
                // Latency percentiles of the simulator (LatencyRecorder).
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                // The simulator's events that come in no fixed order (EventCalendar).
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "resilience-lab",
            dependencies: [
                "ResilienceLab",
                "ResilienceConfiguration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            resources: [.copy("ExampleIncident")],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "ResilienceTests",
            dependencies: [
                "Resilience",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "ResilienceHummingbirdTests",
            dependencies: [
                "ResilienceHummingbird", "Resilience",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        // The policies' metrics rendered by swift-prometheus, exactly (a backend users deploy).
        .testTarget(
            name: "ResiliencePrometheusTests",
            dependencies: [
                "Resilience",
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "ResilienceChaosTests",
            dependencies: [
                "ResilienceChaos", "Resilience",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "resilience-labTests",
            dependencies: ["resilience-lab", "ResilienceConfiguration", "Resilience"],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "ResilienceConfigurationTests",
            dependencies: [
                "ResilienceConfiguration", "Resilience",
                "ResilienceChaos",
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "Configuration", package: "swift-configuration"),
            ],
            swiftSettings: strictSwift6
        ),
        // Every Swift block of the README and the DocC articles, extracted by Scripts/extract-snippets.swift:
        // `swift test` compiles them as written, and runs those that take no argument.
        .testTarget(
            name: "DocumentationSnippetTests",
            dependencies: [
                "Resilience", "ResilienceConfiguration",
                "ResilienceHummingbird",
                .product(name: "Hummingbird", package: "hummingbird"),
                "ResilienceChaos",
                "ResilienceHTTPClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        // A resilient HTTP client: a pipeline per host (retry ▸ circuit breaker ▸ deadline ▸ bulkhead) over async-http-client.
        .target(
            name: "ResilienceHTTPClient",
            dependencies: [
                "Resilience",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: strictSwift6
        ),
        // A loopback HTTP server that misbehaves on purpose (500s, slowness, resets, Retry-After, flapping, streams);
        // shared by the HTTP client's, the Hummingbird middleware's and the proxy's tests. Not a product.
        .target(
            name: "MisbehavingUpstream",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                // NIOLockedValueBox: a pthread lock ThreadSanitizer sees (Synchronization's Mutex it does not).
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/MisbehavingUpstream",
            swiftSettings: strictSwift6
        ),
        // MisbehavingUpstream as a process, for .ci/proxy-contract: behaviours from options, control through standard
        // input. Not a product.
        .executableTarget(
            name: "misbehaving-upstream",
            dependencies: [
                "MisbehavingUpstream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Tests/MisbehavingUpstreamServer",
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "ResilienceHTTPClientTests",
            dependencies: [
                "ResilienceHTTPClient", "Resilience", "MisbehavingUpstream",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        // resilience-proxy's library: its configuration, routes and server (on HummingbirdCore, forwarding with
        // async-http-client through pipelines from ResilienceConfiguration). Not a product: the executable is.
        .target(
            name: "ResilienceProxy",
            dependencies: [
                "Resilience", "ResilienceConfiguration", "ResilienceHummingbird", "ResilienceHTTPClient",
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSwift6
        ),
        .executableTarget(
            name: "resilience-proxy",
            dependencies: [
                "ResilienceProxy", "ResilienceConfiguration",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "ResilienceProxyTests",
            dependencies: [
                "ResilienceProxy", "Resilience", "ResilienceConfiguration", "MisbehavingUpstream",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift6
        ),
        .testTarget(
            name: "ResilienceLabTests",
            dependencies: [
                "ResilienceLab", "ResilienceConfiguration", "Resilience",
                .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strictSwift6
        ),
    ]
)
