import Testing
@testable import Resilience

@Suite("Pressure: /proc and cgroup parsers")
struct PressureParserTests {
    static let stat =
        "4242 (my (weird) app) S 1 4242 4242 0 -1 4194560 2311 0 0 0 1234 567 0 0 20 0 9 0 1663124 3133440 382 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n"

    static func parseError(_ body: () throws -> Void) -> ProcParseError? {
        do {
            try body()
            return nil
        } catch let error as ProcParseError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test("utime + stime from stat, counting fields from the last ')' of the command name")
    func cpuTicks() throws {
        #expect(try ProcFileParser.cpuTicks(stat: Self.stat) == 1234 + 567)
        let real = "16994 (cat) R 16988 16988 12328 0 -1 4194304 98 0 0 0 3 2 0 0 20 0 1 0 1663124 3133440 382 1"
        #expect(try ProcFileParser.cpuTicks(stat: real) == 5)
    }

    @Test("malformed stat is an error naming the file and the field, never 0")
    func malformedStat() throws {
        let noParen = try #require(Self.parseError { _ = try ProcFileParser.cpuTicks(stat: "4242 app S 1 2 3") })
        #expect(noParen.file == "stat")
        #expect(noParen.problem.contains("')'"))
        let short = try #require(Self.parseError { _ = try ProcFileParser.cpuTicks(stat: "1 (a) S 1 2 3") })
        #expect(short.problem.contains("expected at least 15"))
        let letters = try #require(Self.parseError {
            _ = try ProcFileParser.cpuTicks(stat: "1 (a) S 1 1 1 0 -1 0 0 0 0 0 12x 5 0 0")
        })
        #expect(letters.problem == "utime (field 14) is \"12x\", not a non-negative integer")
        let empty = try #require(Self.parseError { _ = try ProcFileParser.cpuTicks(stat: "") })
        #expect(empty.file == "stat")
        #expect(empty.description.hasPrefix("cannot parse stat:"))
    }

    @Test("statm: the resident pages are field 2")
    func statm() throws {
        #expect(try ProcFileParser.residentPages(statm: "765 446 418 5 0 123 0\n") == 446)
        #expect(Self.parseError { _ = try ProcFileParser.residentPages(statm: "765") }?.file == "statm")
        #expect(Self.parseError { _ = try ProcFileParser.residentPages(statm: "765 -4 1") }?.problem.contains("resident") == true)
    }

    @Test("status: Cpus_allowed_list counts numbers and ranges")
    func allowedCPUs() throws {
        func count(_ list: String) throws -> Int {
            try ProcFileParser.allowedCPUCount(status: "Name:\tx\nCpus_allowed:\tff\nCpus_allowed_list:\t\(list)\nVmRSS:\t1 kB\n")
        }
        #expect(try count("0-1") == 2)
        #expect(try count("0-3,8,10-11") == 7)
        #expect(try count("5") == 1)
        for bad in ["", "0-a", "3-1", "1,,2", "0-1-2"] {
            #expect(throws: ProcParseError.self, "\(bad)") { try count(bad) }
        }
        #expect(Self.parseError { _ = try ProcFileParser.allowedCPUCount(status: "Name:\tx\n") }?.problem == "no Cpus_allowed_list line")
    }

    @Test("/proc/self/cgroup: the v2 path and each v1 hierarchy")
    func cgroups() throws {
        let hybrid = try ProcFileParser.cgroups(cgroup: "9:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/\n")
        #expect(hybrid.unifiedPath == "/")
        #expect(hybrid.v1Hierarchy(with: "memory")?.path == "/process_api/abc")
        #expect(hybrid.v1Hierarchy(with: "cpu")?.controllers == "cpu,cpuacct")
        #expect(hybrid.v1Hierarchy(with: "cpuset") == nil)
        let unified = try ProcFileParser.cgroups(cgroup: "0::/system.slice/app.service\n")
        #expect(unified == CgroupMembership(unifiedPath: "/system.slice/app.service", controllerPaths: [:]))
        #expect(Self.parseError { _ = try ProcFileParser.cgroups(cgroup: "garbage\n") }?.file == "cgroup")
    }

    @Test("cgroup limits: quotas in CPUs, memory in bytes, 'max' and v1's unlimited are none")
    func limits() throws {
        #expect(try ProcFileParser.cpuQuota(cpuMax: "max 100000\n") == nil)
        #expect(try ProcFileParser.cpuQuota(cpuMax: "150000 100000\n") == 1.5)
        #expect(Self.parseError { _ = try ProcFileParser.cpuQuota(cpuMax: "150000\n") }?.file == "cpu.max")
        #expect(Self.parseError { _ = try ProcFileParser.cpuQuota(cpuMax: "1 0\n") }?.problem == "the period is 0")
        #expect(try ProcFileParser.cpuQuota(cfsQuota: "-1\n", cfsPeriod: "100000\n") == nil)
        #expect(try ProcFileParser.cpuQuota(cfsQuota: "50000\n", cfsPeriod: "100000\n") == 0.5)
        #expect(Self.parseError { _ = try ProcFileParser.cpuQuota(cfsQuota: "-2\n", cfsPeriod: "100000\n") }?.file == "cpu.cfs_quota_us")
        #expect(try ProcFileParser.memoryLimit("max\n", file: "memory.max") == nil)
        #expect(try ProcFileParser.memoryLimit("9223372036854771712\n", file: "memory.limit_in_bytes") == nil)
        #expect(try ProcFileParser.memoryLimit("1073741824\n", file: "memory.max") == 1 << 30)
        #expect(Self.parseError { _ = try ProcFileParser.memoryLimit("\n", file: "memory.max") }?.file == "memory.max")
    }

    @Test("CPU fraction: ticks over wall time times capacity")
    func cpuFraction() {
        #expect(ProcessPressureReader<ManualClock>.cpuFraction(ticks: 150, ticksPerSecond: 100, wall: .seconds(1), capacity: 2) == 0.75)
        #expect(ProcessPressureReader<ManualClock>.cpuFraction(ticks: 50, ticksPerSecond: 100, wall: .seconds(1), capacity: 0.5) == 1.0)
        #expect(ProcessPressureReader<ManualClock>.cpuFraction(ticks: 50, ticksPerSecond: 100, wall: .zero, capacity: 1) == nil)
    }
}
