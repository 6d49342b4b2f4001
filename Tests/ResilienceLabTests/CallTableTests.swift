import Testing
@testable import ResilienceConfiguration
@testable import ResilienceLab

@Suite("CallTable: slots written in place, growth keeps them, the table frees what it holds")
struct CallTableTests {
    final class Tracked {
        var value: Int
        init(_ value: Int) { self.value = value }
    }

    @Test("the documented example, and 1,000 slots across several growths")
    func growth() {
        var table = CallTable<Int>()
        table.append(7)
        table[0] += 1
        #expect(table[0] == 8)
        for value in 1..<1_000 { table.append(value * 3) }
        #expect(table.count == 1_000)
        #expect(table[0] == 8)
        #expect((1..<1_000).allSatisfy { table[$0] == $0 * 3 })
    }

    @Test("elements are released when the table ends, including those moved by growth")
    func releases() {
        var watchers: [() -> Tracked?] = []
        do {
            var table = CallTable<Tracked>()
            for value in 0..<200 {
                let tracked = Tracked(value)
                watchers.append { [weak tracked] in tracked }
                table.append(tracked)
            }
            table[150].value = -1
            #expect(table[150].value == -1)
            #expect(watchers.allSatisfy { $0() != nil })
        }
        #expect(watchers.allSatisfy { $0() == nil })
    }
}
