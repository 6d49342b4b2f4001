import Resilience

/// Where chaos strategies draw their random numbers: the system's generator, or a seeded one that
/// makes every injection decision exactly repeatable.
///
/// ```swift
/// let random = ChaosRandom(seed: 42)   // SplitMix64: the same calls are injected on every run
/// let fault = ChaosFault(name: "db", rate: 0.25, enabled: true, error: DatabaseDown(), random: random)
/// ```
///
/// A strategy that is on, with a rate above 0, draws exactly one number per call that reaches it
/// (``nextUnit()``; a log-normal latency draws two more for its duration, a uniform one one more) and
/// injects when that number is below its rate. Strategies that share one `ChaosRandom` draw from one
/// sequence, in the order the calls reach them; strategies given two generators seeded alike draw the
/// same numbers, so a fault at rate 0.1 and a latency at rate 0.2 would hit the same calls: give each
/// its own seed, or share one source.
///
/// The generator is behind a lock: drawing is safe from any number of tasks at once (which call gets
/// which number then depends on their interleaving).
public final class ChaosRandom: Sendable {
    let generator: Locked<any RandomNumberGenerator & Sendable>

    /// Draws from the system's random number generator (`SystemRandomNumberGenerator`).
    public convenience init() {
        self.init(SystemRandomNumberGenerator())
    }

    /// Draws from `SplitMix64` seeded with `seed`: the same seed gives the same decisions on every
    /// platform.
    public convenience init(seed: UInt64) {
        self.init(SplitMix64(seed: seed))
    }

    /// Draws from `generator`.
    public init(_ generator: some RandomNumberGenerator & Sendable) {
        self.generator = Locked(generator)
    }

    /// A number in [0, 1): the top 53 bits of the generator's next 64, times 2⁻⁵³. Exact (no rounding),
    /// so the same bits give the same number on every platform; never 1.
    public func nextUnit() -> Double {
        Double(nextBits53()) * 0x1p-53
    }

    /// The top 53 bits of the generator's next 64: an integer in [0, 2⁵³).
    func nextBits53() -> UInt64 {
        generator.withLock { $0.next() } >> 11
    }
}
