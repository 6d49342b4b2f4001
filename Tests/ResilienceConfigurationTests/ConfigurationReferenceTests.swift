import Foundation
import Testing
@testable import ResilienceConfiguration

@Suite("The configuration reference is made from the schema")
struct ConfigurationReferenceTests {
    static let article = URL(filePath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Sources/Resilience/Resilience.docc/ConfigurationReference.md")

    /// The line just before the generated table in the article.
    static let marker = "The table of every key below is generated from the configurations' key descriptions; a test checks it."

    /// Set `RESILIENCE_WRITE_REFERENCE=1` to write the table into the article instead of checking it.
    @Test("ConfigurationReference.md holds the table of every key, exactly as the schema makes it")
    func tableMatchesSchema() throws {
        let text = try String(contentsOf: Self.article, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex(of: Self.marker), "the article lacks the line: \(Self.marker)") + 2
        var end = start
        while end < lines.count && lines[end].hasPrefix("|") { end += 1 }
        let table = ConfigurationReferenceTable.markdown
        if ProcessInfo.processInfo.environment["RESILIENCE_WRITE_REFERENCE"] == "1" {
            lines.replaceSubrange(start..<end, with: table.components(separatedBy: "\n"))
            try lines.joined(separator: "\n").write(to: Self.article, atomically: true, encoding: .utf8)
            return
        }
        #expect(lines[start..<end].joined(separator: "\n") == table, "run with RESILIENCE_WRITE_REFERENCE=1 to update the article")
    }
}
