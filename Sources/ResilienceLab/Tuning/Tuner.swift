import Resilience
import ResilienceConfiguration

/// Searches retry, circuit breaker and timeout parameters for a scenario: the policy that does best on
/// a ``TuningObjective``, and how it compares with its baseline: the default pipeline, or the policy a
/// service runs today (`baseline`).
///
/// ```swift
/// let result = try Tuner.tune(.outageAndRecovery, objective: .goodput, budget: 120)
/// result.bestMetrics.goodput      // ≥ result.baselineMetrics.goodput
/// print(try result.best.jsonText())  // a POLICY.json
/// ```
///
/// **Search: successive halving over seeds.** The candidates are the baseline (index 0;
/// ``SuitePolicy/defaultPipeline`` unless given) and `n` policies drawn from ``TuningSearchSpace`` with
/// one ``SplitMix64`` seeded with `seed ^ 0x7E57_7E57_7E57_7E57`: indices 1, 4, 7, … are random
/// draws from the whole space (``TuningSearchSpace/draw(onto:_:)``), the other two thirds neighbours of
/// the baseline (``TuningSearchSpace/drawNear(_:_:)``: about a quarter of its keys changed), since
/// the baseline is a strong start that a policy drawn at random rarely beats. Only the retry, breaker
/// and timeout keys of ``TuningSearchSpace`` are searched; the baseline's other keys and sections are
/// in every candidate. A draw that breaks a rule of the baseline's other keys (a `breakDuration` above
/// its `maxBreakDuration`) is drawn again, so every candidate is valid. Three rungs, on 1, 3 and 9 seeds:
/// - rung 0 runs every candidate on the first seed;
/// - rung 1 keeps the best `max(1, n / 3)` drawn candidates, plus the baseline, and runs them on seeds
///   2 and 3;
/// - rung 2 keeps the best third of those (at least 1), plus the baseline, and runs them on seeds 4 to 9.
///
/// "Best" ranks candidates by their metrics averaged over every seed they ran on so far (the
/// objective's order; candidates it cannot tell apart, by index). `n` is the largest number whose
/// runs, `(n + 1) + 2 × (n₁ + 1) + 6 × (n₂ + 1)`, fit in `budget`: 120 runs draw 49 candidates,
/// ``suiteBudget`` (51) draws 18. Earlier runs are reused, never repeated.
///
/// **Never worse than the baseline.** The baseline runs on every seed of every rung. The result is
/// the best-ranked candidate of the final rung that is no worse than the baseline on the objective's
/// measure (goodput ≥, p99 ≤ or amplification ≤) both averaged over the 9 seeds **and on the first
/// seed** (the scenario's own, the one a plain `Simulator.run` and the suite use), and, for `p99`
/// and `amplification`, within the goodput floor on average; the baseline itself always qualifies,
/// so it is the answer when nothing beats it.
///
/// **Seeds.** The first evaluation seed is `seed` (the scenario's seed by default), so the first
/// rung sees exactly what `Simulator.run(scenario, …)` sees; the other 8 are the first outputs of a
/// ``SplitMix64`` seeded with `seed ^ 0x5EED_5EED_5EED_5EED`.
///
/// **Deterministic and parallel.** Each rung's runs execute concurrently on every core
/// (`DispatchQueue.concurrentPerform`); results are gathered by job index and averaged in seed order,
/// so the same scenario, objective, budget and seed give the same result on any number of cores.
/// A run costs roughly its calls ÷ 1 M seconds in a release build (0.1–0.2 s for a built-in scenario).
public enum Tuner {
    /// The budget of `resilience-lab tune` without `--budget`: 120 runs (49 drawn candidates; about
    /// 8 s of one core for a built-in scenario in a release build).
    public static let defaultBudget = 120
    /// The budget the built-in suite tunes each scenario with: 51 runs (18 drawn candidates; 3–4 s of
    /// one core per built-in scenario in a release build: the six tuned in 15.6 s on 2 cores, measured).
    public static let suiteBudget = 51
    /// The budgets accepted: at least the smallest search (the default and one drawn candidate through
    /// all three rungs: 2 + 4 + 12 runs), at most 10,000 runs.
    public static let budgetRange: ClosedRange<Int> = 18...10_000
    /// The number of seeds each rung has run its candidates on.
    public static let seedsPerRung = [1, 3, 9]
    /// The fraction of drawn candidates a rung passes on: 1 / 3.
    public static let reductionFactor = 3

    /// Tunes `scenario` for `objective` within `budget` simulation runs.
    /// - Parameters:
    ///   - seed: the first evaluation seed and the source of every other draw (the scenario's seed by
    ///     default).
    ///   - baseline: the policy to start from and to beat: the default pipeline unless a service's
    ///     current policy is given. It must be valid and have no `adaptiveTimeout` (the search sets
    ///     `timeout.duration`, and an attempt has one timeout).
    /// - Throws: ``LabInputError`` naming the scenario when `budget` is outside ``budgetRange`` or the
    ///   scenario is invalid, naming `baseline` when the baseline is invalid or cannot be tuned.
    public static func tune(
        _ scenario: ScenarioDefinition, objective: TuningObjective = .goodput, budget: Int = defaultBudget,
        seed: UInt64? = nil, baseline: PolicyFile = SuitePolicy.defaultPipeline
    ) throws(LabInputError) -> TuningResult {
        guard budgetRange.contains(budget) else {
            throw LabInputError(
                file: scenario.name,
                message: "budget: \(budget) is not allowed; allowed: \(budgetRange.lowerBound)...\(budgetRange.upperBound) simulation runs")
        }
        do {
            try scenario.validate()
        } catch {
            throw LabInputError(file: scenario.name, message: error.description)
        }
        if let problem = baseline.problems().first {
            throw LabInputError(file: "baseline", message: problem)
        }
        if baseline.adaptiveTimeout != nil {
            throw LabInputError(
                file: "baseline",
                message: "adaptiveTimeout: tune searches timeout.duration and an attempt has one timeout; tune a policy with a timeout section instead")
        }
        let baseSeed = seed ?? scenario.seed
        let seeds = evaluationSeeds(baseSeed)
        let drawn = drawnCandidates(budget: budget)
        let survivorsPerRung = drawnSurvivors(drawn: drawn)

        var random = SplitMix64(seed: baseSeed ^ 0x7E57_7E57_7E57_7E57)
        var policies = [baseline]
        for index in 1...drawn {
            var policy: PolicyFile
            var draws = 0
            repeat {
                policy = index % 3 == 1
                    ? TuningSearchSpace.draw(onto: baseline, &random) : TuningSearchSpace.drawNear(baseline, &random)
                draws += 1
            } while !isValid(policy) && draws < maxDraws
            guard isValid(policy) else {
                throw LabInputError(
                    file: "baseline",
                    message: "\(maxDraws) draws in a row broke a rule of the baseline (\(policy.problems().joined(separator: "; "))); widen the keys the search does not set")
            }
            policies.append(policy)
        }

        var runsOf = [[TuningMetrics]](repeating: [], count: policies.count)
        var rungOf = [Int](repeating: 0, count: policies.count)
        var alive = Array(policies.indices)
        var runs = 0
        for (rung, seedCount) in seedsPerRung.enumerated() {
            if rung > 0 {
                let ranked = rank(alive, runsOf: runsOf, objective: objective).filter { $0 != 0 }
                alive = [0] + ranked.prefix(survivorsPerRung[rung]).sorted()
            }
            var pending: [(candidate: Int, seedIndex: Int)] = []
            for candidate in alive {
                for seedIndex in runsOf[candidate].count..<seedCount { pending.append((candidate, seedIndex)) }
            }
            let jobs = pending
            let results = ParallelMap.map(count: jobs.count) { [policies] job -> Result<TuningMetrics, LabInputError> in
                let (candidate, seedIndex) = jobs[job]
                do throws(LabInputError) {
                    let result = try Simulator.run(
                        scenario, policy: policies[candidate], policyName: candidate == 0 ? "baseline" : "candidate-\(candidate)",
                        seed: seeds[seedIndex], intervalWidth: scenario.duration)
                    return .success(TuningMetrics(result))
                } catch {
                    return .failure(error)
                }
            }
            for (job, result) in zip(jobs, results) {
                switch result {
                case .success(let metrics): runsOf[job.candidate].append(metrics)
                case .failure(let error): throw error
                }
            }
            runs += jobs.count
            for candidate in alive { rungOf[candidate] = rung }
        }

        let finalSeeds = seedsPerRung[seedsPerRung.count - 1]
        let baselineRuns = runsOf[0]
        let baselineMetrics = TuningMetrics(mean: baselineRuns[...])
        var best = 0
        for candidate in rank(alive, runsOf: runsOf, objective: objective) {
            let metrics = TuningMetrics(mean: runsOf[candidate][...])
            guard objective.isFeasible(metrics, baselineGoodput: baselineMetrics.goodput) else { continue }
            // On average, and on the first seed: the scenario's own, which a single `run` shows.
            if objective.isNoWorse(metrics, than: baselineMetrics), objective.isNoWorse(runsOf[candidate][0], than: baselineRuns[0]) {
                best = candidate
                break
            }
        }
        let candidates = policies.indices.map { index in
            TuningCandidate(index: index, policy: policies[index], rung: rungOf[index], metrics: TuningMetrics(mean: runsOf[index][...]))
        }
        return TuningResult(
            scenario: scenario.name, objective: objective, seed: baseSeed, budget: budget, runs: runs,
            evaluationSeeds: Array(seeds.prefix(finalSeeds)), baseline: baseline, best: policies[best],
            bestMetrics: candidates[best].metrics, baselineMetrics: baselineMetrics, candidates: candidates)
    }

    /// The number of candidates drawn for `budget` (in ``budgetRange``): the largest `n` whose
    /// successive halving fits in it.
    public static func drawnCandidates(budget: Int) -> Int {
        var drawn = 1
        while runs(drawn: drawn + 1) <= budget { drawn += 1 }
        return drawn
    }

    /// The simulation runs a search with `drawn` candidates makes.
    public static func runs(drawn: Int) -> Int {
        let survivors = drawnSurvivors(drawn: drawn)
        var total = 0
        var previousSeeds = 0
        for (rung, seeds) in seedsPerRung.enumerated() {
            total += (survivors[rung] + 1) * (seeds - previousSeeds)
            previousSeeds = seeds
        }
        return total
    }

    /// The drawn candidates each rung runs (the baseline comes on top).
    static func drawnSurvivors(drawn: Int) -> [Int] {
        var survivors = [drawn]
        while survivors.count < seedsPerRung.count {
            survivors.append(max(1, survivors[survivors.count - 1] / reductionFactor))
        }
        return survivors
    }

    /// The 9 evaluation seeds: `seed`, then 8 draws of a ``SplitMix64`` seeded with
    /// `seed ^ 0x5EED_5EED_5EED_5EED`.
    static func evaluationSeeds(_ seed: UInt64) -> [UInt64] {
        var random = SplitMix64(seed: seed ^ 0x5EED_5EED_5EED_5EED)
        var seeds = [seed]
        while seeds.count < seedsPerRung[seedsPerRung.count - 1] { seeds.append(random.next()) }
        return seeds
    }

    /// `candidates` best first, by their mean metrics over the seeds they ran on (ties by index).
    static func rank(_ candidates: [Int], runsOf: [[TuningMetrics]], objective: TuningObjective) -> [Int] {
        let baselineGoodput = TuningMetrics(mean: runsOf[0][...]).goodput
        let means = candidates.map { TuningMetrics(mean: runsOf[$0][...]) }
        let order = candidates.indices.sorted { a, b in
            if let before = objective.ranks(means[a], before: means[b], baselineGoodput: baselineGoodput) {
                return before
            }
            return candidates[a] < candidates[b]
        }
        return order.map { candidates[$0] }
    }

    /// Whether every section of `policy` is valid, and the sections agree.
    static func isValid(_ policy: PolicyFile) -> Bool {
        policy.problems().isEmpty
    }

    /// How many times a candidate is drawn again when it breaks a rule of the baseline's other keys.
    static let maxDraws = 1000
}
