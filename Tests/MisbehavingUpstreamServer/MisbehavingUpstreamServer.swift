import ArgumentParser
import Dispatch
import Foundation
import MisbehavingUpstream

/// `misbehaving-upstream`: ``MisbehavingUpstream`` as a process, for black-box checks from a shell script
/// (`.ci/proxy-contract`). Not a product.
///
/// ```
/// misbehaving-upstream --route /fail=status:500 --route /slow=slow:2s --default healthy
/// ```
///
/// - **Behaviours** (`--route PATH=BEHAVIOUR`, repeatable; `--default BEHAVIOUR` for every other path,
///   `healthy` if absent): `healthy`, `status:500`, `reset`, `slow:2s` (or `500ms`), `retry-after:429:1`,
///   `flapping:3:2` (3 failures with 500, then 2 successes; `flapping:3:2:503` fails with 503). A bad value
///   exits with status 2 and says why on stderr.
/// - **Standard output**: first exactly one line, `listening on http://127.0.0.1:PORT`, written unbuffered
///   once it accepts connections (on 127.0.0.1, a port the system chooses); then one line per command.
/// - **Commands**, one per line on standard input (a fifo works well from bash:
///   `mkfifo ctl; misbehaving-upstream < ctl > out & exec 3> ctl; echo "count /fail" >&3`), each answered by
///   exactly one line on standard output, once it has taken effect:
///   - `set PATH BEHAVIOUR` → `ok set PATH`: requests to PATH get BEHAVIOUR from now on;
///   - `default BEHAVIOUR` → `ok default`: the behaviour of paths without one of their own;
///   - `count PATH` → `count PATH N`: the requests to PATH received so far (the path without its query);
///   - `reset-counters` → `ok reset-counters`: forgets the requests received;
///   - anything else → `error: ...`.
///   The end of standard input stops nothing.
/// - **Stops** on `SIGTERM` or `SIGINT`: closes its connections and exits 0.
@main
struct MisbehavingUpstreamServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "misbehaving-upstream",
        abstract: "A loopback HTTP server that misbehaves on purpose, controlled through standard input.",
        discussion: """
            BEHAVIOUR is one of: healthy, status:CODE, reset, slow:DELAY (500ms, 2s), retry-after:CODE:SECONDS, \
            flapping:FAILURES:SUCCESSES[:CODE]. Standard input takes one command per line: set PATH BEHAVIOUR, \
            default BEHAVIOUR, count PATH, reset-counters; each is answered by one line on standard output. \
            SIGTERM or SIGINT stops the server (exit 0).
            """)

    @Option(
        name: .customLong("route"),
        help: ArgumentHelp("How requests to PATH are answered (repeatable).", valueName: "PATH=BEHAVIOUR"),
        transform: { try BehaviourSyntax.route($0) })
    var routes: [BehaviourSyntax.Route] = []

    @Option(
        name: .customLong("default"),
        help: ArgumentHelp("How requests to any other path are answered.", valueName: "BEHAVIOUR"),
        transform: { try BehaviourSyntax.parse($0) })
    var defaultBehaviour: UpstreamBehaviour = .healthy

    /// Like ArgumentParser's `main()`, but a bad option exits with status 2 (as `resilience-lab` does).
    static func main() async {
        do {
            let command = try parse()
            try await command.run()
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("misbehaving-upstream: \(fullMessage(for: error))\n".utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    func run() async throws {
        // Signals are received through dispatch sources, so their default action (ending the process) is off.
        let (signals, signalled) = AsyncStream.makeStream(of: Int32.self)
        let sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { signalled.yield(number) }
            source.resume()
            return source
        }
        let upstream = try await MisbehavingUpstream.start(
            defaultBehaviour: defaultBehaviour, routes: Dictionary(routes.map { ($0.path, $0.behaviour) }) { _, last in last })
        Self.say("listening on \(upstream.baseURL)")
        // A blocking read of standard input, on a thread of its own rather than one of the concurrency pool's.
        Thread {
            while let line = readLine() {
                Self.say(Self.answer(line, upstream: upstream))
            }
        }.start()
        for await _ in signals { break }
        sources.forEach { $0.cancel() }
        try await upstream.shutdown()
    }

    /// Runs one command of standard input and returns its answer.
    static func answer(_ line: String, upstream: MisbehavingUpstream) -> String {
        let words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        do throws(ValidationError) {
            switch (words.first, words.count) {
            case (nil, _): return "error: an empty command"
            case ("set", 3):
                let route = try BehaviourSyntax.route(words[1] + "=" + words[2])
                upstream.setBehaviour(route.behaviour, for: route.path)
                return "ok set \(route.path)"
            case ("default", 2):
                upstream.setDefaultBehaviour(try BehaviourSyntax.parse(words[1]))
                return "ok default"
            case ("count", 2):
                return "count \(words[1]) \(upstream.requestCount(path: words[1]))"
            case ("reset-counters", 1):
                upstream.resetCounters()
                return "ok reset-counters"
            default:
                return "error: '\(line)': expected set PATH BEHAVIOUR, default BEHAVIOUR, count PATH or reset-counters"
            }
        } catch {
            return "error: \(error.message)"
        }
    }

    /// Writes `line` to standard output at once (no buffer: a script waiting for it sees it).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
