import Resilience
import Testing
@testable import ResilienceConfiguration

/// A section with a secret key, as fleet mode's database URL will be.
private struct DatabaseSection: ConfigurationSection {
    var url = "postgres://localhost/resilience"
    var poolSize = 4

    static var defaults: Self { Self() }

    static var keys: [ConfigurationKey<Self>] {
        [
            ConfigurationKey.text("url", \.url, allowed: "a postgres:// URL", meaning: "where the shared state lives").secret(),
            .integer("poolSize", \.poolSize, allowed: "1...100", meaning: "connections"),
        ]
    }

    func validate() throws(ConfigurationError) {
        guard url.hasPrefix("postgres://") else { throw ConfigurationError(key: "url", value: url, allowed: "a postgres:// URL") }
        guard (1...100).contains(poolSize) else { throw ConfigurationError(key: "poolSize", value: "\(poolSize)", allowed: "1...100") }
    }
}

private let secretURL = "mysql://admin:hunter2@db.internal/prod"

@Suite("Secret keys are never shown")
struct SecretKeyTests {
    @Test("Validation errors of a secret key say <redacted> instead of the value; other keys keep theirs")
    func validationRedacted() {
        var section = DatabaseSection()
        section.url = secretURL
        section.poolSize = 0
        let errors = section.validationErrors().map(\.description)
        #expect(errors == ["url: <redacted> is not allowed; allowed: a postgres:// URL", "poolSize: 0 is not allowed; allowed: 1...100"])
        #expect(!errors.joined().contains("hunter2"))
    }

    @Test("A file's bad secret is reported without its value")
    func readerRedacted() throws {
        let object = try #require({ () -> JSONObject? in
            if case .object(let object) = try? JSONReader.parse(#"{"url": "\#(secretURL)"}"#) { return object }
            return nil
        }())
        do {
            _ = try FieldReader(object, path: "resilience.fleet").section(DatabaseSection.self)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "resilience.fleet.url: <redacted> is not allowed; allowed: a postgres:// URL")
        }
    }

    @Test("Written configuration shows <redacted> for a secret")
    func writerRedacted() throws {
        var section = DatabaseSection()
        section.url = secretURL
        let text = JSONWriter.text(try PolicyConfiguration.json(DatabaseSection.keys, of: section, path: "fleet"))
        #expect(text == "{\n  \"url\": \"<redacted>\",\n  \"poolSize\": 4\n}")
    }
}
