import ArgumentParser
import Foundation
import Resilience
import ResilienceConfiguration

/// `resilience-lab config FILE... [--profile NAME]`: the configuration a service would run with.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read configuration files and the environment as production does, and print the policies they configure.",
        discussion: """
            Reads the files (JSON, or YAML when named .yaml or .yml; a later file overrides an earlier \
            one) and the process's RESILIENCE_* environment variables (which override the files) \
            through the ResilienceConfiguration module, exactly as a service reads them, and prints \
            one JSON object:
              {"enabled": true, "policies": {"<name>": {"<section>": {"<key>": <value>, ...}}}}
            Each policy lists the sections it configures, in the order they run, each with every key \
            (defaults of the profile filled in), durations as strings with a unit ("30s", "1m", \
            "250ms") and null where a key is off: each policy object is a valid POLICY.json for run, \
            replay and schedule. The profile is --profile, else RESILIENCE_PROFILE, else the files' \
            resilience.profile, else production.

            Bad input prints nothing on stdout, one line per problem on stderr naming the full key \
            path (resilience.policies.payments.circuitBreaker.failureRatio), and exits with status 2.
            """)

    @Argument(help: "The configuration files, in order: a later one overrides an earlier one.")
    var files: [String] = []

    @Option(help: "The profile whose defaults the policies start from: development, staging or production.")
    var profile: ResilienceProfile?

    func run() throws {
        let settings = try ResilienceSettings.read(files: files, environment: ProcessInfo.processInfo.environment, profile: profile)
        let text: String
        do {
            text = try settings.jsonText()
        } catch {
            throw ConfigurationProblems([.init(key: error.key, message: error.description)])
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

extension ResilienceProfile: ExpressibleByArgument {}
