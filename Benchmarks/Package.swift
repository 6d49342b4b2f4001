// swift-tools-version:6.2
// Benchmarks for swift-resilience, kept in their own package so that the library itself does not
// depend on ordo-one/benchmark. Run from this directory:
//
//     swift package --disable-sandbox benchmark
//     swift package --disable-sandbox benchmark thresholds check   # fails if a hot path allocates
import PackageDescription

import struct Foundation.URL

/// The identity SwiftPM gives the root package, which this package depends on by path (`..`).
///
/// SwiftPM names a path dependency after the last component of its directory, not after the
/// `name:` in its manifest, so the identity is whatever the repository was cloned as (`main` in one
/// work tree, something else in CI's fresh clone). It is computed here from this manifest's own path.
/// SwiftPM matches `.product(name:package:)` against identities case-insensitively, so no lowercasing
/// is needed.
let rootPackage = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // .../Benchmarks
    .deletingLastPathComponent()  // the repository root
    .lastPathComponent

let package = Package(
    name: "swift-resilience-benchmarks",
    platforms: [.macOS(.v26)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // HTTPClientBenchmarks: plain async-http-client against ResilientHTTPClient, and a local server for both.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.3"),
        // HummingbirdBenchmarks: a Hummingbird router with and without ResilienceMiddleware (as the root: no trait),
        // and the logger its request context must carry.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "BenchmarkSupport",
            dependencies: [.product(name: "Benchmark", package: "benchmark")],
            path: "Benchmarks/BenchmarkSupport",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "CircuitBreakerBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: rootPackage),
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/CircuitBreakerBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "RetryBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: rootPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RetryBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TimeoutBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: rootPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TimeoutBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "AdmissionBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: rootPackage),
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/AdmissionBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ConfigurationBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: rootPackage),
                .product(name: "ResilienceConfiguration", package: rootPackage),
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/ConfigurationBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SimulatorBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: rootPackage),
                .product(name: "ResilienceLab", package: rootPackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/SimulatorBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HTTPClientBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: rootPackage),
                .product(name: "ResilienceHTTPClient", package: rootPackage),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/HTTPClientBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "HummingbirdBenchmarks",
            dependencies: [
                .product(name: "Resilience", package: rootPackage),
                .product(name: "ResilienceHummingbird", package: rootPackage),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Benchmark", package: "benchmark"),
                "BenchmarkSupport",
            ],
            path: "Benchmarks/HummingbirdBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
