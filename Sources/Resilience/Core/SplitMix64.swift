/// A small, fast, deterministic random number generator: Sebastiano Vigna's SplitMix64, the generator
/// that seeds xoshiro and backs Java's `SplittableRandom`.
///
/// Give it to a policy's `random:` parameter (``Retry``'s jitter, for example) when a test or a
/// simulation must be exactly repeatable: the same seed always gives the same numbers, on every
/// platform. resilience-lab draws all its randomness from it, and the latency-based concurrency limits
/// draw their probe jitter from it. Each ``next()`` adds the golden-ratio
/// constant `0x9E3779B97F4A7C15` to the state and returns the state mixed by two xor-shift-multiply
/// rounds. Not for anything that needs unpredictable numbers.
///
/// ```swift
/// var random = SplitMix64(seed: 0)
/// random.next()   // 0xE220A8397B1DCDAF
/// ```
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The state: the seed, plus the golden-ratio constant once per number drawn.
    public private(set) var state: UInt64

    /// A generator whose numbers are determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
