/// A `/proc` or cgroup file whose text is not what the kernel writes: names the file, the problem, and
/// the start of the text.
package struct ProcParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, such as `stat` or `cpu.max`.
    package var file: String
    /// What was wrong.
    package var problem: String
    /// The first 120 characters of the text.
    package var excerpt: String

    /// Creates an error for `file`.
    package init(file: String, problem: String, text: String) {
        self.file = file
        self.problem = problem
        self.excerpt = String(text.prefix(120))
    }

    package var description: String { "cannot parse \(file): \(problem) (text: \"\(excerpt)\")" }
}
