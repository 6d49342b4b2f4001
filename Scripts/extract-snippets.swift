// Extracts every Swift code block of the README and of the DocC articles into the test target
// DocumentationSnippetTests, so that `swift test` compiles each one as it is written, and runs the
// ones that show behaviour.
//
//     swift Scripts/extract-snippets.swift           # rewrite Tests/DocumentationSnippetTests/Generated
//     swift Scripts/extract-snippets.swift --check   # exit 1 when the generated files are not current (CI)
//
// A block is the text between a line "```swift" and the next line "```". Each becomes one file and one
// type, `Snippet_<Document>_<n>` (n counts the document's Swift blocks from 1), so that two documents
// may both declare a `struct Order` (the blocks of a worked example, `joinedDocuments`, make one file
// and one type, `Snippet_<Document>`):
// - its `import` lines go to the top of the file (every file also imports Resilience, Logging, Metrics
//   and Testing, since an article may show a part of a file whose imports it shows elsewhere);
// - a block of declarations only becomes the type's members; each of its functions that takes no
//   argument is run by a generated test (`RunSnippets.swift`);
// - a block with statements at its top level (`let budget = try RetryBudget()`, `for await ...`) becomes
//   the body of a `run()` method: compiled, not run, since it calls the placeholder clients of
//   `Prelude.swift` (`provider`, `order`, ...), stand-ins that only type-check.
// - a package manifest (`import PackageDescription`, or a `.package(...)` line) is not Swift of this
//   package and is skipped.
import Foundation

struct Block {
    var document: String
    var name: String
    var line: Int
    var lines: [String]
}

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
let output = root.appending(path: "Tests/DocumentationSnippetTests/Generated")

func documents() throws -> [String] {
    let fileManager = FileManager.default
    var paths = ["README.md"]
    let sources = root.appending(path: "Sources")
    for module in try fileManager.contentsOfDirectory(atPath: sources.path).sorted() {
        for entry in (try? fileManager.contentsOfDirectory(atPath: sources.appending(path: module).path))?.sorted() ?? []
        where entry.hasSuffix(".docc") {
            let catalog = "Sources/\(module)/\(entry)"
            for article in try fileManager.contentsOfDirectory(atPath: root.appending(path: catalog).path).sorted()
            where article.hasSuffix(".md") {
                paths.append("\(catalog)/\(article)")
            }
        }
    }
    return paths
}

func blocks(in path: String) throws -> [Block] {
    let text = try String(contentsOf: root.appending(path: path), encoding: .utf8)
    let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    var result: [Block] = []
    var current: Block?
    for (index, line) in text.components(separatedBy: "\n").enumerated() {
        if var block = current {
            if line.trimmingCharacters(in: .whitespaces) == "```" {
                result.append(block)
                current = nil
            } else {
                block.lines.append(line)
                current = block
            }
        } else if line.trimmingCharacters(in: .whitespaces) == "```swift" {
            current = Block(document: path, name: "\(base)_\(result.count + 1)", line: index + 1, lines: [])
        }
    }
    precondition(current == nil, "\(path): a ```swift block is not closed")
    return result
}

let declarationStarts = [
    "struct ", "enum ", "class ", "actor ", "func ", "protocol ", "extension ", "typealias ", "public ", "package ",
    "private ", "fileprivate ", "internal ", "final ", "nonisolated", "@", "}", ")", "]", "//", "#if", "#else", "#endif",
]

func isManifest(_ block: Block) -> Bool {
    block.lines.contains { $0.contains("import PackageDescription") || $0.hasPrefix(".package(") }
}

func hasStatements(_ body: [String]) -> Bool {
    body.contains { line in
        guard let first = line.first, !first.isWhitespace else { return false }
        return !declarationStarts.contains { line.hasPrefix($0) }
    }
}

/// The functions of a declarations-only block that take no argument: name, async, throws, returns a value.
func runnableFunctions(_ body: [String]) -> [(name: String, isAsync: Bool, throwing: Bool, returns: Bool)] {
    body.compactMap { line in
        guard line.hasPrefix("func ") else { return nil }
        let afterFunc = line.dropFirst(5)
        guard let parenthesis = afterFunc.firstIndex(of: "("), afterFunc[parenthesis...].hasPrefix("()") else { return nil }
        let name = String(afterFunc[..<parenthesis])
        guard !name.contains("<") else { return nil }
        let signature = afterFunc[parenthesis...]
        return (name, signature.contains(" async"), signature.contains(" throws"), signature.contains("->"))
    }
}

/// Documents whose blocks are the parts of one worked example, one file in the reader's project: they
/// are compiled together, as one snippet named after the document.
let joinedDocuments: Set<String> = ["AddingAPolicy"]

func file(for blocks: [Block], name: String) -> (text: String, runnable: [(name: String, isAsync: Bool, throwing: Bool, returns: Bool)]) {
    let importPrefixes = ["import ", "@testable import ", "@preconcurrency import "]
    var allImports = ["import Logging", "import Metrics", "import Resilience", "import Testing"]
    func indented(_ lines: [String], by spaces: Int) -> [String] {
        lines.map { $0.isEmpty ? "" : String(repeating: " ", count: spaces) + $0 }
    }
    var members: [String] = []
    var runnable: [(name: String, isAsync: Bool, throwing: Bool, returns: Bool)] = []
    var statementBlocks = 0
    for block in blocks {
        for line in block.lines where importPrefixes.contains(where: { line.hasPrefix($0) }) && !allImports.contains(line) {
            allImports.append(line)
        }
        var body = block.lines.filter { line in !importPrefixes.contains { line.hasPrefix($0) } }
        while body.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { body.removeFirst() }
        if !members.isEmpty { members.append("") }
        members.append("// \(block.document), line \(block.line)")
        if hasStatements(body) {
            statementBlocks += 1
            members.append("func run\(blocks.count > 1 ? String(statementBlocks) : "")() async throws {")
            members += indented(body, by: 4)
            members.append("}")
        } else {
            members += body
            runnable += runnableFunctions(body)
        }
    }
    let lines = [
        "// Generated by Scripts/extract-snippets.swift: do not edit; edit the document, then run",
        "// `swift Scripts/extract-snippets.swift`.",
    ] + allImports.sorted() + ["", "@usableFromInline", "struct Snippet_\(name) {"] + indented(members, by: 4) + ["}", ""]
    return (lines.joined(separator: "\n"), runnable)
}

func generate() throws -> [String: String] {
    var files: [String: String] = [:]
    var tests = [
        "// Generated by Scripts/extract-snippets.swift: the documentation's snippets that take no argument, run.",
        "import Testing",
        "",
        "@Suite(\"The documentation's snippets run\")",
        "struct RunSnippets {",
    ]
    var skipped: [String] = []
    for path in try documents() {
        var snippets: [(name: String, blocks: [Block])] = []
        for block in try blocks(in: path) {
            if isManifest(block) {
                skipped.append("\(path):\(block.line)")
                continue
            }
            let base = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            if joinedDocuments.contains(base) {
                if snippets.isEmpty { snippets.append((base, [])) }
                snippets[0].blocks.append(block)
            } else {
                snippets.append((block.name, [block]))
            }
        }
        for snippet in snippets {
            let (text, runnable) = file(for: snippet.blocks, name: snippet.name)
            files["\(snippet.name).swift"] = text
            for function in runnable {
                let call = (function.throwing ? "try " : "") + (function.isAsync ? "await " : "")
                    + "Snippet_\(snippet.name)().\(function.name)()"
                tests += [
                    "    @Test(\"\(path), line \(snippet.blocks[0].line): \(function.name)()\")",
                    "    func \(snippet.name)_\(function.name)() async throws {",
                    "        \(function.returns ? "_ = " : "")\(call)",
                    "    }",
                    "",
                ]
            }
        }
    }
    if tests.last == "" { tests.removeLast() }
    tests.append("}")
    tests.append("")
    tests.insert("// Skipped (package manifests): \(skipped.joined(separator: ", "))", at: 1)
    files["RunSnippets.swift"] = tests.joined(separator: "\n")
    return files
}

let check = CommandLine.arguments.dropFirst().contains("--check")
let files = try generate()
let fileManager = FileManager.default
let existing = Set((try? fileManager.contentsOfDirectory(atPath: output.path)) ?? [])
var stale: [String] = []
for name in existing.subtracting(files.keys).sorted() {
    stale.append("\(name) (no such block any more)")
    if !check { try fileManager.removeItem(at: output.appending(path: name)) }
}
if !check { try fileManager.createDirectory(at: output, withIntermediateDirectories: true) }
for (name, text) in files.sorted(by: { $0.key < $1.key }) {
    let url = output.appending(path: name)
    if (try? String(contentsOf: url, encoding: .utf8)) == text { continue }
    stale.append(name)
    if !check { try text.write(to: url, atomically: true, encoding: .utf8) }
}
if check && !stale.isEmpty {
    print("extract-snippets: not current: \(stale.joined(separator: ", ")); run `swift Scripts/extract-snippets.swift`")
    exit(1)
}
print("extract-snippets: \(files.count - 1) snippets\(check ? " current" : (stale.isEmpty ? ", unchanged" : ", \(stale.count) files written"))")
