// swift-tools-version:6.2
// The project's examples: one package, one executable target per example, so that their heavy
// dependencies (Hummingbird, swift-prometheus) are resolved and built once for all of them.
// Not part of the library's package: `swift build` at the repository root never sees this directory.
import PackageDescription

let strictSwift6: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-resilience-examples",
    // As the library: Duration.attoseconds and Int128 need the Swift 6.2 runtime.
    platforms: [.macOS(.v26)],
    dependencies: [
        // By path: the examples build against this checkout of the library (whatever its directory is called).
        .package(name: "swift-resilience", path: ".."),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // No default traits: the swift-configuration integration and full Foundation are not needed here.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
    ],
    targets: [
        // A Hummingbird server that runs a fake dependency through retry ▸ breaker ▸ timeout ▸ bulkhead
        // and serves the policies' metrics on /metrics (Examples/observability-demo/README.md).
        .executableTarget(
            name: "observability-demo",
            dependencies: [
                .product(name: "Resilience", package: "swift-resilience"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: strictSwift6
        ),
    ]
)
