/// Everything wrong with a configuration, found in one pass: every bad key with its full path, the
/// value and what is allowed, and every unknown key or environment variable. A configuration is used
/// only when there is none: an invalid value never silently becomes a default.
public struct ConfigurationProblems: Error, Sendable, Hashable, CustomStringConvertible {
    /// One problem.
    public struct Problem: Sendable, Hashable, CustomStringConvertible {
        /// The full key path (`resilience.policies.payments.circuitBreaker.failureRatio`), or the file
        /// for a problem with a whole file.
        public var key: String
        /// What is wrong, and what is allowed, naming the key with its full path.
        public var message: String
        /// Where the value came from: a file, or an environment variable's name.
        public var source: String?

        public init(key: String, message: String, source: String? = nil) {
            self.key = key
            self.message = message
            self.source = source
        }

        /// `MESSAGE (in SOURCE)`: the message already names the key.
        public var description: String {
            message + (source.map { " (in \($0))" } ?? "")
        }
    }

    /// The problems, in the order they were found.
    public var problems: [Problem]

    public init(_ problems: [Problem]) {
        self.problems = problems
    }

    /// One line per problem.
    public var description: String {
        problems.map(\.description).joined(separator: "\n")
    }
}
