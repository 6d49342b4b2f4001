import Resilience
// TEMPORARY until the firstbyte-key branch is merged.
extension TimeoutConfiguration { var firstByte: Duration? { nil } }
