import ArgumentParser
import Foundation
import Logging
import ResilienceConfiguration
import ResilienceProxy
import ServiceLifecycle
import UnixSignals

/// `resilience-proxy --config FILE [--check]`: see `ResilienceProxy` for what it does, and the README for
/// the configuration file.
///
/// Exit statuses: 0 after a graceful shutdown (`SIGTERM`, `SIGINT`) or a valid `--check`; 2 for a bad
/// configuration (one line per problem on stderr, naming its key); 1 when serving fails (the address is
/// in use, say). Standard output carries exactly one line, `listening on http://HOST:PORT`, once the proxy
/// accepts connections; logs go to standard error, at the level of `LOG_LEVEL` (`info` by default).
@main
struct ResilienceProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resilience-proxy",
        abstract: "A sidecar that protects any HTTP upstream with the policies of a configuration file.",
        discussion: """
            Routes requests by path prefix to upstreams through circuit breakers, retries, timeouts, rate limits \
            and bulkheads from the file's resilience.policies. Serves GET /metrics (Prometheus) and GET /healthz. \
            Reloads on SIGHUP and when the file changes; shuts down gracefully on SIGTERM.
            """)

    @Option(name: .long, help: ArgumentHelp("The configuration file: YAML (.yaml, .yml) or JSON.", valueName: "file"))
    var config: String

    @Flag(name: .long, help: "Check the configuration and exit: 0 when it is valid, 2 when it is not. Nothing listens.")
    var check = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let settings: ProxySettings
        do {
            settings = try ProxySettings.read(file: config, environment: environment)
        } catch {
            for problem in error.problems { Self.printError(problem.description) }
            throw ExitCode(2)
        }
        if check {
            Self.printError("resilience-proxy: \(config) is valid: \(settings.proxy.routes.count) route(s), \(settings.resilience.policies.count) policy(ies)")
            return
        }
        let level = environment["LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0.lowercased()) } ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "resilience-proxy")
        let proxy: ResilienceProxy
        do {
            proxy = try ResilienceProxy(
                settings: settings, file: config, environment: environment, logger: logger,
                onListening: { address in
                    // Unbuffered: the line is out as soon as the proxy accepts connections.
                    FileHandle.standardOutput.write(Data("listening on http://\(address)\n".utf8))
                })
        } catch {
            for problem in error.problems { Self.printError(problem.description) }
            throw ExitCode(2)
        }
        var configuration = ServiceGroupConfiguration(
            services: [.init(service: proxy)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = settings.proxy.shutdownGracePeriod
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            Self.printError("resilience-proxy: \(error)")
            throw ExitCode(1)
        }
    }

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
