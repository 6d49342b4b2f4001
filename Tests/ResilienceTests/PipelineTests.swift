import Synchronization
import Testing
@testable import Resilience

/// A policy that writes its name into a shared log before and after running the inner operation, and
/// stamps the context's operation name with it.
struct RecordingPolicy: ResiliencePolicy {
    let name: String
    let log: SharedLog

    nonisolated(nonsending) func execute<Value>(
        context: ResilienceContext,
        _ operation: nonisolated(nonsending) (ResilienceContext) async throws -> Value
    ) async throws -> Value {
        log.append("enter \(name)")
        var inner = context
        inner.operationName += ">\(name)"
        defer { log.append("leave \(name)") }
        return try await operation(inner)
    }
}

/// A log shared between policies and tests.
final class SharedLog: Sendable {
    private let lines_ = Locked<[String]>([])
    func append(_ line: String) { lines_.withLock { $0.append(line) } }
    var lines: [String] { lines_.withLock { $0 } }
}

@Suite("Pipeline")
struct PipelineTests {
    @Test("policies run outermost first and pass the context inwards")
    func order() async throws {
        let log = SharedLog()
        let pipeline = ResiliencePipeline {
            RecordingPolicy(name: "outer", log: log)
            RecordingPolicy(name: "middle", log: log)
            RecordingPolicy(name: "inner", log: log)
        }
        let name = try await pipeline.execute(context: ResilienceContext(operationName: "op")) { context in
            log.append("operation")
            return context.operationName
        }
        #expect(name == "op>outer>middle>inner")
        #expect(log.lines == [
            "enter outer", "enter middle", "enter inner", "operation", "leave inner", "leave middle", "leave outer",
        ])
    }

    @Test("if and if/else choose policies; an empty pipeline runs the operation as it is")
    func conditionals() async throws {
        let log = SharedLog()
        func make(_ withExtra: Bool) -> some ResiliencePolicy {
            ResiliencePipeline {
                if withExtra {
                    RecordingPolicy(name: "extra", log: log)
                }
                if withExtra {
                    RecordingPolicy(name: "a", log: log)
                } else {
                    RecordingPolicy(name: "b", log: log)
                }
            }
        }
        _ = try await make(true).execute { 1 }
        _ = try await make(false).execute { 1 }
        #expect(log.lines == ["enter extra", "enter a", "leave a", "leave extra", "enter b", "leave b"])
        let empty = ResiliencePipeline {}
        #expect(try await empty.execute { 7 } == 7)
    }

    @Test("a breaker inside a pipeline rejects through it with the real error type")
    func breakerInPipeline() async throws {
        let clock = ManualClock()
        let log = SharedLog()
        let breaker = try makeBreaker(clock: clock)
        let pipeline = ResiliencePipeline {
            RecordingPolicy(name: "outer", log: log)
            breaker
        }
        for _ in 0..<2 {
            await #expect(throws: Boom.self) { try await pipeline.execute { () async throws -> Int in throw Boom() } }
        }
        await #expect(throws: ResilienceError.self) { try await pipeline.execute { 1 } }
        #expect(breaker.state == .open)
    }

    @Test("context metadata is typed and a deadline is read on the right clock only")
    func context() throws {
        enum TenantKey: ResilienceContextKey { typealias Value = String }
        var context = ResilienceContext(operationName: "op", priority: .high)
        #expect(context.metadata[TenantKey.self] == nil)
        context.metadata[TenantKey.self] = "acme"
        #expect(context.metadata[TenantKey.self] == "acme")
        #expect(Priority.low < Priority.normal && Priority.high < Priority.critical)

        let clock = ManualClock()
        context.deadline = clock.now.advanced(by: .seconds(5))
        #expect(try context.deadline(on: clock) == ManualClock.Instant(offset: .seconds(5)))
        #expect(throws: ResilienceContext.DeadlineClockMismatch.self) { try context.deadline(on: ContinuousClock()) }
    }

    @Test("metadata reads as a dictionary would after every sequence of four sets and removals over three keys")
    func metadataAsDictionary() {
        // The first value stored is kept inline and the others in a dictionary: every way a key can
        // move between the two (set, overwritten, removed, set again while others are stored) is covered.
        enum First: ResilienceContextKey { typealias Value = Int }
        enum Second: ResilienceContextKey { typealias Value = Int }
        enum Third: ResilienceContextKey { typealias Value = String }
        func read(_ metadata: ResilienceMetadata) -> [Int?] {
            [metadata[First.self], metadata[Second.self], metadata[Third.self].map { Int($0)! }]
        }
        var mismatches: [[Int]] = []
        for sequence in 0..<(9 * 9 * 9 * 9) {
            var metadata = ResilienceMetadata()
            var model: [Int?] = [nil, nil, nil]
            var operations: [Int] = []
            var rest = sequence
            for _ in 0..<4 {
                let operation = rest % 9
                rest /= 9
                operations.append(operation)
                let key = operation / 3
                let value: Int? = operation % 3 == 2 ? nil : operation % 3 + 10 * operations.count
                switch key {
                case 0: metadata[First.self] = value
                case 1: metadata[Second.self] = value
                default: metadata[Third.self] = value.map(String.init)
                }
                model[key] = value
                if read(metadata) != model || metadata.isEmpty != model.allSatisfy({ $0 == nil }) {
                    mismatches.append(operations)
                }
            }
        }
        #expect(mismatches.isEmpty)
    }
}
