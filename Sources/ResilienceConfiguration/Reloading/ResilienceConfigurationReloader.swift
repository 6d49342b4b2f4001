import Configuration
import Foundation
import Logging
import Metrics
import Resilience
import ServiceLifecycle
import SystemPackage

/// Hot reload: watches a service's configuration files with swift-configuration's
/// `ReloadingFileProvider` (a check every `pollInterval` and on `SIGHUP`, reloading when a file's
/// modification time changes) and applies each change to a ``ResiliencePolicies``, keeping the
/// policies' state. Run it in the service's `ServiceGroup`:
///
/// ```swift
/// let files = ["resilience.yaml"]
/// let policies = try ResiliencePolicies(files: files)
/// let reloader = ResilienceConfigurationReloader(policies: policies, files: files, logger: logger)
/// let group = ServiceGroup(services: [server, reloader], logger: logger)
/// try await group.run()
/// ```
///
/// Each change is read like the first configuration (the files with the process environment, which
/// does not change), checked whole, and applied whole (``ResiliencePolicies/apply(_:)``). A change
/// that is invalid (a syntax error, a bad value, a typo) is **rejected whole**: the policies run on
/// with the configuration they had, every problem is logged at `error`, and
/// `resilience_configuration_reload_failures_total` counts it; `resilience_configuration_reloads_total`
/// counts the changes applied. A file deleted while the service runs is not a change: the provider
/// keeps its last contents (and logs that at `debug`).
public final class ResilienceConfigurationReloader<C: Clock>: Service, Sendable where C.Duration == Duration {
    let policies: ResiliencePolicies<C>
    let files: [String]
    let environment: [String: String]
    let profile: ResilienceProfile?
    let pollInterval: Duration
    let logger: Logger
    let metricsFactory: any MetricsFactory
    let reloads: Counter
    let failures: Counter
    /// The latest snapshot of each file, by index.
    let latest: Locked<[ResilienceFileSnapshot?]>
    /// Applies the files' contents, whole: returns whether anything changed, or throws every problem
    /// (then nothing changed).
    let applyChange: Change

    /// How a reloader applies a change: read the documents, apply them whole and return whether
    /// anything changed, or throw every problem having changed nothing.
    package typealias Change = @Sendable ([ConfigurationDocument]) throws(ConfigurationProblems) -> Bool

    /// A reloader of `files` into `policies`.
    /// - Parameters:
    ///   - policies: the policies to reconfigure; each applied change goes through ``ResiliencePolicies/apply(_:)``.
    ///   - files: the configuration files, in the order ``ResilienceSettings/read(files:environment:profile:)`` reads them.
    ///   - environment: the environment read with each change; the process's by default.
    ///   - profile: the profile option, if the service has one.
    ///   - pollInterval: how often the files are checked; 15 s by default.
    ///   - logger: where rejected changes are logged (`error`) and applied ones (`info`).
    ///   - metricsFactory: where the two counters go; by default the bootstrapped factory.
    public convenience init(
        policies: ResiliencePolicies<C>,
        files: [String],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        profile: ResilienceProfile? = nil,
        pollInterval: Duration = .seconds(15),
        logger: Logger = Logger(label: "resilience.configuration"),
        metricsFactory: (any MetricsFactory)? = nil
    ) {
        self.init(
            policies: policies, files: files, environment: environment, profile: profile, pollInterval: pollInterval,
            logger: logger, metricsFactory: metricsFactory
        ) { (documents) throws(ConfigurationProblems) -> Bool in
            let settings = try ResilienceSettings.read(documents: documents, environment: environment, profile: profile)
            guard settings != policies.settings else { return false }
            try policies.apply(settings)
            return true
        }
    }

    /// A reloader that applies each change with `applyChange`, for a service whose files hold more than
    /// its policies (`resilience-proxy`'s routes): the files are watched, and changes counted and
    /// logged, as for the policies alone.
    package init(
        policies: ResiliencePolicies<C>,
        files: [String],
        environment: [String: String],
        profile: ResilienceProfile?,
        pollInterval: Duration,
        logger: Logger,
        metricsFactory: (any MetricsFactory)?,
        applying applyChange: @escaping Change
    ) {
        self.applyChange = applyChange
        self.policies = policies
        self.files = files
        self.environment = environment
        self.profile = profile
        self.pollInterval = pollInterval
        self.logger = logger
        let factory = metricsFactory ?? MetricsSystem.factory
        self.metricsFactory = factory
        reloads = Counter(label: "resilience_configuration_reloads_total", factory: factory)
        failures = Counter(label: "resilience_configuration_reload_failures_total", factory: factory)
        latest = Locked(Array(repeating: nil, count: files.count))
    }

    /// Watches the files until the service group shuts down (gracefully, or by cancellation).
    /// - Throws: when a file cannot be watched at all (it is missing when the service starts).
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.watch() }
        } catch is CancellationError {
            return  // shutting down: nothing to finish
        }
    }

    /// Watches the files until the task is cancelled.
    func watch() async throws {
        var providers: [ReloadingFileProvider<ResilienceFileSnapshot>] = []
        for file in files {
            providers.append(try await ReloadingFileProvider<ResilienceFileSnapshot>(
                parsingOptions: .init(file: file), filePath: FilePath(file), pollInterval: pollInterval,
                logger: logger, metrics: metricsFactory))
        }
        try await withThrowingDiscardingTaskGroup { group in
            for (index, provider) in providers.enumerated() {
                group.addTask { try await provider.run() }
                group.addTask {
                    try await provider.watchSnapshot { updates in
                        for await snapshot in updates {
                            guard let snapshot = snapshot as? ResilienceFileSnapshot else { continue }
                            self.received(snapshot, at: index)
                        }
                    }
                }
            }
        }
    }

    /// Notes the latest snapshot of file `index`; once every file has one, applies what they say if it
    /// differs from what runs.
    func received(_ snapshot: ResilienceFileSnapshot, at index: Int) {
        let documents: [ConfigurationDocument]? = latest.withLock { latest in
            latest[index] = snapshot
            let all = latest.compactMap { $0?.document }
            return all.count == latest.count ? all : nil
        }
        guard let documents else { return }
        reload(documents)
    }

    /// Applies `documents`, or rejects them whole.
    func reload(_ documents: [ConfigurationDocument]) {
        do {
            guard try applyChange(documents) else { return }
            reloads.increment()
            logger.info("resilience configuration reloaded", metadata: ["files": .string(files.joined(separator: ", "))])
        } catch {
            failures.increment()
            logger.error(
                "resilience configuration change rejected; the policies keep their configuration",
                metadata: ["problems": .array(error.problems.map { .string($0.description) })])
        }
    }
}
