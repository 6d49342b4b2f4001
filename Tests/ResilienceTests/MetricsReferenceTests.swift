import Foundation
import Testing

/// The metrics reference is complete: every metric name the code emits is a row of the DocC article's
/// tables and of the README's, and neither lists a metric the code does not emit.
@Suite("The metrics reference lists every metric the code emits")
struct MetricsReferenceTests {
    static let root = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Every `"resilience_..."` string literal in the Swift sources: the metric labels.
    static func emittedNames() throws -> Set<String> {
        let sources = root.appending(path: "Sources")
        var names: Set<String> = []
        let files = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            let text = try String(contentsOf: url, encoding: .utf8)
            for match in text.matches(of: /"(resilience_[a-z_]+)"/) { names.insert(String(match.1)) }
        }
        return names
    }

    /// The metric names in the first column of the markdown tables of `path`.
    static func tableNames(_ path: String) throws -> Set<String> {
        let text = try String(contentsOf: root.appending(path: path), encoding: .utf8)
        var names: Set<String> = []
        for line in text.split(separator: "\n") where line.hasPrefix("| `resilience_") {
            if let match = line.firstMatch(of: /^\| `(resilience_[a-z_]+)`/) { names.insert(String(match.1)) }
        }
        return names
    }

    @Test("MetricsReference.md has a row for every metric, and no row for a metric that does not exist")
    func article() throws {
        let emitted = try Self.emittedNames()
        let listed = try Self.tableNames("Sources/Resilience/Resilience.docc/MetricsReference.md")
        #expect(emitted.count > 40)
        #expect(emitted.subtracting(listed).sorted() == [], "emitted but not in the article")
        #expect(listed.subtracting(emitted).sorted() == [], "in the article but never emitted")
    }

    @Test("The README's telemetry table lists the same metrics")
    func readme() throws {
        let emitted = try Self.emittedNames()
        let listed = try Self.tableNames("README.md")
        #expect(emitted.subtracting(listed).sorted() == [], "emitted but not in the README")
        #expect(listed.subtracting(emitted).sorted() == [], "in the README but never emitted")
    }
}
