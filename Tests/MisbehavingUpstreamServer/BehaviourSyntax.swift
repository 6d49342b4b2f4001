import ArgumentParser
import MisbehavingUpstream

/// The command line's spelling of an ``UpstreamBehaviour``:
///
/// | text | behaviour |
/// |---|---|
/// | `healthy` | `200 OK`, body `ok` |
/// | `status:500` | that status (200...599), body `status 500` |
/// | `reset` | reads the request, then resets the connection (TCP RST) |
/// | `slow:2s` | `200 OK` after that delay (`500ms`, `2s`: a whole number of milliseconds or seconds) |
/// | `retry-after:429:1` | that status (200...599) with `Retry-After: 1` (whole seconds) and a `Date` |
/// | `flapping:3:2` | 3 failures (500, or the status given as a third field: `flapping:3:2:503`), then 2 `200 OK`, over and over |
enum BehaviourSyntax {
    /// The behaviour `text` spells, or a `ValidationError` saying what is wrong with it.
    static func parse(_ text: String) throws(ValidationError) -> UpstreamBehaviour {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch (fields[0], fields.count) {
        case ("healthy", 1): return .healthy
        case ("reset", 1): return .reset
        case ("status", 2): return .status(try status(fields[1], in: text))
        case ("slow", 2): return .slow(headDelay: try duration(fields[1], in: text))
        case ("retry-after", 3):
            return .retryAfter(status: try status(fields[1], in: text), .seconds(try count(fields[2], in: text)))
        case ("flapping", 3), ("flapping", 4):
            let failures = try count(fields[1], in: text), successes = try count(fields[2], in: text)
            guard failures + successes > 0 else { throw bad(text, "failures and successes cannot both be 0") }
            return .flapping(
                failures: failures, successes: successes, failureStatus: fields.count == 4 ? try status(fields[3], in: text) : 500)
        default:
            throw bad(text, "expected healthy, status:CODE, reset, slow:DELAY, retry-after:CODE:SECONDS or flapping:FAILURES:SUCCESSES[:CODE]")
        }
    }

    /// A path and how requests to it are answered.
    struct Route: Sendable {
        var path: String
        var behaviour: UpstreamBehaviour
    }

    /// Parses `PATH=BEHAVIOUR`, the value of `--route`.
    static func route(_ text: String) throws(ValidationError) -> Route {
        guard let equals = text.firstIndex(of: "=") else { throw bad(text, "expected PATH=BEHAVIOUR") }
        let path = String(text[..<equals])
        guard path.hasPrefix("/"), !path.contains(where: { $0 == "?" || $0 == " " }) else {
            throw bad(text, "the path must start with / and hold no query or space")
        }
        return Route(path: path, behaviour: try parse(String(text[text.index(after: equals)...])))
    }

    static func status(_ field: String, in text: String) throws(ValidationError) -> Int {
        guard let code = Int(field), (200...599).contains(code) else { throw bad(text, "'\(field)' is not a status in 200...599") }
        return code
    }

    static func count(_ field: String, in text: String) throws(ValidationError) -> Int {
        guard let value = Int(field), value >= 0, field.allSatisfy(\.isASCII) else {
            throw bad(text, "'\(field)' is not a whole number >= 0")
        }
        return value
    }

    static func duration(_ field: String, in text: String) throws(ValidationError) -> Duration {
        if field.hasSuffix("ms"), let value = Int(field.dropLast(2)), value >= 0 { return .milliseconds(value) }
        if field.hasSuffix("s"), let value = Int(field.dropLast()), value >= 0 { return .seconds(value) }
        throw bad(text, "'\(field)' is not a delay such as 500ms or 2s")
    }

    static func bad(_ text: String, _ reason: String) -> ValidationError {
        ValidationError("'\(text)': \(reason)")
    }
}
