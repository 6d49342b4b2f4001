import Foundation
import Resilience
import Testing
@testable import ResilienceConfiguration

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Hostile and absurd input to the readers: alias bombs, streams, directories, out-of-range numbers.
@Suite("Readers: bounds, streams and plain I/O errors")
struct ReaderLimitsTests {
    let directory: String

    init() throws {
        directory = NSTemporaryDirectory() + "reader-limits-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// A "billion laughs": `levels` anchors, each a sequence of ten aliases of the one before.
    static func aliasBomb(levels: Int) -> String {
        var lines = ["a0: &a0 [\"lol\"]"]
        for level in 1...levels {
            let items = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(items)]")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func rootError(_ text: String, file: String = "p.yaml") -> String? {
        do {
            _ = try YAMLReader.rootObject(text, file: file, what: "policy")
            return nil
        } catch {
            return error.description
        }
    }

    @Test("a billion-laughs YAML file is rejected at once, naming the file, the line and the anchor")
    func aliasBomb() {
        let text = Self.aliasBomb(levels: 9)
        let start = ContinuousClock.now
        let message = rootError(text)
        // Before the bound, 7 levels of 9 aliases took 24 to 31 s and 0.5 to 1.5 GB.
        #expect(ContinuousClock.now - start < .seconds(5))
        // The first anchor that alone expands beyond the bound is named: a6, 2,111,111 nodes.
        #expect(message == "p.yaml:7: column 5: aliases expand the document to more than 2000000 nodes, the most allowed; "
            + "the anchor &a6 expands to more than 2000000 nodes")
    }

    @Test("aliases within the bounds are expanded as copies")
    func aliasesWithinBounds() throws {
        // 5 levels: about 111,000 nodes, under the bound, read in full.
        let root = try YAMLReader.rootObject(Self.aliasBomb(levels: 5), file: "p.yaml", what: "policy")
        guard case .array(let top) = root["a5"] else { Issue.record("a5 is not a sequence"); return }
        #expect(top.count == 10)
        #expect(root["a1"] == .array(Array(repeating: .array([.string("lol")]), count: 10)))
    }

    @Test("more aliases than allowed are an error even when each is small")
    func tooManyAliases() {
        let aliases = Array(repeating: "*x", count: YAMLReader.maximumAliases + 1).joined(separator: ", ")
        #expect(rootError("x: &x 1\nlist: [\(aliases)]\n")
            == "p.yaml:1: column 4: more than 10000 aliases, the most a document may use (the one over refers to &x)")
    }

    // MARK: - Streams

    @Test("a FIFO is read to its end, like a file")
    func fifo() async throws {
        let path = directory + "/trace.fifo"
        #expect(mkfifo(path, 0o600) == 0)
        let writer = Task.detached {
            let handle = FileHandle(forWritingAtPath: path)!
            handle.write(Data("{\"retry\": {}}\n".utf8))
            try handle.close()
        }
        let text = try TextFile.read(path)
        try await writer.value
        #expect(text == "{\"retry\": {}}\n")
    }

    @Test("a character device such as /dev/null reads as empty, without a permission error")
    func characterDevice() throws {
        #expect(try TextFile.read("/dev/null") == "")
    }

    // MARK: - Plain I/O errors

    @Test("a directory given as a file, for reading or writing, says so in a plain sentence")
    func directoryAsFile() {
        #expect(throws: InputFileError(file: directory, message: "is a directory, not a file")) {
            _ = try TextFile.read(directory)
        }
        #expect(throws: InputFileError(file: directory, message: "is a directory, not a file")) {
            try TextFile.write("x", to: directory)
        }
        #expect(throws: InputFileError(file: directory, message: "is a directory, not a file")) {
            _ = try InputDocument.root(path: directory, what: "policy")
        }
    }

    @Test("writing into a missing directory, over a file used as a directory, or without permission")
    func writeErrors() throws {
        #expect(throws: InputFileError(file: directory + "/none/x.html", message: "cannot write the file: no such directory \(directory)/none")) {
            try TextFile.write("x", to: directory + "/none/x.html")
        }
        let file = directory + "/plain"
        try TextFile.write("x", to: file)
        #expect(try TextFile.read(file) == "x")
        #expect(throws: InputFileError(file: file + "/x.json", message: "cannot write the file: a part of the path before the name is not a directory")) {
            try TextFile.write("x", to: file + "/x.json")
        }
        #expect(throws: InputFileError(file: file, message: "cannot write the file: it already exists")) {
            try TextFile.write("y", to: file, replacing: false)
        }
        #expect(throws: InputFileError(file: file + "/x.json", message: "cannot read the file (a part of the path before the name is not a directory)")) {
            _ = try TextFile.read(file + "/x.json")
        }
        if getuid() != 0 {
            let locked = directory + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            #expect(chmod(locked, 0o500) == 0)
            #expect(throws: InputFileError(file: locked + "/x.json", message: "cannot write the file: permission denied")) {
                try TextFile.write("x", to: locked + "/x.json")
            }
        }
    }

    // MARK: - Numbers

    func integerError(_ json: String) -> String? {
        do {
            guard case .object(let object) = try JSONReader.parse(json) else { return "not an object" }
            _ = try FieldReader(object, path: "bulkhead").integer("maxConcurrent")
            return nil
        } catch let error as FieldError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test("an integer too large to be exact is out of range, with the range")
    func integerOutOfRange() {
        #expect(integerError(#"{"maxConcurrent": 9223372036854775807}"#)
            == "bulkhead.maxConcurrent: 9.223372036854776e+18 is out of range; allowed: an integer from -8999999999999999 to 8999999999999999")
        #expect(integerError(#"{"maxConcurrent": -9000000000000000}"#)
            == "bulkhead.maxConcurrent: -9000000000000000 is out of range; allowed: an integer from -8999999999999999 to 8999999999999999")
        #expect(integerError(#"{"maxConcurrent": 8999999999999999}"#) == nil)
        #expect(integerError(#"{"maxConcurrent": 2.5}"#) == "bulkhead.maxConcurrent must be an integer, got a number")
    }

    @Test("a duration too large says so, with the maximum; the maximum itself is read")
    func durationTooLarge() throws {
        #expect(throws: DurationText.ParseError(text: "99999999999h", problem: .tooLarge)) { _ = try DurationText.parse("99999999999h") }
        #expect(DurationText.ParseError(text: "99999999999h", problem: .tooLarge).description
            == #""99999999999h" is too large; the maximum duration is 9223372036.854775807s (about 292 years)"#)
        #expect(try DurationText.parse(DurationText.maximumText) == DurationText.maximum)
        #expect(throws: DurationText.ParseError(text: "9223372036.854775808s", problem: .tooLarge)) {
            _ = try DurationText.parse("9223372036.854775808s")
        }
        #expect(throws: DurationText.ParseError(text: "99999999999999999999999999s", problem: .tooLarge)) {
            _ = try DurationText.parse("99999999999999999999999999s")
        }
        #expect(try DurationText.parse("0000000000000000000000000001s") == .seconds(1))
        #expect(throws: DurationText.ParseError(text: "0.5ns", problem: .partOfANanosecond)) { _ = try DurationText.parse("0.5ns") }
        #expect(throws: DurationText.ParseError(text: "12", problem: .notADuration)) { _ = try DurationText.parse("12") }
    }
}
