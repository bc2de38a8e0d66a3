/// Temporary: replaced by the checkpoint module's guess when merged.
func guessArchitecture(keys: [String]) -> String? { nil }
