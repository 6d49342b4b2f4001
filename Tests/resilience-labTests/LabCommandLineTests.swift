import Foundation
import Testing
@testable import resilience_lab

@Suite("resilience-lab: output paths checked first, --version, unknown subcommands")
struct LabCommandLineTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "resilience-lab-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Exit status 2, nothing on stdout, one message on stderr naming `path`, and no time spent
    /// simulating (the suite takes seconds; a refused path must take far less).
    func expectRefused(_ arguments: [String], naming path: String, saying words: String) throws {
        let start = ContinuousClock.now
        let run = try runLab(arguments, in: directory)
        let elapsed = ContinuousClock.now - start
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("resilience-lab: \(path): "), "\(run.stderr)")
        #expect(run.stderr.contains(words), "\(run.stderr)")
        #expect(elapsed < .seconds(2), "\(arguments) took \(elapsed): the path was not checked first")
    }

    @Test("suite --report in a missing directory is refused before simulating, naming the path")
    func suiteReportMissingDirectory() throws {
        try expectRefused(["suite", "--report", "/nonexistent/x.html", "--quiet"], naming: "/nonexistent/x.html", saying: "no such directory /nonexistent")
        // The default subcommand too.
        try expectRefused(["--json", directory, "--quiet"], naming: directory, saying: "it is a directory")
    }

    @Test("run and tune check every output path first")
    func runAndTuneOutputs() throws {
        try expectRefused(["run", "--scenario", "steady-state", "--policy", "default", "--json", "/nonexistent/out.json"],
                          naming: "/nonexistent/out.json", saying: "--json")
        try expectRefused(["run", "--scenario", "steady-state", "--policy", "default", "--report", directory],
                          naming: directory, saying: "--report there: it is a directory")
        let file = directory + "/plain"
        try Data().write(to: URL(fileURLWithPath: file))
        try expectRefused(["run", "--scenario", "steady-state", "--policy", "default", "--report", file + "/r.html"],
                          naming: file + "/r.html", saying: "\(file) is not a directory")
        try expectRefused(["run", "--scenario", "steady-state", "--policy", "default", "--report", "same.out", "--json", "./same.out"],
                          naming: "./same.out", saying: "--report and --json name the same file")
        try expectRefused(["tune", "--scenario", "steady-state", "--budget", "60", "--output", "/nonexistent/best.json"],
                          naming: "/nonexistent/best.json", saying: "--output")
        try expectRefused(["tune", "--scenario", "steady-state", "--budget", "60", "--write-config", "/nonexistent/c.yaml", "--policy-name", "p"],
                          naming: "/nonexistent/c.yaml", saying: "--write-config")
        try expectRefused(["run", "--scenario", "steady-state", "--policy", "default", "--json", ""],
                          naming: "--json \"\"", saying: "the path is empty")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["plain"], "a refused run wrote a file")
    }

    @Test("a writable path still gets its output")
    func writablePath() throws {
        let run = try runLab(["run", "--scenario", "steady-state", "--policy", "none", "--json", "out.json"], in: directory)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: directory + "/out.json"))
    }

    @Test("--version prints the version and exits 0")
    func version() throws {
        let run = try runLab(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout == LabVersion.current + "\n")
        #expect(run.stderr.isEmpty)
    }

    /// CHANGELOG.md's newest released entry (`## 1.2.0`, or `## [1.2.0]`), when there is one, is the
    /// version, or the version is the next one's `-dev`; with no release yet, the version is a `-dev`.
    @Test("the version agrees with CHANGELOG.md")
    func versionMatchesChangelog() throws {
        let changelog = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appending(path: "CHANGELOG.md")
        let text = try String(contentsOf: changelog, encoding: .utf8)
        let released = text.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("## ") else { return nil }
            let word = line.dropFirst(3).split(separator: " ").first.map(String.init) ?? ""
            let version = word.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
            return LabCommandLineTests.numbers(version) == nil ? nil : version
        }.first
        let current = LabVersion.current
        #expect(LabCommandLineTests.numbers(current.replacingOccurrences(of: "-dev", with: "")) != nil, "\(current) is not x.y.z or x.y.z-dev")
        guard let released else {
            #expect(current.hasSuffix("-dev"), "no release in CHANGELOG.md, yet the version is \(current)")
            return
        }
        if current.hasSuffix("-dev") {
            let next = LabCommandLineTests.numbers(String(current.dropLast(4)))!
            #expect(LabCommandLineTests.numbers(released)!.lexicographicallyPrecedes(next), "\(current) is not after the newest release \(released)")
        } else {
            #expect(current == released, "the version \(current) is not CHANGELOG.md's newest release \(released)")
        }
    }

    /// `x.y.z` as three numbers, or `nil`.
    static func numbers(_ version: String) -> [Int]? {
        let parts = version.split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 3, parts.allSatisfy({ $0 != nil }) else { return nil }
        return parts.map { $0! }
    }

    @Test("an unknown subcommand is named, with the list of subcommands, exit 2")
    func unknownSubcommand() throws {
        let run = try runLab(["simulate"])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "resilience-lab: unknown subcommand \"simulate\"; the subcommands are suite, run, tune, example, replay, schedule, config (no subcommand runs suite; resilience-lab help SUBCOMMAND describes one)\n")
        // Known ones and help still parse.
        #expect(ResilienceLabCommand.unknownSubcommand(in: ["help", "run"]) == nil)
        #expect(ResilienceLabCommand.unknownSubcommand(in: ["--quiet"]) == nil)
        #expect(ResilienceLabCommand.unknownSubcommand(in: []) == nil)
        #expect(ResilienceLabCommand.unknownSubcommand(in: ["replay", "x"]) == nil)
    }
}
