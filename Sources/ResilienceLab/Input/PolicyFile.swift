import ResilienceConfiguration

/// A `POLICY.json` (or `POLICY.yaml`) file: the configuration of each policy to run, by section. The
/// lab reads exactly what production configuration reads under `resilience.policies.<name>`: see
/// ``PolicyConfiguration``.
public typealias PolicyFile = PolicyConfiguration

/// Bad input to `resilience-lab`: names the file, the line where there is one, and what was wrong.
public typealias LabInputError = InputFileError
